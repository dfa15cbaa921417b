"""Participation in the real browser (issue 18), phone viewport 390 × 844: three young people
join by the session's link (no login), answer the two questions once and pin places in three
categories, one of them in Arabic with a right-to-left layout; staff then see the aggregated
map and table, where a 250 m cell pinned by two participants does not appear and one pinned by
three does. Offline: every request leaving the app's host is aborted and recorded."""
from __future__ import annotations

import shutil
from pathlib import Path
from datetime import datetime, timedelta
from urllib.parse import urlparse

import pytest
import shapely

from jmdiq_geo.crs import transform_xy
from jmdiq_geo.i18n import t
from jmdiq_geo.services import participation as part
from jmdiq_geo.services.quarter import quarter_from_areas
from jmdiq_geo.store.workspace import Workspace
from tests.e2e.conftest import _chromium_or_skip, serve, shot_dir
from tests.e2e.test_pages import choose, draw_quarter

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]
PHONE = {"width": 390, "height": 844}


def two_cells(quarter, size: int, crs: str) -> list[tuple[str, tuple[float, float]]]:
    """Two cells of the grid well inside the quarter: (cell id, centre as lon/lat) each."""
    inner = quarter.buffer(-70)
    minx, miny, maxx, maxy = quarter.bounds
    found = []
    for x0 in range(int(minx // size * size), int(maxx), size):
        for y0 in range(int(miny // size * size), int(maxy), size):
            centre = shapely.Point(x0 + size / 2, y0 + size / 2)
            if inner.contains(centre) and all(abs(x0 - f[2]) > size or abs(y0 - f[3]) > size for f in found):
                found.append((f"{size}m_{x0}_{y0}", centre, x0, y0))
    assert len(found) >= 2, "the quarter is too small for two cells"
    out = []
    for cell_id, centre, _, _ in found[:2]:
        lon, lat = transform_xy([centre.x], [centre.y], from_crs=crs, to_crs="EPSG:4326")
        out.append((cell_id, (float(lon[0]), float(lat[0]))))
    return out


@pytest.fixture(scope="module")
def workshop(berlin_db, tmp_path_factory):
    """A copy of the Berlin workspace with one open session (k = 3, 250 m cells) over three
    neighbouring planning areas; the app serving it."""
    _chromium_or_skip()
    db = tmp_path_factory.mktemp("participation") / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    with Workspace(db) as ws:
        names = ws.area_names(ws.lowest_level())
        ids = names[names["name"].isin(["Huttenkiez", "Beusselkiez", "Zwinglistraße"])]["area_id"].tolist()
        quarter = quarter_from_areas(ws, level=ws.lowest_level(), area_ids=ids)
        session = part.create_session(ws, title="Jugendclub Mittwoch", quarter=quarter,
                                      starts_at=datetime.now() - timedelta(hours=1),
                                      ends_at=datetime.now() + timedelta(hours=3), cell_size_m=250, k=3)
        cells = two_cells(session.quarter, 250, ws.work_crs)
    with serve(db) as url:
        yield url, session, cells


def phone(browser, url: str):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                  locale="de-DE")
    pg = context.new_page()
    host = urlparse(url).netloc
    pg.outside_requests, pg.page_errors = [], []

    def route(r):
        if urlparse(r.request.url).netloc == host:
            return r.continue_()
        pg.outside_requests.append(r.request.url)
        return r.abort()
    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    return context, pg


def tap(pg, lonlat: tuple[float, float]) -> None:
    """Tap the phone map at a place (Leaflet's own projection gives the pixel)."""
    iframe = pg.locator('iframe[title*="st_folium"]').first
    iframe.scroll_into_view_if_needed()
    iframe.content_frame.locator(".leaflet-overlay-pane path").first.wait_for(timeout=60000)
    frame = iframe.element_handle().content_frame()
    x, y = frame.evaluate("""([lon, lat]) => { const p = window.map.latLngToContainerPoint([lat, lon]);
        const r = document.getElementById(window.map._container.id).getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }""", list(lonlat))
    box = iframe.bounding_box()
    pg.mouse.click(box["x"] + x, box["y"] + y)


def shown_places(frame) -> list:
    """[place, participants] of the result cells drawn on a map frame."""
    return frame.evaluate("() => Object.values(window.map._layers).filter(l => l.feature && "
                          "l.feature.properties.place).map(l => [l.feature.properties.place, "
                          "l.feature.properties.participants])")


def take_part(browser, url: str, token: str, lang: str, pins: list[tuple[str, tuple[float, float]]], shot: str):
    context, pg = phone(browser, url)
    try:
        pg.goto(f"{url}/?p={token}", wait_until="networkidle")
        pg.get_by_text(t("pp_q_age", "de")).wait_for(timeout=60000)
        if lang != "de":
            pg.get_by_text(t("pp_language_name", lang), exact=True).click()
            pg.get_by_text(t("pp_q_age", lang)).wait_for(timeout=30000)
        if lang == "ar":
            # right to left: the texts carry dir="rtl", the whole page section is laid out so
            assert pg.locator('h2[dir="rtl"][lang="ar"]').count() == 1
            assert pg.locator('[dir="rtl"]').count() >= 3
            assert pg.locator(".st-key-pp_root").evaluate("e => getComputedStyle(e).direction") == "rtl"
            pg.screenshot(path=str(shot_dir() / "participation_phone_ar_questions.png"))
        pg.get_by_text("15–17").click()
        pg.get_by_text(t("pp_answer_no", lang), exact=True).click()
        pg.get_by_role("button", name=t("pp_start", lang)).click()
        pg.get_by_text(t("pp_tap_map", lang)).wait_for(timeout=60000)
        for n, (category, lonlat) in enumerate(pins, start=1):
            tap(pg, lonlat)
            pg.get_by_text(t("pp_place_chosen", lang)).wait_for(timeout=30000)
            label = next(c[lang] for c in part.default_categories() if c["id"] == category)
            pg.get_by_role("button", name=label).click()
            pg.get_by_text(t("pp_saved", lang)).wait_for(timeout=30000)
            pg.get_by_text(t("pp_count", lang, n=n)).wait_for(timeout=30000)
        if lang == "ar":
            assert pg.locator(".st-key-pp_cats button").first.evaluate("e => getComputedStyle(e).direction") == "rtl"
        pg.wait_for_timeout(1500)               # the map redrawn with the phone's own pins
        pg.set_viewport_size({"width": PHONE["width"], "height": 1700})     # the whole page in one picture
        pg.wait_for_timeout(1000)
        pg.screenshot(path=str(shot_dir() / shot))
        assert pg.locator('[data-testid="stException"]').count() == 0
        assert pg.outside_requests == [], pg.outside_requests
        assert pg.page_errors == [], pg.page_errors
        # the link leads to this page only: no navigation, no other page's content
        assert pg.locator('[data-testid="stSidebarNav"]').count() == 0
    finally:
        context.close()


def test_three_phones_pin_and_staff_see_only_cells_of_three(browser, workshop):
    url, session, cells = workshop
    (three, three_at), (two, two_at) = cells
    take_part(browser, url, session.token, "de", [("often_here", three_at), ("missing", two_at)],
              "participation_phone_de.png")
    take_part(browser, url, session.token, "en", [("often_here", three_at), ("missing", two_at)],
              "participation_phone_en.png")
    take_part(browser, url, session.token, "ar", [("often_here", three_at), ("good", two_at)],
              "participation_phone_ar.png")
    # staff: the results, aggregated (single-user on 127.0.0.1)
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="de-DE")
    pg = context.new_page()
    try:
        pg.goto(url + "/beteiligung", wait_until="networkidle")
        pg.locator('[data-testid="stMetricValue"]').first.wait_for(timeout=60000)
        # the three live counts (the page draws them one by one: wait until all three are there)
        try:
            pg.wait_for_function("() => Array.from(document.querySelectorAll('[data-testid=\"stMetricValue\"]'))"
                                 ".map(e => e.innerText).join(' ') == '3 6 0'", timeout=30000)
        except Exception:
            pass                                # the assertion below says what was shown
        assert pg.locator('[data-testid="stMetricValue"]').all_inner_texts()[:3] == ["3", "6", "0"]
        pg.locator('[data-testid="stRadio"] label:has(input[type=radio])').filter(has_text="Ergebnisse").first.click()
        pg.get_by_text("Gezeigt nur, wo mindestens 3").wait_for(timeout=60000)
        iframe = pg.locator('iframe[title*="st_folium"]').first
        iframe.content_frame.locator(".leaflet-interactive").first.wait_for(timeout=60000)
        frame = iframe.element_handle().content_frame()
        assert shown_places(frame) == [[three, 3]]
        pg.set_viewport_size({"width": 1400, "height": 2300})
        pg.wait_for_timeout(1500)
        pg.screenshot(path=str(shot_dir() / "participation_staff_results.png"))
        # "missing": pinned by two in the other cell - no cell at all on the map
        choose(pg, "Kategorie", "Hier fehlt etwas")
        pg.wait_for_function("() => !Array.from(document.querySelectorAll('iframe')).some(f => f.contentWindow.map "
                             "&& Object.values(f.contentWindow.map._layers).some(l => l.feature && "
                             "l.feature.properties.place))", timeout=60000)
        frame = pg.locator('iframe[title*="st_folium"]').first.element_handle().content_frame()
        frame.locator(".leaflet-overlay-pane path").first.wait_for(timeout=60000)
        assert shown_places(frame) == []
        with pg.expect_download() as download:
            pg.get_by_role("button", name="Ergebnisse als CSV").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        rows = [line.split(",") for line in text.splitlines()[3:]]
        assert [(r[0], r[1], r[3]) for r in rows] == [(three, "often_here", "3")]
        assert two not in text
        assert pg.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()


def test_staff_open_a_session_on_a_drawn_quarter_counted_per_area(browser, workshop):
    """The staff's form takes a drawn quarter (the Prüfen page's drawing tools) and the session's
    one aggregation (here: per area); the new session counts per area and nothing else."""
    url, _, _ = workshop
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="de-DE")
    pg = context.new_page()
    try:
        pg.goto(url + "/beteiligung", wait_until="networkidle")
        pg.get_by_text(t("part_new", "de")).first.click()
        draw_quarter(pg, 60, 45)
        pg.get_by_text(t("part_quarter_chosen", "de", label=t("quarter_kind_drawn", "de"))).wait_for(timeout=30000)
        pg.get_by_label(t("part_title_field", "de")).fill("Gezeichnetes Quartier")
        pg.locator('[data-testid="stRadio"] label').filter(has_text=t("part_unit_areas", "de")).last.click()
        pg.get_by_role("button", name=t("part_create", "de")).click()
        pg.get_by_text(t("part_created", "de", title="Gezeichnetes Quartier")).wait_for(timeout=60000)
        # the new session is chosen: its results are counted per area, as chosen
        pg.locator('[data-testid="stRadio"] label:has(input[type=radio])').filter(has_text="Ergebnisse").first.click()
        pg.get_by_text(t("part_unit_fixed_caption", "de", unit=t("part_unit_areas", "de"))).wait_for(timeout=60000)
        # the new session is the one chosen (the box shows its title)
        box = pg.locator('[data-testid="stSelectbox"]').filter(has_text=t("part_pick", "de")).first
        assert box.get_by_role("combobox").input_value() == "Gezeichnetes Quartier"
        pg.screenshot(path=str(shot_dir() / "participation_staff_drawn.png"))
        assert pg.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
