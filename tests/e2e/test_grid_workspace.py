"""A town with grids and an outline only (the shape of a Gemeinde starter), in the real browser,
offline: the Karte shows the grid cells by default; a quarter drawn on the Prüfen page, and one
uploaded as a file, get their residents and persons of foreign citizenship from the grids, with
the grids and the weighting named. Screenshots go to ``<tmp>/jmdiq-e2e/grids/``."""
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from tests.e2e.conftest import offline_page, serve
from tests.e2e.test_pages import choose, draw_quarter, drawn_shapes, legend_text, no_exceptions
from tests.fixtures.grids_only import build_grids_only

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]

SHOTS = Path(tempfile.gettempdir()) / "jmdiq-e2e" / "grids"


@pytest.fixture(scope="module")
def town(browser, tmp_path_factory, data_root):
    db = build_grids_only(tmp_path_factory.mktemp("musterstadt"), data_root)
    with serve(db) as url:
        yield url


@pytest.fixture
def page(browser, town):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with offline_page(browser, town) as pg:
        yield pg


def test_karte_shows_the_grid_cells(page, town):
    page.goto(town + "/karte", wait_until="networkidle")
    page.get_by_role("heading", name="Karte").wait_for(timeout=60000)
    page.get_by_text("Zellen mit Wert").wait_for(timeout=60000)
    cells = drawn_shapes(page, 20)
    assert cells >= 20                                          # ~30 1 km cells in a 5 km town
    assert "Einwohner:innen (1 km)" in legend_text(page, "Einwohner")
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "karte_1km.png"), full_page=True)
    # the 100 m cells of persons of foreign citizenship: hundreds of squares, one GeoJSON layer
    choose(page, "Rastervariable", "Ausländer:innen (100 m)")
    page.get_by_text("Ausländer:innen (100 m), Stichtag").wait_for(timeout=60000)
    assert drawn_shapes(page, 500) >= 500
    frame_text = page.evaluate("() => Array.from(document.querySelectorAll('iframe')).map(f => f.contentDocument ? "
                               "f.contentDocument.body.innerText : '').join(' ')")
    assert "Zensus 2022" in frame_text
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "karte_100m.png"), full_page=True)
    no_exceptions(page)


def _wait_for_table(page, text):
    page.wait_for_function("t => Array.from(document.querySelectorAll('[data-testid=stTable]'))"
                           ".some(e => e.innerText.includes(t))", arg=text, timeout=30000)


def _open_drawing(page, town):
    page.goto(town + "/pruefen", wait_until="networkidle")
    page.get_by_role("heading", name="Quartier prüfen").wait_for(timeout=60000)


def test_drawn_quarter_gets_its_residents_from_the_grids(page, town):
    _open_drawing(page, town)
    draw_quarter(page, 70, 50)
    page.get_by_role("button", name="Prüfen", exact=True).click(timeout=90000)
    page.get_by_text("Aus den Bevölkerungsrastern").wait_for(timeout=90000)
    page.get_by_text("bewohnten Teil").wait_for(timeout=30000)
    _wait_for_table(page, "Einwohner:innen (Raster)")
    main = page.locator("[data-testid='stMain']").inner_text()        # tables too
    assert "Einwohner:innen (Raster)" in main and "Personen mit ausländischer Staatsangehörigkeit (Raster)" in main
    assert "bewohnten Teil" in main and "Einwohner:innen (1 km)" in main and "Ausländer:innen (100 m)" in main
    residents = page.locator("[data-testid='stMetricValue']").first.inner_text()
    assert residents.replace(".", "").isdigit() and int(residents.replace(".", "")) >= 300
    page.get_by_text("bewohnten Teil").evaluate("e => e.scrollIntoView({block: 'end'})")
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "pruefen_gezeichnet.png"))
    no_exceptions(page)


def test_uploaded_quarter_gets_its_residents_from_the_grids(page, town, tmp_path):
    centre = gpd.GeoSeries([shapely.Point(13.425, 52.485)], crs=4326)
    path = tmp_path / "quartier.geojson"
    gpd.GeoDataFrame(geometry=centre.to_crs(25833).buffer(600).to_crs(4326)).to_file(path, driver="GeoJSON")
    _open_drawing(page, town)
    page.get_by_text("einer Datei").click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Quartiersgrenze")
    uploader.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_role("button", name="Prüfen", exact=True).click(timeout=90000)
    page.get_by_text("Aus den Bevölkerungsrastern").wait_for(timeout=90000)
    page.get_by_text("bewohnten Teil").wait_for(timeout=30000)
    _wait_for_table(page, "Einwohner:innen (Raster)")
    main = page.locator("[data-testid='stMain']").inner_text()
    assert "Einwohner:innen (Raster)" in main and "Anteil ausländischer Staatsangehörigkeit (Raster)" in main
    no_exceptions(page)
