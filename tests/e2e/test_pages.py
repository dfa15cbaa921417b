"""Every page in the real browser, offline."""
import re
import shutil

import pytest

from tests.e2e.conftest import serve, shot_dir

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def map_frame(page):
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => "
                           "f.contentDocument && f.contentDocument.querySelectorAll('path.leaflet-interactive').length > 500)",
                           timeout=60000)
    return next(f for f in page.frames if "st_folium" in f.url)


def map_centre(page, dx: float = 0, dy: float = 0) -> tuple[float, float]:
    """Page coordinates of the first map's centre (scrolled into view), shifted by dx, dy."""
    iframe = page.locator('iframe[title*="st_folium"]').first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def no_exceptions(page):
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.outside_requests == [], page.outside_requests
    assert page.page_errors == [], page.page_errors


def drawn_shapes(page, at_least: int, selector: str = "path.leaflet-interactive") -> int:
    """Wait until a map frame draws at least ``at_least`` shapes; return the count."""
    page.wait_for_function(
        "([sel, n]) => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument && "
        "f.contentDocument.querySelectorAll(sel).length >= n)", arg=[selector, at_least], timeout=60000)
    return page.evaluate("sel => Math.max(0, ...Array.from(document.querySelectorAll('iframe')).map(f => "
                         "f.contentDocument ? f.contentDocument.querySelectorAll(sel).length : 0))", selector)


_ARM_JS = """() => { const app = document.querySelector('[data-testid="stApp"]');
    window.__jmdiqRan = false; if (window.__jmdiqObs) window.__jmdiqObs.disconnect();
    window.__jmdiqObs = new MutationObserver(() => {
      if (app.getAttribute('data-test-script-state') === 'running') window.__jmdiqRan = true; });
    window.__jmdiqObs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""


def arm(page):
    """Start watching for the rerun the next widget change will cause (see ``idle``)."""
    page.evaluate(_ARM_JS)


def idle(page, timeout: float = 60000):
    """After ``arm`` and a widget change: wait until Streamlit has started the rerun and finished
    it (it marks the script's state on the app root), so the next click sees the new values. A
    change that starts no rerun (the same value again) is let through after 5 s."""
    try:
        page.wait_for_function("() => window.__jmdiqRan === true", timeout=5000)
    except Exception:               # playwright's TimeoutError: no rerun followed
        pass
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=timeout)


def fill(page, label: str, text: str):
    """Type into a text input and leave it (Streamlit takes the value on blur)."""
    box = page.get_by_role("textbox", name=label)
    arm(page)
    box.fill(text)
    box.press("Tab")
    idle(page)


#: the text and the number of class swatches of the first map legend containing ``t`` (all
#: in the page, so a map frame replaced by a rerun meanwhile cannot break the lookup)
_LEGEND_JS = """t => { for (const f of document.querySelectorAll('iframe')) { const d = f.contentDocument;
    if (!d) continue; for (const l of d.querySelectorAll('.jmdiq-legend')) {
      if (!t || l.innerText.includes(t)) return [l.innerText, l.querySelectorAll('i').length]; } } return null; }"""


def draw_quarter(page, half_width: float, half_height: float) -> None:
    """On the Prüfen page: choose "einer Zeichnung" and draw a rectangle of ``2 × half_width`` by
    ``2 × half_height`` pixels around the map's centre with Leaflet.draw's polygon tool."""
    page.get_by_text("einer Zeichnung").click()
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                           " f.contentDocument.querySelector('.leaflet-draw-draw-polygon'))", timeout=60000)
    frame = next(f for f in page.frames if "st_folium" in f.url)
    iframe = page.locator('iframe[title*="st_folium"]').first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    frame.locator(".leaflet-draw-draw-polygon").click()
    points = [(cx - half_width, cy - half_height), (cx + half_width, cy - half_height),
              (cx + half_width, cy + half_height), (cx - half_width, cy + half_height)]
    for x, y in points:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.click(*points[0])                # closing the ring finishes the polygon
    page.get_by_text("Gezeichnet: eine Fläche").wait_for(timeout=30000)


def legend(page, expect: str | None = None) -> tuple[str, int]:
    """(text, class rows) of the map legend; with ``expect``, wait until a legend contains it (a
    rerun may still show the previous map for a moment)."""
    if expect:
        page.wait_for_function(_LEGEND_JS, arg=expect, timeout=60000)
    return tuple(page.evaluate(_LEGEND_JS, expect))


def legend_text(page, expect: str | None = None) -> str:
    return legend(page, expect)[0]


def choose(page, label: str, option: str):
    """Pick ``option`` in the select box labelled ``label`` (its list is virtualised: filter it by
    typing over the current value first)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).filter(visible=True).first
    field = box.get_by_role("combobox")
    field.click()
    field.press("Control+a")
    page.keyboard.type(option)
    page.locator('[role="option"]').filter(has_text=option).first.wait_for(timeout=30000)
    arm(page)
    page.keyboard.press("Enter")                # the first match is focused; Enter picks it
    idle(page)


def test_deep_link_on_a_fresh_server(browser, berlin_db, tmp_path):
    """A shared link (/karte) opened as the very first visit shows that page through the app
    (its sidebar with the language switch), not Streamlit's "Page not found" — the page files
    live in views/, so Streamlit does not route a pages/ folder by itself before st.navigation."""
    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    with serve(db) as url:
        pg = browser.new_page()
        try:
            pg.goto(url + "/karte", wait_until="networkidle")
            pg.get_by_role("heading", name="Karte", exact=True).wait_for(timeout=60000)
            pg.wait_for_timeout(1500)
            body = pg.locator("body").inner_text()
            assert "Page not found" not in body and "does not seem to exist" not in body
            sidebar = pg.locator("[data-testid='stSidebar']").inner_text()
            assert "Sprache / Language" in sidebar and "Einrichtungen & Zugang" in sidebar
        finally:
            pg.close()


def test_map_page_draws_planungsraeume_offline(page, app_url):
    page.goto(app_url + "/karte", wait_until="networkidle")
    frame = map_frame(page)
    assert frame.locator("path.leaflet-interactive").count() == 542
    legend = frame.locator(".jmdiq-legend")
    assert "JMD-Zielgruppe" in legend.inner_text() and "keine Angabe" in legend.inner_text()
    assert "Amt für Statistik Berlin-Brandenburg" in frame.locator(".leaflet-control-attribution").inner_text()
    # tooltip with value, rank and city value
    for dx in (0, 3, 6):        # the centre of the map lies in Berlin-Mitte
        page.mouse.move(*map_centre(page, dx, dx))
    frame.wait_for_selector(".leaflet-tooltip", timeout=10000)
    tip = frame.locator(".leaflet-tooltip").inner_text()
    assert "Rang" in tip and "Berlin" in tip and "%" in tip
    page.screenshot(path=str(shot_dir() / "karte.png"), full_page=True)
    no_exceptions(page)


def test_map_switches_indicator_level_and_language(page, app_url):
    page.goto(app_url + "/karte", wait_until="networkidle")
    map_frame(page)
    choose(page, "Indikator", "S1 Arbeitslosigkeit")
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                           " (f.contentDocument.querySelector('.jmdiq-legend')||{}).innerText?.includes('S1'))",
                           timeout=30000)
    choose(page, "Stichtag", "31.12.2020")
    page.get_by_text(re.compile("Stichtag 31.12.2020")).first.wait_for(timeout=30000)
    choose(page, "Gebietsebene", "Bezirk")
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                           " f.contentDocument.querySelectorAll('path.leaflet-interactive').length === 12)",
                           timeout=30000)
    arm(page)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Map", exact=True).wait_for(timeout=30000)
    idle(page)
    # every choice survives the switch, shown in English, and the next click keeps it (the
    # browser kept the German label, so the next click used to reset the box)
    assert page.get_by_role("combobox", name="Area level").input_value() == "District"
    assert page.get_by_role("combobox", name="Indicator").input_value().startswith("S1")
    arm(page)
    page.get_by_text("Change between two periods", exact=True).click()
    idle(page)
    assert page.get_by_role("combobox", name="Area level").input_value() == "District"
    assert page.get_by_role("combobox", name="Indicator").input_value().startswith("S1")
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                           " f.contentDocument.querySelectorAll('path.leaflet-interactive').length === 12)",
                           timeout=30000)
    no_exceptions(page)


def test_class_indicator_is_drawn_with_its_official_classes(page, app_url):
    """The MSS status index is a class (1 hoch … 4 sehr niedrig), not a number to classify."""
    page.goto(app_url + "/karte", wait_until="networkidle")
    map_frame(page)
    choose(page, "Klassenbildung", "Eigene Grenzen")     # left on from a rate: must not matter for classes
    choose(page, "Indikator", "MSS Status-Index")
    text = legend_text(page, "sehr niedrig")
    for label in ("hoch", "mittel", "niedrig", "sehr niedrig"):
        assert label in text
    assert legend(page, "sehr niedrig")[1] >= 4          # one swatch per class (plus "no value")
    tip = page.evaluate("() => { for (const f of document.querySelectorAll('iframe')) { const d = f.contentDocument;"
                        " if (d && d.querySelector('.jmdiq-legend')) return d.documentElement.innerHTML; } return ''; }")
    assert "rank_text" not in tip                                        # a class has no rank
    page.get_by_text("English", exact=True).click()
    assert "very low" in legend_text(page, "very low")
    no_exceptions(page)


def test_overview_and_data_pages(page, app_url):
    page.goto(app_url, wait_until="networkidle")
    page.get_by_role("heading", name=re.compile("Übersicht")).wait_for(timeout=30000)
    body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
    # periods and editions as German writes dates (the LOR of 2021, the MSS values of 2020)
    assert "542" in body and "143" in body and "31.12.2020" in body and "01.01.2021" in body
    page.screenshot(path=str(shot_dir() / "uebersicht.png"), full_page=True)
    page.goto(app_url + "/daten", wait_until="networkidle")
    page.get_by_role("heading", name="Quellenvermerke").wait_for(timeout=30000)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "© OpenStreetMap contributors, ODbL 1.0" in text and "dl-de/by-2-0" in text
    no_exceptions(page)


def test_import_page_shows_bad_file_as_message(page, app_url, tmp_path):
    broken = tmp_path / "grenzen.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Po',
                      encoding="utf-8")
    page.goto(app_url + "/import", wait_until="networkidle")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(broken))
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="grenzen.geojson")
    alert.wait_for(timeout=30000)
    assert "abgeschnitten" in alert.inner_text() and "Zeile 1" in alert.inner_text()
    page.screenshot(path=str(shot_dir() / "import_fehler.png"), full_page=True)
    no_exceptions(page)


def test_import_page_imports_an_indicator_table(page, app_url, tmp_path):
    table = tmp_path / "jmd_beratungen_2024.csv"
    table.write_text("PLR_ID;Beratungen;Anteil Neuzugewanderte\n01100101;12;12,5\n01100102;7;30,25\n",
                     encoding="cp1252")
    page.goto(app_url + "/import", wait_until="networkidle")
    choose(page, "Art der Daten", "Indikatortabelle")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(table))
    page.get_by_text("Tabelle mit 2 Zeilen").wait_for(timeout=30000)
    # no period in the table: the year of its file name is offered, and said so
    page.get_by_text("Stichtag aus dem Dateinamen übernommen (31.12.2024)").wait_for(timeout=30000)
    values = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Wertespalten")
    for column in ("Beratungen", "Anteil Neuzugewanderte"):
        values.click()
        page.keyboard.type(column)
        page.locator('[role="option"]').filter(has_text=column).first.click()
        page.keyboard.press("Escape")
        idle(page)
    # each new indicator gets its own kind, guessed: a count is summed, a share never is (the
    # table keeps the codes and shows "Anzahl (wird summiert)" / "Quote/Anteil …" on its canvas)
    page.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] table'))"
                           ".some(t => t.innerText.includes('Beratungenextensive') && "
                           "t.innerText.includes('Neuzugewanderteintensive'))", timeout=30000)
    # no import without a licence (every map names its sources with their licences)
    page.get_by_text("Bitte die Lizenz der Daten angeben").wait_for(timeout=30000)
    assert page.get_by_role("button", name="Prüfen und importieren").is_disabled()
    fill(page, "Lizenz", "eigene Erhebung, intern")
    page.get_by_role("button", name="Prüfen und importieren").click()
    page.get_by_text("Importiert: 2 Zeilen gelesen, 4 Datensätze geschrieben.").wait_for(timeout=30000)
    # the report: 540 Planungsräume have no value in this table (a notice, not an error)
    page.locator('[data-testid="stAlert"]').filter(has_text="540 Gebiete").wait_for(timeout=30000)
    page.screenshot(path=str(shot_dir() / "import_ok.png"), full_page=True)
    no_exceptions(page)
