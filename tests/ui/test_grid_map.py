"""The Karte's grid section in AppTest: a workspace with grids and an outline only shows the grid
cells by default; Berlin offers them next to its areas."""
import shutil

import pytest

from tests.fixtures.apptest import page_text, run_page
from tests.fixtures.grids_only import build_grids_only

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def grids_db(tmp_path_factory, data_root):
    return build_grids_only(tmp_path_factory.mktemp("musterstadt"), data_root)



@pytest.mark.parametrize("lang", ["de", "en"])
def test_grids_only_workspace_shows_the_cells_by_default(grids_db, monkeypatch, lang):
    monkeypatch.setenv("JMDIQ_DB", str(grids_db))
    at = run_page("karte", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="map_layer").value == "grid"
    assert at.selectbox(key="map_grid").value == "ew_1km"            # the residents grid first
    caption = " ".join(c.value for c in at.caption)
    assert ("Zellen mit Wert" if lang == "de" else "cells with a value") in caption
    text = page_text(at)
    assert "Zensus 2022" in text and "Einwohner:innen (1 km)" in text


def test_berlin_offers_the_grid_next_to_its_areas(berlin_db, monkeypatch, tmp_path):
    # a copy: the app keeps its connection open, the shared file is opened read-only elsewhere
    db = tmp_path / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    monkeypatch.setenv("JMDIQ_DB", str(db))
    at = run_page("karte")
    assert at.radio(key="map_layer").value == "areas"
    at = run_page("karte", state={"map_layer": "grid", "map_grid": "zensus_100m_ausl"})
    assert not at.exception, [e.value for e in at.exception]
    assert "Ausländer:innen (100 m)" in " ".join(c.value for c in at.caption)
