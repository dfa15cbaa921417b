"""Checks that collect problems (never raise on the first one): columns, keys, geometries."""
from __future__ import annotations

import difflib

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.errors import Problem

POLYGONAL = {"Polygon", "MultiPolygon"}
PUNTAL = {"Point", "MultiPoint"}
LINEAL = {"LineString", "MultiLineString"}
EXPECTED = {"polygon": POLYGONAL, "point": PUNTAL, "line": LINEAL}


def check_columns(columns, required: dict[str, str | None], *, file: str) -> list[Problem]:
    """Every column named in ``required`` (role -> column) must exist; suggest near names."""
    present = [str(c) for c in columns]
    problems = []
    for role, column in required.items():
        if column is None or column in present:
            continue
        near = difflib.get_close_matches(column, present, n=3, cutoff=0.5)
        problems.append(Problem("column_missing", {
            "role": role, "suggest": ", ".join(f"'{c}'" for c in near) or "–",
            "available": ", ".join(present[:25]) + (" …" if len(present) > 25 else "")},
            file=file, column=column))
    return problems


def normalise_keys(series: pd.Series, *, width: int | None = None) -> pd.Series:
    """Keys as strings: integers without ``.0``, stripped, optionally zero-padded to ``width``."""
    if isinstance(series.dtype, pd.StringDtype) or (series.dtype == object and all(isinstance(v, str)
                                                                                     for v in series)):
        keys = series.astype("str").fillna("").str.strip()           # text keys: vectorised
        if width:
            keys = keys.where(keys == "", keys.str.zfill(width))
        return keys.astype(object)

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            v = int(v)
        text = str(v).strip()
        return text.zfill(width) if width and text else text
    return series.map(one).astype(object)


def check_keys(keys: pd.Series, *, file: str, column: str) -> list[Problem]:
    """Keys must be present and unique. Row numbers are 1-based."""
    problems = []
    positions = np.arange(1, len(keys) + 1)
    empty = (keys == "").to_numpy()
    if empty.any():
        rows = positions[empty][:10]
        problems.append(Problem("key_empty", {"count": int(empty.sum()), "rows": ", ".join(map(str, rows))},
                                file=file, row=int(rows[0]), column=column))
    dup = keys.duplicated(keep=False).to_numpy() & ~empty
    if dup.any():
        listing = []
        for key, rows in pd.Series(positions[dup], index=keys[dup].to_numpy()).groupby(level=0):
            listing.append(f"'{key}' ({', '.join(map(str, rows.tolist()[:5]))})")
        problems.append(Problem("key_duplicate", {"count": len(listing), "keys": "; ".join(listing[:10])},
                                file=file, row=int(positions[dup][0]), column=column))
    return problems


def check_geometries(gdf: gpd.GeoDataFrame, *, expected: str, file: str,
                     invalid: str = "repair") -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """Validate geometries; return a cleaned copy (2D, valid, single type family) and problems.

    ``expected`` is ``polygon``, ``point`` or ``line``. ``invalid`` is ``repair`` (make_valid
    and report a notice naming the features) or ``reject`` (an error naming them).
    """
    problems: list[Problem] = []
    geoms = gdf.geometry.array
    rows = np.arange(1, len(gdf) + 1)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        r = rows[missing][:10]
        problems.append(Problem("geometry_empty", {"count": int(missing.sum()), "rows": ", ".join(map(str, r))},
                                file=file, row=int(r[0])))
    types = np.asarray(shapely.get_type_id(geoms))
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
                      "MultiPolygon", "GeometryCollection", ""], dtype=object)[np.where(types < 0, 8, types)]
    wrong = ~missing & ~np.isin(names, list(EXPECTED[expected]))
    if wrong.any():
        found = ", ".join(sorted(set(names[wrong])))
        r = rows[wrong][:10]
        problems.append(Problem("geometry_type", {"expected": expected, "found": found, "count": int(wrong.sum()),
                                                  "rows": ", ".join(map(str, r))}, file=file, row=int(r[0])))
    out = gdf.copy()
    if shapely.has_z(geoms[~missing]).any():
        out = out.set_geometry(shapely.force_2d(out.geometry.array))
        problems.append(Problem("geometry_3d", file=file, severity="notice"))
    ok = ~missing & ~wrong
    valid = np.ones(len(out), dtype=bool)
    valid[ok] = shapely.is_valid(out.geometry.array[ok])
    if (~valid).any():
        r = rows[~valid]
        reasons = shapely.is_valid_reason(out.geometry.array[~valid])
        detail = "; ".join(f"{i}: {why}" for i, why in list(zip(r, reasons))[:5])
        if invalid == "reject":
            problems.append(Problem("geometry_invalid", {"count": int((~valid).sum()), "detail": detail},
                                    file=file, row=int(r[0])))
        else:
            fixed = shapely.make_valid(out.geometry.array[~valid])
            if expected == "polygon":
                fixed = np.array([_polygonal_part(g) for g in fixed], dtype=object)
            geom = out.geometry.array.copy()
            geom[~valid] = fixed
            out = out.set_geometry(gpd.GeoSeries(geom, index=out.index, crs=out.crs))
            problems.append(Problem("geometry_repaired", {"count": int((~valid).sum()), "detail": detail},
                                    file=file, row=int(r[0]), severity="notice"))
    if expected == "polygon" and not problems_are_errors(problems):
        geom = np.asarray(out.geometry.array, dtype=object).copy()
        single = shapely.get_type_id(geom) == 3          # Polygon -> MultiPolygon of one part
        if single.any():
            geom[single] = shapely.multipolygons(geom[single][:, None])
        out = out.set_geometry(gpd.GeoSeries(geom, index=out.index, crs=out.crs))
    return out, problems


def _polygonal_part(geom):
    if geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in POLYGONAL]
    return shapely.unary_union(parts) if parts else shapely.MultiPolygon()


def problems_are_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
