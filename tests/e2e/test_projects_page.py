"""Micro-projects in the real browser: partners, a project placed by clicking the map, the list and
summaries, the network section. A follow-up project is refused without its statement of
what is new, then saved; ties of two years give the network map and the comparison."""
import re

import pytest

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import choose, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def multi(page, label, option):
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).filter(visible=True).first
    box.click()
    page.keyboard.type(option)
    page.locator('[role="option"]').filter(has_text=option).first.click()
    page.keyboard.press("Escape")


def visible(locator):
    """Tabs render all their panels; act on the one the user sees."""
    return locator.filter(visible=True).first


def saved(page):
    try:
        page.get_by_text(re.compile(r"Gespeichert \(Version")).filter(visible=True).first.wait_for(timeout=30000)
    except Exception:
        page.screenshot(path=str(shot_dir() / "debug_projects.png"), full_page=True)
        raise AssertionError(" | ".join(page.locator('[data-testid="stAlert"]').all_inner_texts())) from None


def tab(page, name):
    page.locator('[data-testid="stRadio"] label').filter(has_text=name).first.click()
    page.wait_for_timeout(1500)


def test_partners_project_by_map_click_and_summaries(page, app_url):
    page.goto(app_url + "/mikroprojekte", wait_until="networkidle")
    visible(page.get_by_label("Ihr Name")).fill("Anna (JMD)")
    page.keyboard.press("Enter")
    tab(page, "Partner")
    for pid, name, typ in (("org001", "QM Soldiner Kiez", "Quartiersmanagement"), ("org002", "Grundschule am Park", "Schule")):
        visible(page.get_by_label("Kürzel")).fill(pid)
        visible(page.get_by_label("Name der Organisation")).fill(name)
        choose(page, "Art", typ)
        visible(page.get_by_role("button", name="Partner speichern")).click()
        saved(page)
    tab(page, "Projekt anlegen/bearbeiten")
    page.wait_for_function("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                           " f.contentDocument.querySelectorAll('path.leaflet-interactive').length > 500)",
                           timeout=60000)
    iframe = page.locator('iframe[title*="st_folium"]').first
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_text("Ort gewählt:").wait_for(timeout=30000)
    visible(page.get_by_label("Titel")).fill("Graffiti-Workshop")
    multi(page, "Handlungsfelder", "Kultur")
    multi(page, "Partner", "QM Soldiner Kiez")
    multi(page, "Partner", "Grundschule am Park")
    visible(page.get_by_label("Beteiligung junger Menschen an der Planung")).fill("Jugendliche wählten Motiv und Wand")
    visible(page.get_by_role("button", name="Speichern", exact=True)).click()
    saved(page)
    # a follow-up project without "what is new" is refused, naming the field
    page.wait_for_timeout(2000)                 # the page reran after saving
    visible(page.get_by_label("Titel")).fill("Graffiti-Workshop II")
    try:
        choose(page, "Fortsetzung von", "Graffiti-Workshop")
    except Exception:
        box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Fortsetzung von")
        raise AssertionError(f"{box.count()} {box.first.get_by_role('combobox').input_value()} "
                             f"{page.locator('[role=option]').all_inner_texts()} "
                             f"{page.locator('[data-testid=stDataFrame]').count()}") from None
    visible(page.get_by_role("button", name="Speichern", exact=True)).click()
    page.get_by_text("konzeptionelle Erweiterung").first.wait_for(timeout=30000)
    visible(page.get_by_label("Was ist neu?")).fill("Neue Zielgruppe: junge Frauen; Thema Antirassismus")
    visible(page.get_by_role("button", name="Speichern", exact=True)).click()
    saved(page)
    tab(page, "Projekte")
    page.get_by_text("Zusammenfassung").wait_for(timeout=30000)
    # the table is drawn on a canvas; its accessible cells carry the text
    assert page.locator('[role="gridcell"]').filter(has_text="Graffiti-Workshop II").count() >= 1
    page.get_by_text("Zusammenfassung").wait_for(timeout=30000)
    page.screenshot(path=str(shot_dir() / "mikroprojekte.png"), full_page=True)
    tab(page, "Netzwerkkarte")
    for year, partner, intensity, importance in ((2025, "QM Soldiner Kiez", "2", "3"),
                                                 (2025, "Grundschule am Park", "1", "2"),
                                                 (2026, "QM Soldiner Kiez", "3", "3")):
        choose(page, "Partner", partner)
        year_field = visible(page.get_by_label("Jahr"))
        year_field.fill(str(year))
        choose(page, "Intensität", intensity)
        choose(page, "Bedeutung", importance)
        visible(page.get_by_role("button", name="Kontakt speichern")).click()
        saved(page)
    page.get_by_text("Vergleich zweier Jahre").wait_for(timeout=30000)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30000)
    page.screenshot(path=str(shot_dir() / "netzwerkkarte.png"), full_page=True)
    page.wait_for_timeout(1500)
    cells = page.locator('[role="gridcell"]')
    texts = cells.all_inner_texts()
    assert "verstärkt" in texts and "beendet" in texts, texts
    no_exceptions(page)
