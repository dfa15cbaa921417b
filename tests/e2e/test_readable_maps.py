"""Names, context and "zoom to" on the maps beside the Karte (issue 15), in Chromium: the quarter
check's drawing map and result map, the walking-access map and a project's location map show the
areas' names by zoom and the workspace's context layers, and "Zoomen auf" opens them on Moabit -
through the same helpers as the Karte (``ui.maps.readable``, ``ui.map_view.zoom_controls``)."""
import subprocess

import pytest

from tests.e2e.conftest import shot_dir
from tests.e2e.test_map_view import _inside, _target
from tests.e2e.test_pages import choose, draw_quarter, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]

#: every Leaflet map of the page: zoom, centre, names shown (small areas' and the top level's), context paths
_MAPS_JS = """() => Array.from(document.querySelectorAll('iframe')).filter(f => f.contentWindow && f.contentWindow.map
    && f.contentWindow.map.getZoom).map(f => { const m = f.contentWindow.map, c = m.getCenter(), d = f.contentDocument;
    return {zoom: m.getZoom(), lat: c.lat, lng: c.lng, labels: d.querySelectorAll('.jmdiq-label').length,
            top: d.querySelectorAll('.jmdiq-label.top').length,
            context: d.querySelectorAll('path:not(.leaflet-interactive)').length}; })"""


def maps(page, *, n: int = 1, zoomed: bool = False) -> list[dict]:
    """The page's maps once ``n`` are drawn (``zoomed``: the last at a quarter's zoom with its
    small areas' names, after Leaflet's zoom animation)."""
    cond = "zs.length >= %d" % n + (" && zs[zs.length - 1].zoom >= 13 && zs[zs.length - 1].labels > 0 && "
                                    "zs[zs.length - 1].top === 0" if zoomed else "")
    page.wait_for_function("() => { const zs = (" + _MAPS_JS + ")(); return " + cond + "; }", timeout=90000)
    return page.evaluate(_MAPS_JS)


def test_quarter_check_maps_have_names_context_and_zoom_to_and_the_annex_of_that_quarter(page, app_url, berlin_db,
                                                                                         tmp_path):
    bounds, n_top = _target(berlin_db, "Moabit West")
    page.goto(app_url + "/pruefen", wait_until="networkidle")
    page.get_by_text("einer Zeichnung").click()
    city = maps(page)[0]
    assert city["top"] == n_top and city["context"] > 0 and not _inside(city, bounds)
    choose(page, "Zoomen auf", "Bezirksregion · Moabit West")
    moabit = maps(page, zoomed=True)[-1]
    assert _inside(moabit, bounds) and moabit["context"] > 0
    page.locator('iframe[title*="st_folium"]').first.scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "pruefen_zoom_moabit.png"))
    # drawn in Moabit: the result map shows the small areas' names around the quarter too
    draw_quarter(page, 60, 40)
    page.get_by_role("button", name="Prüfen", exact=True).click()
    page.get_by_text("Einwohner:innen (geschätzt)").wait_for(timeout=60000)
    result = maps(page, n=2)[-1]
    assert _inside(result, bounds) and result["labels"] > 0 and result["context"] > 0
    page.locator('iframe[title*="st_folium"]').last.scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "pruefen_result_names.png"))
    no_exceptions(page)

    # the annual annex for the quarter just checked (same session: through the sidebar)
    page.get_by_role("link", name="Mikroprojekte und Netzwerk").click()
    page.get_by_role("heading", name="Mikroprojekte und Netzwerk").wait_for(timeout=60000)
    page.locator('[data-testid="stRadio"] label').filter(has_text="Jahresbericht-Anhang").first.click()
    page.locator('[data-testid="stRadio"] label').filter(has_text="Quartier aus „Quartier prüfen“").first.click()
    page.get_by_text("Quartier: gezeichnete Fläche").wait_for(timeout=30000)
    page.get_by_role("button", name="Anhang erstellen").click()
    button = page.get_by_role("button", name="PDF")
    button.wait_for(timeout=180000)
    page.screenshot(path=str(shot_dir() / "anhang_quartier.png"))
    with page.expect_download(timeout=60000) as info:
        button.click()
    pdf = tmp_path / "anhang.pdf"
    info.value.save_as(pdf)
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                                   text=True).stdout.split())
    assert "gezeichnete Fläche" in text and "Gebiete im Quartier" in text and "geschätzt" in text
    no_exceptions(page)


def test_project_location_map_has_names_context_and_zoom_to(page, app_url, berlin_db):
    bounds, n_top = _target(berlin_db, "Moabit West")
    page.goto(app_url + "/mikroprojekte", wait_until="networkidle")
    page.locator('[data-testid="stRadio"] label').filter(has_text="Projekt anlegen/bearbeiten").first.click()
    city = maps(page)[0]
    assert city["top"] == n_top and city["context"] > 0
    choose(page, "Zoomen auf", "Bezirksregion · Moabit West")
    moabit = maps(page, zoomed=True)[-1]
    assert _inside(moabit, bounds)
    page.locator('iframe[title*="st_folium"]').first.scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "projekt_ort_moabit.png"))
    no_exceptions(page)


def test_access_map_has_names_context_and_zoom_to(page, app_url, berlin_db):
    bounds, _ = _target(berlin_db, "Moabit West")
    page.goto(app_url + "/zugang", wait_until="networkidle")
    page.get_by_text("Fußwegenetz: Moabit").wait_for(timeout=60000)
    page.get_by_text("Erreichbarkeit", exact=True).first.click()
    page.get_by_role("button", name="Erreichbarkeit berechnen").click()
    page.get_by_text("Ergebnis:").first.wait_for(timeout=180000)
    maps(page)
    choose(page, "Zoomen auf", "Bezirksregion · Moabit West")
    moabit = maps(page, zoomed=True)[-1]
    assert _inside(moabit, bounds) and moabit["context"] > 0
    page.locator('iframe[title*="st_folium"]').last.scroll_into_view_if_needed()
    page.screenshot(path=str(shot_dir() / "zugang_zoom_moabit.png"))
    no_exceptions(page)


@pytest.mark.parametrize("path", ["hotspots", "indizes"])
def test_hot_spot_and_index_maps_zoom_to(page, app_url, berlin_db, path):
    """The hot-spot and index maps offer "Zoomen auf" too and open on the area chosen."""
    bounds, n_top = _target(berlin_db, "Moabit West")
    page.goto(app_url + "/" + path, wait_until="networkidle")
    city = maps(page)[0]
    assert city["top"] == n_top
    choose(page, "Zoomen auf", "Bezirksregion · Moabit West")
    zoomed = maps(page, zoomed=True)[-1]
    assert _inside(zoomed, bounds)
    no_exceptions(page)
