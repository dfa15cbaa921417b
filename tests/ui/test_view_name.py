"""The name a map's view is kept under in the browser tab tells workspaces apart: a file by its
path, a PostgreSQL workspace by host and database - two databases reached through one socket
folder once got the same name (the folder's last part) and shared their view; never a password."""
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.ui import maps


def test_each_workspace_its_own_view_a_file_or_a_database(monkeypatch, tmp_path, pg_server):
    def name(location):
        with Workspace.create(location, work_crs="EPSG:25833", city="X") as ws:
            monkeypatch.setattr(maps, "workspace", lambda: ws)
            return maps.view_name("karte")
    assert name(tmp_path / "berlin.duckdb").endswith("berlin.duckdb")
    assert name(tmp_path / "berlin.duckdb") != name(tmp_path / "b" / "berlin.duckdb")
    secret = "password=geheim123&user="
    berlin = name(pg_server.new_database("berlin").replace("user=", secret))
    dortmund = name(pg_server.new_database("dortmund").replace("user=", secret))
    assert berlin != dortmund and "/berlin_" in berlin and "/dortmund_" in dortmund
    assert "geheim123" not in berlin + dortmund
