"""Files the CLI writes for people: tables as CSV that spreadsheet programs open safely (a text
cell starting with ``=``, ``+``, ``-``, ``@`` is written so that it cannot run as a formula)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from jmdiq_geo.io.exports import write_csv

__all__ = ["save_csv"]


def save_csv(table: pd.DataFrame, out: Path | str, *, index: bool = True) -> Path:
    return write_csv(table, out, index=index)
