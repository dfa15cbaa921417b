"""A Gemeinde starter from the app, in the real browser, offline: where no workspace exists, the
Übersicht's "Mit einer Gemeinde beginnen" finds Heidelberg by name, builds the starter with a
progress bar, and the Karte shows the grid cells as the statistical layer (a town without areas of
its own), its Gemeinde, Kreis and Land as outlines and the BKG and Zensus attributions; one click
shows the Gemeinde itself with its numbers from the grid. Screenshots go to
``<tmp>/jmdiq-e2e/starter/``."""
import tempfile
from pathlib import Path

import pytest

from tests.e2e.conftest import offline_page, serve
from tests.e2e.test_new_city_page import open_page
from tests.e2e.test_pages import drawn_shapes, fill, legend_text, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]

SHOTS = Path(tempfile.gettempdir()) / "jmdiq-e2e" / "starter"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(5, 5)
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def fresh(browser, tmp_path, nationwide_root):
    db = tmp_path / "gemeinde.duckdb"
    with serve(db) as url:
        with offline_page(browser, url) as pg:
            yield pg, url, db


def test_a_gemeinde_starter_from_the_app(fresh):
    page, url, db = fresh
    open_page(page, url, "")
    page.get_by_role("heading", name="Mit einer Gemeinde beginnen").wait_for(timeout=30000)
    fill(page, "Gemeinde (Name oder Gemeindeschlüssel)", "Heidelberg")
    # one Gemeinde of that name: chosen already, shown with its type, Kreis and AGS
    page.get_by_role("combobox", name="Gemeinde", exact=True).wait_for(timeout=30000)
    assert page.get_by_role("combobox", name="Gemeinde", exact=True).input_value() == \
        "Heidelberg (Stadt, Heidelberg, AGS 08221000)"
    shot(page, "01_found")
    assert not db.exists()
    page.get_by_role("button", name="Arbeitsbereich für diese Gemeinde anlegen").click()
    page.locator('[data-testid="stMetricValue"]').filter(has_text="Heidelberg").wait_for(timeout=60000)
    assert db.exists()
    # the run after the build draws the overview's tables after its metrics: wait for them
    page.wait_for_function("() => { const t = document.querySelector(\"[data-testid='stMain']\").innerText;"
                           " return t.includes('Gemeinde') && t.includes('EPSG:25832'); }", timeout=30000)
    shot(page, "02_created")

    open_page(page, url, "karte")
    # the 1 km cells of the residents grid, and the outlines of the Gemeinde, its Kreis and Land
    assert drawn_shapes(page, 20) >= 20
    assert drawn_shapes(page, 1, "path:not(.leaflet-interactive)") >= 1
    assert "Einwohner:innen (1 km)" in legend_text(page, "Einwohner:innen (1 km)")
    attribution = page.evaluate("() => Array.from(document.querySelectorAll('iframe')).map(f => f.contentDocument"
                                " ? f.contentDocument.body.innerText : '').join(' ')")
    assert "GeoBasis-DE / BKG" in attribution and "Zensus 2022" in attribution
    page.wait_for_timeout(1000)
    shot(page, "03_karte")
    # the Gemeinde (one polygon) with its numbers from the grid
    page.locator('[data-testid="stRadio"]').get_by_text("Gebiete", exact=True).click()
    assert "Anteil Ausländer:innen" in legend_text(page, "Anteil Ausländer:innen")
    shot(page, "04_karte_gemeinde")
    no_exceptions(page)
