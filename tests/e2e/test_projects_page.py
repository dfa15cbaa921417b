"""Micro-projects in the real browser: partners, a project placed by clicking the map, the list and
summaries, the network section. (The follow-up project, ties of two years and the drawn network
map are tested on the package level in tests/projects; their browser flow is still to do.)"""
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
    tab(page, "Projekte")
    page.get_by_text("Zusammenfassung").wait_for(timeout=30000)
    page.screenshot(path=str(shot_dir() / "mikroprojekte.png"), full_page=True)
    tab(page, "Netzwerkkarte")
    page.get_by_role("button", name="Kontakte dieses Jahres speichern").wait_for(timeout=30000)
    no_exceptions(page)
