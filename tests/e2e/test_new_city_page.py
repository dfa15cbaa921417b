"""A city from nothing, in the real browser, offline: the app starts where no workspace exists;
the Übersicht creates "Teststadt"; the Import page brings its quarters as a new level
"Unterbezirk", its Stadtbezirke as a new level on top (parents found from the location) and an
indicator table (a title row above the header, a total row "Stadt insgesamt"); the Karte maps
the indicator and the Steckbrief shows its value. Then every page once: no exception, nothing
that names Berlin. Screenshots go to ``<tmp>/jmdiq-e2e/new_city/``."""
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import offline_page, serve
from tests.e2e.test_pages import choose, drawn_shapes, fill, legend_text, no_exceptions
from tests.fixtures.other_city import districts_file, quarters_file

pytestmark = [pytest.mark.e2e]

SHOTS = Path(tempfile.gettempdir()) / "jmdiq-e2e" / "new_city"
PAGES = {"": "Sozialraumanalyse – Übersicht", "karte": "Karte", "steckbrief": "Steckbrief eines Gebiets",
         "indizes": "Zusammengesetzte Indizes", "hotspots": "Räumliche Häufungen (Hot Spots)",
         "pruefen": "Quartier prüfen", "zugang": "Einrichtungen und Zugangsbarrieren",
         "mikroprojekte": "Mikroprojekte und Netzwerk", "import": "Daten importieren", "daten": "Daten und Quellen"}


def indicator_file(path: Path) -> Path:
    """As a statistics office publishes it: a title above the header, a total row at the end."""
    path.write_text("Junge Menschen und Neuzugewanderte nach Unterbezirken, Stand 31.12.2024\n"
                    "Nr;Junge Menschen;Anteil Neuzugewanderte\n"
                    "01;120;12,5\n02;80;30,25\n03;150;8,0\n04;95;17,5\n"
                    "Stadt insgesamt;445;16,9\n", encoding="utf-8")
    return path


@pytest.fixture
def fresh(browser, tmp_path):
    """The app on a path where no workspace exists yet, and a page that records outside requests
    and script errors (as the ``page`` fixture does for the Berlin app)."""
    db = tmp_path / "teststadt.duckdb"
    with serve(db) as url:
        with offline_page(browser, url) as pg:
            yield pg, url, db


def shot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window is made as tall as
    that block for the picture (no focused field's tooltip over it)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.mouse.move(5, 5)
    height = page.evaluate("() => (document.querySelector('[data-testid=stMain]') || document.body).scrollHeight")
    page.set_viewport_size({"width": 1400, "height": max(1000, min(int(height) + 40, 5000))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 1000})


def open_page(page, url: str, path: str) -> str:
    page.goto(f"{url}/{path}", wait_until="networkidle")
    page.get_by_role("heading", name=PAGES[path]).wait_for(timeout=60000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    return page.locator("[data-testid='stMain']").inner_text()


def upload(page, path: Path, ready: str) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text(ready).first.wait_for(timeout=30000)


def import_now(page, done: str) -> None:
    fill(page, "Lizenz", "dl-de/by-2-0")
    page.get_by_role("button", name="Prüfen und importieren").click()
    page.get_by_text(done).wait_for(timeout=60000)


def test_a_new_city_from_the_app(fresh, tmp_path):
    page, url, db = fresh
    # 1. no workspace: the Übersicht offers a new one (and the demo below)
    open_page(page, url, "")
    page.get_by_role("heading", name="Neuen Arbeitsbereich anlegen").wait_for(timeout=30000)
    shot(page, "01_start")
    page.get_by_role("textbox", name="Name der Stadt oder Gemeinde").fill("Teststadt")
    page.get_by_role("button", name="Arbeitsbereich anlegen", exact=True).click()
    page.locator('[data-testid="stMetricValue"]').filter(has_text="Teststadt").wait_for(timeout=60000)
    assert db.exists()
    page.get_by_text("Dieser Arbeitsbereich hat noch keine Gebiete").first.wait_for(timeout=30000)
    shot(page, "02_created")

    # 2. the quarters as the first level: "Neue Ebene …" is the only choice
    open_page(page, url, "import")
    upload(page, quarters_file(tmp_path / "unterbezirke.geojson"), "Geodatei mit 4 Objekten")
    assert page.get_by_role("combobox", name="Gebietsebene").input_value() == "Neue Ebene …"
    fill(page, "Bezeichnung der neuen Ebene", "Unterbezirk")
    fill(page, "Bezeichnung auf Englisch (optional)", "Sub-district")
    shot(page, "03_new_level")
    import_now(page, "Importiert: 4 Zeilen gelesen, 4 Datensätze geschrieben.")
    shot(page, "04_quarters_imported")

    # 3. the Stadtbezirke as a new level on top: the quarters get their parents from the location
    open_page(page, url, "import")
    upload(page, districts_file(tmp_path / "stadtbezirke.geojson"), "Geodatei mit 2 Objekten")
    assert page.get_by_role("combobox", name="Gebietsebene").input_value() == "Unterbezirk"
    choose(page, "Gebietsebene", "Neue Ebene")
    fill(page, "Bezeichnung der neuen Ebene", "Stadtbezirk")
    assert page.get_by_role("combobox", name="Liegt unter").input_value() == "— (ganz oben)"
    assert page.get_by_role("combobox", name="Schlüsselspalte (Gebiets-ID)").input_value() == "sb"
    choose(page, "Namensspalte", "titel")
    import_now(page, "Importiert: 2 Zeilen gelesen, 2 Datensätze geschrieben.")
    notice = page.locator('[data-testid="stAlert"]').filter(has_text="nach der Lage zugeordnet")
    notice.wait_for(timeout=30000)
    assert "4 Gebieten der Ebene „Unterbezirk“" in notice.inner_text()
    shot(page, "05_districts_imported")

    # 4. an indicator table as published: title row, header, a total row for the whole city
    open_page(page, url, "import")
    choose(page, "Art der Daten", "Indikatortabelle")
    upload(page, indicator_file(tmp_path / "jugend.csv"), "Tabelle mit")
    # the period as the title row names it, offered and said so
    page.get_by_text("Stichtag aus der Titelzeile der Tabelle übernommen (31.12.2024)").wait_for(timeout=30000)
    values = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Wertespalten")
    for column in ("Junge Menschen", "Anteil Neuzugewanderte"):
        values.click()
        page.keyboard.type(column)
        page.locator('[role="option"]').filter(has_text=column).first.click()
        page.keyboard.press("Escape")
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60000)
    import_now(page, "Importiert: 5 Zeilen gelesen, 8 Datensätze geschrieben.")
    page.locator('[data-testid="stAlert"]').filter(has_text="Stadt insgesamt").wait_for(timeout=30000)
    shot(page, "06_indicators_imported")

    # 5. the Karte maps it (its own title and legend, no Berlin)
    main = open_page(page, url, "karte")
    assert drawn_shapes(page, 4) >= 4
    assert "Anteil Neuzugewanderte" in legend_text(page, "Anteil Neuzugewanderte")
    assert "4 von 4 Gebieten mit Wert" in page.locator("[data-testid='stMain']").inner_text()
    page.wait_for_timeout(1000)
    shot(page, "07_karte")

    # 6. the Steckbrief of one quarter shows the values, its Stadtbezirk above it
    open_page(page, url, "steckbrief")
    choose(page, "Gebiet (Name oder Schlüssel eintippen)", "Westerfilde")
    page.get_by_role("heading", name="Westerfilde (02)").wait_for(timeout=30000)
    table = page.locator('[data-testid="stTable"]').first
    page.wait_for_function("() => { const t = document.querySelector('[data-testid=stTable]');"
                           " return t && t.innerText.includes('30,2 %'); }", timeout=30000)
    text = table.inner_text()
    assert "Anteil Neuzugewanderte" in text and "30,2 %" in text and "Junge Menschen" in text and "80" in text
    assert "Stadtbezirk" in text and "175" in text and "nan" not in text
    assert "Ost (O)" in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "08_steckbrief")

    # 7. every page once: no exception, nothing of Berlin
    for path in PAGES:
        main = open_page(page, url, path)
        assert "Berlin" not in main and "Planungsr" not in main, (path, main[:500])
        assert page.locator('[data-testid="stException"]').count() == 0, path
        if path in ("indizes", "hotspots", "pruefen"):
            shot(page, f"09_{path}")
    no_exceptions(page)
