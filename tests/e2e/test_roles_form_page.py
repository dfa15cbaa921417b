"""The Daten page's indicator roles in the real browser, offline, on a small city that is not
Berlin: the form lists one select per role, a choice is saved (a toast says so) and is the preset
when the page is opened again. Screenshots go to ``<tmp>/jmdiq-e2e/roles/``."""
import tempfile
from pathlib import Path

import pytest

from jmdiq_geo.analysis.roles import ROLES, role_label
from tests.e2e.conftest import offline_page, serve
from tests.e2e.test_pages import choose, no_exceptions
from tests.fixtures.other_city import OWN_INDEX, build_other_city

pytestmark = [pytest.mark.e2e]

SHOTS = Path(tempfile.gettempdir()) / "jmdiq-e2e" / "roles"
EXPANDER = "Indikator-Rollen: welcher Indikator wofür steht"


@pytest.fixture
def city_page(browser, tmp_path):
    db = build_other_city(tmp_path)
    with serve(db) as url:
        with offline_page(browser, url) as pg:
            yield pg, url


def open_roles(page, url):
    page.goto(f"{url}/daten", wait_until="networkidle")
    page.get_by_role("heading", name="Daten und Quellen").wait_for(timeout=60000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    page.get_by_text(EXPANDER).click()
    page.get_by_role("button", name="Rollen speichern").wait_for(timeout=30000)
    # the expander opens with an animation: until it ends, the selects are not yet visible to
    # role queries (a count right after the click found none under CI load)
    page.get_by_role("combobox", name=role_label("residents", "de"), exact=True).wait_for(timeout=30000)
    page.wait_for_timeout(800)


def test_roles_are_chosen_saved_and_kept(city_page):
    page, url = city_page
    open_roles(page, url)
    for role in ROLES:                                  # one select per role, named in German
        assert page.get_by_role("combobox", name=role_label(role, "de"), exact=True).count() == 1, role
    choose(page, "JMD-Zielgruppe (Anzahl)", "Junge Menschen")
    choose(page, "JMD-Zielgruppe (Anteil)", "Anteil Neuzugewanderte")
    page.get_by_role("button", name="Rollen speichern").click()
    page.get_by_text(f"Rollen gespeichert: 2 von {len(ROLES)} Rollen").first.wait_for(timeout=30000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "01_saved.png"), full_page=True)
    no_exceptions(page)
    # a new visit: the saved mapping is the preset
    open_roles(page, url)
    assert page.get_by_role("combobox", name="JMD-Zielgruppe (Anzahl)").input_value() == "Junge Menschen"
    assert page.get_by_role("combobox", name="JMD-Zielgruppe (Anteil)").input_value() == "Anteil Neuzugewanderte"
    assert page.get_by_role("combobox", name="Einwohner:innen").input_value() == "—"
    no_exceptions(page)




def test_an_index_definition_is_uploaded_by_roles_and_mapped(city_page, tmp_path):
    page, url = city_page
    open_roles(page, url)
    choose(page, "JMD-Zielgruppe (Anteil)", "Anteil Neuzugewanderte")
    page.get_by_role("button", name="Rollen speichern").click()
    page.get_by_text("Rollen gespeichert").first.wait_for(timeout=30000)
    page.goto(f"{url}/indizes", wait_until="networkidle")
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    page.get_by_text("Es gibt keine Index-Definition für diesen Arbeitsbereich.").wait_for(timeout=30000)
    page.get_by_text("Eigene Indexdefinition hochladen").click()
    path = tmp_path / "neu.toml"
    path.write_text(OWN_INDEX, encoding="utf-8")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("„neu.toml“ ist im Arbeitsbereich gespeichert und ausgewählt.").wait_for(timeout=30000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    assert page.get_by_role("combobox", name="Definition").input_value() == "Neuzugewanderte"
    page.locator("iframe").first.wait_for(timeout=30000)          # the index map
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "02_index_uploaded.png"), full_page=True)
    no_exceptions(page)


def test_a_shipped_rule_set_is_changed_and_saved_as_own(city_page):
    page, url = city_page
    page.goto(f"{url}/pruefen", wait_until="networkidle")
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    page.get_by_text("Regelwerk ändern").click()
    area = page.get_by_role("textbox", name="Text des Regelwerks (TOML)")
    area.wait_for(timeout=30000)
    text = area.input_value()
    assert text.startswith("# JMD-iQ site criteria")
    area.fill(text.replace('label_de = "JMD-iQ-Standort', 'label_de = "Mein JMD-iQ-Standort', 1))
    page.keyboard.press("Control+Enter")              # the text is sent: wait until the run it starts ends
    page.wait_for_timeout(800)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    page.get_by_role("button", name="Als eigenes Regelwerk speichern").click()
    page.get_by_text("Gespeichert: Mein JMD-iQ-Standort").wait_for(timeout=60000)
    page.screenshot(path=str(SHOTS / "03_rules_saved.png"), full_page=True)
    no_exceptions(page)
