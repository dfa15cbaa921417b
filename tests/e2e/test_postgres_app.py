"""The app on a PostgreSQL workspace (the server the tests start; the Berlin workspace copied
in): the Karte draws the 542 Planungsräume offline, a partner saved on the Mikroprojekte page
is in the database, and the CLI reads the same workspace while the app runs (no file lock)."""
import subprocess
import sys
from datetime import date

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


def test_two_app_processes_and_the_cli_write_at_once(browser, pg_app, tmp_path):
    """Two app processes on the same PostgreSQL workspace (a second one started beside the first)
    each save a partner, clicked at the same moment, while the CLI imports indicator values:
    no error, nothing lost."""
    app, url = pg_app
    with Workspace(url, read_only=True) as ws:
        keys = ws.area_names("plr")["area_id"].head(4).tolist()
    table = tmp_path / "werte.csv"
    table.write_text("PLR_ID;zaehlung\n" + "".join(f"{k};{100 + i}\n" for i, k in enumerate(keys)), encoding="utf-8")
    with serve(url, log_dir=tmp_path) as second, offline_page(browser, app) as one, offline_page(browser, second) as two:
        for page, base, (pid, name) in ((one, app, ("org-a", "Jugendhaus A")), (two, second, ("org-b", "Jugendhaus B"))):
            page.goto(base + "/mikroprojekte", wait_until="networkidle")
            tab(page, "Partner")
            visible(page.get_by_label("Kürzel")).fill(pid)
            visible(page.get_by_label("Name der Organisation")).fill(name)
            choose(page, "Art", "Schule")
        cli = subprocess.Popen([sys.executable, "-m", "jmdiq_geo.cli", "import", "indicators", str(table), "--db", url,
                                "--level", "plr", "--key", "PLR_ID", "--period", "2030-12-31"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for page in (one, two):
            visible(page.get_by_role("button", name="Partner speichern")).click()
        saved(one, "org-a")
        saved(two, "org-b")
        _, err = cli.communicate(timeout=300)
        assert cli.returncode == 0, err[-2000:]
        no_exceptions(one)
        no_exceptions(two)
    with Workspace(url, read_only=True) as ws:
        assert ws.record_row("partner", "org-a")[0]["name"] == "Jugendhaus A"
        assert ws.record_row("partner", "org-b")[0]["name"] == "Jugendhaus B"
        values = ws.values("zaehlung", period=date(2030, 12, 31), level="plr")
    assert values.to_dict() == {k: 100.0 + i for i, k in enumerate(keys)}
