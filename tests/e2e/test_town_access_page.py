"""Walking access for a whole town in Chromium: the Heidelberg workspace (``tests.fixtures.town``:
the Gemeinde, the 100 m grid, the whole OSM extract as network, homes, services and barriers), the
Zugang page runs access to schools for the whole town and shows the detour map with the worst
pairs and the barriers they cross."""
from __future__ import annotations

import re
import shutil

import pytest

from jmdiq_geo.services.access import AccessCache, access_for
from jmdiq_geo.store.workspace import Workspace
from tests.e2e.conftest import _chromium_or_skip, offline_page, serve, shot_dir
from tests.e2e.test_pages import choose, drawn_shapes, legend_text, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


@pytest.fixture(scope="module")
def town_url(town, tmp_path_factory):
    _chromium_or_skip()
    db = tmp_path_factory.mktemp("town_app") / "heidelberg.duckdb"
    shutil.copy(town.db, db)
    with serve(db) as url:
        yield url


@pytest.fixture(scope="module")
def warm_town(browser, town_url):
    """Open the start page once (as ``warm_app`` does): a page opened first on a cold app drew
    its map component empty."""
    pg = browser.new_page()
    pg.goto(town_url, wait_until="networkidle")
    pg.get_by_role("heading", name="Sozialraumanalyse – Übersicht").wait_for(timeout=60000)
    pg.close()
    return town_url


def test_walking_access_to_schools_for_the_whole_town(browser, town, warm_town):
    town_url = warm_town
    with Workspace(town.db) as ws:
        origins = access_for(ws, "schule", cache=AccessCache()).result.origins
        barriers = len(ws.barriers(within=ws.network_coverage()))
        mapped_houses = len(ws.origins())
    homes = int((origins["on_network"] & origins["detour"].notna()).sum())
    with offline_page(browser, town_url) as page:
        page.goto(town_url + "/zugang", wait_until="networkidle")
        try:
            page.get_by_text("Fußwegenetz: heidelberg_2024-09.osm.pbf").first.wait_for(timeout=60000)
        except Exception:
            page.screenshot(path=str(shot_dir() / "debug_zugang_heidelberg.png"), full_page=True)
            print("drawn", drawn_shapes(page, 0), "expected", homes, barriers)
            raise
        choose(page, "Kategorie", "Schulen")
        page.get_by_role("button", name="Erreichbarkeit berechnen").click()
        page.get_by_text("Ergebnis: Schulen").wait_for(timeout=120000)
        # the extract's few mapped houses are set aside: the grid cells stand for the homes
        page.get_by_text(f"{mapped_houses} Gebäude nicht genutzt").wait_for(timeout=30000)
        no_exceptions(page)
        page.get_by_text("Umwege und physische Barrieren", exact=True).click()
        page.get_by_text("Stärkste Umwege (Wohnort → Einrichtung)").first.wait_for(timeout=60000)
        # the homes on the network with a detour factor, the railways and motorways, the worst pairs
        try:
            assert drawn_shapes(page, homes + barriers) >= homes + barriers
        except Exception:
            page.screenshot(path=str(shot_dir() / "debug_zugang_heidelberg.png"), full_page=True)
            raise
        assert "Umwegfaktor" in legend_text(page, "Umwegfaktor")
        assert "Zensus 2022" in page.frame_locator("iframe").last.locator(".leaflet-control-attribution").inner_text()
        page.locator("iframe").last.scroll_into_view_if_needed()
        page.screenshot(path=str(shot_dir() / "zugang_heidelberg_karte.png"))
        table = page.locator('[data-testid="stDataFrame"]').last
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(shot_dir() / "zugang_heidelberg_umwege.png"), full_page=True)
        # the list names the barriers the worst pairs cross (its cells are in the grid's table)
        text = table.locator("table").first.inner_text()
        assert "quert" in text
        assert re.search(r"Bahnstrecke|Schmalspurbahn|Autobahn|Neckartalbahn|A 5", text), text[:2000]
        no_exceptions(page)
