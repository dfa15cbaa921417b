"""Population rasters (GeoTIFF and whatever else GDAL reads) with rasterio: a raster as a grid of
cell centres, and coverage-weighted zonal statistics over polygons with exactextract.

A raster becomes a grid (``grids``/``grid_cells``, like a Zensus CSV grid) when it is
georeferenced, names its CRS, is north-up (no rotation or shear) and has square pixels in
metres; only cells with a value are stored (nodata and NaN are no cell). The user says whether
the band holds counts or shares (``kind``): a raster does not say, and we do not guess. With
areas in the workspace only the window around them is read, so a country-wide file (GHS-POP,
WorldPop, the Zensus) is never loaded whole.
"""
from __future__ import annotations

import math
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from jmdiq_geo.analysis.roles import GRID_ROLES
from jmdiq_geo.crs import to_crs_of, transform_bounds
from jmdiq_geo.errors import CrsError, InputError, Problem, raise_if_errors
from jmdiq_geo.io.commit import ImportReport, Source, commit_import
from jmdiq_geo.store.workspace import Workspace

#: the words a user may give for the kind of value a raster holds -> the stored kind
RASTER_KINDS = {"count": "extensive", "extensive": "extensive",
                "share": "intensive", "rate": "intensive", "intensive": "intensive"}
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc")


@dataclass
class RasterGridSpec:
    """A raster band imported as a grid. ``kind``: count (extensive) or share/rate (intensive),
    required; ``band``: required when the file has more than one; ``clip``: read only the
    window around the workspace's areas (when it has any); ``role``: the grid's role
    (``analysis.roles.GRID_ROLES``: residents, foreigners), if any."""

    grid_id: str
    kind: str | None
    label: str | None = None
    band: int | None = None
    period: str | None = None
    clip: bool = True
    role: str | None = None


@dataclass
class RasterCells:
    """The cells with a value of one band (centres in the raster's CRS) and how they were read."""

    x: np.ndarray
    y: np.ndarray
    value: np.ndarray
    crs: str
    cell_size_m: float
    band: int
    shape: tuple[int, int]          # rows, columns of the whole raster
    window: tuple[int, int, int, int]   # row_off, col_off, rows, columns read
    nodata_cells: int               # cells in the window without a value


def is_raster(path: Path | str) -> bool:
    return Path(path).suffix.lower() in RASTER_SUFFIXES


@contextmanager
def open_raster(path: Path | str):
    """The dataset at ``path`` (rasterio), or an ``InputError`` that names the file. A raster
    without a geotransform is refused here (rasterio warns about it; we say what to do)."""
    import rasterio
    from rasterio.errors import NotGeoreferencedWarning, RasterioIOError

    path = Path(path)
    if not path.exists():
        raise InputError(Problem("file_missing", {"path": str(path)}, file=path.name))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NotGeoreferencedWarning)
        try:
            src = rasterio.open(path)
        except RasterioIOError as exc:
            raise InputError(Problem("raster_unreadable", {"reason": str(exc).split("\n")[0]},
                                     file=path.name)) from None
    if (any(issubclass(w.category, NotGeoreferencedWarning) for w in caught)
            or (src.transform.is_identity and src.crs is None)):
        src.close()
        raise CrsError(Problem("raster_not_georeferenced", file=path.name))
    for w in caught:                 # anything else rasterio said is not ours to swallow
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    try:
        yield src
    finally:
        src.close()


def describe_raster(path: Path | str) -> dict:
    """What a raster file is, for a preview: size, bands, CRS, cell size, nodata, value type
    (raises ``InputError`` when it cannot be read as a raster at all)."""
    path = Path(path)
    with open_raster(path) as src:
        t = src.transform
        return {"width": src.width, "height": src.height, "bands": src.count,
                "crs": src.crs.to_string() if src.crs is not None else None,
                "cell_width": abs(t.a), "cell_height": abs(t.e), "rotated": bool(t.b or t.d),
                "nodata": src.nodata, "dtype": src.dtypes[0]}


def raster_problems(src, *, file: str, band: int | None, grid: bool) -> list[Problem]:
    """Everything that keeps ``src`` from being read (as a grid, when ``grid``), all at once."""
    problems = []
    t = src.transform
    if src.crs is None:
        problems.append(Problem("raster_crs_missing", file=file))
    elif grid and not (src.crs.is_projected and (src.crs.linear_units or "").lower() in ("metre", "meter", "m")):
        problems.append(Problem("raster_not_metric", {"crs": src.crs.to_string()}, file=file))
    if t.b != 0 or t.d != 0:
        problems.append(Problem("raster_rotated", {"b": f"{t.b:g}", "d": f"{t.d:g}"}, file=file))
    elif grid and not math.isclose(abs(t.a), abs(t.e), rel_tol=1e-9):
        problems.append(Problem("raster_pixels_not_square", {"width": f"{abs(t.a):g}", "height": f"{abs(t.e):g}"},
                                file=file))
    if band is None and src.count > 1:
        problems.append(Problem("raster_band_needed", {"count": src.count}, file=file))
    elif band is not None and not 1 <= band <= src.count:
        problems.append(Problem("raster_band_unknown", {"band": band, "count": src.count}, file=file))
    return problems


def _window(src, bounds, bounds_crs: str):
    """The pixel window (row_off, col_off, rows, cols) covering ``bounds`` plus one cell, cut to
    the raster; None when they do not overlap."""
    minx, miny, maxx, maxy = transform_bounds(bounds, from_crs=bounds_crs, to_crs=src.crs.to_string())
    t = src.transform                  # north-up (checked): column and row by hand
    cols = [(x - t.c) / t.a for x in (minx, maxx)]
    rows = [(y - t.f) / t.e for y in (miny, maxy)]
    c0, c1 = math.floor(min(cols)) - 1, math.ceil(max(cols)) + 1
    r0, r1 = math.floor(min(rows)) - 1, math.ceil(max(rows)) + 1
    c0, r0 = max(c0, 0), max(r0, 0)
    c1, r1 = min(c1, src.width), min(r1, src.height)
    if c1 <= c0 or r1 <= r0:
        return None
    return r0, c0, r1 - r0, c1 - c0


def read_raster_cells(path: Path | str, *, band: int | None = None, bounds=None, bounds_crs: str | None = None,
                      max_bytes: int) -> RasterCells:
    """The cells with a value of ``band`` (default: the only one), as centres in the raster's CRS;
    with ``bounds`` (in ``bounds_crs``) only the window around them is read. Raises
    ``InputError``/``CrsError`` naming the file for everything that is wrong with it."""
    from rasterio.windows import Window

    path = Path(path)
    with open_raster(path) as src:
        raise_if_errors(raster_problems(src, file=path.name, band=band, grid=True), InputError)
        band = band or 1
        window = (0, 0, src.height, src.width)
        if bounds is not None:
            window = _window(src, bounds, bounds_crs)
            if window is None:
                raise InputError(Problem("raster_outside", file=path.name))
        r0, c0, nr, nc = window
        size = nr * nc * np.dtype(src.dtypes[band - 1]).itemsize
        if size > max_bytes:
            from jmdiq_geo.io.readers import human_size
            raise InputError(Problem("raster_too_large", {"size": human_size(size), "limit": human_size(max_bytes),
                                                          "rows": nr, "cols": nc}, file=path.name))
        data = src.read(band, window=Window(c0, r0, nc, nr), masked=True)
        values = np.ma.filled(data.astype("float64"), np.nan)
        rows, cols = np.nonzero(np.isfinite(values))
        t = src.transform
        x = t.c + (c0 + cols + 0.5) * t.a
        y = t.f + (r0 + rows + 0.5) * t.e
        return RasterCells(x=x, y=y, value=values[rows, cols], crs=src.crs.to_string(), cell_size_m=abs(t.a),
                           band=band, shape=(src.height, src.width), window=window,
                           nodata_cells=int(nr * nc - len(rows)))


def _kind(kind: str | None, *, file: str) -> str:
    if kind is None or not str(kind).strip():
        raise InputError(Problem("raster_kind_missing", file=file))
    stored = RASTER_KINDS.get(str(kind).strip().lower())
    if stored is None:
        raise InputError(Problem("raster_kind_unknown", {"kind": kind}, file=file))
    return stored


def import_raster_grid(ws: Workspace, path: Path | str, spec: RasterGridSpec, source: Source, *, max_bytes: int,
                       dry_run: bool = False) -> ImportReport:
    """One band of a raster as a grid of cell centres (``grids``, ``grid_cells``), in one transaction."""
    path = Path(path)
    problems = []
    try:
        kind = _kind(spec.kind, file=path.name)
    except InputError as exc:
        problems += exc.problems
    if spec.role and spec.role not in GRID_ROLES:
        problems.append(Problem("grid_role_unknown", {"role": spec.role, "column": spec.grid_id,
                                                      "known": ", ".join(GRID_ROLES)}, file=path.name))
    with open_raster(path) as src:        # every problem of the file and the options at once
        problems += raster_problems(src, file=path.name, band=spec.band, grid=True)
    raise_if_errors(problems, InputError)
    period = None
    if spec.period:
        try:
            period = date.fromisoformat(spec.period[:10])
        except ValueError:
            raise InputError(Problem("bad_date", {"field": "period", "value": spec.period},
                                     file=path.name)) from None
    extent = ws.extent() if spec.clip else None
    cells = read_raster_cells(path, band=spec.band, bounds=extent, bounds_crs=ws.work_crs if extent else None,
                              max_bytes=max_bytes)
    if not len(cells.value):
        raise InputError(Problem("raster_empty", file=path.name))
    notices = []
    r0, c0, nr, nc = cells.window
    if (nr, nc) != cells.shape:
        notices.append(Problem("raster_clipped", {"rows": nr, "cols": nc, "all_rows": cells.shape[0],
                                                  "all_cols": cells.shape[1]}, file=path.name, severity="notice"))
    grid = {"grid_id": spec.grid_id, "label": spec.label or spec.grid_id, "variable": f"{path.stem} (band {cells.band})",
            "kind": kind, "crs": cells.crs, "cell_size_m": cells.cell_size_m, "period": period,
            "source_id": source.source_id, "role": spec.role}
    frame = pd.DataFrame({"x": cells.x, "y": cells.y, "value": cells.value})
    report = ImportReport("grid", path.name, rows=nr * nc, written=len(frame), notices=notices,
                          details={"grids": [spec.grid_id], "window": list(cells.window), "shape": list(cells.shape),
                                   "nodata_cells": cells.nodata_cells, "total": float(frame["value"].sum())})
    return commit_import(ws, report, source, path, asdict(spec), lambda: ws.replace_grid(grid, frame),
                         dry_run=dry_run)


#: the largest window of a raster zonal statistics read into memory at once (else each polygon's)
ZONAL_WINDOW_BYTES = 256 * 1024 * 1024


def _zonal_source(src, band: int, bounds, name: str, max_bytes: int):
    """The exactextract source of ``band``: the window around ``bounds`` (raster CRS) read once
    into memory when it fits in ``max_bytes``, else the file itself (each polygon's window then)."""
    from exactextract.raster import NumPyRasterSource, RasterioRasterSource
    from rasterio.windows import Window
    from rasterio.windows import bounds as window_bounds

    window = _window(src, bounds, src.crs.to_string())
    if window is None:
        window = (0, 0, 1, 1)          # no overlap: one cell, every polygon gets nothing
    r0, c0, nr, nc = window
    if nr * nc * np.dtype(src.dtypes[band - 1]).itemsize > max_bytes:
        return RasterioRasterSource(src, band, name=name)
    win = Window(c0, r0, nc, nr)
    data = src.read(band, window=win, masked=True).astype("float64")
    data = np.ma.masked_invalid(data)
    left, bottom, right, top = window_bounds(win, src.transform)
    return NumPyRasterSource(data, left, bottom, right, top, srs_wkt=src.crs.to_wkt(), name=name)


def _features(zones: gpd.GeoDataFrame, crs_wkt: str):
    """The polygons as an exactextract feature source handing over WKB (shapely's vectorised
    writer), not GeoJSON text built feature by feature (5× faster for the demo package's 542 smallest areas)."""
    from exactextract._exactextract import Feature
    from exactextract.feature import FeatureSource
    import shapely

    class _WkbFeature(Feature):
        def __init__(self, fid: int, wkb: bytes):
            Feature.__init__(self)
            self.fid, self.wkb = fid, wkb

        def get(self, name):
            return self.fid

        def set(self, name, value):
            pass

        def geometry(self):
            return self.wkb

        def set_geometry_format(self):
            return "wkb"

        def fields(self):
            return ["fid"]

    class _WkbSource(FeatureSource):
        def __init__(self):
            super().__init__()
            self.wkbs = shapely.to_wkb(np.asarray(zones.geometry.array))

        def count(self):
            return len(self.wkbs)

        def __iter__(self):
            for i, wkb in enumerate(self.wkbs):
                yield _WkbFeature(i, wkb)

        def srs_wkt(self):
            return crs_wkt

    return _WkbSource()


def _exact(values, weights, zones: gpd.GeoDataFrame, wkt: str, kind: str, index) -> pd.DataFrame:
    """exactextract's coverage-weighted sum (``extensive``) or mean (``intensive``, weighted by
    the source ``weights`` when given) of the source ``values`` per zone."""
    from exactextract import exact_extract

    if kind == "extensive" or weights is None:
        op = "sum" if kind == "extensive" else "mean"
        out = exact_extract(values, _features(zones, wkt), [op, "count"], output="pandas")
        return pd.DataFrame({"value": out[op].to_numpy(float), "cells": out["count"].to_numpy(float)}, index=index)
    out = exact_extract(values, _features(zones, wkt), ["weighted_mean", "count"], weights=weights, output="pandas")
    wsum = exact_extract(weights, _features(zones, wkt), ["sum"], output="pandas")
    return pd.DataFrame({"value": out["weighted_mean"].to_numpy(float), "cells": out["count"].to_numpy(float),
                         "weight": wsum["sum"].to_numpy(float)}, index=index)


def zonal_from_file(path: Path | str, polygons: gpd.GeoDataFrame, *, kind: str | None, band: int | None = None,
                    weights: Path | str | None = None, weights_band: int | None = None,
                    max_bytes: int = ZONAL_WINDOW_BYTES) -> pd.DataFrame:
    """Per polygon (``polygons``' index kept): for a count raster the coverage-weighted ``value``
    (the sum of each cell's value × the share of the cell inside the polygon), for a share raster
    the coverage-weighted mean — weighted by the count raster ``weights`` when given (then
    ``weight`` holds the weights' coverage-weighted sum). ``cells``: the covered cells with a
    value (fractions for cells cut by the edge). Exact coverage fractions by exactextract; only
    the window around the polygons is read (or, past ``max_bytes``, each polygon's window).
    Polygons are brought to the raster's own CRS first, so its cells stay squares."""
    path = Path(path)
    problems = []
    try:
        stored = _kind(kind, file=path.name)
    except InputError as exc:
        problems, stored = exc.problems, None
    with open_raster(path) as src:
        raise_if_errors(problems + raster_problems(src, file=path.name, band=band, grid=False), InputError)
        zones = to_crs_of(polygons[[polygons.geometry.name]], src.crs.to_string()).reset_index(drop=True)
        bounds = tuple(zones.total_bounds) if len(zones) else src.bounds
        values = _zonal_source(src, band or 1, bounds, "v", max_bytes)
        if stored == "extensive" or weights is None:
            return _exact(values, None, zones, src.crs.to_wkt(), stored, polygons.index)
        wpath = Path(weights)
        with open_raster(wpath) as wsrc:
            wproblems = raster_problems(wsrc, file=wpath.name, band=weights_band, grid=False)
            if wsrc.crs is not None and src.crs is not None and wsrc.crs != src.crs:
                wproblems.append(Problem("crs_mismatch", {"crs": f"{src.crs.to_string()}, {wsrc.crs.to_string()}"},
                                         file=wpath.name))
            raise_if_errors(wproblems, InputError)
            wsource = _zonal_source(wsrc, weights_band or 1, bounds, "w", max_bytes)
            return _exact(values, wsource, zones, src.crs.to_wkt(), stored, polygons.index)


def _lattice_source(cells: pd.DataFrame, cell_size_m: float, crs_wkt: str, name: str, max_bytes: int):
    """A grid stored as cell centres back on its lattice, as an in-memory exactextract source
    (cells without a value masked); None when the centres are not on one lattice or the array
    would pass ``max_bytes``."""
    from exactextract.raster import NumPyRasterSource

    cells = cells[np.isfinite(cells["value"].to_numpy(float))]
    if not len(cells):
        return None
    x, y = cells["x"].to_numpy(float), cells["y"].to_numpy(float)
    left, top = x.min() - cell_size_m / 2, y.max() + cell_size_m / 2
    col, row = (x - left) / cell_size_m - 0.5, (top - y) / cell_size_m - 0.5
    ci, ri = np.rint(col).astype(np.int64), np.rint(row).astype(np.int64)
    if np.abs(col - ci).max() > 1e-6 or np.abs(row - ri).max() > 1e-6:
        return None
    nr, nc = int(ri.max()) + 1, int(ci.max()) + 1
    if nr * nc * 9 > max_bytes:            # float64 values + the mask
        return None
    data = np.zeros((nr, nc))
    mask = np.ones((nr, nc), dtype=bool)
    data[ri, ci] = cells["value"].to_numpy(float)
    mask[ri, ci] = False
    return NumPyRasterSource(np.ma.masked_array(data, mask=mask), left, top - nr * cell_size_m,
                             left + nc * cell_size_m, top, srs_wkt=crs_wkt, name=name)


def zonal_from_cells(cells: pd.DataFrame, *, cell_size_m: float, crs: str, polygons: gpd.GeoDataFrame, kind: str,
                     weights: pd.DataFrame | None = None, weights_cell_size_m: float | None = None,
                     max_bytes: int = ZONAL_WINDOW_BYTES) -> pd.DataFrame | None:
    """The numbers of ``analysis.zonal.zonal_sums`` for a grid stored as cell centres, computed by
    exactextract on the grid put back on its lattice (4× faster for the demo's 542 smallest areas on the
    100 m grid); None when the cells are not on one lattice (then use the analysis version).
    ``polygons`` must be in ``crs`` already."""
    from pyproj import CRS

    wkt = CRS.from_user_input(crs).to_wkt()
    values = _lattice_source(cells, cell_size_m, wkt, "v", max_bytes)
    wsource = None
    if weights is not None and kind == "intensive":
        wsource = _lattice_source(weights, weights_cell_size_m or cell_size_m, wkt, "w", max_bytes)
        if wsource is None:
            return None
    if values is None:
        return None
    zones = polygons[[polygons.geometry.name]].reset_index(drop=True)
    return _exact(values, wsource, zones, wkt, kind, polygons.index)
