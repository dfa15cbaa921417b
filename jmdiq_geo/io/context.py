"""Context layers for the maps: main streets, water, railways and parks, read from a file the
workspace imports (never from a tile server).

- From an OSM extract (``.osm.pbf``, read with pyrosm by content) the ways and areas whose tags
  ``data/context/osm_context.toml`` names, each put into its layer (streets, water, rail, parks).
- From a vector file (GeoPackage, Shapefile, GeoJSON …): with ``spec.context_layer`` every feature goes
  into that layer (``class_column`` + ``keep`` narrow it); without, each feature's layer is read
  off its OSM tag columns (``highway``, ``railway`` …) or, in Geofabrik's shapefiles, off the tag
  value in ``fclass``.
- Ways in a tunnel are left out; what lies more than ``CLIP_MARGIN_M`` beyond the workspace's
  areas is cut off. Geometry is stored in the work CRS, simplified to
  ``spec.tolerance_m`` (the maps draw it at city and quarter zoom, never at house level), and a
  file imported again replaces what it gave before.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.crs import to_work_crs
from jmdiq_geo.errors import InputError, Problem, SchemaError, raise_if_errors
from jmdiq_geo.io.catalogues import osm_context
from jmdiq_geo.io.commit import ImportReport, Source, commit_import
from jmdiq_geo.io.readers import check_file, read_vector
from jmdiq_geo.io.validate import check_columns
from jmdiq_geo.store.workspace import Workspace

#: the context layers, in drawing order (areas first, then these on top)
CONTEXT_LAYERS = ("parks", "water", "rail", "streets")
LINE_TYPES = ("LineString", "MultiLineString")
AREA_TYPES = ("Polygon", "MultiPolygon")
#: margin (m) kept around the workspace's areas when a file reaches further
CLIP_MARGIN_M = 2000.0


@dataclass
class ContextSpec:
    #: the context layer every feature of the file goes to (streets | water | rail | parks); None: by tags
    context_layer: str | None = None
    class_column: str | None = None          # e.g. "fclass" / "highway"
    keep: list[str] = field(default_factory=list)
    name: str | None = None                  # name column (default: "name" when there is one)
    crs: str | None = None
    layer: str | None = None                 # a GeoPackage's layer (as for every import)
    tolerance_m: float = 5.0


def classify_context(frame: pd.DataFrame, catalogue: dict[str, dict[str, list[str]]]) -> tuple[pd.Series, pd.Series]:
    """(layer, class) of each row from its OSM tag columns (first matching layer of the
    catalogue wins), or from the tag value in ``fclass`` (Geofabrik's shapefiles); None where
    nothing matches."""
    layer = pd.Series(None, index=frame.index, dtype=object)
    cls = pd.Series(None, index=frame.index, dtype=object)
    for name, tags in catalogue.items():
        for key, values in tags.items():
            if key not in frame:
                continue
            hit = layer.isna() & frame[key].astype(str).isin(values)
            layer[hit], cls[hit] = name, frame.loc[hit, key].astype(str)
    if "fclass" in frame:
        by_value = {}
        for name, tags in catalogue.items():
            for values in tags.values():
                for v in values:
                    by_value.setdefault(v, name)
        values = frame["fclass"].astype(str)
        hit = layer.isna() & values.isin(list(by_value))
        layer[hit], cls[hit] = values[hit].map(by_value), values[hit]
    return layer, cls


def _in_tunnel(frame: pd.DataFrame) -> pd.Series:
    out = pd.Series(False, index=frame.index)
    if "tunnel" in frame:
        out |= frame["tunnel"].notna() & ~frame["tunnel"].astype(str).str.lower().isin(
            ["no", "none", "nan", "f", "false", "0", ""])
    return out


def _read_pbf_context(path: Path, *, max_bytes: int) -> gpd.GeoDataFrame:
    check_file(path, max_bytes=max_bytes)
    from pyrosm import OSM

    wanted: dict[str, list[str]] = {}
    for tags in osm_context().values():
        for key, values in tags.items():
            wanted.setdefault(key, []).extend(values)
    try:
        frame = OSM(str(path)).get_data_by_custom_criteria(custom_filter=wanted, filter_type="keep",
                                                           keep_nodes=False, keep_ways=True, keep_relations=True)
    except Exception as exc:  # pyrosm raises bare exceptions for damaged files
        raise InputError(Problem("pbf_unreadable", {"detail": str(exc)[:200]}, file=path.name)) from None
    if frame is None or len(frame) == 0:
        raise InputError(Problem("pbf_empty", {"what": "context"}, file=path.name))
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=frame.crs or "EPSG:4326")


def context_features(path: Path | str, spec: ContextSpec, *, work_crs: str, near=None,
                     max_bytes: int) -> tuple[gpd.GeoDataFrame, int, list[Problem]]:
    """The context features of ``path`` (layer, class, name, geometry in the work CRS), the
    number of features read and the notices."""
    path = Path(path)
    catalogue = osm_context()
    if spec.context_layer is not None and spec.context_layer not in CONTEXT_LAYERS:
        raise InputError(Problem("context_layer_unknown", {"layer": spec.context_layer, "known": ", ".join(CONTEXT_LAYERS)},
                                 file=path.name))
    pbf = path.name.lower().endswith(".pbf")
    gdf = (_read_pbf_context(path, max_bytes=max_bytes) if pbf
           else read_vector(path, crs=spec.crs, layer=spec.layer, max_bytes=max_bytes))
    rows = len(gdf)
    raise_if_errors(check_columns(gdf.columns, {"class": spec.class_column, "name": spec.name}, file=path.name),
                    SchemaError)
    if spec.context_layer is not None and not pbf:
        layer = pd.Series(spec.context_layer, index=gdf.index, dtype=object)
        cls = (gdf[spec.class_column].astype(str) if spec.class_column
               else pd.Series(spec.context_layer, index=gdf.index, dtype=object))
    else:
        layer, cls = classify_context(gdf, catalogue)
        if spec.context_layer is not None:    # an OSM extract asked for one layer only
            layer = layer.where(layer == spec.context_layer)
    keep = layer.notna() & ~_in_tunnel(gdf)
    if spec.keep:
        keep &= cls.isin(spec.keep)
    if not keep.any():
        raise InputError(Problem("context_none", {"layers": ", ".join(CONTEXT_LAYERS),
                                                  "classes": ", ".join(spec.keep) or "–"}, file=path.name))
    name_col = spec.name or ("name" if "name" in gdf else None)
    out = gpd.GeoDataFrame({"layer": layer[keep].to_numpy(object), "class": cls[keep].to_numpy(object),
                            "name": (gdf.loc[keep, name_col].astype(object).where(gdf.loc[keep, name_col].notna(), None)
                                     .to_numpy(object) if name_col else None)},
                           geometry=gdf.geometry[keep].to_numpy(), crs=gdf.crs)
    problems: list[Problem] = []
    geoms = shapely.force_2d(out.geometry.array)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    geoms[~bad] = shapely.make_valid(geoms[~bad])
    kinds = np.asarray(shapely.get_type_id(geoms))
    # lines and areas only (a park mapped as a point has no shape to draw); a collection that
    # make_valid returned is reduced to its areas
    collection = kinds == 7
    if collection.any():
        geoms[collection] = [shapely.unary_union([g for g in shapely.get_parts(c) if g.geom_type in AREA_TYPES])
                             for c in geoms[collection]]
        kinds = np.asarray(shapely.get_type_id(geoms))
    drawable = ~bad & np.isin(kinds, [1, 2, 3, 5, 6]) & ~shapely.is_empty(geoms)
    if (~drawable).any():
        problems.append(Problem("context_skipped", {"count": int((~drawable).sum())}, file=path.name,
                                severity="notice"))
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))[drawable]
    out = to_work_crs(out, work_crs, file=path.name, near=near)
    if spec.tolerance_m > 0:
        out = out.set_geometry(out.geometry.simplify(spec.tolerance_m, preserve_topology=True))
    out = out[~out.geometry.is_empty]
    return out.reset_index(drop=True), rows, problems


def import_context(ws: Workspace, path: Path | str, spec: ContextSpec, source: Source, *, max_bytes: int,
                   dry_run: bool = False, progress=None) -> ImportReport:
    """Context layers from one file; what the same file of the same source gave before is
    replaced (the walking network and barriers are left alone)."""
    path = Path(path)
    extent = ws.extent()
    out, rows, notices = context_features(path, spec, work_crs=ws.work_crs, near=extent, max_bytes=max_bytes)
    if extent is not None:            # what lies beyond the workspace's areas (+ a margin) is never seen
        frame = shapely.box(*extent).buffer(CLIP_MARGIN_M, join_style="mitre")
        out = out[out.intersects(frame)]
        out = out.set_geometry(out.geometry.intersection(frame))
        out = out[~out.geometry.is_empty & out.geometry.geom_type.isin(LINE_TYPES + AREA_TYPES + ("GeometryCollection",))]
        out = out.reset_index(drop=True)
    by_layer = {str(k): int(n) for k, n in out["layer"].value_counts().sort_index().items()}
    report = ImportReport("context", path.name, rows=rows, written=len(out), notices=notices,
                          details={"by_layer": by_layer})
    return commit_import(ws, report, source, path, asdict(spec),
                         lambda: ws.replace_context_features(out, source_id=source.source_id,
                                                                   file=path.name), dry_run=dry_run)
