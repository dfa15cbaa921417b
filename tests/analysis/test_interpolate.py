"""Interpolation to a quarter (``jmdiq_geo.analysis.interpolate``): exact for unions, totals
conserved, rates rebuilt, dasymetric where a grid says where people live."""
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.interpolate import area_weights, estimate

CRS = "EPSG:25833"
AREAS = gpd.GeoDataFrame({"area_id": ["a", "b"]}, geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
                         crs=CRS)
VALUES = pd.DataFrame({"ew": [1000.0, 500.0], "arbeitslos": [100.0, 10.0], "quote": [10.0, 2.0]}, index=["a", "b"])
DEFS = pd.DataFrame({"kind": ["extensive", "extensive", "intensive"], "denominator": [None, None, "ew"]},
                    index=["ew", "arbeitslos", "quote"])


def test_union_is_exact():
    w = area_weights(shapely.box(0, 0, 200, 100), AREAS)
    assert set(w.table["method"]) == {"full"}
    est = estimate(w, VALUES, DEFS)
    assert est.at["ew", "value"] == 1500.0
    assert est.at["quote", "value"] == pytest.approx(100 * 110 / 1500)      # rebuilt, not the mean 6


def test_surface_weights_without_grid_and_conservation():
    half = shapely.box(50, 0, 150, 100)
    rest = shapely.box(0, 0, 200, 100).difference(half)
    w1, w2 = area_weights(half, AREAS), area_weights(rest, AREAS)
    assert set(w1.table["method"]) == {"area"}
    total = estimate(w1, VALUES, DEFS).at["ew", "value"] + estimate(w2, VALUES, DEFS).at["ew", "value"]
    assert total == pytest.approx(1500.0)


def test_dasymetric_follows_where_people_live():
    # all of a's residents live in its left half: a quarter over the right half gets none of them
    grid = gpd.GeoDataFrame({"value": [80.0, 0.0, 40.0, 40.0]},
                            geometry=[shapely.box(0, 0, 50, 100), shapely.box(50, 0, 100, 100),
                                      shapely.box(100, 0, 150, 100), shapely.box(150, 0, 200, 100)], crs=CRS)
    w = area_weights(shapely.box(50, 0, 150, 100), AREAS, grid=grid)
    table = w.table.set_index("area_id")
    assert table.at["a", "method"] == "dasymetric" and table.at["a", "weight"] == 0.0
    assert table.at["b", "weight"] == pytest.approx(0.5)
    assert estimate(w, VALUES, DEFS).at["ew", "value"] == pytest.approx(250.0)
    assert w.share_partial(VALUES["ew"]) == 1.0
