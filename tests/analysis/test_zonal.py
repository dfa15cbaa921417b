"""Zonal sums of a grid stored as cell centres, against an independent geopandas overlay of the
cell squares with the polygons (area of each piece × value)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.zonal import coverage, zonal_sums
from jmdiq_geo.errors import CrsError

CRS = "EPSG:25833"


def _grid(size, n, *, seed, x0=0.0, y0=0.0, missing=0.15):
    rng = np.random.default_rng(seed)
    ii, jj = np.meshgrid(np.arange(n), np.arange(n))
    value = rng.integers(0, 100, n * n).astype(float)
    value[rng.random(n * n) < missing] = np.nan
    return pd.DataFrame({"x": x0 + (ii.ravel() + 0.5) * size, "y": y0 + (jj.ravel() + 0.5) * size, "value": value})


def _polygons():
    return gpd.GeoDataFrame({"name": ["a", "b", "c"]}, index=["p1", "p2", "p3"], crs=CRS, geometry=[
        shapely.Point(420, 380).buffer(260),
        shapely.Polygon([(30, 30), (950, 120), (500, 700)]),
        shapely.box(2000, 2000, 2100, 2100)])          # outside every cell


def _overlay(cells, size, polys):
    """Per polygon: pieces of each cell square inside it (geopandas overlay), with their share."""
    cells = cells.reset_index(drop=True)
    sq = gpd.GeoDataFrame(cells, crs=CRS, geometry=shapely.box(
        cells["x"] - size / 2, cells["y"] - size / 2, cells["x"] + size / 2, cells["y"] + size / 2))
    sq["cell"] = np.arange(len(sq))
    zones = polys.reset_index(names="zone")[["zone", "geometry"]]
    pieces = gpd.overlay(sq, zones, how="intersection", keep_geom_type=True)
    pieces["share"] = pieces.geometry.area / size ** 2
    return pieces


def test_coverage_fractions_sum_to_the_polygon_area():
    cells = _grid(50, 20, seed=1, missing=0)
    polys = _polygons()
    cov = coverage(cells, cell_size_m=50, polygons=polys.geometry)
    areas = cov.groupby("zone")["fraction"].sum() * 2500
    assert areas[0] == pytest.approx(polys.geometry.iloc[0].area, rel=1e-9)
    assert areas[1] == pytest.approx(polys.geometry.iloc[1].area, rel=1e-9)
    assert 2 not in areas.index and cov["fraction"].between(0, 1).all()


def test_sums_and_means_equal_an_overlay():
    cells = _grid(50, 20, seed=2)
    polys = _polygons()
    pieces = _overlay(cells.dropna(), 50, polys)
    expected = (pieces["share"] * pieces["value"]).groupby(pieces["zone"]).sum().reindex(polys.index, fill_value=0)
    got = zonal_sums(cells, cell_size_m=50, polygons=polys, kind="extensive", crs=CRS)
    assert np.allclose(got["value"], expected, rtol=1e-9)
    assert got.at["p3", "value"] == 0 and got.at["p3", "cells"] == 0
    mean = zonal_sums(cells, cell_size_m=50, polygons=polys, kind="intensive")
    exp_mean = (pieces["share"] * pieces["value"]).groupby(pieces["zone"]).sum() / \
        pieces["share"].groupby(pieces["zone"]).sum()
    assert np.allclose(mean["value"].loc[["p1", "p2"]], exp_mean.loc[["p1", "p2"]], rtol=1e-9)
    assert np.isnan(mean.at["p3", "value"])


@pytest.mark.parametrize("share_size, weight_size", [(100, 50), (100, 100), (50, 100)])
def test_share_weighted_by_a_count_grid(share_size, weight_size):
    """The weighted mean on the finer of the two grids: each finer piece carries the value of the
    coarser cell that holds it and its own coverage (brute force over both overlays)."""
    shares = _grid(share_size, 1000 // share_size, seed=3)
    counts = _grid(weight_size, 1000 // weight_size, seed=4)
    polys = _polygons().iloc[:2]
    got = zonal_sums(shares, cell_size_m=share_size, polygons=polys, kind="intensive", crs=CRS,
                     weights=counts, weights_cell_size_m=weight_size)
    fine, coarse = (counts, shares) if weight_size <= share_size else (shares, counts)
    fsize, csize = min(share_size, weight_size), max(share_size, weight_size)
    # the coarse cell holding each fine cell, by integer division of the centres
    key = lambda f, size: list(zip((f["x"] // size).astype(int), (f["y"] // size).astype(int)))  # noqa: E731
    coarse_by_key = dict(zip(key(coarse, csize), coarse["value"]))
    fine = fine.assign(other=[coarse_by_key.get(k, np.nan) for k in key(fine, csize)]).dropna()
    pieces = _overlay(fine, fsize, polys)
    if weight_size <= share_size:
        w, v = pieces["share"] * pieces["value"], pieces["other"]
    else:    # a coarse weight cell's count spread over its fine share cells by surface
        w, v = pieces["share"] * pieces["other"] * (fsize / csize) ** 2, pieces["value"]
    expected = (w * v).groupby(pieces["zone"]).sum() / w.groupby(pieces["zone"]).sum()
    assert np.allclose(got["value"], expected.reindex(polys.index), rtol=1e-9)
    assert np.allclose(got["weight"], w.groupby(pieces["zone"]).sum().reindex(polys.index), rtol=1e-9)


def test_crs_of_cells_and_polygons_must_agree():
    with pytest.raises(CrsError):
        zonal_sums(_grid(50, 4, seed=5), cell_size_m=50, polygons=_polygons(), kind="extensive", crs="EPSG:3035")
