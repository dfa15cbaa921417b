"""The one CRS gate: the only module that reprojects.

Work happens in a metric CRS chosen per workspace (EPSG:25833 for Berlin); maps are shown in
EPSG:4326. A mismatch between two layers is an error, never a warning.
"""
from __future__ import annotations

import geopandas as gpd
from pyproj import CRS

from jmdiq_geo.errors import CrsError, Problem

DISPLAY_CRS = "EPSG:4326"


def require_metric(crs: str) -> CRS:
    parsed = CRS.from_user_input(crs)
    if not parsed.is_projected or parsed.axis_info[0].unit_name not in ("metre", "meter"):
        raise CrsError(Problem("crs_not_metric", {"crs": crs}))
    return parsed


def to_work_crs(gdf: gpd.GeoDataFrame, work_crs: str, *, file: str | None = None) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise CrsError(Problem("crs_missing", file=file))
    if CRS.from_user_input(gdf.crs) == CRS.from_user_input(work_crs):
        return gdf
    return gdf.to_crs(work_crs)


def to_display_crs(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gdf.to_crs(DISPLAY_CRS)


def transform_xy(xs, ys, *, from_crs: str, to_crs: str):
    """Reproject coordinate arrays (for grids stored as cell centres)."""
    from pyproj import Transformer

    return Transformer.from_crs(from_crs, to_crs, always_xy=True).transform(xs, ys)


def require_same_crs(*frames: gpd.GeoDataFrame) -> None:
    crss = {CRS.from_user_input(f.crs).to_string() if f.crs else "–" for f in frames}
    if len(crss) > 1:
        raise CrsError(Problem("crs_mismatch", {"crs": ", ".join(sorted(crss))}))
