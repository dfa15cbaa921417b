"""The activity log's table: added by one migration to a workspace of the schema before it, then
stored like the project register's records (version, conflict, audit log, no location)."""
import duckdb
import pytest

from jmdiq_geo.config import is_postgres_url
from jmdiq_geo.errors import ConflictError
from jmdiq_geo.store.schema import DATA_TABLES, MIGRATIONS, SCHEMA_VERSION
from jmdiq_geo.store.workspace import Workspace, _connect_pg


def test_an_older_workspace_gains_the_activity_table(new_workspace_location):
    path = new_workspace_location("old")
    # the file, or the PostgreSQL database attached to DuckDB as the workspace attaches it
    con = _connect_pg(path, read_only=False) if is_postgres_url(path) else duckdb.connect(str(path))
    # the workspace as it was before the migration that adds the activity log
    before = next(i for i, statements in enumerate(MIGRATIONS)
                  if any("CREATE TABLE activity_months" in sql for sql in statements))
    for statements in MIGRATIONS[:before]:
        for sql in statements:
            con.execute(sql)
    con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('work_crs', 'EPSG:25833'), ('city', 'Alt')",
                [str(before)])
    con.close()
    with Workspace(path) as ws:
        assert ws.schema_version() == SCHEMA_VERSION
        columns = ws.cursor().execute("SELECT column_name FROM information_schema.columns "
                                      "WHERE table_name = 'activity_months' ORDER BY ordinal_position").fetchall()
        assert [c[0] for c in columns] == ["month", "body", "version", "archived", "updated_at", "updated_by"]
    assert "activity_months" in DATA_TABLES


def test_months_are_versioned_records_without_a_location(tiny_ws):
    body = {"month": "2025-01", "shares": {"beratung": 100.0}, "hours": None}
    assert tiny_ws.save_record("activity", "2025-01", body, expected_version=None, user="anna") == 1
    assert tiny_ws.save_record("activity", "2025-01", {**body, "hours": 160.0}, expected_version=1, user="anna") == 2
    with pytest.raises(ConflictError) as err:
        tiny_ws.save_record("activity", "2025-01", body, expected_version=1, user="ben")
    assert err.value.problems[0].params["theirs"] == 2
    stored, version, archived = tiny_ws.record_row("activity", "2025-01")
    assert stored["hours"] == 160.0 and version == 2 and not archived
    assert [r["month"] for r in tiny_ws.record_rows("activity")] == ["2025-01"]
    assert list(tiny_ws.audit_entries("activity", "2025-01")["action"]) == ["create", "update"]
