"""The one CRS gate: the only module that reprojects.

Work happens in a metric CRS chosen per workspace (EPSG:25833 for Berlin); maps are shown in
EPSG:4326. A mismatch between two layers is an error, never a warning.
"""
from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError, ProjError

from jmdiq_geo.errors import CrsError, InputError, Problem

DISPLAY_CRS = "EPSG:4326"


def require_metric(crs: str) -> CRS:
    """The CRS ``crs`` names, when it is projected in metres (else CrsError; a name pyproj does
    not know is a CrsError too, never pyproj's own exception)."""
    try:
        parsed = CRS.from_user_input(crs)
    except CRSError:
        raise CrsError(Problem("crs_unknown", {"crs": crs})) from None
    if not parsed.is_projected or parsed.axis_info[0].unit_name not in ("metre", "meter"):
        raise CrsError(Problem("crs_not_metric", {"crs": crs}))
    return parsed


#: no coordinate of any CRS lies further out than this: metres reach 4e7 (the Earth's
#: circumference), eastings with a zone prefix 6.1e7 (EPSG:5650), degrees 180
COORD_LIMIT = 1e8


def check_coordinates(geoms, *, file: str | None = None) -> None:
    """Refuse geometries with coordinates that are not numbers (NaN, Infinity) or lie beyond
    ``COORD_LIMIT`` in any CRS (1e308: the area would be infinite), naming the features
    (1-based). ``geoms``: a GeoSeries, a geometry array or a GeoDataFrame."""
    if isinstance(geoms, gpd.GeoDataFrame):
        geoms = geoms.geometry
    array = np.asarray(getattr(geoms, "array", geoms), dtype=object)
    coords, index = shapely.get_coordinates(array, return_index=True)
    if not len(coords):
        return
    finite = np.isfinite(coords).all(axis=1)
    problems = []
    if not finite.all():
        rows = np.unique(index[~finite]) + 1
        problems.append(Problem("coordinates_not_finite", {"count": len(rows), "rows": _rows(rows)},
                                file=file, row=int(rows[0])))
    far = finite & (np.abs(coords) > COORD_LIMIT).any(axis=1)
    if far.any():
        rows = np.unique(index[far]) + 1
        x, y = coords[far][0]
        problems.append(Problem("coordinates_out_of_range", {"count": len(rows), "rows": _rows(rows),
                                                             "x": f"{x:.6g}", "y": f"{y:.6g}",
                                                             "limit": f"{COORD_LIMIT:.0e}"},
                                file=file, row=int(rows[0])))
    if problems:
        raise InputError(problems)


def _rows(rows) -> str:
    shown = ", ".join(str(int(r)) for r in rows[:10])
    return shown + (" …" if len(rows) > 10 else "")


def check_placeable(crs, *, file: str | None = None) -> CRS:
    """The CRS ``crs`` when it can be placed on the Earth (projected, geographic, geocentric);
    an engineering CRS (a ``LOCAL_CS`` in a ``.prj``: a site plan's own grid) cannot be
    reprojected and is refused with what to do."""
    parsed = CRS.from_user_input(crs)
    if parsed.type_name.startswith("Engineering") or not (parsed.is_projected or parsed.is_geographic
                                                           or parsed.is_geocentric):
        raise CrsError(Problem("crs_local", {"crs": _short(parsed.name or parsed.type_name)}, file=file))
    return parsed


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def check_plausible(gdf: gpd.GeoDataFrame, *, file: str | None = None) -> None:
    """Coordinates that cannot be in their declared CRS are refused with the likely cause:
    coordinates that are no numbers or beyond any CRS (``check_coordinates``), a CRS that cannot
    be placed on the Earth (``check_placeable``), degrees declared as a metric CRS (all within
    ±180/±90, i.e. a few hundred metres from the projection's false origin, far out at sea) or
    metres declared as degrees."""
    if gdf.crs is None or gdf.empty:
        return
    check_coordinates(gdf, file=file)
    crs = check_placeable(gdf.crs, file=file)
    bounds = gdf.geometry.total_bounds
    if not np.all(np.isfinite(bounds)):
        return
    minx, miny, maxx, maxy = bounds
    within_degrees = -180 <= minx and maxx <= 180 and -90 <= miny and maxy <= 90
    if crs.is_projected and within_degrees:
        raise CrsError(Problem("crs_looks_like_degrees", {"crs": crs.to_string(), "x": f"{minx:.4f}",
                                                          "y": f"{miny:.4f}"}, file=file))
    if crs.is_geographic and not within_degrees:
        raise CrsError(Problem("crs_looks_like_metres", {"crs": crs.to_string(), "x": f"{minx:.0f}",
                                                         "y": f"{miny:.0f}"}, file=file))


#: how far (m) a file's features may lie from the workspace's areas before it is refused
FAR_M = 50_000.0


def to_work_crs(gdf: gpd.GeoDataFrame, work_crs: str, *, file: str | None = None,
                near: tuple[float, float, float, float] | None = None) -> gpd.GeoDataFrame:
    """``gdf`` in the work CRS. With ``near`` (the bounding box of the workspace's areas), a file
    whose features lie more than ``FAR_M`` away from them is refused: a wrong CRS or another
    city's file, not data for this workspace."""
    if gdf.crs is None:
        raise CrsError(Problem("crs_missing", file=file))
    check_plausible(gdf, file=file)
    try:
        out = gdf if CRS.from_user_input(gdf.crs) == CRS.from_user_input(work_crs) else gdf.to_crs(work_crs)
    except ProjError as exc:
        raise CrsError(Problem("crs_no_transform", {"crs": _short(CRS.from_user_input(gdf.crs).to_string()),
                                                    "target": work_crs, "reason": _short(str(exc), 120)},
                               file=file)) from None
    if near is not None and len(out):
        minx, miny, maxx, maxy = out.geometry.total_bounds
        if np.all(np.isfinite([minx, miny, maxx, maxy])):
            dx = max(near[0] - maxx, minx - near[2], 0.0)
            dy = max(near[1] - maxy, miny - near[3], 0.0)
            gap = float(np.hypot(dx, dy))
            if gap > FAR_M:
                raise CrsError(Problem("place_far", {"km": f"{gap / 1000:.0f}",
                                                     "crs": CRS.from_user_input(gdf.crs).to_string()}, file=file))
    return out


def to_crs_shared(frames: list[gpd.GeoDataFrame], crs: str, *, file: str | None = None) -> list[gpd.GeoDataFrame]:
    """``frames`` (in one CRS) in ``crs``, exactly as ``to_work_crs`` gives each of them, with
    every distinct vertex transformed once: outlines that tile a country (Gemeinden, and their
    Kreise and Länder cut from the same lines) hold each vertex two or three times (VG5000:
    71,666 distinct of 224,520), and PROJ's work is per vertex. Transforming a vertex does not
    depend on its neighbours, so the coordinates are the same to the bit."""
    if not frames:
        return []
    for f in frames:
        if f.crs is None:
            raise CrsError(Problem("crs_missing", file=file))
        check_plausible(f, file=file)
    require_same_crs(*frames)
    source, target = CRS.from_user_input(frames[0].crs), CRS.from_user_input(crs)
    arrays = [np.asarray(f.geometry.array, dtype=object) for f in frames]
    geoms = np.concatenate(arrays)
    if source == target or source.is_exact_same(target) or shapely.has_z(geoms).any():
        return [to_work_crs(f, crs, file=file) for f in frames]
    coords = shapely.get_coordinates(geoms)
    distinct, where = np.unique(np.ascontiguousarray(coords).view(np.complex128).ravel(), return_inverse=True)
    try:
        x, y = _transformer(source, target).transform(distinct.real, distinct.imag)
    except ProjError as exc:
        raise CrsError(Problem("crs_no_transform", {"crs": _short(source.to_string()), "target": crs,
                                                    "reason": _short(str(exc), 120)}, file=file)) from None
    moved = shapely.set_coordinates(geoms.copy(), np.column_stack([x, y])[where.ravel()])
    out, start = [], 0
    for f, a in zip(frames, arrays):
        part = moved[start:start + len(a)]
        start += len(a)
        frame = f.copy()                  # as GeoDataFrame.to_crs does
        frame.geometry = gpd.GeoSeries(part, index=f.index, crs=target, name=f.geometry.name)
        out.append(frame)
    return out


@lru_cache(maxsize=32)
def _transformer(source: CRS, target: CRS):
    """The transformer geopandas' ``to_crs`` uses between the two CRS (pyproj picks the same
    operation for the same arguments); made once per pair."""
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def utm_crs_for(gdf: gpd.GeoDataFrame) -> str:
    """The metric work CRS for data lying where ``gdf`` lies: ETRS89 / UTM of the zone of its
    centre (EPSG:25832 west of 12° E, EPSG:25833 east of it, for Germany); WGS 84 / UTM outside
    the zones ETRS89 defines."""
    if gdf.crs is None:
        raise CrsError(Problem("crs_missing"))
    check_plausible(gdf)
    minx, miny, maxx, maxy = gdf.to_crs(DISPLAY_CRS).geometry.total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    zone = int((lon + 180) // 6) + 1
    if 28 <= zone <= 38 and lat >= 0:
        return f"EPSG:258{zone:02d}"
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


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


def to_crs_of(gdf: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """``gdf`` in ``crs`` (e.g. polygons brought to a raster's own CRS, so its cells stay squares)."""
    if gdf.crs is None:
        raise CrsError(Problem("crs_missing"))
    return gdf if CRS.from_user_input(gdf.crs) == CRS.from_user_input(crs) else gdf.to_crs(crs)


def transform_bounds(bounds: tuple[float, float, float, float], *, from_crs: str,
                     to_crs: str) -> tuple[float, float, float, float]:
    """A bounding box in another CRS, its edges densified so that the box holds the whole
    reprojected box (for windowed reads of a raster by a workspace's extent)."""
    from pyproj import Transformer

    if CRS.from_user_input(from_crs) == CRS.from_user_input(to_crs):
        return tuple(float(b) for b in bounds)
    return tuple(float(b) for b in Transformer.from_crs(from_crs, to_crs, always_xy=True)
                 .transform_bounds(*bounds, densify_pts=21))
