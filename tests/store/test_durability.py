"""Durability of the workspace (issue "Trust"): a process killed at any moment of a write, the
commit window included, leaves the workspace exactly as before or exactly as after (table
hashes compared) - a DuckDB file and a PostgreSQL database alike; the torn commits DuckDB 1.5.5
can leave in a file are repaired on the next open; an orphaned write-ahead log is never
replayed; a damaged file is a message; a newer workspace is a message and stays unchanged."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from jmdiq_geo.errors import SchemaError
from jmdiq_geo.store.schema import SCHEMA_VERSION
from jmdiq_geo.store.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
#: large enough for DuckDB to write the cells to the file before the commit (the torn case)
N = 3_000_000
#: in PostgreSQL (no torn case: its own transactions), enough for a write of some seconds
N_PG = 200_000


def _raw_counts(db: Path) -> tuple[int, int, int]:
    con = duckdb.connect(str(db))
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("grids", "grid_cells", "indicators"))
    finally:
        con.close()


def _copy(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    wal = src.with_name(src.name + ".wal")
    if wal.exists():
        shutil.copy(wal, dst.with_name(dst.name + ".wal"))
    return dst


def _write(db: Path | str, *, kill_after_commit_ms: float | None) -> None:
    n = N if isinstance(db, Path) else N_PG
    proc = subprocess.Popen([sys.executable, "-m", "tests.store.kill_child", str(db), str(n)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    with proc.stdout:
        assert proc.stdout.readline().strip() == "ready"
        if kill_after_commit_ms is None:
            assert proc.wait(timeout=300) == 0
            return
        assert proc.stdout.readline().strip() == "commit"
        time.sleep(kill_after_commit_ms / 1000)
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def _settled(server, url: str) -> None:
    """Wait until PostgreSQL has let go of the killed writer's connections (a COMMIT it had
    received is then done or undone): what is read afterwards stays."""
    name = server.dbname(url)
    for _ in range(600):
        if server.psql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'").strip() == "0":
            return
        time.sleep(0.05)
    raise AssertionError(f"the killed writer's connections to {name} are still open")


@pytest.fixture(scope="module")
def states(tmp_path_factory, workspace_locations, copy_workspace):
    """The workspace before the write and after it (a file, or a PostgreSQL database)."""
    folder = tmp_path_factory.mktemp("durability")
    base = workspace_locations("base")
    ws = Workspace.create(base, work_crs="EPSG:25833", city="Teststadt")
    ws.checkpoint()
    before = ws.snapshot()
    ws.close()
    full = copy_workspace(base, folder / "full.duckdb")
    _write(full, kill_after_commit_ms=None)
    with Workspace(full, read_only=True) as ws:
        after = ws.snapshot()
    assert before != after and after["grid_cells"][0] == (N if isinstance(full, Path) else N_PG)
    return folder, base, before, after


@pytest.mark.parametrize("ms", [0, 2, 5, 10, 40])
def test_a_kill_in_the_commit_window_leaves_before_or_after(states, ms, copy_workspace, request):
    folder, base, before, after = states
    db = copy_workspace(base, folder / f"killed_{ms}.duckdb")
    _write(db, kill_after_commit_ms=ms)
    if not isinstance(db, Path):
        _settled(request.getfixturevalue("pg_server"), db)
    # what DuckDB alone gives back (a file; PostgreSQL has no torn commits to repair)
    raw = _raw_counts(_copy(db, folder / f"raw_{ms}.duckdb")) if isinstance(db, Path) else None
    with Workspace(db) as ws:                                           # the next open repairs
        state = ws.snapshot()
        recovered = ws.last_recovery()
    assert state in (before, after), f"torn after {ms} ms: {state}"
    if raw is not None and raw not in ((0, 0, 0), (1, N, 1)):   # DuckDB brought back a torn commit: undone, and said so
        assert state == before and recovered["grid_cells"] == N
    with Workspace(db, read_only=True) as ws:
        assert ws.snapshot() == state


@pytest.mark.duckdb_file("the write journal that repairs DuckDB's torn commits")
def test_a_read_only_open_repairs_a_torn_commit_too(tmp_path):
    db = tmp_path / "w.duckdb"
    ws = Workspace.create(db, work_crs="EPSG:25833", city="Teststadt")
    before = ws.snapshot()
    # the state a torn commit leaves: the journal row of a transaction that never committed and
    # rows beyond its marks
    ws._journal_begin()
    ws.con.execute("INSERT INTO grid_cells VALUES ('g', 1, 2, 3), ('g', 4, 5, 6)")
    ws.close()
    with Workspace(db, read_only=True) as ro:
        assert ro.snapshot() == before


def test_a_failed_write_leaves_no_journal_and_nothing_written(new_workspace_location):
    ws = Workspace.create(new_workspace_location("w"), work_crs="EPSG:25833", city="Teststadt")
    before = ws.snapshot()
    with pytest.raises(RuntimeError):
        with ws.transaction():
            ws.put_indicators([{"indicator_id": "x", "label_de": "X", "kind": "extensive"}])
            raise RuntimeError("stop")
    assert ws.snapshot() == before
    assert ws.con.execute("SELECT count(*) FROM write_journal").fetchone()[0] == 0
    ws.close()


@pytest.mark.duckdb_file("the file's write-ahead log")
def test_an_orphaned_wal_is_kept_aside_not_replayed(tmp_path):
    db = tmp_path / "w.duckdb"
    (tmp_path / "w.duckdb.wal").write_bytes(b"not the log of this file")
    Workspace.create(db, work_crs="EPSG:25833", city="Teststadt").close()
    assert [p.name.startswith("w.duckdb.wal.orphaned-") for p in tmp_path.glob("w.duckdb.wal*")] == [True]
    with Workspace(db, read_only=True) as ws:
        assert ws.meta()["city"] == "Teststadt"


@pytest.mark.duckdb_file("a damaged file; an unreachable PostgreSQL database: test_postgres.py")
@pytest.mark.parametrize("content", [b"kein Arbeitsbereich" * 1000, b"\x00" * 8192])
@pytest.mark.parametrize("read_only", [False, True])
def test_a_damaged_file_is_a_message(tmp_path, content, read_only):
    db = tmp_path / "kaputt.duckdb"
    db.write_bytes(content)
    with pytest.raises(SchemaError) as err:
        Workspace(db, read_only=read_only)
    assert [p.code for p in err.value.problems] == ["workspace_unreadable"]
    assert db.read_bytes() == content


def test_a_newer_workspace_is_a_message_and_stays_unchanged(new_workspace_location):
    db = new_workspace_location("neu")
    ws = Workspace.create(db, work_crs="EPSG:25833", city="Teststadt")
    ws.con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    ws.close()
    for read_only in (False, True):
        with pytest.raises(SchemaError) as err:
            Workspace(db, read_only=read_only)
        assert [p.code for p in err.value.problems] == ["workspace_newer"]
