"""A PostgreSQL workspace against a real server the tests start (tests/fixtures/postgres.py):
``migrate`` there and back, equal table by table and row by row; several processes writing at
once with nothing lost; the PostGIS layers QGIS opens."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from jmdiq_geo.cli import main
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.services.new_city import new_city
from jmdiq_geo.services.projects import get_record, history, save_project
from jmdiq_geo.store.generation import GENERATION_KEY
from jmdiq_geo.store.schema import DATA_TABLES, SCHEMA_VERSION
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.files import WORK_CRS, one_level_manifest
from tests.fixtures.projects import INSIDE, add_partners, make_project
from tests.fixtures.workspaces import tiny_workspace

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[2]


def rows(ws: Workspace, table: str) -> list[tuple]:
    """A table's rows, sorted; meta without the write counter (store/generation.py: every write,
    the copy too, raises it)."""
    where = f" WHERE key <> '{GENERATION_KEY}'" if table == "meta" else ""
    return ws.cursor().execute(f"SELECT * FROM {table}{where} ORDER BY ALL").fetchall()


def fill(ws: Workspace) -> None:
    """Something in every kind of table the tiny workspace leaves empty: partners, projects and
    their audit log, services, indicator values."""
    add_partners(ws)
    save_project(ws, make_project(), expected_version=None, user="anna")
    ws.add_service({"category": "kita", "name": "Kita „Sonne“", "barrier_free": True}, x=INSIDE[0], y=INSIDE[1])


def test_migrate_into_postgres_and_back_keeps_every_row(tmp_path, tiny_files, pg_server, capsys):
    with tiny_workspace(tmp_path / "city.duckdb", tiny_files) as ws:
        fill(ws)
    url = pg_server.new_database("migrated")
    assert main(["migrate", "--from", str(tmp_path / "city.duckdb"), "--to", url]) == 0
    assert "Tabellen" in capsys.readouterr().out
    assert main(["migrate", "--from", url, "--to", str(tmp_path / "back.duckdb")]) == 0
    with Workspace(tmp_path / "city.duckdb", read_only=True) as a, Workspace(url, read_only=True) as b, \
            Workspace(tmp_path / "back.duckdb", read_only=True) as c:
        for table in DATA_TABLES:
            first = rows(a, table)
            assert rows(b, table) == first, table
            assert rows(c, table) == first, table
        assert sum(len(rows(a, t)) for t in DATA_TABLES) > 20
        assert len(b.areas("plr")) == 4 and b.areas("plr").crs == a.areas("plr").crs


def test_migrate_refuses_a_target_with_data(tmp_path, tiny_files, pg_server, capsys):
    url = pg_server.new_database("full")
    tiny_workspace(url, tiny_files).close()
    with tiny_workspace(tmp_path / "city.duckdb", tiny_files):
        pass
    assert main(["migrate", "--from", str(tmp_path / "city.duckdb"), "--to", url]) == 2
    assert "enthält schon Daten" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "city.duckdb"), "--db", url]) == 2
    assert "pg_restore" in capsys.readouterr().err
    with Workspace(url, read_only=True) as ws:
        assert len(ws.areas("plr")) == 4                     # untouched


def test_several_processes_write_at_once_and_nothing_is_lost(tmp_path, tiny_files, pg_server):
    """Two writer processes (like two app processes) save the same project over and over, add
    projects and services, while the CLI imports indicator values twice: no error, every save
    counted once in the version and the audit log, every new record there."""
    url = pg_server.new_database("writers")
    with tiny_workspace(url, tiny_files) as ws:
        add_partners(ws)
        save_project(ws, make_project(), expected_version=None, user="anna")
    table = tmp_path / "values.csv"
    table.write_text("PLR_ID;einw\n01000001;500\n01000002;600\n01000003;700\n01000004;800\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    n = 8
    writers = [subprocess.Popen([sys.executable, str(REPO / "tests/store/pg_writer.py"), url, name, str(n)],
                                cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for name in ("anna", "ben")]
    cli = [subprocess.Popen([sys.executable, "-m", "jmdiq_geo.cli", "import", "indicators", str(table), "--db", url,
                             "--level", "plr", "--key", "PLR_ID", "--period", period],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
           for period in ("2023-12-31", "2024-12-31")]
    done = []
    for proc in writers + cli:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        done.append(out)
    reports = [json.loads(out.strip().splitlines()[-1]) for out in done[:2]]
    assert [r["saves"] for r in reports] == [n, n]
    with Workspace(url, read_only=True) as ws:
        _, version, _ = get_record(ws, "project", "p1")
        assert version == 1 + 2 * n                       # no save lost, none counted twice
        log = history(ws, "project", "p1")
        assert log["version"].tolist() == list(range(1, 2 + 2 * n))
        created = [pid for r in reports for pid in r["created"]]
        assert len(set(created)) == 2 * n and all(get_record(ws, "project", pid) for pid in created)
        assert len(ws.services()) == 2 * n
        values = ws.cursor().execute("SELECT period::VARCHAR, count(*), sum(value) FROM indicator_values "
                                     "WHERE indicator_id = 'einw' GROUP BY 1 ORDER BY 1").fetchall()
        assert values == [("2023-12-31", 4, 2600.0), ("2024-12-31", 4, 2600.0)]


def test_postgis_layers_carry_the_work_crs(tiny_files, pg_server):
    url = pg_server.new_database("layers")
    with tiny_workspace(url, tiny_files) as ws:
        fill(ws)
        found = dict(ws._pg_rows("SELECT f_table_name::text, srid::text FROM geometry_columns "
                                 "WHERE f_table_schema = $$qgis$$"))
        areas = ws._pg_rows("SELECT count(*)::text, min(ST_Area(geometry))::text FROM qgis.areas "
                            "WHERE level = $$plr$$")
        imported = gpd.GeoDataFrame({"service_id": ["imp:1", "imp:2"], "category": ["kita", "schule"],
                                     "name": ["Kita alt", "Schule"], "barrier_free": [False, None]},
                                    geometry=gpd.points_from_xy([INSIDE[0]] * 2, [INSIDE[1]] * 2), crs=WORK_CRS)
        with ws.transaction():
            ws.replace_services(imported, source_id="test", id_prefix="imp")
        ws.edit_service("imp:1", {"name": "Kita neu", "barrier_free": True})
        ws.remove_service("imp:2")                          # an imported service: hidden
        kept = ws.services()
        view = ws._pg_rows("SELECT service_id::text, name::text, barrier_free::text FROM qgis.services "
                           "ORDER BY service_id")
    srid = WORK_CRS.split(":")[1]
    assert found == {name: srid for name in ("areas", "programme_areas", "services", "projects", "partners")}
    assert areas == [("4", "10000")]                      # the 100 m squares of files.TINY_AREAS
    # the services as the app shows them: the removed one left out
    assert view == [(r.service_id, r.name, None if r.barrier_free is None else str(r.barrier_free).lower())
                    for r in kept.itertuples()]
    assert ("imp:1", "Kita neu", "true") in view and "imp:2" not in [v[0] for v in view] and len(view) == 2


def test_new_city_and_backup_of_a_postgresql_workspace(tmp_path, tiny_files, pg_server, capsys):
    url = pg_server.new_database("new")
    assert main(["new", "--name", "Neustadt", "--crs", WORK_CRS, "--db", url]) == 0
    assert main(["new", "--name", "Neustadt", "--db", url]) == 2          # a city is there already
    assert "enthält schon einen Arbeitsbereich" in capsys.readouterr().err
    with Workspace(url) as ws:
        assert ws.meta()["city"] == "Neustadt" and ws.work_crs == WORK_CRS
        ws.add_service({"category": "kita", "name": "Kita"}, x=INSIDE[0], y=INSIDE[1])
        out = ws.backup(tmp_path / "sicherung.duckdb")               # a DuckDB file of one moment
    with Workspace(url, read_only=True) as a, Workspace(out, read_only=True) as b:
        for table in DATA_TABLES:
            assert rows(b, table) == rows(a, table), table


def test_processes_opening_a_fresh_database_at_once_migrate_it_once(pg_server):
    url = pg_server.new_database("fresh")
    code = "import sys; from jmdiq_geo.store.workspace import Workspace; Workspace(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
    with Workspace(url, read_only=True) as ws:
        assert ws.schema_version() == SCHEMA_VERSION


def test_pg_dump_and_pg_restore_give_the_same_workspace(tmp_path, tiny_files, pg_server):
    """The backup the README documents: pg_dump -Fc, then pg_restore into a new database."""
    url = pg_server.new_database("dumped")
    with tiny_workspace(url, tiny_files) as ws:
        fill(ws)
    dump = tmp_path / "berlin.dump"
    common = ["-h", str(pg_server.socket_dir), "-U", pg_server.user]
    subprocess.run([pg_server.bindir / "pg_dump", "-Fc", "-f", dump, *common, pg_server.dbname(url)], check=True)
    pg_server.psql("CREATE DATABASE restored")                      # plain: pg_restore creates PostGIS
    done = subprocess.run([pg_server.bindir / "pg_restore", "--exit-on-error", *common, "-d", "restored", dump],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with Workspace(url, read_only=True) as a, Workspace(pg_server.url("restored"), read_only=True) as b:
        for table in DATA_TABLES:
            assert rows(b, table) == rows(a, table), table
        assert b._pg_rows("SELECT count(*)::text FROM qgis.areas") == a._pg_rows("SELECT count(*)::text FROM qgis.areas")


def test_a_database_that_is_not_there_is_a_message_without_the_password(pg_server, capsys):
    """What the file's "damaged file" test is on PostgreSQL: a database that cannot be opened
    is a message naming host and database, never the password, and no traceback."""
    url = pg_server.url("gibt_es_nicht").replace("user=", "password=geheim123&user=")
    for read_only in (False, True):
        with pytest.raises(SchemaError) as err:
            Workspace(url, read_only=read_only)
        assert [p.code for p in err.value.problems] == ["workspace_unreadable"]
        assert "geheim123" not in " ".join(err.value.render("en"))
    assert main(["--lang", "en", "info", "--db", url]) == 2
    printed = capsys.readouterr()
    assert "gibt_es_nicht" in printed.err and "geheim123" not in printed.err + printed.out
    assert "Traceback" not in printed.err


def test_a_build_into_a_database_holding_a_workspace_is_refused_before_it_starts(tmp_path, tiny_files, pg_server,
                                                                                 capsys):
    """A DuckDB file is rebuilt in place (when nobody holds it); a PostgreSQL database that holds
    a workspace is shared by many and is not overwritten: ``demo`` says so at once, with what
    to do, and leaves it as it was."""
    url = pg_server.new_database("besetzt")
    tiny_workspace(url, tiny_files).close()
    manifest = one_level_manifest(tmp_path, tiny_files["areas"])
    with Workspace(url, read_only=True) as ws:
        before = ws.snapshot()
    argv = ["--lang", "en", "demo", "--city", str(manifest), "--db", url, "--data-root", str(tiny_files["areas"].parent),
            "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "holds a workspace" in err and "createdb" in err and "Traceback" not in err
    with Workspace(url, read_only=True) as ws:
        assert ws.snapshot() == before and ws.meta()["city"] == "Teststadt"
    # a database holding a named workspace without data yet (``new --name``) is one too: the
    # demo build and a second ``new`` refuse it (one check for every build: ``build_target``)
    named = pg_server.new_database("benannt")
    new_city(named, name="Leerstadt").close()
    assert main([*argv[:6], named, *argv[7:]]) == 2
    assert "holds a workspace" in capsys.readouterr().err
    with pytest.raises(SchemaError) as refused:
        new_city(named, name="Zweite")
    assert [p.code for p in refused.value.problems] == ["build_target_not_empty"]
    with Workspace(named, read_only=True) as ws:
        assert ws.meta()["city"] == "Leerstadt" and not ws.holds_data()
    # an empty database is built into; what is printed names it without the password
    empty = pg_server.new_database("leer").replace("user=", "password=geheim123&user=")
    assert main([*argv[:6], empty, *argv[7:]]) == 0
    printed = capsys.readouterr()
    assert f"localhost/{pg_server.dbname(empty)}" in printed.out and "geheim123" not in printed.out + printed.err
    with Workspace(empty, read_only=True) as ws:
        assert ws.meta()["city"] == "Neu" and len(ws.areas("plr")) == 4
