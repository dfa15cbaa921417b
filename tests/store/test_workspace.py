"""The store (``jmdiq_geo.store.workspace``): re-imports replace (and leave no stale values),
failures roll back, editions close in whatever order they come, other threads see only committed
data, a workspace held by another process is a message."""
import threading
from datetime import date

import pytest

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.io import imports as im
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.files import MAX_BYTES, TINY_AREAS, count_table, feature, square, write_geojson

PERIOD = date(2024, 12, 31)


def _table(tmp_path, values):
    return count_table(tmp_path / "werte.csv", [(a, v) for (a, _, _), v in zip(TINY_AREAS, values)])


def _rows(tmp_path, rows):
    """A count table of (area, value) rows."""
    return count_table(tmp_path / "t.csv", rows)


SPEC = im.TableSpec(level="plr", period="2024-12-31", columns={"Anzahl": "anzahl"}, key="PLR_ID",
                    indicators=[im.IndicatorDef("anzahl", "Anzahl", kind="extensive")])


def test_reimport_replaces_values(tiny_ws, tmp_path):
    src = im.Source("t", "T")
    im.import_indicator_table(tiny_ws, _table(tmp_path, [1, 2, 3, 4]), SPEC, src, max_bytes=MAX_BYTES)
    im.import_indicator_table(tiny_ws, _table(tmp_path, [10, 20, 30, 40]), SPEC, src, max_bytes=MAX_BYTES)
    values = tiny_ws.values("anzahl", period=date(2024, 12, 31), level="plr")
    assert values.tolist() == [10.0, 20.0, 30.0, 40.0]
    assert tiny_ws.imports()["sha256"].str.len().eq(64).all()


def test_dry_run_writes_nothing(tiny_ws, tmp_path):
    before = tiny_ws.snapshot()
    report = im.import_indicator_table(tiny_ws, _table(tmp_path, [1, 2, 3, 4]), SPEC, im.Source("t", "T"),
                                       max_bytes=MAX_BYTES, dry_run=True)
    assert report.written == 4 and tiny_ws.snapshot() == before


def test_failure_inside_transaction_rolls_back(tiny_ws):
    before = tiny_ws.snapshot()
    with pytest.raises(RuntimeError):
        with tiny_ws.transaction():
            tiny_ws.put_source({"source_id": "x", "title": "X"})
            raise RuntimeError("boom")
    assert tiny_ws.snapshot() == before


def test_new_edition_closes_the_old_one(tiny_ws, tmp_path):
    path = write_geojson(tmp_path / "neu.geojson", [feature(square(390000, 5820000, 400), PLR_ID="02000001",
                                                            PLR_NAME="Neu", BZR="A")])
    im.import_boundaries(tiny_ws, path, im.BoundarySpec(level="plr", key="PLR_ID", name="PLR_NAME", parent="BZR",
                                                        valid_from="2025-01-01"), im.Source("t", "T"),
                         max_bytes=MAX_BYTES)
    assert tiny_ws.area_names("plr")["area_id"].tolist() == ["02000001"]
    old = tiny_ws.area_names("plr", at=date(2024, 6, 30))["area_id"].tolist()
    assert old == [a for a, _, _ in TINY_AREAS]


def test_a_period_before_the_first_edition_takes_its_areas_with_a_notice(tiny_ws, tmp_path):
    """Older figures on today's boundaries (the 2018 atlas on the Unterbezirke imported as they
    are now): the rows go to the level's first edition, and the report says so; a period inside
    an edition and an edition named by the table are as before."""
    older = im.TableSpec(level="plr", period="2018-12-31", columns={"Anzahl": "anzahl"}, key="PLR_ID",
                         indicators=[im.IndicatorDef("anzahl", "Anzahl", kind="extensive")])
    report = im.import_indicator_table(tiny_ws, _table(tmp_path, [1, 2, 3, 4]), older, im.Source("t", "T"),
                                       max_bytes=MAX_BYTES)
    assert report.written == 4
    assert tiny_ws.values("anzahl", period=date(2018, 12, 31), level="plr").tolist() == [1.0, 2.0, 3.0, 4.0]
    notices = [p for p in report.notices if p.code == "period_before_edition"]
    assert [(p.severity, p.params["periods"], p.params["edition"]) for p in notices] == [
        ("notice", "2018-12-31", "2021-01-01")]
    report = im.import_indicator_table(tiny_ws, _table(tmp_path, [5, 6, 7, 8]), SPEC, im.Source("t", "T"),
                                       max_bytes=MAX_BYTES)
    assert not [p for p in report.notices if p.code == "period_before_edition"]


def test_an_edition_named_by_the_table_is_never_replaced(tiny_ws, tmp_path):
    named = im.TableSpec(level="plr", period="2024-12-31", columns={"Anzahl": "anzahl"}, key="PLR_ID",
                         indicators=[im.IndicatorDef("anzahl", "Anzahl", kind="extensive")], edition="2019-01-01")
    with pytest.raises(JmdiqError) as err:
        im.import_indicator_table(tiny_ws, _table(tmp_path, [1, 2, 3, 4]), named, im.Source("t", "T"),
                                  max_bytes=MAX_BYTES)
    assert [p.code for p in err.value.problems] == ["level_empty"]


@pytest.mark.duckdb_file
def test_workspace_held_by_another_process_is_a_message(tiny_ws, capsys):
    """DuckDB lets one process write a file: while another (e.g. the running app) holds it, the
    CLI says so, names the process and exits 2 — no traceback."""
    import subprocess
    import sys

    from jmdiq_geo.cli import main
    from jmdiq_geo.i18n import format_problem

    path = tiny_ws.path
    tiny_ws.close()
    holder = subprocess.Popen([sys.executable, "-c", "import sys, duckdb; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(JmdiqError) as info:
            Workspace(path)
        [problem] = info.value.problems
        assert problem.code == "workspace_locked" and problem.params["pid"] == str(holder.pid)
        assert str(path) in format_problem(problem, "de") and "--db" in format_problem(problem, "en")
        assert main(["info", "--db", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"Prozess {holder.pid}" in err and "Traceback" not in err
    finally:
        holder.communicate("", timeout=30)
    with Workspace(path) as ws:                 # free again once the other process has ended
        assert ws.schema_version()


def test_older_edition_imported_after_newer(tiny_ws, tmp_path):
    old = write_geojson(tmp_path / "alt.geojson", [feature(square(390000, 5820000, 400), PLR_ID="99000001",
                                                           PLR_NAME="Alt", BZR="A")])
    im.import_boundaries(tiny_ws, old, im.BoundarySpec(level="plr", key="PLR_ID", name="PLR_NAME", parent="BZR",
                                                       valid_from="2006-01-01"), im.Source("t", "T"),
                         max_bytes=MAX_BYTES)
    assert tiny_ws.area_names("plr")["area_id"].tolist() == [a for a, _, _ in TINY_AREAS]
    assert tiny_ws.area_names("plr", at=date(2010, 1, 1))["area_id"].tolist() == ["99000001"]


def test_reimport_with_fewer_areas_leaves_no_stale_values(tiny_ws, tmp_path):
    ids = [a for a, _, _ in TINY_AREAS]
    im.import_indicator_table(tiny_ws, _rows(tmp_path, [(a, 10) for a in ids]), SPEC, im.Source("t", "T"),
                              max_bytes=MAX_BYTES)
    im.import_indicator_table(tiny_ws, _rows(tmp_path, [(ids[0], 99)]), SPEC, im.Source("t", "T"),
                              max_bytes=MAX_BYTES)
    assert tiny_ws.values("anzahl", period=PERIOD, level="plr").to_dict() == {ids[0]: 99.0}


def test_other_threads_see_only_committed_data_and_writers_wait(tiny_ws, tmp_path):
    ids = [a for a, _, _ in TINY_AREAS]
    inside, release, seen = threading.Event(), threading.Event(), {}

    def writer():
        with tiny_ws.transaction():
            tiny_ws.put_indicators([{"indicator_id": "x", "label_de": "X", "kind": "extensive"}])
            inside.set()
            release.wait(5)
            raise RuntimeError("rolled back")

    def reader():
        inside.wait(5)
        seen["ids"] = tiny_ws.indicator_ids()
        seen["in_tx"] = tiny_ws._in_transaction

    t1 = threading.Thread(target=lambda: pytest.raises(RuntimeError, writer))
    t2 = threading.Thread(target=reader)
    t1.start(), t2.start()
    t2.join(5)
    release.set()
    t1.join(5)
    assert "x" not in seen["ids"] and seen["in_tx"] is False
    assert "x" not in tiny_ws.indicator_ids()
    im.import_indicator_table(tiny_ws, _rows(tmp_path, [(a, 1) for a in ids]), SPEC, im.Source("t", "T"),
                              max_bytes=MAX_BYTES)
    assert "anzahl" in tiny_ws.indicator_ids()
