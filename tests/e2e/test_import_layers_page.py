"""The Import page and a GeoPackage of two layers (issue 16): a select "Ebene" lists them; the
preview shows the layer chosen, and a file of one layer shows no select."""
from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import choose, no_exceptions

pytestmark = [pytest.mark.e2e, pytest.mark.realdata]


def test_import_page_offers_the_layers_of_a_geopackage(page, app_url, tmp_path):
    path = tmp_path / "zwei_ebenen.gpkg"
    for layer, prefix in (("alt", "Altbezirk"), ("neu", "Neubezirk")):
        gpd.GeoDataFrame({"ID": ["1", "2"], "NAME": [f"{prefix} 1", f"{prefix} 2"]},
                         geometry=[shapely.box(390000 + i * 100, 5820000, 390100 + i * 100, 5820100) for i in range(2)],
                         crs="EPSG:25833").to_file(path, layer=layer, driver="GPKG")
    page.goto(app_url + "/import", wait_until="networkidle")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    layer_select = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text("Ebene", exact=True))
    layer_select.wait_for(timeout=30000)
    # the preview table (a canvas; its cells are hidden) holds the first layer
    page.get_by_text("Altbezirk 1").first.wait_for(state="attached", timeout=30000)
    choose(page, "Ebene", "neu")
    page.get_by_text("Neubezirk 1").first.wait_for(state="attached", timeout=30000)
    assert page.get_by_text("Altbezirk 1").count() == 0
    page.screenshot(path=str(shot_dir() / "import_ebenen.png"), full_page=True)
    no_exceptions(page)

    single = tmp_path / "eine.geojson"
    gpd.GeoDataFrame({"ID": ["1"], "NAME": ["Einzeln"]}, geometry=[shapely.box(390000, 5820000, 390100, 5820100)],
                     crs="EPSG:25833").to_file(single, driver="GeoJSON")
    page.goto(app_url + "/import", wait_until="networkidle")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(single))
    page.get_by_text("Einzeln").first.wait_for(state="attached", timeout=30000)
    assert layer_select.count() == 0
    no_exceptions(page)
