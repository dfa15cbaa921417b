"""One town from start to walking access, in the real browser, offline (issue "Every Gemeinde"):
a user creates the Heidelberg starter from the app, sees the grid map, draws a quarter and gets its
residents from the grids; the town's OSM extract then goes in as network, homes, services and
barriers (the import the Import page and ``jmdiq-geo import`` run), and the user runs walking access
to schools for the whole town and sees the detour map. One workspace throughout. Screenshots go to
``out/e2e/heidelberg_*.png``."""
from __future__ import annotations

import pytest

from jmdiq_geo.config import Settings
from jmdiq_geo.services import imports as im
from jmdiq_geo.services.workspace import open_workspace
from tests.e2e.conftest import offline_page, serve, shot_dir
from tests.e2e.test_new_city_page import open_page
from tests.e2e.test_pages import choose, draw_quarter, drawn_shapes, fill, legend_text, no_exceptions
from tests.fixtures.town import heidelberg_pbf

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def _warm(browser, url):
    """Open the start page once: a map opened first on a cold app can stay empty."""
    pg = browser.new_page()
    pg.goto(url, wait_until="networkidle")
    pg.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    pg.close()


def test_heidelberg_from_the_starter_to_walking_access(browser, tmp_path, nationwide_root):
    db = tmp_path / "heidelberg.duckdb"
    with serve(db) as url, offline_page(browser, url) as page:
        # 1. the starter from the app
        open_page(page, url, "")
        fill(page, "Gemeinde (Name oder Gemeindeschlüssel)", "Heidelberg")
        page.get_by_role("combobox", name="Gemeinde", exact=True).wait_for(timeout=30000)
        page.get_by_role("button", name="Arbeitsbereich für diese Gemeinde anlegen").click()
        page.locator('[data-testid="stMetricValue"]').filter(has_text="Heidelberg").wait_for(timeout=90000)
        # 2. the grid map
        open_page(page, url, "karte")
        assert drawn_shapes(page, 20) >= 20
        assert "Einwohner:innen (1 km)" in legend_text(page, "Einwohner:innen (1 km)")
        page.screenshot(path=str(shot_dir() / "heidelberg_1_karte.png"))
        # 3. a drawn quarter gets its residents from the grids
        open_page(page, url, "pruefen")
        draw_quarter(page, 60, 45)
        page.get_by_role("button", name="Prüfen", exact=True).click(timeout=90000)
        page.get_by_text("Aus den Bevölkerungsrastern").wait_for(timeout=90000)
        residents = page.locator("[data-testid='stMetricValue']").first.inner_text()
        assert residents.replace(".", "").isdigit() and int(residents.replace(".", "")) >= 300
        page.screenshot(path=str(shot_dir() / "heidelberg_2_quarter.png"), full_page=True)
        no_exceptions(page)
    # 4. the town's OSM extract: network, homes (the starter's 100 m cells where buildings are
    #    missing), services, barriers - with the app stopped, as `jmdiq-geo import` does it
    pbf = heidelberg_pbf(nationwide_root)
    osm = im.Source("osm_heidelberg", "OpenStreetMap Heidelberg (2024-09)", licence="ODbL 1.0",
                    attribution="© OpenStreetMap contributors, ODbL 1.0")
    with open_workspace(db) as ws:
        for kind, spec in (("network", im.NetworkSpec()), ("origins", im.OriginSpec()),
                           ("services", im.ServiceSpec(category="", name="name")),
                           ("barriers", im.BarrierSpec(kind="rail"))):
            im.import_file(ws, kind, pbf, spec, osm, max_bytes=Settings.from_env().max_file_bytes)
    # 5. walking access to schools for the whole town, with the detour map
    with serve(db) as url:
        _warm(browser, url)
        with offline_page(browser, url) as page:
            open_page(page, url, "zugang")
            choose(page, "Kategorie", "Schulen")
            page.get_by_role("button", name="Erreichbarkeit berechnen").click()
            page.get_by_text("Ergebnis: Schulen").wait_for(timeout=120000)
            page.get_by_text("Umwege und physische Barrieren", exact=True).click()
            page.get_by_text("Stärkste Umwege (Wohnort → Einrichtung)").first.wait_for(timeout=60000)
            assert drawn_shapes(page, 500) >= 500
            assert "Umwegfaktor" in legend_text(page, "Umwegfaktor")
            page.locator("iframe").last.scroll_into_view_if_needed()
            page.screenshot(path=str(shot_dir() / "heidelberg_3_umwege.png"))
            no_exceptions(page)
