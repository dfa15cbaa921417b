"""The nationwide layers (``data/nationwide/germany.toml``): every Gemeinde's outline with its
Kreis and Land (BKG VG5000) and the Zensus 2022 grids, read in place.

Nothing is loaded whole for one Gemeinde: the shapefiles are read with an attribute filter
(``where`` on the AGS; the attribute table alone for the name search), the grids with DuckDB
with a filter on the cell centres (the Gemeinde's bounding box in the grid's CRS, widened by
half a cell) pushed into the parquet scan (``store.nationwide.read_parquet_cells``).

Which cells belong to a Gemeinde:

- **stored** (the grid cut to the Gemeinde): every cell whose square touches the outline
  (``cells_touching``), so the grid map has no gap at the border and a quarter at the border can
  weigh a cell by the part of it that lies in the quarter;
- **counted** (the Gemeinde's indicators): the cells whose *centre* lies inside the outline
  (``CentreLabels.sums``), so each cell counts for exactly one Gemeinde and the Gemeinden of the
  ``germany`` workspace add up to the grid's total (of the cells whose centre lies in one).
"""
from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyogrio
import shapely

from jmdiq_geo.analysis.roles import ROLES
from jmdiq_geo.config import REPO_ROOT
from jmdiq_geo.errors import InputError, Problem, SchemaError
from jmdiq_geo.io.commit import Source
from jmdiq_geo.io.names import normalise_name
from jmdiq_geo.store.nationwide import read_parquet_cells

LAYERS_FILE = REPO_ROOT / "data" / "nationwide" / "germany.toml"
#: how many candidates an ambiguous or unknown name lists
LISTED = 25
_DIGITS = re.compile(r"^\d+$")


@dataclass
class AreaLayer:
    level: str
    file: Path
    key: str
    name: str
    type: str
    label_de: str
    label_en: str
    source: str
    #: a Gemeinde's key starts with its Kreis's (5 digits) and its Land's (2)
    key_digits: int = 8
    keep: dict = field(default_factory=dict)


@dataclass
class GridLayer:
    file: Path
    column: str
    grid_id: str
    label: str
    kind: str
    crs: str
    cell_size_m: float
    period: str
    source: str
    #: the grid's role (``analysis.roles.GRID_ROLES``: residents, foreigners), if any
    role: str | None = None

    def meta(self) -> dict:
        """The ``grids`` row of this layer (with its role, kept in the workspace's grid roles)."""
        return {"grid_id": self.grid_id, "label": self.label, "variable": self.column, "kind": self.kind,
                "crs": self.crs, "cell_size_m": float(self.cell_size_m), "period": self.period,
                "source_id": self.source, "role": self.role}


@dataclass
class Layers:
    sources: dict[str, Source]
    areas: dict[str, AreaLayer]
    grids: list[GridLayer]
    indicators: dict[str, dict]
    city: dict
    #: role → indicator id (``analysis.roles``): what the Steckbrief and the rule sets use
    roles: dict[str, str] = field(default_factory=dict)


def load_layers(data_root: Path | None, path: Path | str = LAYERS_FILE) -> Layers:
    """The nationwide layers below ``data_root``; every missing file is named at once."""
    if data_root is None:
        raise SchemaError(Problem("data_root_missing"))
    data_root = Path(data_root)
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    sources = {sid: Source(source_id=sid, **spec) for sid, spec in raw["sources"].items()}
    areas = {level: AreaLayer(level=level, **{**spec, "file": data_root / spec["file"]})
             for level, spec in raw["areas"].items()}
    grids = [GridLayer(**{**spec, "file": data_root / spec["file"]}) for spec in raw["grids"]]
    missing = [str(p) for p in [a.file for a in areas.values()] + [g.file for g in grids] if not p.exists()]
    if missing:
        raise SchemaError([Problem("nationwide_missing", {"file": f}) for f in missing])
    indicators, roles = raw.get("indicators", {}), raw.get("roles", {})
    bad = [Problem("rule_role_unknown", {"id": "roles", "role": r, "known": ", ".join(ROLES)}, file=str(path))
           for r in sorted(set(roles) - set(ROLES))]
    bad += [Problem("role_indicator_unknown", {"role": r, "indicator": i}, file=str(path))
            for r, i in sorted(roles.items()) if i not in indicators]
    if bad:
        raise SchemaError(bad)
    return Layers(sources, areas, grids, indicators, raw.get("city", {}), roles)


# --------------------------------------------------------------------------- finding a Gemeinde

def gemeinde_index(layers: Layers) -> pd.DataFrame:
    """Every Gemeinde's ``ags, name, type, kreis`` (attribute tables only, no geometry)."""
    gem, krs = layers.areas["gemeinde"], layers.areas["kreis"]
    g = pyogrio.read_dataframe(gem.file, columns=[gem.key, gem.name, gem.type], read_geometry=False)
    k = pyogrio.read_dataframe(krs.file, columns=[krs.key, krs.name, krs.type], read_geometry=False)
    kreis = dict(zip(k[krs.key].astype(str), k[krs.name].astype(str)))
    ags = g[gem.key].astype(str)
    return pd.DataFrame({"ags": ags, "name": g[gem.name].astype(str), "type": g[gem.type].astype(str),
                         "kreis": ags.str[:krs.key_digits].map(kreis).fillna("–")})


@dataclass
class Search:
    """Gemeinden found for a query: by key (``ags``), by the exact name (``exact``), by part of
    the name (``part``), or only similar names (``close``, none of which matched)."""
    query: str
    how: str
    candidates: pd.DataFrame


def search_gemeinden(index: pd.DataFrame, query: str, *, limit: int = LISTED) -> Search:
    """Gemeinden whose AGS is ``query`` or whose name matches it (case, umlauts, hyphens
    normalised); without any match, the most similar names."""
    text = str(query).strip()
    if _DIGITS.match(text):
        return Search(text, "ags", index[index["ags"] == text.zfill(8)])
    wanted = normalise_name(text)
    names = index["name"].map(normalise_name)
    exact = index[names == wanted]
    if len(exact):
        return Search(text, "exact", exact)
    part = index[names.str.contains(re.escape(wanted), regex=True)] if wanted else index.iloc[:0]
    if len(part):
        return Search(text, "part", part.head(limit))
    close = difflib.get_close_matches(wanted, list(dict.fromkeys(names)), n=8, cutoff=0.6)
    rank = names.map({name: i for i, name in enumerate(close)})
    similar = index.assign(_rank=rank)[rank.notna()].sort_values("_rank", kind="stable").drop(columns="_rank")
    return Search(text, "close", similar.head(limit))


def describe_candidate(row) -> str:
    return f"{row['name']} ({row['type']}, {row['kreis']}, AGS {row['ags']})"


def resolve_gemeinde(index: pd.DataFrame, query: str) -> pd.Series:
    """The one Gemeinde ``query`` names; several or none: an ``InputError`` listing the
    candidates with their Kreis (or the similar names)."""
    found = search_gemeinden(index, query)
    hits = found.candidates
    if found.how != "close" and len(hits) == 1:
        return hits.iloc[0]
    if found.how == "close" or hits.empty:
        listed = [describe_candidate(r) for _, r in hits.iterrows()]
        raise InputError([Problem("gemeinde_unknown", {"query": found.query})]
                         + [Problem("gemeinde_similar", {"candidate": c}) for c in listed])
    listed = [describe_candidate(r) for _, r in hits.iterrows()]
    raise InputError([Problem("gemeinde_ambiguous", {"query": found.query, "count": len(hits)})]
                     + [Problem("gemeinde_candidate", {"candidate": c}) for c in listed])


# --------------------------------------------------------------------------- outlines

def read_areas(layer: AreaLayer, *, keys: list[str] | None = None) -> gpd.GeoDataFrame:
    """``area_id, name, label, geometry`` (in the file's CRS) of the areas with ``keys`` (None:
    all), read with an attribute filter: the other features never reach pandas."""
    clauses = []
    if keys is not None:
        bad = [k for k in keys if not _DIGITS.match(str(k))]
        if bad:
            raise InputError(Problem("gemeinde_key_malformed", {"key": ", ".join(map(str, bad))}))
        clauses.append(f"{layer.key} IN ({', '.join(repr(str(k)) for k in keys)})")
    clauses += [f"{col} = {int(value)}" for col, value in layer.keep.items()]
    # (a column the filter names must be read too: OGR ignores the fields it is not asked for)
    gdf = pyogrio.read_dataframe(layer.file, columns=[layer.key, layer.name, layer.type, *layer.keep],
                                 where=" AND ".join(clauses) or None, use_arrow=True)
    return gpd.GeoDataFrame({"area_id": gdf[layer.key].astype(str).to_numpy(),
                             "name": gdf[layer.name].astype(str).to_numpy(),
                             "label": gdf[layer.type].astype(str).to_numpy()},
                            geometry=gdf.geometry.to_numpy(), crs=gdf.crs)


# --------------------------------------------------------------------------- grid cells

def read_cells(layer: GridLayer, *, bbox=None) -> pd.DataFrame:
    """``x, y, value`` of the grid's cells whose square can touch ``bbox`` (grid CRS; None:
    the whole grid): the filter runs in DuckDB's parquet scan."""
    if bbox is not None:
        half = float(layer.cell_size_m) / 2
        bbox = (bbox[0] - half, bbox[1] - half, bbox[2] + half, bbox[3] + half)
    return read_parquet_cells(layer.file, column=layer.column, bbox=bbox).to_pandas()


def read_all_cells(layer: GridLayer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``x, y, value`` (float arrays) of every cell of the grid that has a value, as
    ``read_cells`` gives them but read by pyarrow straight into numpy (no DuckDB connection, no
    pandas): values below 0 (no value or suppressed) and missing values left out."""
    table = pq.read_table(layer.file, columns=["x", "y", layer.column])
    value = pc.fill_null(table[layer.column].cast(pa.float64()), -1.0).to_numpy()
    keep = value >= 0                             # (NaN is no value either)
    x = table["x"].cast(pa.float64()).to_numpy()
    y = table["y"].cast(pa.float64()).to_numpy()
    return x[keep], y[keep], value[keep]


def cells_touching(cells: pd.DataFrame, outline, *, cell_size_m: float) -> np.ndarray:
    """Which cells' squares (centre ± half the size) touch ``outline`` (same CRS)."""
    if cells.empty:
        return np.zeros(0, dtype=bool)
    half = cell_size_m / 2
    x, y = cells["x"].to_numpy(float), cells["y"].to_numpy(float)
    boxes = shapely.box(x - half, y - half, x + half, y + half)
    shapely.prepare(outline)
    return shapely.intersects(outline, boxes)


#: the side of the label raster's pixels (m) of ``CentreLabels``, and the most pixels it may have
LABEL_PIXEL_M = 1000.0
LABEL_PIXELS_MAX = 20_000_000


class CentreLabels:
    """Which outline each point lies in, exact and fast for a million points.

    The outlines are scanned once into a label raster of 1 km pixels (a pixel takes the outline
    its centre lies in: on each row of pixel centres, the outlines' edges cut the row into
    spans, as a rasteriser fills polygons) and a second raster marks every pixel a boundary
    touches (every pixel an edge's end point lies in or whose side the edge crosses). A point
    that *is* a pixel centre takes that pixel's label; any other point takes it when no boundary
    touches its pixel (then the whole pixel lies in one outline or in none). Only the points of
    touched pixels are tested one by one, and each only against its pixel's candidates: the
    outlines whose boundary touches the pixel (kept with the touched raster: each edge's marks
    with the edge's outline) and those whose spans cover the pixel's centre (all of them, before
    the last one wins) — an outline that contains a point but whose boundary does not touch the
    point's closed pixel contains the whole pixel, so its centre. Of the candidates that contain
    the point (``shapely.contains_xy``, GEOS) the highest index wins, as in the label raster and
    as in ``_by_tree`` (testing every point with an STRtree): the same label for every point.
    The rasters come from the outlines' coordinate arrays (numpy), are made once and serve every
    grid of the same CRS. Measured on the whole Zensus grids: the same label for every cell as
    testing every point with the STRtree, in about a fifth of the time; the candidates label the
    points of touched pixels in half the time an STRtree of those points took."""

    def __init__(self, outlines: gpd.GeoSeries):
        self.geoms = np.asarray(outlines.array)
        self._rasters = None

    def sums(self, cells: pd.DataFrame) -> np.ndarray:
        """Per outline, the sum of the values of the cells whose centre lies inside it (cells
        without a value count as 0)."""
        cells = cells[cells["value"].notna()]
        return self.sums_of(cells["x"].to_numpy(float), cells["y"].to_numpy(float),
                            cells["value"].to_numpy(float))

    def sums_of(self, x: np.ndarray, y: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``sums`` from arrays (every value known)."""
        out = np.zeros(len(self.geoms))
        if not len(x) or not len(self.geoms):
            return out
        label = self.labels(x, y)
        inside = label >= 0
        out += np.bincount(label[inside], weights=values[inside], minlength=len(out))
        return out

    def labels(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The index of the outline each point lies in, −1 for none."""
        rasters = self._rasters_for(x, y)
        if rasters is None:                       # not a metric CRS, or a continent: test every point
            return self._by_tree(shapely.points(x, y))
        x0, top, size, label_raster, crossed, near = rasters
        col = ((x - x0) // size).astype(np.int64)
        row = ((top - y) // size).astype(np.int64)
        label = label_raster[row, col].astype(np.int64)
        if np.allclose(x - x0 - col * size, size / 2) and np.allclose(top - y - row * size, size / 2):
            return label                          # every point is a pixel centre: the raster is the answer
        hard = np.flatnonzero(crossed[row, col])
        pixel = row[hard] * crossed.shape[1] + col[hard]
        label[hard] = self._by_candidates(x[hard], y[hard], pixel, near, crossed.size)
        return label

    def _rasters_for(self, x: np.ndarray, y: np.ndarray):
        size = LABEL_PIXEL_M
        if self._rasters is not None:
            x0, top, size, raster, crossed, _ = self._rasters
            height, width = raster.shape
            if x.min() >= x0 and y.max() <= top and x.max() < x0 + width * size and y.min() > top - height * size:
                return self._rasters
        minx, miny, maxx, maxy = shapely.total_bounds(self.geoms)   # (NaN when every outline is empty)
        x0 = np.floor(np.fmin(minx, x.min()) / size) * size
        top = np.ceil(np.fmax(maxy, y.max()) / size) * size
        width = int(np.ceil((np.fmax(maxx, x.max()) - x0) / size)) + 1
        height = int(np.ceil((top - np.fmin(miny, y.min())) / size)) + 1
        if width * height > LABEL_PIXELS_MAX:
            return None
        edges = _edges(self.geoms)
        raster, covered, cover = _scan_labels(edges, x0, top, size, height, width)
        crossed, touched, toucher = _touched_pixels(edges, x0, top, size, height, width)
        on_boundary = crossed.ravel()[covered]    # the spans' pixels a boundary touches
        # each touched pixel's candidates (pixel, outline), unsorted, repeated: the outlines
        # whose boundary touches it and those whose spans cover its centre
        near = (np.concatenate([touched, covered[on_boundary].astype(np.int32)]),
                np.concatenate([toucher, cover[on_boundary].astype(np.int32)]))
        self._rasters = (x0, top, size, raster, crossed, near)
        return self._rasters

    def _by_candidates(self, x: np.ndarray, y: np.ndarray, pixel: np.ndarray, near, pixels: int) -> np.ndarray:
        """Per point (in the touched pixel ``pixel``, flat index into a raster of ``pixels``
        pixels), the highest index of the candidates of its pixel (``near``: pixel, outline)
        that contain it (−1: none): what ``_by_tree`` gives, with about two tests per point
        (the 100 m Zensus cells in touched pixels: 111,646 points, 231,108 tests)."""
        label = np.full(len(x), -1, dtype=np.int64)
        if not len(x):
            return label
        n = len(self.geoms)
        wanted = np.zeros(pixels, dtype=bool)
        wanted[pixel] = True
        near_pixel, near_outline = near
        keep = wanted[near_pixel]
        key = np.sort(near_pixel[keep].astype(np.int64) * n + near_outline[keep])
        key = key[np.r_[True, key[1:] != key[:-1]]]             # (pixel, outline) once, in order
        key_pixel, key_outline = key // n, key % n
        first = np.searchsorted(key_pixel, pixel, "left")
        count = np.searchsorted(key_pixel, pixel, "right") - first
        point = np.repeat(np.arange(len(x)), count)            # each point with its candidates
        outline = key_outline[np.repeat(first, count) + np.arange(len(point)) - np.repeat(np.cumsum(count) - count, count)]
        # (the outlines are prepared in place, once: GEOS indexes an outline's edges on its
        # first test; unprepared, each test would walk all of them)
        shapely.prepare(self.geoms)
        inside = np.flatnonzero(shapely.contains_xy(self.geoms[outline], x[point], y[point]))
        # the pairs are in order of point, then outline: a point's last pair inside is its highest
        last = inside[np.r_[point[inside][1:] != point[inside][:-1], True]] if len(inside) else inside
        label[point[last]] = outline[last]
        return label

    def _by_tree(self, points: np.ndarray) -> np.ndarray:
        """Per point, the index of the outline it lies in (−1: none; in two, the later one, as
        the label raster burns them). The points go into the tree and each outline asks for the
        points it contains: an outline is prepared once for all its points (GEOS). For points
        without a label raster, and what the tests hold ``_by_candidates`` to."""
        label = np.full(len(points), -1, dtype=np.int64)
        area_idx, point_idx = shapely.STRtree(points).query(self.geoms, predicate="contains")
        label[point_idx] = area_idx               # sorted by outline: the later one wins
        return label


def _edges(geoms: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every edge of every ring of ``geoms``: ``x1, y1, x2, y2`` with ``y1 <= y2`` (each edge
    from its lower end, so an edge two outlines share is the same numbers in both) and the index
    of its outline."""
    parts, outline = shapely.get_parts(geoms, return_index=True)
    rings, part = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]                  # consecutive vertices of one ring
    owner = outline[part[ring[1:][same]]]
    ax, ay = coords[:-1, 0][same], coords[:-1, 1][same]
    bx, by = coords[1:, 0][same], coords[1:, 1][same]
    up = ay <= by
    return (np.where(up, ax, bx), np.where(up, ay, by), np.where(up, bx, ax), np.where(up, by, ay), owner)


def _scan_labels(edges, x0: float, top: float, size: float, height: int,
                 width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The label raster: each pixel the index of the outline its centre lies in (−1: none; in
    several, the last). Per row of pixel centres, each outline's edges crossing it (an edge
    counts for the rows ``y1 <= y < y2``) give the x where they cross; sorted, they pair into
    the outline's spans ``[start, end)`` along the row, and the pixels whose centre lies in a
    span take the outline's index. With the raster: every pixel a span covers (flat index) and
    the span's outline, all of them (before the last one wins)."""
    x1, y1, x2, y2, owner = edges
    raster = np.full((height, width), -1, dtype=np.int32)
    ys = top - (np.arange(height) + 0.5) * size          # the rows' centres, top down
    up = ys[::-1]                                        # ascending
    first = np.searchsorted(up, y1, "left")              # rows with y1 <= y < y2
    n = np.searchsorted(up, y2, "left") - first
    hit = n > 0
    x1, y1, x2, y2, owner, first, n = (a[hit] for a in (x1, y1, x2, y2, owner, first, n))
    if not len(n):
        return raster, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=owner.dtype)
    edge = np.repeat(np.arange(len(n)), n)
    k = np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n)
    at = first[edge] + k                                 # index into ``up``
    yr = up[at]
    xc = x1[edge] + (yr - y1[edge]) * ((x2[edge] - x1[edge]) / (y2[edge] - y1[edge]))
    row = height - 1 - at
    who = owner[edge]
    order = np.lexsort((xc, who, row))
    row, who, xc = row[order], who[order], xc[order]
    # a closed outline crosses each row an even number of times: start, end, start, end …
    row, who, start, end = row[0::2], who[0::2], xc[0::2], xc[1::2]
    # the pixels whose centre x0 + (c + ½)·size lies in [start, end)
    c0 = _first_centre_at_or_after(start, x0, size)
    c1 = _first_centre_at_or_after(end, x0, size)
    c0, c1 = np.clip(c0, 0, width), np.clip(c1, 0, width)
    m = np.maximum(c1 - c0, 0)
    flat = np.repeat(row * width + c0, m) + (np.arange(m.sum()) - np.repeat(np.cumsum(m) - m, m))
    value = np.repeat(who, m)
    covered, cover = flat, value
    if len(flat) and np.bincount(flat, minlength=height * width).max() > 1:   # overlapping outlines: the last one wins
        last = np.lexsort((value, flat))
        keep = np.r_[flat[last][1:] != flat[last][:-1], True]
        flat, value = flat[last][keep], value[last][keep]
    raster.ravel()[flat] = value
    return raster, covered, cover


def _first_centre_at_or_after(x: np.ndarray, x0: float, size: float) -> np.ndarray:
    """The first pixel column whose centre ``x0 + (c + ½)·size`` is ``>= x`` (exact: the
    estimate is checked against the centres as they are computed)."""
    c = np.ceil((x - x0) / size - 0.5).astype(np.int64)
    c -= (x0 + (c - 1 + 0.5) * size >= x)
    c += (x0 + (c + 0.5) * size < x)
    return c


def _touched_pixels(edges, x0: float, top: float, size: float, height: int,
                    width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pixel a boundary touches (its closed square): the pixels around each edge's end
    points and on both sides of each point where an edge crosses a pixel line (an edge that
    passes through a pixel either ends in it or crosses one of its sides); a point on or within
    a millionth of a pixel of a pixel line marks the pixels on both sides of that line. With the
    raster: every mark (flat pixel index, repeated) and the outline of the edge that made it."""
    x1, y1, x2, y2, owner = edges
    crossed = np.zeros((height, width), dtype=bool)
    pixels, outlines = [], []

    def touch(row: np.ndarray, col: np.ndarray, who: np.ndarray) -> None:
        # (int32: a raster has at most LABEL_PIXELS_MAX pixels; the marks are kept with it)
        pixels.append((np.clip(row, 0, height - 1) * width + np.clip(col, 0, width - 1)).astype(np.int32))
        outlines.append(who.astype(np.int32))

    def mark(px: np.ndarray, py: np.ndarray, who: np.ndarray, row: np.ndarray | None = None,
             col: np.ndarray | None = None) -> None:
        """The pixels around the points ``px, py`` (of the outlines ``who``); ``row``/``col``:
        the line index where the points lie on a horizontal/vertical pixel line by construction
        (both sides marked)."""
        if row is None:
            v = (top - py) / size
            row = np.rint(v).astype(np.int64)
            on_row = np.abs(v - row) < 1e-6
            row = np.where(on_row, row, np.floor(v).astype(np.int64) + 1)   # + 1: the line below
        else:
            on_row = np.ones(len(px), dtype=bool)
        if col is None:
            v = (px - x0) / size
            col = np.rint(v).astype(np.int64)
            on_col = np.abs(v - col) < 1e-6
            col = np.where(on_col, col, np.floor(v).astype(np.int64) + 1)
        else:
            on_col = np.ones(len(px), dtype=bool)
        # (row, col) is the pixel below and right of the point's nearest line crossing: the
        # point lies in pixel (row − 1, col − 1); on a line, the pixels across it too
        touch(row - 1, col - 1, who)
        touch(row[on_row], col[on_row] - 1, who[on_row])
        touch(row[on_col] - 1, col[on_col], who[on_col])
        both = on_row & on_col
        touch(row[both], col[both], who[both])

    mark(np.concatenate([x1, x2]), np.concatenate([y1, y2]), np.concatenate([owner, owner]))   # the end points
    # crossings of the vertical pixel lines x = x0 + j·size
    lo, hi = np.minimum(x1, x2), np.maximum(x1, x2)
    j0 = np.ceil((lo - x0) / size).astype(np.int64)
    n = np.maximum(np.floor((hi - x0) / size).astype(np.int64) - j0 + 1, 0)
    if n.sum():
        e = np.repeat(np.arange(len(n)), n)
        j = j0[e] + np.arange(len(e)) - np.repeat(np.cumsum(n) - n, n)
        xl = x0 + j * size
        dx = x2[e] - x1[e]
        with np.errstate(invalid="ignore", divide="ignore"):
            yl = np.where(dx != 0, y1[e] + (xl - x1[e]) * ((y2[e] - y1[e]) / dx), y1[e])
        mark(xl, yl, owner[e], col=j)
    # crossings of the horizontal pixel lines y = top − i·size
    i0 = np.ceil((top - y2) / size).astype(np.int64)
    n = np.maximum(np.floor((top - y1) / size).astype(np.int64) - i0 + 1, 0)
    if n.sum():
        e = np.repeat(np.arange(len(n)), n)
        i = i0[e] + np.arange(len(e)) - np.repeat(np.cumsum(n) - n, n)
        yl = top - i * size
        dy = y2[e] - y1[e]
        with np.errstate(invalid="ignore", divide="ignore"):
            xl = np.where(dy != 0, x1[e] + (yl - y1[e]) * ((x2[e] - x1[e]) / dy), x1[e])
        mark(xl, yl, owner[e], row=i)
    touched, toucher = np.concatenate(pixels), np.concatenate(outlines)
    crossed.ravel()[touched] = True
    return crossed, touched, toucher
