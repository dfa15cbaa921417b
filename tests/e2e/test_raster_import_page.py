"""The Import page takes a GeoTIFF as a population grid: it says what the raster is, asks what its
values are (no default) and which band, then imports it."""
from __future__ import annotations

import numpy as np
import pytest
from affine import Affine

from tests.e2e.conftest import shot_dir
from tests.e2e.test_pages import arm, choose, fill, idle, no_exceptions
from tests.fixtures.rasters import write_tif

pytestmark = pytest.mark.e2e


def test_import_page_imports_a_raster_as_grid(page, app_url, tmp_path):
    data = np.arange(64, dtype="float32").reshape(8, 8)
    data[0, :3] = -1                                    # three cells without a value
    # 8 × 8 cells of 100 m in EPSG:3035 in the middle of Berlin; band 2 holds twice the values
    path = write_tif(tmp_path / "testraster.tif", np.stack([data, np.where(data == -1, -1, data * 2)]),
                     crs="EPSG:3035", transform=Affine(100.0, 0.0, 4552000.0, 0.0, -100.0, 3272000.0))
    page.goto(app_url + "/import", wait_until="networkidle")
    choose(page, "Art der Daten", "Bevölkerungsraster")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.get_by_text("Raster: 8 × 8 Zellen, 2 Band/Bänder, Koordinatensystem EPSG:3035").wait_for(timeout=30000)
    # nothing is guessed: without the kind of value (and the band) there is nothing to import
    page.get_by_text("Wählen Sie, was die Werte sind").wait_for(timeout=30000)
    assert page.get_by_role("button", name="Prüfen und importieren").is_disabled()
    fill(page, "Kennung des Gitters", "e2e_raster")
    fill(page, "Bezeichnung", "Testraster")
    arm(page)
    page.get_by_text("Anzahlen (z. B. Einwohner:innen je Zelle; werden summiert)").click()
    idle(page)
    choose(page, "Band", "2")
    fill(page, "Lizenz", "CC0")
    page.get_by_role("button", name="Prüfen und importieren").click()
    page.get_by_text("Importiert: 64 Zeilen gelesen, 61 Datensätze geschrieben.").wait_for(timeout=30000)
    page.screenshot(path=str(shot_dir() / "import_raster.png"), full_page=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 0)")
    page.screenshot(path=str(shot_dir() / "import_raster_top.png"))
    no_exceptions(page)
