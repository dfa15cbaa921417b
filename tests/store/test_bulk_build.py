"""What a bulk build into a new file asks of the store (``services.new_city._build``): the grids'
cells inserted from parquet in a transaction of their own while the workspace's connection
writes the rest, a commit that writes its data into the file rather than into the write-ahead
log, and DuckDB's threads leaving cores to the build's own threads. Tiny parquet files made
here."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jmdiq_geo.store.workspace import Workspace

pytestmark = pytest.mark.duckdb_file("a build into a new DuckDB file: its connections, its log, its threads")

GRID = {"label": "g", "variable": "v", "kind": "count", "crs": "EPSG:3035", "cell_size_m": 100.0,
        "period": None, "source_id": None}


def _parquet(path: Path, values: list[float]) -> Path:
    n = len(values)
    pq.write_table(pa.table({"x": [100.0 * i + 50 for i in range(n)], "y": [50.0] * n, "v": values}), path)
    return path


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def test_cells_in_a_transaction_of_their_own_while_the_connection_writes_the_rest(tmp_path):
    a = _parquet(tmp_path / "a.parquet", [1.0, -1.0, 3.0])
    b = _parquet(tmp_path / "b.parquet", [5.0] * 4)
    db = tmp_path / "w.duckdb"
    with Workspace.create(db, work_crs="EPSG:25832", city="T") as ws:
        with ws.transaction():
            ws.put_grids([{**GRID, "grid_id": "a"}, {**GRID, "grid_id": "b"}])
            ws.set_meta(note="written by the build's own transaction")
            counts = {}
            worker = threading.Thread(target=lambda: counts.update(ws.insert_cells_from_parquet(
                [("a", a, "v"), ("b", b, "v")], own_transaction=True)))
            worker.start()
            worker.join()
            assert counts == {"a": 3, "b": 4}
            # committed by itself: another connection sees the cells before this transaction ends
            other = ws.con.cursor()
            assert other.execute("SELECT count(*) FROM grid_cells").fetchone()[0] == 7
            assert other.execute("SELECT count(*) FROM grids").fetchone()[0] == 0
            other.close()
        cells = ws.grid_cells("a")
        assert sorted(cells["value"].fillna(-9).tolist()) == [-9, 1.0, 3.0]      # below 0: no value
        assert ws.meta()["note"] == "written by the build's own transaction"
        assert set(ws.grids()["grid_id"]) == {"a", "b"}


def test_a_failing_insert_of_its_own_leaves_no_cell_and_the_workspace_open(tmp_path):
    a = _parquet(tmp_path / "a.parquet", [1.0, 2.0])
    db = tmp_path / "w.duckdb"
    with Workspace.create(db, work_crs="EPSG:25832", city="T") as ws:
        with pytest.raises(duckdb.Error):
            ws.insert_cells_from_parquet([("a", a, "v"), ("b", tmp_path / "missing.parquet", "v")],
                                         own_transaction=True)
        assert ws.con.execute("SELECT count(*) FROM grid_cells").fetchone()[0] == 0    # "a" rolled back too
        with ws.transaction():
            ws.set_meta(after="still writable")
        assert ws.meta()["after"] == "still writable"


def test_in_the_connections_own_transaction_by_default(tmp_path):
    a = _parquet(tmp_path / "a.parquet", [1.0, 2.0])
    with Workspace.create(tmp_path / "w.duckdb", work_crs="EPSG:25832", city="T") as ws:
        with pytest.raises(RuntimeError), ws.transaction():
            assert ws.insert_cells_from_parquet([("a", a, "v")]) == {"a": 2}
            raise RuntimeError("the build fails")
        assert ws.con.execute("SELECT count(*) FROM grid_cells").fetchone()[0] == 0


@pytest.mark.parametrize("at_commit", [False, True])
def test_a_commit_after_checkpoint_at_commit_leaves_no_write_ahead_log(tmp_path, at_commit):
    db = tmp_path / "w.duckdb"
    a = _parquet(tmp_path / "a.parquet", [1.0] * 1000)
    with Workspace.create(db, work_crs="EPSG:25832", city="T") as ws:
        ws.checkpoint()
        with ws.transaction():
            ws.put_grids([{**GRID, "grid_id": "a"}])
            ws.insert_cells_from_parquet([("a", a, "v")])
            if at_commit:
                ws.checkpoint_at_commit()
        logged = _wal(db).exists() and _wal(db).stat().st_size > 0
        assert logged is not at_commit        # without it the commit goes to the log (the control)
    with Workspace(db, read_only=True) as ws:
        assert len(ws.grid_cells("a")) == 1000


@pytest.mark.parametrize("busy", [0, 1, 2, 1000])
def test_leave_cores(tmp_path, busy):
    with Workspace.create(tmp_path / "w.duckdb", work_crs="EPSG:25832", city="T") as ws:
        ws.leave_cores(busy)
        threads = ws.con.execute("SELECT current_setting('threads')").fetchone()[0]
        assert int(threads) == max(1, (os.cpu_count() or 1) - busy)
