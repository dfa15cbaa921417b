"""Run by ``test_durability.py`` in a subprocess: one large import-like write transaction (a grid
of N cells and an indicator definition) into the workspace ``argv[1]``. Prints ``ready`` before
it starts and ``commit`` right before the transaction's COMMIT, so the test can kill the process
at chosen moments of the commit window."""
import sys

import numpy as np
import pandas as pd

from jmdiq_geo.store.workspace import Workspace


class _Announcing:
    """The workspace's connection, saying when the COMMIT statement is sent."""

    def __init__(self, con):
        self._con = con

    def execute(self, sql, *args):
        if sql == "COMMIT":
            print("commit", flush=True)
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def main(db: str, n: int) -> None:
    ws = Workspace(db)
    ws.con = _Announcing(ws.con)
    cells = pd.DataFrame({"x": np.arange(n, dtype=float), "y": np.zeros(n), "value": np.ones(n)})
    print("ready", flush=True)
    with ws.transaction():
        ws.replace_grid({"grid_id": "gross", "label": "Gitter", "variable": "v", "kind": "extensive",
                         "crs": "EPSG:3035", "cell_size_m": 100.0}, cells)
        ws.put_indicators([{"indicator_id": "neu", "label_de": "Neu", "kind": "extensive"}])
    print("done", flush=True)
    ws.close()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
