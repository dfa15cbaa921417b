"""The app on a PostgreSQL workspace (the server the tests start; the Berlin workspace copied
in): the Karte draws the 542 Planungsräume offline, a partner saved on the Mikroprojekte page
is in the database, and the CLI reads the same workspace while the app runs (no file lock)."""
import subprocess
import sys

import pytest

from jmdiq_geo.store.workspace import Workspace
from tests.e2e.conftest import ROOT, _chromium_or_skip, offline_page, serve, shot_dir
from tests.e2e.test_pages import choose, map_frame, no_exceptions
from tests.e2e.test_projects_page import saved, tab, visible

pytestmark = [pytest.mark.e2e, pytest.mark.realdata, pytest.mark.postgres]


@pytest.fixture(scope="module")
def pg_app(pg_server, berlin_db, tmp_path_factory):
    _chromium_or_skip()
    url = pg_server.new_database("app")
    with Workspace(berlin_db, read_only=True) as source, Workspace(url) as target:
        target.copy_from(source)
    with serve(url, log_dir=tmp_path_factory.mktemp("pg_app")) as app:
        yield app, url


def test_app_on_postgresql_draws_the_map_and_saves(browser, pg_app):
    app, url = pg_app
    with offline_page(browser, app) as page:
        page.goto(app + "/karte", wait_until="networkidle")
        frame = map_frame(page)
        assert frame.locator("path.leaflet-interactive").count() == 542
        assert "Amt für Statistik Berlin-Brandenburg" in frame.locator(".leaflet-control-attribution").inner_text()
        assert "localhost/app_" in page.locator("[data-testid='stSidebar']").inner_text()
        page.screenshot(path=str(shot_dir() / "karte_postgres.png"), full_page=True)
        no_exceptions(page)

        page.goto(app + "/mikroprojekte", wait_until="networkidle")
        tab(page, "Partner")
        visible(page.get_by_label("Kürzel")).fill("org-pg")
        visible(page.get_by_label("Name der Organisation")).fill("Jugendhaus am Server")
        choose(page, "Art", "Schule")
        visible(page.get_by_role("button", name="Partner speichern")).click()
        saved(page, "org-pg")
        no_exceptions(page)
    # the CLI on the same workspace while the app holds its connection
    info = subprocess.run([sys.executable, "-m", "jmdiq_geo.cli", "info", "--db", url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr[-2000:]
    assert "Berlin" in info.stdout
    with Workspace(url, read_only=True) as ws:
        row = ws.record_row("partner", "org-pg")
    assert row is not None and row[0]["name"] == "Jugendhaus am Server" and row[1] == 1
