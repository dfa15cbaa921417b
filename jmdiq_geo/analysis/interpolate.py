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
