"""A Karte slide records the extent the user looks at: in Chromium a user pans and zooms the map
freely (no "zoom to"), adds the view to a presentation, and the show opens the slide at that
extent. Panning and zooming rerun nothing; only the click on the add button reports the view."""
from __future__ import annotations

import shutil

import pytest

from jmdiq_geo.render.maps import VENDOR_DIR
from jmdiq_geo.services.stories import get_story, list_stories
from jmdiq_geo.store.workspace import Workspace
from tests.e2e.conftest import offline_page, serve, shot_dir
from tests.e2e.test_story import add_button

pytestmark = [pytest.mark.e2e, pytest.mark.realdata,
              pytest.mark.skipif(not (VENDOR_DIR / "leaflet/leaflet.js").exists(), reason="front-end assets missing")]

#: the Leaflet map of a folium frame and its bounds [west, south, east, north]
BOUNDS_JS = ("() => { const m = Object.keys(window).filter(k => k.startsWith('map_') && window[k] && window[k].getBounds)"
             ".map(k => window[k])[0]; const b = m.getBounds(); return [b.getWest(), b.getSouth(), b.getEast(), "
             "b.getNorth(), m.getZoom()]; }")


def _map_frame(pg):
    for frame in pg.frames:
        try:
            if frame.evaluate("() => Object.keys(window).some(k => k.startsWith('map_') && window[k] && window[k].getBounds)"):
                return frame
        except Exception:             # a frame being replaced while the page redraws
            continue
    return None


def _wait_map(pg):
    for _ in range(120):
        frame = _map_frame(pg)
        if frame is not None:
            return frame
        pg.wait_for_timeout(500)
    raise AssertionError("no map on the page")


def test_a_freely_panned_and_zoomed_view_is_the_slides_extent_in_the_show(browser, berlin_db, tmp_path):
    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    with serve(db) as url, offline_page(browser, url) as pg:
        pg.goto(url + "/karte", wait_until="networkidle")
        pg.get_by_text("Zur Präsentation hinzufügen").wait_for(timeout=90000)
        frame = _wait_map(pg)
        city = frame.evaluate(BOUNDS_JS)
        # pan and zoom with the mouse: a wheel over Moabit, then a drag
        box = pg.locator("iframe[title*=folium]").first.bounding_box()
        pg.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.42)
        for _ in range(2):
            pg.mouse.wheel(0, -120)
            pg.wait_for_timeout(1200)
        pg.mouse.down()
        pg.mouse.move(box["x"] + box["width"] * 0.45 - 120, box["y"] + box["height"] * 0.42 - 60, steps=8)
        pg.mouse.up()
        pg.wait_for_timeout(1500)
        looked_at = frame.evaluate(BOUNDS_JS)
        assert looked_at[4] > city[4]                              # zoomed in
        pg.screenshot(path=str(shot_dir() / "slide_extent_karte.png"))

        body = pg.get_by_test_id("stExpander").filter(has_text="Zur Präsentation hinzufügen")
        body.get_by_text("Zur Präsentation hinzufügen").click()
        title = body.get_by_label("Titel der neuen Präsentation")
        title.fill("Ausschnitt")
        title.press("Enter")
        pg.wait_for_timeout(1500)
        assert _map_frame(pg).evaluate(BOUNDS_JS)[:4] == pytest.approx(looked_at[:4], abs=1e-6)   # kept across the rerun
        add_button(body).click()
        pg.get_by_text("Folie hinzugefügt").wait_for(timeout=60000)

        pg.goto(url + "/praesentation", wait_until="networkidle")
        pg.get_by_role("button", name="Vorführen").wait_for(timeout=90000)
        pg.get_by_role("button", name="Vorführen").click()
        pg.get_by_text("1 / 1").wait_for(timeout=60000)
        frame = _wait_map(pg)
        pg.wait_for_timeout(1500)
        shown = frame.evaluate(BOUNDS_JS)
        pg.screenshot(path=str(shot_dir() / "slide_extent_show.png"))
        # the show fits the recorded extent: it lies within what is shown and fills most of it
        west, south, east, north = looked_at[:4]
        assert shown[0] <= west + 1e-3 and shown[2] >= east - 1e-3 and shown[1] <= south + 1e-3 and shown[3] >= north - 1e-3
        # … and is no more than one zoom step larger (fitBounds picks a whole zoom) - not the city
        assert (east - west) / (shown[2] - shown[0]) > 0.45 or (north - south) / (shown[3] - shown[1]) > 0.45
        assert shown[2] - shown[0] < 0.9 * (city[2] - city[0])
        assert pg.outside_requests == []
    with Workspace(db, read_only=True) as ws:           # the app has stopped: the file is free
        [story_id] = list_stories(ws)["story_id"]
        [slide] = get_story(ws, story_id).slides
    assert slide.bounds == pytest.approx(looked_at[:4], abs=1e-4)
