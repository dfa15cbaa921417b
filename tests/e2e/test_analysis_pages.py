"""Analysis pages in the real browser: change over time, click to profile, indices, hot spots."""
import re
import time

import pytest

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import choose, legend_text, map_centre, map_frame, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def test_change_over_time_and_manual_breaks(page, app_url):
    page.goto(app_url + "/karte", wait_until="networkidle")
    map_frame(page)
    page.get_by_text("Veränderung zwischen zwei Stichtagen").click()
    legend_text(page, "Veränderung 2021–2024")   # default: the longest span
    choose(page, "Klassenbildung", "Eigene Grenzen")
    page.get_by_label("Eigene Klassengrenzen").fill("-5; 0; 5")
    page.keyboard.press("Enter")
    legend_text(page, "5,0")
    page.screenshot(path=str(shot_dir() / "karte_veraenderung.png"), full_page=True)
    no_exceptions(page)


def test_indicator_switch_redraws_quickly(page, app_url):
    page.goto(app_url + "/karte", wait_until="networkidle")
    map_frame(page)
    start = time.perf_counter()
    choose(page, "Indikator", "Anteil Ausländer")
    legend_text(page, "Anteil Ausländer")
    print(f"indicator switch redrawn after {1000 * (time.perf_counter() - start):.0f} ms (incl. typing)")
    no_exceptions(page)


def test_click_on_map_opens_profile(page, app_url):
    page.goto(app_url + "/karte", wait_until="networkidle")
    map_frame(page)
    page.mouse.click(*map_centre(page))
    link = page.get_by_role("link", name=re.compile("Steckbrief von .* öffnen"))
    link.wait_for(timeout=30000)
    name = re.search("Steckbrief von (.*) öffnen", link.inner_text()).group(1)
    link.click()
    page.get_by_role("heading", name=re.compile(re.escape(name))).first.wait_for(timeout=30000)
    for text in ("von 53", "Jugendfreizeiteinrichtungen"):   # tables render after the heading
        page.get_by_text(text).first.wait_for(timeout=30000)
    page.locator("th", has_text=re.compile("^Berlin$")).first.wait_for(timeout=30000)   # the whole, by its name
    page.get_by_text("Zwei Gebiete vergleichen").click()
    page.get_by_text("Vergleichsgebiet").wait_for(timeout=30000)
    page.wait_for_timeout(3000)
    page.screenshot(path=str(shot_dir() / "steckbrief.png"), full_page=True)
    no_exceptions(page)


def test_index_page_maps_mss_classes(page, app_url):
    page.goto(app_url + "/indizes", wait_until="networkidle")
    map_frame(page)
    text = legend_text(page, "sehr niedrig")
    assert "sehr niedrig" in text and "keine Angabe (6)" in text
    page.get_by_text("Gesamtindex", exact=True).click()
    legend_text(page, "2+/-")
    page.screenshot(path=str(shot_dir() / "indizes.png"), full_page=True)
    no_exceptions(page)


def test_index_copy_is_saved_and_selected(page, app_url):
    """Saving a changed copy selects it (this used to raise: the select box was already drawn)."""
    page.goto(app_url + "/indizes", wait_until="networkidle")
    map_frame(page)
    page.get_by_text("Definition kopieren und anpassen", exact=True).click()
    page.get_by_role("button", name="Als eigene Definition speichern").click()
    page.get_by_text("gespeichert und ausgewählt").wait_for(timeout=30000)
    assert page.get_by_role("combobox", name="Definition").input_value().endswith("(Kopie)")
    map_frame(page)
    no_exceptions(page)


def test_hotspot_page(page, app_url):
    page.goto(app_url + "/hotspots", wait_until="networkidle")
    map_frame(page)
    assert "Hot Spot (hoch – hoch)" in legend_text(page, "Hot Spot")
    assert "Globaler Moran-Index" in page.locator("[data-testid='stMain']").inner_text()
    page.screenshot(path=str(shot_dir() / "hotspots.png"), full_page=True)
    no_exceptions(page)
