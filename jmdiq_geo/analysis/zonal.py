"""Zonal statistics of a grid stored as cell centres: for each polygon, the coverage-weighted sum
of a count grid (each cell's value × the share of the cell's square inside the polygon), or the
coverage-weighted mean of a share grid, weighted by a count grid where one is given.

Pure: cells (``x``, ``y``, ``value``) and polygons in the grid's own CRS in, a table out. The
same numbers as exactextract on the raster the grid came from (``io.rasters.zonal_from_file``),
computed with shapely on the cells that are stored.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.crs import require_same_crs


def coverage(cells: pd.DataFrame, *, cell_size_m: float, polygons: gpd.GeoSeries) -> pd.DataFrame:
    """One row per (polygon, cell) that overlap: ``zone`` (position in ``polygons``), ``cell``
    (position in ``cells``) and ``fraction`` (share of the cell's square inside the polygon, 0–1)."""
    half = cell_size_m / 2
    x, y = cells["x"].to_numpy(float), cells["y"].to_numpy(float)
    boxes = shapely.box(x - half, y - half, x + half, y + half)
    tree = shapely.STRtree(boxes)
    geoms = np.asarray(polygons.geometry.array if hasattr(polygons, "geometry") else polygons.array)
    zone, cell = tree.query(geoms, predicate="intersects")
    if not len(zone):
        return pd.DataFrame({"zone": np.array([], int), "cell": np.array([], int), "fraction": np.array([], float)})
    # cells wholly inside skip the intersection (most of them for areas much larger than a cell)
    inside = shapely.contains_properly(geoms[zone], boxes[cell])
    fraction = np.ones(len(zone))
    cut = ~inside
    if cut.any():
        fraction[cut] = shapely.area(shapely.intersection(geoms[zone[cut]], boxes[cell[cut]])) / (cell_size_m ** 2)
    keep = fraction > 0
    return pd.DataFrame({"zone": zone[keep], "cell": cell[keep], "fraction": np.clip(fraction[keep], 0.0, 1.0)})


def zonal_sums(cells: pd.DataFrame, *, cell_size_m: float, polygons: gpd.GeoDataFrame, kind: str,
               crs: str | None = None, weights: pd.DataFrame | None = None,
               weights_cell_size_m: float | None = None) -> pd.DataFrame:
    """Per polygon (``polygons``' index kept): ``value`` — for ``kind`` ``extensive`` the
    coverage-weighted sum, for ``intensive`` the coverage-weighted mean (weighted by the count
    grid ``weights`` where given: each share cell's weight is the weights' coverage-weighted sum
    over its square, so the weights may be finer than the shares) — and ``cells``, the covered
    cells with a value (fractions at the edge); ``weight``: the weights' sum per polygon.
    ``crs``: the cells' CRS, checked against the polygons'. Cells without a value are left out
    (no value is not zero)."""
    if crs is not None:
        require_same_crs(gpd.GeoDataFrame(geometry=[], crs=crs), polygons)
    cells = cells[np.isfinite(cells["value"].to_numpy(float))].reset_index(drop=True)
    n = len(polygons)
    cov = coverage(cells, cell_size_m=cell_size_m, polygons=polygons.geometry)
    v = cells["value"].to_numpy(float)[cov["cell"].to_numpy()]
    f = cov["fraction"].to_numpy()
    z = cov["zone"].to_numpy()
    n_cells = np.bincount(z, weights=f, minlength=n)
    out = pd.DataFrame({"value": np.nan, "cells": n_cells}, index=polygons.index)
    if kind == "extensive":
        out["value"] = np.bincount(z, weights=f * v, minlength=n)
        return out
    if weights is None:
        with np.errstate(invalid="ignore", divide="ignore"):
            out["value"] = np.where(n_cells > 0, np.bincount(z, weights=f * v, minlength=n) / n_cells, np.nan)
        return out
    wcells = weights[np.isfinite(weights["value"].to_numpy(float))].reset_index(drop=True)
    wsize = weights_cell_size_m or cell_size_m
    if wsize <= cell_size_m:
        # finer (or equal) weights: each weight cell carries the share of the cell its centre lies
        # in, and its own coverage — the weighting exactextract does on the finer grid
        owner = _containing(cells, cell_size_m, wcells)
        has = owner >= 0
        wcells, owner = wcells[has].reset_index(drop=True), owner[has]
        wcov = coverage(wcells, cell_size_m=wsize, polygons=polygons.geometry)
        j = wcov["cell"].to_numpy()
        z, f = wcov["zone"].to_numpy(), wcov["fraction"].to_numpy()
        w = f * wcells["value"].to_numpy(float)[j]
        v = cells["value"].to_numpy(float)[owner[j]]
    else:
        # coarser weights: each share cell gets its part of the weight cell its centre lies in
        owner = _containing(wcells, wsize, cells)
        cell_w = np.where(owner >= 0, wcells["value"].to_numpy(float)[np.maximum(owner, 0)], 0.0)
        w = f * cell_w[cov["cell"].to_numpy()] * (cell_size_m / wsize) ** 2
    wsum = np.bincount(z, weights=w, minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value"] = np.where(wsum > 0, np.bincount(z, weights=w * v, minlength=n) / wsum, np.nan)
    out["weight"] = wsum
    return out


def _containing(cells: pd.DataFrame, cell_size_m: float, points: pd.DataFrame) -> np.ndarray:
    """For each of ``points`` (``x``, ``y``), the position of the cell of ``cells`` whose square
    holds it, -1 where none does."""
    half = cell_size_m / 2
    x, y = cells["x"].to_numpy(float), cells["y"].to_numpy(float)
    tree = shapely.STRtree(shapely.box(x - half, y - half, x + half, y + half))
    pt, cell = tree.query(shapely.points(points["x"].to_numpy(float), points["y"].to_numpy(float)),
                          predicate="within")
    owner = np.full(len(points), -1, dtype=np.int64)
    owner[pt] = cell
    return owner
