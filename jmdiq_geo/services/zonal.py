"""Zonal sums: what a population grid or raster holds inside areas or quarters.

``zonal_sums`` takes a grid stored in the workspace (by its id) or a raster file (read in place
with exactextract, only each polygon's window) and polygons — a level's areas or any polygons
in the work CRS — and returns per polygon the coverage-weighted sum of a count (or the
coverage-weighted mean of a share, weighted by a count grid or raster when given). The CLI's
``jmdiq-geo zonal`` and the quarter check call it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from jmdiq_geo.analysis import zonal as zonal_analysis
from jmdiq_geo.analysis.privacy import suppress
from jmdiq_geo.config import Settings
from jmdiq_geo.crs import to_crs_of
from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.io.rasters import RASTER_KINDS, is_raster, zonal_from_cells, zonal_from_file
from jmdiq_geo.store.workspace import Workspace


@dataclass
class ZonalResult:
    """``table``: per polygon ``value``, ``cells`` (covered cells with a value) and, for a
    weighted share, ``weight``; ``shown``/``reason``: the values after the privacy rules."""

    table: pd.DataFrame
    kind: str                  # extensive | intensive
    source: str                # grid id or file name
    weights: str | None = None
    #: residents per area for the privacy rule (the workspace's population indicator at the
    #: period nearest the grid's, aggregated to the level), None for polygons of no level
    population: pd.Series | None = None


def _stored_grid(ws: Workspace, grid_id: str):
    grids = ws.grids().set_index("grid_id")
    if grid_id not in grids.index:
        raise InputError(Problem("grid_unknown", {"grid": grid_id, "known": ", ".join(grids.index) or "–"}))
    meta = grids.loc[grid_id]
    return ws.grid_cells(grid_id), meta


def zonal_sums(ws: Workspace, source: str | Path, polygons: gpd.GeoDataFrame | None = None, *,
               level: str | None = None, kind: str | None = None, band: int | None = None,
               weights: str | Path | None = None, weights_band: int | None = None,
               settings: Settings | None = None) -> ZonalResult:
    """Coverage-weighted sums (counts) or means (shares) of ``source`` — a stored grid's id or a
    raster file — per polygon of ``polygons`` (work CRS, index = ids) or of ``level``'s areas
    (indexed by area id, with their names). A raster needs ``kind`` (count or share); a stored
    grid knows its own. ``weights``: a count grid id or raster for the mean of a share."""
    polygons_from_level = polygons is None
    if polygons is None:
        areas = ws.areas(level or ws.lowest_level())
        polygons = areas.set_index("area_id")[["name", "geometry"]]
    is_file = is_raster(source) and not (isinstance(source, str) and source in set(ws.grids()["grid_id"]))
    meta = None
    if is_file:
        path = Path(source)
        stored_kind = RASTER_KINDS.get(str(kind).lower()) if kind else None
        table = zonal_from_file(path, polygons, kind=kind, band=band, weights=weights, weights_band=weights_band)
        result = ZonalResult(table, stored_kind or "extensive", path.name,
                             Path(weights).name if weights is not None else None)
    else:
        cells, meta = _stored_grid(ws, str(source))
        stored_kind = meta["kind"] if kind is None else RASTER_KINDS.get(str(kind).lower(), meta["kind"])
        zones = to_crs_of(polygons[[polygons.geometry.name]], meta["crs"])
        wcells = wsize = None
        if weights is not None and stored_kind == "intensive":
            wcells, wmeta = _stored_grid(ws, str(weights))
            if wmeta["crs"] != meta["crs"]:
                raise InputError(Problem("crs_mismatch", {"crs": f"{meta['crs']}, {wmeta['crs']}"}))
            wsize = float(wmeta["cell_size_m"])
        # exactextract on the grid put back on its lattice; the shapely version where it is not on one
        table = zonal_from_cells(cells, cell_size_m=float(meta["cell_size_m"]), crs=meta["crs"], polygons=zones,
                                 kind=stored_kind, weights=wcells, weights_cell_size_m=wsize)
        if table is None:
            table = zonal_analysis.zonal_sums(cells, cell_size_m=float(meta["cell_size_m"]), polygons=zones,
                                              kind=stored_kind, crs=meta["crs"], weights=wcells,
                                              weights_cell_size_m=wsize)
        result = ZonalResult(table, stored_kind, str(source), str(weights) if wcells is not None else None)
    if "name" in polygons:
        result.table.insert(0, "name", polygons["name"])
    if polygons_from_level:
        period = meta["period"] if not is_file and pd.notna(meta["period"]) else None
        result.population = _residents(ws, level or ws.lowest_level(), period, settings or Settings.from_env())
    return result


def _residents(ws: Workspace, level: str, period, settings: Settings) -> pd.Series | None:
    """The population indicator's values per area of ``level`` (summed from the smallest level)
    at the period nearest ``period`` (default: the newest); None without one."""
    from jmdiq_geo.services.layers import indicator_layer

    pop_id = ws.meta().get("population_indicator")
    periods = ws.periods(indicator_id=pop_id, level=ws.lowest_level()) if pop_id else []
    if not periods:
        return None
    at = pd.Timestamp(period).date() if period is not None else periods[-1]
    nearest = min(periods, key=lambda p: abs((p - at).days))
    layer = indicator_layer(ws, indicator_id=pop_id, period=nearest, level=level, settings=settings)
    return layer.areas.set_index("area_id")["raw"]


def shown_values(result: ZonalResult, *, settings: Settings) -> pd.DataFrame:
    """The result's table with ``shown`` and ``reason``: counts under the small-count threshold
    hidden; a weighted share hidden where its weight (residents) is under the area threshold."""
    table = result.table.copy()
    # residents: the workspace's, else the weights of a weighted share (residents per area too)
    population = result.population
    if population is None and "weight" in table:
        population = table["weight"]
    shown, reason = suppress(table["value"], kind=result.kind, population=population,
                             min_residents=settings.min_residents, small_count=settings.small_count)
    table["shown"], table["reason"] = shown, reason
    return table
