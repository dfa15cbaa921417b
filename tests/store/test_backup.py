"""Backups and replacing a workspace (issue "Trust", durability): a backup is a consistent copy
while the workspace stays open; restore and the demo build refuse to replace a workspace another
process holds, and replace it cleanly (no old log replayed into the new file) otherwise."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jmdiq_geo.cli import main as cli_main
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.services.workspace import backup_workspace, build_new_workspace, open_workspace, restore_workspace
from jmdiq_geo.store.workspace import Workspace, place_new, swap_in
from tests.fixtures.files import one_level_manifest

ROOT = Path(__file__).resolve().parents[2]


def _workspace(path: Path | str, city: str = "Teststadt") -> Workspace:
    ws = Workspace.create(path, work_crs="EPSG:25833", city=city)
    with ws.transaction():
        ws.put_indicators([{"indicator_id": "ew", "label_de": "Einwohner", "kind": "extensive"}])
    return ws


@pytest.fixture
def holder():
    """A second process that opens a workspace for writing and keeps it open (the running app)."""
    procs = []

    def hold(db: Path):
        code = textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(db)!r})
            print("open", flush=True)
            sys.stdin.readline()
        """)
        proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "open"
        procs.append(proc)
        return proc
    yield hold
    for proc in procs:
        proc.stdin.close()
        proc.stdout.close()
        proc.wait(timeout=30)


def test_a_backup_is_a_consistent_copy_while_the_workspace_stays_open(tmp_path, new_workspace_location):
    """On PostgreSQL too: ``backup`` writes a DuckDB file of the database's state of one moment."""
    ws = _workspace(new_workspace_location("w"))
    out = backup_workspace(ws, tmp_path / "sicherung" / "w-kopie.duckdb")
    with ws.transaction():                      # the open workspace goes on being written
        ws.put_indicators([{"indicator_id": "neu", "label_de": "Neu", "kind": "extensive"}])
    with open_workspace(out, read_only=True) as copy:
        assert copy.meta()["city"] == "Teststadt"
        assert set(copy.indicators()["indicator_id"]) == {"ew"}
    with pytest.raises(SchemaError) as err:     # a backup overwrites nothing
        backup_workspace(ws, out)
    assert [p.code for p in err.value.problems] == ["backup_exists"]
    ws.close()


@pytest.mark.duckdb_file("the file replaced, its lock; PostgreSQL restores with pg_restore: test_postgres.py")
def test_restore_puts_the_backup_in_place_and_refuses_while_the_workspace_is_open(tmp_path, holder):
    db = tmp_path / "w.duckdb"
    ws = _workspace(db)
    out = backup_workspace(ws, tmp_path / "b.duckdb")
    with ws.transaction():
        ws.put_indicators([{"indicator_id": "spaeter", "label_de": "Später", "kind": "extensive"}])
    ws.close()
    proc = holder(db)
    with pytest.raises(SchemaError) as err:
        restore_workspace(out, db)
    assert [p.code for p in err.value.problems] == ["workspace_locked"]
    proc.stdin.close()
    proc.wait(timeout=30)
    restore_workspace(out, db)
    with open_workspace(db, read_only=True) as back:
        assert set(back.indicators()["indicator_id"]) == {"ew"}
    assert out.exists() and not list(tmp_path.glob("*.restoring*"))


@pytest.mark.duckdb_file("restore replaces a file; PostgreSQL refuses restore: test_cli_backup_and_restore")
def test_restore_refuses_a_file_that_is_no_workspace(tmp_path):
    db = tmp_path / "w.duckdb"
    _workspace(db).close()
    bad = tmp_path / "kaputt.duckdb"
    bad.write_bytes(b"\x00" * 5000)
    with pytest.raises(SchemaError) as err:
        restore_workspace(bad, db)
    assert [p.code for p in err.value.problems] == ["workspace_unreadable"]
    with open_workspace(db, read_only=True) as ws:
        assert ws.meta()["city"] == "Teststadt"


@pytest.mark.duckdb_file("moving a file into place, its lock and write-ahead log")
def test_swap_in_refuses_while_held_and_leaves_no_old_log(tmp_path, holder):
    target = tmp_path / "w.duckdb"
    _workspace(target, city="Alt").close()
    built = tmp_path / "neu.duckdb"
    ws = _workspace(built, city="Neu")
    ws.checkpoint()
    ws.close()
    proc = holder(target)
    with pytest.raises(SchemaError):
        swap_in(built, target)
    assert built.exists()
    proc.stdin.close()
    proc.wait(timeout=30)
    old = Workspace(target)                     # an old log: a write left in the WAL of the old file
    old.con.execute("PRAGMA disable_checkpoint_on_shutdown")
    with old.transaction():
        old.put_indicators([{"indicator_id": "alt", "label_de": "Alt", "kind": "extensive"}])
    old.close()
    swap_in(built, target)
    assert not target.with_name(target.name + ".wal").exists()
    with open_workspace(target, read_only=True) as ws:
        assert ws.meta()["city"] == "Neu" and "alt" not in set(ws.indicators()["indicator_id"])


@pytest.mark.duckdb_file("moving a new file into place, its write-ahead log")
def test_place_new_never_replaces_a_workspace_and_leaves_no_stale_log(tmp_path):
    target = tmp_path / "w.duckdb"
    built = tmp_path / "neu.duckdb"
    ws = _workspace(built, city="Neu")
    ws.checkpoint()
    ws.close()
    target.with_name(target.name + ".wal").write_bytes(b"left by a crash")    # a log without its file
    place_new(built, target)
    assert not built.exists() and not target.with_name(target.name + ".wal").exists()
    with open_workspace(target, read_only=True) as ws:
        assert ws.meta()["city"] == "Neu"
    other = tmp_path / "other.duckdb"
    ws = _workspace(other, city="Andere")
    ws.checkpoint()
    ws.close()
    with pytest.raises(SchemaError) as err:
        place_new(other, target)
    assert [p.code for p in err.value.problems] == ["workspace_exists"]
    assert other.exists()
    with open_workspace(target, read_only=True) as ws:
        assert ws.meta()["city"] == "Neu"


@pytest.mark.duckdb_file("a build into a new file moved into place; on PostgreSQL the database is checked before "
                         "(test_postgres.py)")
def test_a_new_build_does_not_replace_a_workspace_built_meanwhile_and_leaves_nothing(tmp_path):
    target = tmp_path / "w.duckdb"

    def fill(ws):
        with ws.transaction():
            ws.put_indicators([{"indicator_id": "neu", "label_de": "Neu", "kind": "extensive"}])
        _workspace(target, city="Schneller").close()      # another build of the same name finished first
        return "filled"

    with pytest.raises(SchemaError) as err:
        build_new_workspace(target, work_crs="EPSG:25833", city="Langsamer", fill=fill)
    assert [p.code for p in err.value.problems] == ["workspace_exists"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]
    with open_workspace(target, read_only=True) as ws:
        assert ws.meta()["city"] == "Schneller"
    target.unlink()
    assert build_new_workspace(target, work_crs="EPSG:25833", city="Neu",
                               fill=lambda ws: "filled") == ("filled", None)
    with open_workspace(target, read_only=True) as ws:
        assert ws.meta()["city"] == "Neu"


def test_cli_backup_and_restore(tmp_path, capsys, new_workspace_location):
    db = new_workspace_location("w")
    _workspace(db).close()
    out = tmp_path / "b.duckdb"
    assert cli_main(["--lang", "en", "backup", "--db", str(db), "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    with open_workspace(out, read_only=True) as copy:
        assert copy.meta()["city"] == "Teststadt" and set(copy.indicators()["indicator_id"]) == {"ew"}
    assert cli_main(["--lang", "en", "backup", "--db", str(db), "--out", str(out)]) == 2
    assert "exists already" in capsys.readouterr().err
    if isinstance(db, str):          # PostgreSQL: restored with pg_restore or migrate (README), not replaced
        assert cli_main(["--lang", "en", "restore", str(out), "--db", db]) == 2
        assert "pg_restore" in capsys.readouterr().err
        return
    assert cli_main(["--lang", "en", "restore", str(out), "--db", str(db)]) == 0
    assert "Teststadt" in capsys.readouterr().out
    assert cli_main(["--lang", "en", "restore", str(tmp_path / "gibtsnicht.duckdb"), "--db", str(db)]) == 2


@pytest.mark.duckdb_file("the file's write lock; on PostgreSQL a build into a database holding a workspace is "
                         "refused: test_postgres.py")
def test_demo_refuses_to_replace_a_workspace_that_is_open(tmp_path, tiny_files, holder, capsys):
    db = tmp_path / "ws.duckdb"
    _workspace(db, city="Alt").close()
    manifest = one_level_manifest(tmp_path, tiny_files["areas"], work_crs="EPSG:25833")
    proc = holder(db)
    argv = ["--lang", "en", "demo", "--city", str(manifest), "--db", str(db), "--data-root", str(tiny_files["areas"].parent)]
    assert cli_main(argv) == 2
    assert "is open in another program" in capsys.readouterr().err
    proc.stdin.close()
    proc.wait(timeout=30)
    with open_workspace(db, read_only=True) as ws:
        assert ws.meta()["city"] == "Alt"
    assert not list(tmp_path.glob("*.building*"))
    assert cli_main(argv) == 0                   # nobody holds it: rebuilt in place
    with open_workspace(db, read_only=True) as ws:
        assert ws.meta()["city"] == "Neu"
