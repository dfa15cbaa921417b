"""The one CRS gate: the only module that reprojects.

Work happens in a metric CRS chosen per workspace (EPSG:25833 for Berlin); maps are shown in
EPSG:4326. A mismatch between two layers is an error, never a warning.
"""
from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
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


class SharedVertices:
    """Outlines in one CRS (e.g. the three levels of VG5000) to be brought into one or more
    CRSs, every distinct vertex transformed once per target: outlines that tile a country
    (Gemeinden, and their Kreise and Länder cut from the same lines) hold each vertex two or
    three times (VG5000: 71,666 distinct of 224,520), and PROJ's work is per vertex. Without a
    hub, ``to`` gives each frame exactly as ``to_work_crs`` does, to the bit (transforming a
    vertex does not depend on its neighbours).

    With ``hub`` (a CRS; its geodetic CRS is used, e.g. ETRS89 for EPSG:3035), the distinct
    vertices are first transformed to that geographic CRS once, and every target on the same
    datum is a projection of those coordinates: PROJ sets up the datum transformation from the
    source (from DHDN: 0.03–0.045 s of CPU per target) once, and ``lonlat_bounds`` gives each
    frame's extent in degrees without a transformation of its own. The coordinates then differ
    from a direct transformation by float rounding (VG5000 from DHDN to EPSG:25832 or EPSG:3035:
    at most 1e-8 m) — the same operation, its steps run separately."""

    def __init__(self, frames: list[gpd.GeoDataFrame], *, hub: str | None = None, file: str | None = None):
        for f in frames:
            if f.crs is None:
                raise CrsError(Problem("crs_missing", file=file))
            check_plausible(f, file=file)
        if frames:
            require_same_crs(*frames)
        self.frames, self.file = frames, file
        self.source = CRS.from_user_input(frames[0].crs) if frames else None
        self._arrays = [np.asarray(f.geometry.array, dtype=object) for f in frames]
        self._geoms = np.concatenate(self._arrays) if frames else np.empty(0, dtype=object)
        self._flat = bool(frames) and not shapely.has_z(self._geoms).any()
        self._hub = self._lonlat = None
        if not self._flat:
            return
        coords = shapely.get_coordinates(self._geoms)
        # the distinct vertices (in the order they first appear) and where each vertex is among them
        self._where, self._distinct = pd.factorize(np.ascontiguousarray(coords).view(np.complex128).ravel())
        #: where each frame's vertices start in ``coords``
        self._starts = np.r_[0, np.cumsum([shapely.get_num_coordinates(a).sum() for a in self._arrays])]
        if hub is not None:
            self._hub = CRS.from_user_input(hub).geodetic_crs
            self._lonlat = self._transform(self._hub, self._distinct.real, self._distinct.imag, self.source)

    def _transform(self, target: CRS, x, y, source: CRS):
        try:
            return _transformer(source, target).transform(x, y)
        except ProjError as exc:
            raise CrsError(Problem("crs_no_transform", {"crs": _short(self.source.to_string()),
                                                        "target": target.to_string(),
                                                        "reason": _short(str(exc), 120)}, file=self.file)) from None

    def lonlat_bounds(self, i: int) -> tuple[float, float, float, float]:
        """Frame ``i``'s extent in the hub's degrees (``minx, miny, maxx, maxy``); needs ``hub``."""
        if self._lonlat is None:
            return tuple(to_display_crs(self.frames[i]).geometry.total_bounds)
        used = self._where[self._starts[i]:self._starts[i + 1]]
        lon, lat = self._lonlat[0][used], self._lonlat[1][used]
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def to(self, crs: str) -> list[gpd.GeoDataFrame]:
        """Every frame in ``crs``."""
        if not self.frames:
            return []
        target = CRS.from_user_input(crs)
        if self.source == target or self.source.is_exact_same(target) or not self._flat:
            return [to_work_crs(f, crs, file=self.file) for f in self.frames]
        if self._hub is not None and target.geodetic_crs == self._hub:
            x, y = self._transform(target, *self._lonlat, self._hub)
        else:
            x, y = self._transform(target, self._distinct.real, self._distinct.imag, self.source)
        xy = np.column_stack([x, y])
        out, first = [], 0
        for i, f in enumerate(self.frames):
            part = shapely.set_coordinates(self._geoms[first:first + len(f)].copy(),
                                           xy[self._where[self._starts[i]:self._starts[i + 1]]])
            first += len(f)
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
    return utm_crs_at(*to_display_crs(gdf).geometry.total_bounds)


def utm_crs_at(minx: float, miny: float, maxx: float, maxy: float) -> str:
    """``utm_crs_for`` of an extent in degrees (longitude, latitude)."""
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
