"""Karte in the browser: names at city zoom and at a quarter's zoom, context from the workspace,
"zoom to" an area, and the view kept when the indicator changes (issue 15)."""
import pytest

from jmdiq_geo.crs import to_display_crs
from jmdiq_geo.store.workspace import Workspace
from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import choose, legend_text, map_frame, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]

_VIEW_JS = """() => { const f = Array.from(document.querySelectorAll('iframe')).find(f => f.contentWindow &&
    f.contentWindow.map && f.contentWindow.map.getZoom); if (!f) return null; const m = f.contentWindow.map;
    const c = m.getCenter(); const d = f.contentDocument;
    return {zoom: m.getZoom(), lat: c.lat, lng: c.lng,
            labels: d.querySelectorAll('.jmdiq-label').length, top: d.querySelectorAll('.jmdiq-label.top').length,
            context: d.querySelectorAll('path:not(.leaflet-interactive)').length}; }"""


def view(page) -> dict:
    page.wait_for_function(_VIEW_JS, timeout=60000)
    return page.evaluate(_VIEW_JS)


def _target(db, name: str):
    """(bounds lon/lat, level) of the area called ``name`` and the top level's number of areas,
    read from the workspace the app serves."""
    with Workspace(db, read_only=True) as ws:
        for level in ws.levels_in_order():
            areas = ws.areas(level)
            hit = areas[areas["name"] == name]
            if len(hit):
                return tuple(to_display_crs(hit[["geometry"]]).total_bounds), len(ws.areas(ws.top_level()))
    raise AssertionError(name)


def _inside(v: dict, bounds) -> bool:
    minx, miny, maxx, maxy = bounds
    return minx <= v["lng"] <= maxx and miny <= v["lat"] <= maxy


def test_zoom_to_moabit_and_stay_there_when_the_indicator_changes(page, app_url, berlin_db):
    bounds, n_top = _target(berlin_db, "Moabit West")
    page.goto(app_url + "/karte", wait_until="networkidle")
    map_frame(page)
    city = view(page)
    # city zoom: the districts' names only, and the railways and water of the workspace drawn
    assert city["labels"] == city["top"] == n_top
    assert city["context"] > 0
    assert not _inside(city, bounds)
    page.locator('iframe[title*="st_folium"]').first.scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "karte_city_labels.png"))

    choose(page, "Zoomen auf", "Bezirksregion · Moabit West")
    # (labels follow the zoom when Leaflet's zoom animation has ended)
    page.wait_for_function(_VIEW_JS.replace("return {", "if (m.getZoom() < 13 || d.querySelectorAll("
                                            "'.jmdiq-label.top').length) return null; return {"), timeout=60000)
    moabit = view(page)
    assert _inside(moabit, bounds) and moabit["zoom"] >= 13
    # a quarter's zoom: the small areas' names instead of the districts'
    assert moabit["labels"] > 0 and moabit["top"] == 0

    # the user pans a little; then a widget change redraws the map where the user left it
    frame = map_frame(page)
    frame.evaluate("() => map.panBy([60, 40], {animate: false})")
    page.wait_for_timeout(500)
    panned = view(page)
    choose(page, "Indikator", "S1 Arbeitslosigkeit")
    legend_text(page, "S1")
    after = view(page)
    assert _inside(after, bounds)
    assert after["zoom"] == panned["zoom"]
    assert abs(after["lat"] - panned["lat"]) < 1e-4 and abs(after["lng"] - panned["lng"]) < 1e-4
    assert after["labels"] > 0 and after["top"] == 0
    page.locator('iframe[title*="st_folium"]').first.scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "karte_moabit_labels_context.png"))

    # back to the whole city: the map fits the city again
    choose(page, "Zoomen auf", "Ganz Berlin")
    page.wait_for_function(_VIEW_JS.replace("return {", "if (m.getZoom() > 12) return null; return {"),
                           timeout=60000)
    assert not _inside(view(page), bounds)
    no_exceptions(page)
