"""Population grids as a statistical layer: which grid holds residents and which persons of
foreign citizenship (grid roles), the cells as a map layer under the privacy rules, and a
quarter's residents and foreign citizens from the grids alone.

Grid roles (``analysis.roles.GRID_ROLES``) come from the workspace: a data package names them
with ``role = "residents"`` / ``role = "foreigners"`` on a grid variable (meta ``grid_roles``).
A workspace without roles falls back to the weight grid of older workspaces (meta
``weight_grid`` or a count grid whose id, variable or label says "Einwohner"/residents) for the
residents; foreign citizens need their role.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.analysis.interpolate import (SPREAD_INHABITED, SPREAD_SURFACE, cell_index, grid_cells,
                                            resident_pieces, sum_in)
from jmdiq_geo.analysis.privacy import complementary_suppression, hide_small_numerators, suppress, suppress_one
from jmdiq_geo.config import Settings
from jmdiq_geo.crs import to_work_crs, transform_xy
from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.services.layers import IndicatorLayer
from jmdiq_geo.store.workspace import Workspace

#: the ``level`` of a grid layer (no area level has this name: levels are ids without spaces)
GRID_LEVEL = "grid cells"
_RESIDENT_WORDS = ("einwohner", "bevölkerung", "resident", "population", "ew")


def grid_meta(ws: Workspace) -> pd.DataFrame:
    """The workspace's grids (indexed by grid id) with their ``role`` ("" for none)."""
    grids = ws.grids().set_index("grid_id")
    roles = {g: r for r, g in ws.grid_roles().items()}
    grids["role"] = [roles.get(g, "") for g in grids.index]
    return grids


def grid_for_role(ws: Workspace, role: str) -> str | None:
    """The grid id of ``role``; for ``residents`` without a role, the weight grid of older
    workspaces (meta ``weight_grid``, else a count grid that names residents)."""
    roles = ws.grid_roles()
    if role in roles:
        return roles[role]
    if role != "residents":
        return None
    grids = ws.grids()
    chosen = ws.meta().get("weight_grid")
    if chosen in set(grids["grid_id"]):
        return chosen
    counts = grids[grids["kind"] == "extensive"]
    return next((g for g, v, lab in zip(counts["grid_id"], counts["variable"], counts["label"])
                 if any(w in f"{g} {v} {lab}".lower() for w in _RESIDENT_WORDS)), None)


def _label(meta: pd.DataFrame, grid_id: str) -> str:
    label = meta.at[grid_id, "label"]
    return label if isinstance(label, str) and label else grid_id


# --------------------------------------------------------------------------- the statistical layer

def has_area_statistics(ws: Workspace) -> bool:
    """Whether the workspace has areas with numbers of their own: more than one area on its
    smallest level and values there (a Gemeinde starter has its outline only)."""
    levels = ws.levels_in_order()
    if not levels or levels[0] not in ws.levels_with_areas():
        return False
    return len(ws.area_names(levels[0])) > 1 and bool(ws.periods(level=levels[0]))


def statistical_layers(ws: Workspace) -> list[str]:
    """The statistical layers the Karte offers, the default first: ``areas`` and/or ``grid``."""
    grids = not ws.grids().empty
    if has_area_statistics(ws):
        return ["areas", "grid"] if grids else ["areas"]
    return ["grid", "areas"] if grids else ["areas"]


def outline(ws: Workspace):
    """The workspace's outline (the union of its smallest areas) in the work CRS, or None."""
    levels = ws.levels_in_order()
    if not levels:
        return None
    areas = ws.areas(levels[0])
    if areas.empty:
        return None
    return shapely.coverage_union_all(areas.geometry.array) if len(areas) > 1 else areas.geometry.iloc[0]


def _containing(x, y, *, coarse: pd.DataFrame, cell_size_m: float) -> np.ndarray:
    """The value of the coarse cell holding each point (NaN where none)."""
    half = cell_size_m / 2
    origin = (float(coarse["x"].min()) - half, float(coarse["y"].min()) - half)
    cx, cy = cell_index(coarse["x"], coarse["y"], origin=origin, cell_size_m=cell_size_m)
    lookup = pd.Series(coarse["value"].to_numpy(float), index=pd.MultiIndex.from_arrays([cx, cy]))
    lookup = lookup[~lookup.index.duplicated()]
    px, py = cell_index(x, y, origin=origin, cell_size_m=cell_size_m)
    return lookup.reindex(pd.MultiIndex.from_arrays([px, py])).to_numpy(float)


def cell_residents(ws: Workspace, grid_id: str, cells: pd.DataFrame) -> pd.Series | None:
    """Residents per cell of ``grid_id`` for the privacy rule: those of the residents grid's cell
    that holds the cell's centre (a 100 m cell has the residents of its 1 km cell), 0 where that
    cell has no value (blocked or empty: unknown counts as small). None without a residents grid
    or when the residents grid is the coarser one can say nothing about (a coarser grid)."""
    res_id = grid_for_role(ws, "residents")
    if res_id is None:
        return None
    meta = ws.grids().set_index("grid_id")
    if float(meta.at[grid_id, "cell_size_m"]) > float(meta.at[res_id, "cell_size_m"]):
        return None
    res = ws.grid_cells(res_id)
    x, y = cells["x"].to_numpy(float), cells["y"].to_numpy(float)
    if meta.at[grid_id, "crs"] != meta.at[res_id, "crs"]:
        x, y = transform_xy(x, y, from_crs=meta.at[grid_id, "crs"], to_crs=meta.at[res_id, "crs"])
    pop = _containing(x, y, coarse=res, cell_size_m=float(meta.at[res_id, "cell_size_m"]))
    return pd.Series(np.nan_to_num(pop, nan=0.0), index=cells.index)


def grid_layer(ws: Workspace, *, grid_id: str, settings: Settings, clip=None) -> IndicatorLayer:
    """A grid variable as a map layer: one square per cell (from centre and cell size, in the
    work CRS), the values after the privacy rules (cells whose 1 km cell has fewer than
    ``min_residents`` residents show no value, whatever the variable; counts under
    ``small_count`` show none), clipped to ``clip`` (default: the workspace's outline)."""
    meta = grid_meta(ws)
    if grid_id not in meta.index:
        raise InputError(Problem("map_grid_unknown", {"grid": grid_id, "known": ", ".join(meta.index) or "–"}))
    row = meta.loc[grid_id]
    cells = ws.grid_cells(grid_id).reset_index(drop=True)
    kind = row["kind"]
    residents = cell_residents(ws, grid_id, cells)
    shown, reason = suppress(cells["value"], kind=kind, population=residents,
                             min_residents=settings.min_residents, small_count=settings.small_count)
    # a share of a cell's residents times its residents would give back a count under the limit
    same_size = residents is not None and float(row["cell_size_m"]) == float(
        meta.at[grid_for_role(ws, "residents"), "cell_size_m"])
    shown, reason = hide_small_numerators(shown, reason, kind=kind, denominator=residents if same_size else None,
                                          small_count=settings.small_count)
    if kind == "extensive":
        # secondary suppression: a town's total from the same grid minus the shown cells must not
        # give back one hidden cell
        shown, reason = complementary_suppression(shown, reason, pd.Series("all", index=shown.index))
    squares = to_work_crs(grid_cells(cells, cell_size_m=float(row["cell_size_m"]), crs=row["crs"]), ws.work_crs)
    clip = outline(ws) if clip is None else clip
    geoms = squares.geometry.array
    keep = np.ones(len(cells), bool)
    if clip is not None:
        shapely.prepare(clip)
        inside = shapely.contains_properly(clip, geoms)
        edge = np.flatnonzero(~inside)
        if len(edge):
            cut = shapely.intersection(geoms[edge], clip)
            keep[edge] = ~shapely.is_empty(cut) & (shapely.area(cut) > 0)
            geoms = geoms.copy()
            geoms[edge] = cut
    size = int(row["cell_size_m"])
    names = [f"{size} m · {int(x)} / {int(y)}" for x, y in zip(cells["x"], cells["y"])]
    ranks = shown.rank(ascending=False, method="min")
    out = gpd.GeoDataFrame({"area_id": [f"{int(x)}_{int(y)}" for x, y in zip(cells["x"], cells["y"])],
                            "name": names, "raw": cells["value"].to_numpy(float),
                            "value": shown.to_numpy(float), "reason": reason.to_numpy(),
                            "rank": ranks.to_numpy(float), "coverage": 1.0},
                           geometry=geoms, crs=ws.work_crs)[keep].reset_index(drop=True)
    out["n_ranked"] = int(out["value"].notna().sum())
    definition = {"indicator_id": grid_id, "label_de": _label(meta, grid_id), "label_en": _label(meta, grid_id),
                  "kind": kind, "unit": "%" if kind == "intensive" else None, "denominator": None,
                  "polarity": None, "classes": None, "source_id": row["source_id"], "grid": True}
    period = row["period"] if isinstance(row["period"], date) else None
    sources = [row["source_id"]] if isinstance(row["source_id"], str) and row["source_id"] else []
    boundary_sources = sorted(set(ws.areas(ws.lowest_level())["source_id"].dropna())) if clip is not None else []
    attributions = ws.attributions(sorted(set(sources) | set(boundary_sources))) if sources or boundary_sources \
        else []
    return IndicatorLayer(out, definition, GRID_LEVEL, period, float("nan"), attributions)


# --------------------------------------------------------------------------- quarters from grids

@dataclass
class GridBasis:
    """What a quarter's numbers from the grids rest on (read once per workspace version)."""
    crs: str                                  # the grids' CRS (the quarter is measured in it)
    residents_grid: str | None
    residents_label: str | None
    residents: gpd.GeoDataFrame | None        # resident pieces (``analysis.interpolate.resident_pieces``)
    foreigners_grid: str | None
    foreigners_label: str | None
    foreigners: gpd.GeoDataFrame | None       # fine cells with ``value``
    source_ids: list[str]


def grid_basis(ws: Workspace) -> GridBasis | None:
    """The residents and foreign-citizens grids of the workspace, prepared for quarters; None
    when it has neither."""
    meta = grid_meta(ws)
    res_id, ausl_id = grid_for_role(ws, "residents"), grid_for_role(ws, "foreigners")
    if res_id is None and ausl_id is None:
        return None
    crs = meta.at[res_id or ausl_id, "crs"]
    fine = None
    foreigners = None
    if ausl_id is not None:
        fine = ws.grid_cells(ausl_id).dropna()
        if meta.at[ausl_id, "crs"] != crs:
            x, y = transform_xy(fine["x"].to_numpy(float), fine["y"].to_numpy(float),
                                from_crs=meta.at[ausl_id, "crs"], to_crs=crs)
            fine = fine.assign(x=x, y=y)
        foreigners = grid_cells(fine, cell_size_m=float(meta.at[ausl_id, "cell_size_m"]), crs=crs)
    residents = None
    if res_id is not None:
        residents = resident_pieces(ws.grid_cells(res_id), cell_size_m=float(meta.at[res_id, "cell_size_m"]),
                                    fine=fine, fine_cell_size_m=float(meta.at[ausl_id, "cell_size_m"])
                                    if ausl_id else None, crs=crs)
    sources = sorted({s for g in (res_id, ausl_id) if g for s in [meta.at[g, "source_id"]]
                      if isinstance(s, str) and s})
    return GridBasis(crs, res_id, _label(meta, res_id) if res_id else None, residents,
                     ausl_id, _label(meta, ausl_id) if ausl_id else None, foreigners, sources)


@dataclass
class GridLine:
    """One number of a quarter from a grid, after the privacy rules."""
    role: str                    # residents | foreigners | foreigners_share
    value: float                 # shown (NaN when hidden or unknown)
    raw: float
    reason: str | None           # why hidden (privacy reason) or None


@dataclass
class GridNumbers:
    lines: list[GridLine]
    residents_grid: str | None
    residents_label: str | None
    foreigners_grid: str | None
    foreigners_label: str | None
    #: share of the quarter's residents placed over inhabited fine cells (the rest by surface)
    share_inhabited: float
    weighting: str               # inhabited | surface | mixed | none
    source_ids: list[str]

    def line(self, role: str) -> GridLine | None:
        return next((x for x in self.lines if x.role == role), None)


def grid_numbers(quarter, *, work_crs: str, basis: GridBasis, settings: Settings) -> GridNumbers:
    """A quarter's residents (from the residents grid, spread over the inhabited part of each cell
    as the finer grid shows it) and persons of foreign citizenship (the finer grid's cells, each
    by the share of its surface inside), under the privacy rules: a quarter with fewer than
    ``min_residents`` residents shows no number, a count under ``small_count`` is hidden."""
    q = to_work_crs(gpd.GeoDataFrame(geometry=[quarter], crs=work_crs), basis.crs).geometry.iloc[0]
    residents = foreigners = float("nan")
    share_inhabited = float("nan")
    if basis.residents is not None:
        by = sum_in(q, basis.residents, by="method")
        residents = float(by.sum())
        share_inhabited = float(by.get(SPREAD_INHABITED, 0.0) / residents) if residents > 0 else float("nan")
    if basis.foreigners is not None:
        foreigners = float(sum_in(q, basis.foreigners).sum())
    known = residents if basis.residents is not None else None
    raw = {"residents": residents, "foreigners": foreigners}
    if basis.residents is not None and basis.foreigners is not None:
        raw["foreigners_share"] = 100 * foreigners / residents if residents > 0 else float("nan")
    lines = []
    for role, value in raw.items():
        kind = "intensive" if role.endswith("share") else "extensive"
        shown, reason = suppress_one(value, kind=kind, residents=known, min_residents=settings.min_residents,
                                     small_count=settings.small_count)
        lines.append(GridLine(role, shown, value, reason))
    share = next(x for x in lines if x.role == "foreigners_share") if "foreigners_share" in raw else None
    count = next(x for x in lines if x.role == "foreigners")
    if share is not None and count.reason is not None and share.reason is None:
        # a shown share times the shown residents would give back a hidden count
        share.value, share.reason = float("nan"), count.reason
    if np.isnan(share_inhabited):
        weighting = "none"
    elif share_inhabited >= 0.999:
        weighting = SPREAD_INHABITED
    elif share_inhabited <= 0.001:
        weighting = SPREAD_SURFACE
    else:
        weighting = "mixed"
    return GridNumbers(lines, basis.residents_grid, basis.residents_label, basis.foreigners_grid,
                       basis.foreigners_label, share_inhabited, weighting, basis.source_ids)
