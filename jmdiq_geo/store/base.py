"""What every repository of the workspace shares: reading a query into a frame, writing a frame
through a registered view, and turning stored WKB back into geometries.

The repositories (``store/areas.py``, ``values.py``, ``definitions.py``, ``services.py``,
``access.py``, ``projects.py``) are mixins of ``store.workspace.Workspace``: they use its connection ``con``,
``cursor()``, ``transaction()``, ``work_crs`` and ``_in_transaction``, and hold no state of
their own (except the area cache the workspace creates).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely


class Repository:
    """Base of the workspace's repositories (see the module's docstring)."""

    def _df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def _with_frame(self, name: str, frame: pd.DataFrame | pa.Table, *statements: str) -> None:
        """Run ``statements`` with ``frame`` registered as the view ``name`` (explicitly, so the
        SQL never depends on a Python variable's name)."""
        if isinstance(frame, pd.DataFrame):
            # arrow converts object columns in C++; DuckDB's pandas scan would sniff them in Python
            # (a column arrow cannot type, e.g. mixed numbers and text, stays with DuckDB's scan)
            try:
                frame = pa.Table.from_pandas(frame, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass
        self.con.register(name, frame)
        try:
            for sql in statements:
                self.con.execute(sql)
        finally:
            self.con.unregister(name)


def from_wkb(blobs: pd.Series) -> np.ndarray:
    """DuckDB hands BLOBs back as bytearray; shapely wants bytes."""
    return shapely.from_wkb(np.array([bytes(b) for b in blobs], dtype=object))
