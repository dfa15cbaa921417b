"""Numbers for a quarter that matches no statistical area (METHOD.md, "Moving numbers between
geographies").

For every source area the quarter touches, a weight says which part of its residents live in
the quarter:

- ``full``: the area lies inside the quarter (weight 1) — a union of areas gets exact sums;
- ``dasymetric``: the part is estimated by where people live, from a population grid: the
  grid's residents in (area ∩ quarter) over those in the area, each cell counted by the share of
  its surface that lies in the piece (cells are far larger than buildings, so within a cell
  residents are taken as spread evenly);
- ``area``: no grid residents in the area (or no grid): the surface share, as a fallback that the
  report names.

Counts are the weighted sums. Rates are rebuilt from weighted numerators and denominators, never
averaged. Totals are conserved: weights of the pieces of an area always add up to 1 over a
partition of the area. Pure functions; all geometry in one metric CRS.
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.crs import require_same_crs

FULL_SHARE = 0.999


@dataclass
class Weights:
    """One row per source area touched by the quarter."""
    table: pd.DataFrame          # area_id, method, area_share, weight

    def share_partial(self, population: pd.Series) -> float:
        """Share of the quarter's residents that come from partly covered areas."""
        pop = population.reindex(self.table["area_id"]).to_numpy(float)
        w = self.table["weight"].to_numpy(float)
        part = self.table["method"].to_numpy() != "full"
        total = np.nansum(w * pop)
        return float(np.nansum((w * pop)[part]) / total) if total > 0 else float("nan")


def area_weights(quarter, areas: gpd.GeoDataFrame, *, grid: gpd.GeoDataFrame | None = None) -> Weights:
    """Weights of ``areas`` (``area_id``, polygons) for ``quarter`` (a polygon, same CRS).

    ``grid``: cell polygons with a ``value`` column (residents), or None for surface shares only;
    in the CRS of ``areas`` (a ``CrsError`` otherwise: the two layers meet here).
    """
    if grid is not None:
        require_same_crs(areas, grid)
    candidates = areas.iloc[areas.sindex.query(quarter, predicate="intersects")]
    rows = []
    pieces = []
    for area_id, geom in zip(candidates["area_id"], candidates.geometry):
        inter = shapely.intersection(geom, quarter)
        share = inter.area / geom.area if geom.area else 0.0
        if share <= 1e-9:
            continue
        if share >= FULL_SHARE:
            rows.append((area_id, "full", share, 1.0))
        else:
            pieces.append((area_id, geom, inter, share))
    if pieces:
        rows += _partial_weights(pieces, grid)
    table = pd.DataFrame(rows, columns=["area_id", "method", "area_share", "weight"])
    return Weights(table)


def _partial_weights(pieces, grid: gpd.GeoDataFrame | None) -> list[tuple]:
    out = []
    if grid is None or grid.empty:
        return [(a, "area", s, s) for a, _, _, s in pieces]
    cells = grid.geometry.array
    cell_area = shapely.area(cells)
    pop = grid["value"].to_numpy(float)
    tree = shapely.STRtree(cells)
    for area_id, geom, inter, share in pieces:
        idx = tree.query(geom, predicate="intersects")
        if len(idx) == 0:
            out.append((area_id, "area", share, share))
            continue
        c = cells[idx]
        in_area = shapely.area(shapely.intersection(c, geom)) / cell_area[idx]
        in_piece = shapely.area(shapely.intersection(c, inter)) / cell_area[idx]
        p = np.nan_to_num(pop[idx])
        total = float((p * in_area).sum())
        if total <= 0:
            out.append((area_id, "area", share, share))
        else:
            out.append((area_id, "dasymetric", share, float((p * in_piece).sum()) / total))
    return out


def estimate(weights: Weights, values: pd.DataFrame, definitions: pd.DataFrame) -> pd.DataFrame:
    """Quarter values per indicator.

    ``values``: areas × indicators (indexed by area id) of one period; ``definitions``: indexed
    by indicator id with ``kind`` and ``denominator``. Returns indicator_id → value, method,
    coverage (share of the weighted areas with a value).
    """
    w = pd.Series(weights.table["weight"].to_numpy(float), index=weights.table["area_id"].to_numpy())
    rows = []
    for ind in values.columns:
        if ind not in definitions.index:
            continue
        kind = definitions.at[ind, "kind"]
        v = values[ind].reindex(w.index)
        if kind == "extensive":
            ok = v.notna()
            rows.append((ind, float((w[ok] * v[ok]).sum()) if ok.any() else np.nan, kind,
                         float(w[ok].sum() / w.sum()) if w.sum() else np.nan))
        elif kind == "intensive":
            den_id = definitions.at[ind, "denominator"]
            if not den_id or den_id not in values.columns:
                rows.append((ind, np.nan, kind, 0.0))
                continue
            d = values[den_id].reindex(w.index)
            ok = v.notna() & d.notna()
            den = float((w[ok] * d[ok]).sum())
            value = float((w[ok] * v[ok] * d[ok]).sum()) / den if den > 0 else np.nan
            rows.append((ind, value, kind, float((w[ok] * d[ok]).sum() / (w * d.fillna(0)).sum())
                         if (w * d.fillna(0)).sum() else np.nan))
    return pd.DataFrame(rows, columns=["indicator_id", "value", "kind", "coverage"]).set_index("indicator_id")


def grid_cells(centres: pd.DataFrame, *, cell_size_m: float, crs: str) -> gpd.GeoDataFrame:
    """Square cells from cell centres (``x``, ``y``, ``value``) in the grid's own CRS."""
    half = cell_size_m / 2
    boxes = shapely.box(centres["x"] - half, centres["y"] - half, centres["x"] + half, centres["y"] + half)
    return gpd.GeoDataFrame({"value": centres["value"].to_numpy()}, geometry=boxes, crs=crs)


# --------------------------------------------------------------------------- quarters from grids alone

#: how the residents of a coarse cell were placed: over its inhabited part as a finer grid shows
#: it, or by surface share where no finer cell lies in it
SPREAD_INHABITED = "inhabited"
SPREAD_SURFACE = "surface"


def cell_index(x, y, *, origin: tuple[float, float], cell_size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Column and row of the cell of size ``cell_size_m`` (lower left corner of cell (0, 0) at
    ``origin``) that holds each point."""
    return (np.floor((np.asarray(x, float) - origin[0]) / cell_size_m).astype(np.int64),
            np.floor((np.asarray(y, float) - origin[1]) / cell_size_m).astype(np.int64))


def resident_pieces(residents: pd.DataFrame, *, cell_size_m: float, fine: pd.DataFrame | None = None,
                    fine_cell_size_m: float | None = None, crs: str, weight: str = "presence") -> gpd.GeoDataFrame:
    """Where the residents of a coarse grid live, as pieces of the map (METHOD.md, "Moving numbers
    between geographies": dasymetric, the finest weighting the data allows).

    ``residents``: coarse cell centres ``x``, ``y`` and ``value`` = residents (e.g. 1 km cells);
    ``fine``: centres and ``value`` of a finer grid of the same CRS that shows where people live
    (e.g. 100 m cells of persons of foreign citizenship), or None.

    Each coarse cell's residents are spread over its inhabited part: the fine cells whose centre
    lies in it and that have a value (method ``inhabited``), evenly (``weight="presence"``) or in
    proportion to the fine values (``weight="count"``); a coarse cell that holds no fine cell with
    a value keeps its residents spread evenly over its surface (``surface``).

    Why presence and not the counts: the counts of foreign citizens carry density, but they lean
    the residents towards cells with many foreign citizens (and a quarter's share of foreign
    citizens towards its coarse cells' share). Measured on the demo package's 542 smallest areas against
    their registered residents (``benchmarks/bench_grid_quarter.py``), spreading the Zensus 1 km
    residents over the published 100 m cells by presence misses by 13 % (sum of absolute
    differences over the total, after scaling to the registry's total), by counts 15 %, by
    surface share 27 %. The limit, named in the report: a 100 m cell is published only where at
    least 3 foreign citizens live, so where few live, the inhabited part looks smaller than it
    is. Residents of coarse cells without a value (blocked) are unknown and not placed.

    Returns pieces (fine or coarse squares) with ``value`` (residents), ``method`` and
    ``coarse`` (the coarse cell's row in ``residents``); their values add up to the residents of
    the coarse cells with a value, so any partition of the map conserves the total.
    """
    half = cell_size_m / 2
    coarse = residents.reset_index(drop=True)
    r = coarse["value"].to_numpy(float)
    keep = np.isfinite(r) & (r > 0)
    if not keep.any():
        return gpd.GeoDataFrame({"value": [], "method": [], "coarse": []}, geometry=[], crs=crs)
    origin = (float(coarse["x"].min()) - half, float(coarse["y"].min()) - half)
    cx, cy = cell_index(coarse["x"], coarse["y"], origin=origin, cell_size_m=cell_size_m)
    key = pd.Series(np.arange(len(coarse)), index=pd.MultiIndex.from_arrays([cx, cy]))
    key = key[~key.index.duplicated()]
    pieces = []
    inhabited = np.zeros(len(coarse), bool)
    if fine is not None and len(fine) and fine_cell_size_m:
        f = fine[np.isfinite(fine["value"].to_numpy(float)) & (fine["value"].to_numpy(float) > 0)]
        fx, fy = cell_index(f["x"], f["y"], origin=origin, cell_size_m=cell_size_m)
        owner = key.reindex(pd.MultiIndex.from_arrays([fx, fy])).to_numpy()
        ok = ~np.isnan(owner)
        f, owner = f[ok], owner[ok].astype(np.int64)
        fv = f["value"].to_numpy(float) if weight == "count" else np.ones(len(f))
        total = np.bincount(owner, weights=fv, minlength=len(coarse))
        placed = keep[owner]
        share = np.where(total[owner] > 0, fv / np.where(total[owner] > 0, total[owner], 1), 0.0)
        fh = fine_cell_size_m / 2
        fxs, fys = f["x"].to_numpy(float)[placed], f["y"].to_numpy(float)[placed]
        pieces.append(gpd.GeoDataFrame(
            {"value": (r[owner] * share)[placed], "method": SPREAD_INHABITED, "coarse": owner[placed]},
            geometry=shapely.box(fxs - fh, fys - fh, fxs + fh, fys + fh), crs=crs))
        inhabited = total > 0
    rest = keep & ~inhabited
    xs, ys = coarse["x"].to_numpy(float)[rest], coarse["y"].to_numpy(float)[rest]
    pieces.append(gpd.GeoDataFrame({"value": r[rest], "method": SPREAD_SURFACE, "coarse": np.flatnonzero(rest)},
                                   geometry=shapely.box(xs - half, ys - half, xs + half, ys + half), crs=crs))
    return pd.concat(pieces, ignore_index=True)


def sum_in(quarter, pieces: gpd.GeoDataFrame, *, by: str | None = None) -> pd.Series:
    """The values of ``pieces`` (polygons with ``value``) that lie in ``quarter`` (same CRS), each
    piece counted by the share of its surface inside: a sum per value of column ``by`` (or one
    total under ``"all"``). Pieces of a partition of the map add up to the total."""
    if pieces.empty:
        return pd.Series(dtype=float)
    shapely.prepare(quarter)
    idx = pieces.sindex.query(quarter, predicate="intersects")
    geoms = pieces.geometry.array[idx]
    inside = shapely.contains_properly(quarter, geoms) if len(idx) else np.zeros(0, bool)
    share = np.ones(len(idx))
    edge = ~inside
    if edge.any():
        share[edge] = shapely.area(shapely.intersection(geoms[edge], quarter)) / shapely.area(geoms[edge])
    values = pieces["value"].to_numpy(float)[idx] * share
    groups = pieces[by].to_numpy()[idx] if by else np.full(len(idx), "all")
    return pd.Series(values).groupby(groups).sum()
