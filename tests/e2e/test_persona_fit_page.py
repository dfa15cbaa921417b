"""The persona question in Chromium: a team's table of attributes imported on the Import page
(matched by name and address), then Zugang → "Passende Einrichtungen" for a 16-year-old who
speaks Arabic, after school, from a Moabit Planungsraum: the youth centre with Arabic and
afternoon hours is listed as fitting, the one for children as lacking (age, hours).

Its own app on its own copy of the workspace: the attributes must not change what the other
access tests see."""
import shutil

import pytest

from tests.e2e.conftest import offline_page, serve, shot_dir
from tests.e2e.test_pages import arm, choose, idle, no_exceptions

pytestmark = pytest.mark.e2e

TABLE = ("Einrichtung;Adresse;Sprachen;Öffnungszeiten;Kosten;Alter;Bemerkung\n"
         "Karame e.V.;Wilhelmshavener Straße 22;Arabisch, Deutsch;Mo-Fr 14:00-20:00;kostenlos;10-21;\n"
         "Jugendhaus B8;Berlichingenstr. 8;de, tr;Mo-Fr 09:00-15:00;kostenlos;6-12;Hausaufgabenhilfe\n")

#: the rows of the page's tables (their accessible copy beside the canvas), cells joined by "|"
_ROWS = ("() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] table tr'))"
         ".map(r => Array.from(r.querySelectorAll('th,td')).map(c => c.innerText.trim()).join('|'))")


def test_import_attributes_then_persona_listing(browser, berlin_db, tmp_path):
    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    table = tmp_path / "merkmale_jugend.csv"
    table.write_text(TABLE, encoding="utf-8")
    with serve(db) as url, offline_page(browser, url) as page:
        page.goto(url + "/import", wait_until="networkidle")
        choose(page, "Art der Daten", "Merkmale von Einrichtungen")
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(table))
        page.get_by_text("Eine Tabelle (CSV oder XLSX) mit einer Zeile je Einrichtung").wait_for(timeout=60000)
        arm(page)
        page.get_by_text("Name und Adresse", exact=True).click()
        idle(page)
        choose(page, "Kategorie", "Jugendfreizeiteinrichtungen")
        page.get_by_role("button", name="Prüfen und importieren").click()
        page.get_by_text("2 von 2 Zeilen zugeordnet, 2 Einrichtungen geändert").wait_for(timeout=60000)
        page.locator('[data-testid="stAlert"]').filter(has_text="Bemerkung").wait_for(timeout=30000)
        page.screenshot(path=str(shot_dir() / "import_merkmale.png"), full_page=True)
        no_exceptions(page)

        page.goto(url + "/zugang", wait_until="networkidle")
        page.get_by_text("Fußwegenetz: Moabit").wait_for(timeout=60000)
        arm(page)
        page.get_by_text("Passende Einrichtungen", exact=True).click()
        idle(page)
        page.get_by_text("Welche Einrichtungen erreicht eine Person zu Fuß").wait_for(timeout=30000)
        arm(page)
        page.get_by_text("Vorlage", exact=True).first.click()
        idle(page)
        choose(page, "Vorlage", "16 Jahre")
        areas = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Gebiete")
        areas.click()
        page.keyboard.type("Beusselkiez")
        arm(page)
        page.locator('[role="option"]').filter(has_text="Beusselkiez").first.click()
        page.keyboard.press("Escape")
        idle(page)
        page.get_by_role("button", name="Passende Einrichtungen suchen").click()
        page.get_by_text("Jugendfreizeiteinrichtungen bis 15 Minuten zu Fuß von").wait_for(timeout=120000)
        page.get_by_text("1 passen").wait_for(timeout=30000)
        page.wait_for_function(f"() => ({_ROWS})().some(r => r.includes('Alter 6–12'))", timeout=30000)
        rows = page.evaluate(_ROWS)
        karame = next(r.split("|") for r in rows if "Karame" in r)
        b8 = next(r.split("|") for r in rows if "Jugendhaus B8" in r)
        assert "passt" in karame and "passt nicht" not in karame, karame
        assert "passt nicht" in b8 and any("Alter 6–12" in c and "geschlossen" in c for c in b8), b8
        assert any("unbekannt: Alter, Sprachen, Öffnungszeiten, Kosten" in r for r in rows), rows
        page.locator('[data-testid="stDataFrame"]').last.scroll_into_view_if_needed()
        page.screenshot(path=str(shot_dir() / "zugang_persona_liste.png"))
        no_exceptions(page)
