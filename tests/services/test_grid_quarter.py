"""Grids as the statistical layer and as the source of a quarter's numbers, on the real Zensus
2022 grids: the Berlin workspace (areas of its own, grid lines added) and a workspace with grids
and an outline only (a Gemeinde starter's shape). Expected numbers come from plain pandas over the
grid CSVs, never from the code under test."""
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import mapping

from jmdiq_geo.config import Settings
from jmdiq_geo.crs import to_work_crs
from jmdiq_geo.services.grids import grid_basis, grid_layer, grid_numbers, statistical_layers
from jmdiq_geo.services.maps import describe_grid_map
from jmdiq_geo.services.quarter import quarter_from_geojson, quarter_numbers, result_to_dict
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.grids_only import GRID_1KM, GRID_100M, build_grids_only

pytestmark = pytest.mark.realdata
SETTINGS = Settings.from_env()


@pytest.fixture(scope="module")
def grids_db(tmp_path_factory, data_root, workspace_locations):
    return build_grids_only(tmp_path_factory.mktemp("musterstadt"), data_root, workspace_locations("musterstadt"))


@pytest.fixture
def grids_ws(grids_db):
    with Workspace(grids_db, read_only=True) as ws:
        yield ws


@pytest.fixture(scope="module")
def csv(data_root):
    km = pd.read_csv(data_root / GRID_1KM)
    fine = pd.read_csv(data_root / GRID_100M)
    return km.assign(Einwohner=km["Einwohner"].where(km["Einwohner"] >= 0)), fine


def drawn(ws, geom, crs):
    """A quarter drawn in the browser: the polygon in EPSG:4326, as the map sends it."""
    return quarter_from_geojson(ws, mapping(gpd.GeoSeries([geom], crs=crs).to_crs(4326).iloc[0]))


def test_box_on_the_1km_lines_gets_the_plain_sums_of_its_cells(grids_ws, csv):
    """A quarter whose edges follow 1 km cell edges holds exactly the residents of the 1 km
    cells inside and the foreign citizens of the 100 m cells inside."""
    km, fine = csv
    x0, y0, x1, y1 = 4550000, 3267000, 4553000, 3270000
    q = drawn(grids_ws, shapely.box(x0, y0, x1, y1), 3035)
    n = quarter_numbers(grids_ws, q, settings=SETTINGS).grids
    inside = km["x"].between(x0, x1) & km["y"].between(y0, y1)
    assert n.line("residents").raw == pytest.approx(km.loc[inside, "Einwohner"].sum(), rel=1e-4)
    inside = fine["x"].between(x0, x1) & fine["y"].between(y0, y1)
    assert n.line("foreigners").raw == pytest.approx(fine.loc[inside, "value"].sum(), rel=1e-4)
    assert n.line("foreigners_share").value == pytest.approx(
        100 * n.line("foreigners").raw / n.line("residents").raw)
    assert n.weighting in ("inhabited", "mixed") and n.residents_grid == "ew_1km" and n.foreigners_grid == "ausl_100m"


def test_halves_of_a_bezirk_box_and_of_the_whole_grid_conserve_the_totals(berlin_ws, csv):
    """Berlin's package names its grids by role; a Bezirk's bounding box split in two keeps its
    numbers, and the grid's whole extent split in two gives the CSV totals."""
    km, fine = csv
    basis = grid_basis(berlin_ws)
    assert (basis.residents_grid, basis.foreigners_grid) == ("zensus_1km_ew", "zensus_100m_ausl")
    bezirk = berlin_ws.areas(berlin_ws.top_level()).set_index("name").loc["Friedrichshain-Kreuzberg"].geometry
    minx, miny, maxx, maxy = bezirk.bounds
    mid = (minx + maxx) / 2
    # the whole box with the halves' vertices: the grids' CRS bends straight edges, so a box and
    # its halves must share their vertices to be a partition there too
    box = shapely.Polygon([(minx, miny), (mid, miny), (maxx, miny), (maxx, maxy), (mid, maxy), (minx, maxy)])
    whole = grid_numbers(box, work_crs=berlin_ws.work_crs, basis=basis, settings=SETTINGS)
    halves = [grid_numbers(shapely.box(a, miny, b, maxy), work_crs=berlin_ws.work_crs, basis=basis,
                           settings=SETTINGS) for a, b in ((minx, mid), (mid, maxx))]
    for role in ("residents", "foreigners"):
        assert sum(h.line(role).raw for h in halves) == pytest.approx(whole.line(role).raw, rel=1e-9)
        assert all(h.line(role).raw > 0 for h in halves)
    extent = shapely.box(4520000, 3240000, 4590000, 3300000)            # beyond every cell (EPSG:3035)
    work = to_work_crs(gpd.GeoDataFrame(geometry=[extent], crs=3035), berlin_ws.work_crs).geometry.iloc[0]
    cx = work.centroid.x
    parts = [work.intersection(shapely.box(cx - 1e6, -1e8, cx, 1e8)), work.intersection(shapely.box(cx, -1e8,
                                                                                                     cx + 1e6, 1e8))]
    numbers = [grid_numbers(p, work_crs=berlin_ws.work_crs, basis=basis, settings=SETTINGS) for p in parts]
    assert sum(n.line("residents").raw for n in numbers) == pytest.approx(km["Einwohner"].sum(), rel=1e-9)
    assert sum(n.line("foreigners").raw for n in numbers) == pytest.approx(fine["value"].sum(), rel=1e-9)


def test_berlin_keeps_its_area_estimate_and_adds_grid_lines(berlin_ws):
    centre = gpd.GeoSeries([shapely.Point(13.4245, 52.4868)], crs=4326).to_crs(25833).iloc[0]
    q = drawn(berlin_ws, centre.buffer(800), 25833)
    with_grids = quarter_numbers(berlin_ws, q, settings=SETTINGS)
    without = quarter_numbers(berlin_ws, q, settings=SETTINGS, basis=None)
    assert with_grids.population == without.population and without.grids is None
    assert with_grids.grids.line("residents").raw > 0
    assert statistical_layers(berlin_ws) == ["areas", "grid"]
    data = result_to_dict(_check(berlin_ws, q, with_grids))
    assert [x["role"] for x in data["grids"]["lines"]] == ["residents", "foreigners", "foreigners_share"]
    assert "Einwohner:innen (1 km)" in data["grids"]["weighting_text"]
    assert "Ausländer:innen (100 m)" in data["grids"]["weighting_text"]


def _check(ws, quarter, numbers):
    from jmdiq_geo.io.rulesets import load_ruleset, shipped_rulesets
    from jmdiq_geo.services.quarter import check_quarter

    return check_quarter(ws, quarter, load_ruleset(shipped_rulesets()["paragraf_171e"]), settings=SETTINGS,
                         numbers=numbers)


def test_a_quarter_in_a_grids_only_workspace_gets_its_residents_from_the_grids(grids_ws):
    assert statistical_layers(grids_ws) == ["grid", "areas"]
    centre = gpd.GeoSeries([shapely.Point(13.425, 52.485)], crs=4326).to_crs(25833).iloc[0]
    q = drawn(grids_ws, centre.buffer(700), 25833)
    numbers = quarter_numbers(grids_ws, q, settings=SETTINGS)
    assert numbers.population == numbers.grids.line("residents").raw > 1000
    assert not numbers.too_small and numbers.values.empty
    data = result_to_dict(_check(grids_ws, q, numbers))
    assert data["verdict"] == "unknown" and data["population"] == numbers.population


def test_small_quarter_shows_no_values(grids_ws, berlin_ws):
    for ws in (grids_ws, berlin_ws):
        centre = gpd.GeoSeries([shapely.Point(13.425, 52.485)], crs=4326).to_crs(25833).iloc[0]
        q = drawn(ws, shapely.box(centre.x, centre.y, centre.x + 25, centre.y + 25), 25833)
        numbers = quarter_numbers(ws, q, settings=SETTINGS)
        assert 0 < numbers.population < SETTINGS.min_residents and numbers.too_small
        assert all(np.isnan(x.value) and x.reason == "small_area" for x in numbers.grids.lines)
        assert numbers.values["value"].isna().all()
        data = result_to_dict(_check(ws, q, numbers))
        assert data["population"] is None and data["too_small"]
        assert {x["text"] for x in data["grids"]["lines"]} == {"keine Angabe (unter 300 Einwohner:innen)"}


def test_grid_layer_hides_cells_under_the_rules_and_stays_in_the_outline(grids_ws, csv):
    km, fine = csv
    small = km.loc[~(km["Einwohner"] >= SETTINGS.min_residents), ["x", "y"]]
    small_keys = {f"{int(x)}_{int(y)}" for x, y in zip(small["x"], small["y"])}
    layer = grid_layer(grids_ws, grid_id="ausl_anteil_1km", settings=SETTINGS)
    cells = layer.areas
    hidden = cells["area_id"].isin(small_keys)
    assert hidden.any() and (~hidden).any()
    assert cells.loc[hidden, "value"].isna().all() and cells.loc[~hidden, "value"].notna().all()
    # 100 m cells: no value where their 1 km cell has fewer than 300 residents (or none known)
    fine_layer = grid_layer(grids_ws, grid_id="ausl_100m", settings=SETTINGS).areas
    xy = fine_layer["area_id"].str.split("_", expand=True).astype(float)
    owner = (np.floor(xy[0] / 1000) * 1000 + 500).astype(int).astype(str) + "_" + \
        (np.floor(xy[1] / 1000) * 1000 + 500).astype(int).astype(str)
    in_small = owner.isin(small_keys) | ~owner.isin({f"{int(x)}_{int(y)}" for x, y in zip(km["x"], km["y"])})
    assert in_small.any()
    assert fine_layer.loc[in_small, "value"].isna().all() and fine_layer.loc[~in_small, "value"].notna().all()
    outline = grids_ws.areas("gemeinde").geometry.iloc[0]
    assert shapely.union_all(fine_layer.geometry.array).difference(outline.buffer(0.01)).area < 1.0
    assert len(fine_layer) < len(fine) / 4                                # clipped to the town
    description = describe_grid_map(grids_ws, grid_id="ausl_100m", settings=SETTINGS)
    assert description.title == "Ausländer:innen (100 m)" and description.cells
    assert any("Zensus 2022" in a for a in description.attributions)
    assert any("Gemeindegrenze" in a for a in description.attributions)


def test_small_counts_in_a_count_grid_are_hidden(tiny_ws):
    """A 100 m count of 2 shows no value, and one more cell with it."""
    with tiny_ws.transaction():
        tiny_ws.replace_grid({"grid_id": "ew", "variable": "ew", "kind": "extensive", "crs": "EPSG:25833",
                              "cell_size_m": 1000, "role": "residents"},
                             pd.DataFrame({"x": [390500.0], "y": [5820500.0], "value": [1200.0]}))
        tiny_ws.replace_grid({"grid_id": "fine", "variable": "n", "kind": "extensive", "crs": "EPSG:25833",
                              "cell_size_m": 100},
                             pd.DataFrame({"x": [390050.0, 390150.0, 390250.0], "y": [5820050.0] * 3,
                                           "value": [2.0, 5.0, 0.0]}))
    cells = grid_layer(tiny_ws, grid_id="fine", settings=SETTINGS).areas.set_index("area_id")
    assert np.isnan(cells.at["390050_5820050", "value"]) and cells.at["390050_5820050", "reason"] == "small_count"
    assert cells.at["390150_5820050", "value"] == 5.0
    # the one hidden count takes the smallest shown cell with it: the total minus the shown cells
    # must not give it back (secondary suppression)
    assert np.isnan(cells.at["390250_5820050", "value"]) and cells.at["390250_5820050", "reason"] == "complement"
    assert tiny_ws.grid_roles() == {"residents": "ew"}


def test_cli_map_and_check_of_a_grids_only_workspace(grids_db, tmp_path):
    out = tmp_path / "karte.html"
    run = subprocess.run([sys.executable, "-m", "jmdiq_geo.cli", "map", "--db", str(grids_db), "--grid", "ausl_100m",
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Ausländer:innen (100 m)" in run.stdout and "Zensus 2022" in out.read_text(encoding="utf-8")
    polygon = tmp_path / "quartier.geojson"
    centre = gpd.GeoSeries([shapely.Point(13.425, 52.485)], crs=4326)
    gpd.GeoDataFrame(geometry=centre.to_crs(25833).buffer(700).to_crs(4326)).to_file(polygon, driver="GeoJSON")
    run = subprocess.run([sys.executable, "-m", "jmdiq_geo.cli", "check", "--db", str(grids_db), "--polygon",
                          str(polygon), "--rules", "paragraf_171e"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "Einwohner:innen (Raster)" in run.stdout and "Einwohner:innen (1 km)" in run.stdout
    assert "bewohnten Teil" in run.stdout
    bad = subprocess.run([sys.executable, "-m", "jmdiq_geo.cli", "map", "--db", str(grids_db), "--grid", "nope",
                          "--out", str(out)], capture_output=True, text=True)
    assert bad.returncode == 2 and "nope" in bad.stderr and "Traceback" not in bad.stderr
