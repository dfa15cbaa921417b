"""Importers for walking access: a pedestrian network, the homes used as origins, and
physical barriers.

- ``network``: lines (GeoPackage/Shapefile/GeoJSON …, LineString or MultiLineString, ways split
  or not) or a whole OSM extract (``.osm.pbf``, read with pyrosm's walking filter). Stored as
  straight segments in the work CRS with the area the network covers (concave hull).
- ``origins``: residential buildings (polygons → centroid, weighted by footprint × storeys) or
  points; from a vector file with an optional attribute filter, or from an ``.osm.pbf``
  (residential building tags).
- ``barriers``: railways, motorways, rivers, canals, water areas, with the classes to keep; from a
  vector file (one kind) or an ``.osm.pbf`` (every kind of ``data/barriers/osm_barriers.toml``,
  ways in tunnels or on bridges left out).

OSM extracts are read by their content, never by the header's bounding box (pyrosm reads every
block; a whole-town extract whose header box is bogus comes through whole). The importers call
``progress(fraction, step)`` when given one (the CLI prints it, the app shows a bar).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.analysis.access.network import network_from_segments
from jmdiq_geo.crs import to_work_crs
from jmdiq_geo.errors import InputError, Problem, SchemaError, raise_if_errors
from jmdiq_geo.io.catalogues import osm_barriers, osm_categories
from jmdiq_geo.io.commit import ImportReport, Source, commit_import
from jmdiq_geo.io.readers import check_file, read_vector
from jmdiq_geo.io.validate import check_columns, check_geometries, normalise_keys
from jmdiq_geo.store.workspace import Workspace

Progress = Callable[[float, str], None]

#: highway classes nobody may walk on
NOT_WALKABLE = ("motorway", "motorway_link")
#: OSM building tags that are homes
RESIDENTIAL_BUILDINGS = ("residential", "apartments", "house", "detached", "semidetached_house", "terrace",
                         "dormitory", "bungalow")


@dataclass
class NetworkSpec:
    network_id: str = "walk"
    label: str | None = None
    class_column: str | None = None                       # e.g. "fclass" / "highway"
    exclude: list[str] = field(default_factory=lambda: list(NOT_WALKABLE))
    crs: str | None = None
    layer: str | None = None
    #: buffer (m) around the network's concave hull = the area it covers
    coverage_buffer_m: float = 50.0


@dataclass
class OriginSpec:
    kind: str = "building"
    id: str | None = None
    filter: dict[str, list[str]] = field(default_factory=dict)   # column → accepted values
    storeys: str | None = None
    crs: str | None = None
    layer: str | None = None
    id_prefix: str | None = None


@dataclass
class BarrierSpec:
    kind: str                                   # "rail" | "road" | "water"
    class_column: str | None = None
    keep: list[str] = field(default_factory=list)
    name: str | None = None
    id: str | None = None
    crs: str | None = None
    id_prefix: str | None = None


def _drop_empty(gdf: gpd.GeoDataFrame, problems: list[Problem], *, file: str) -> gpd.GeoDataFrame:
    """Features whose geometry is empty after repair (a footprint that collapsed) are skipped
    with a notice."""
    empty = gdf.geometry.is_empty | gdf.geometry.isna()
    if empty.any():
        problems.append(Problem("geometries_empty_dropped", {"count": int(empty.sum())}, file=file,
                                severity="notice"))
    return gdf[~empty]


def _filter_text(spec_filter: dict) -> str:
    return "; ".join(f"{k} = {' | '.join(map(str, v))}" for k, v in spec_filter.items()) or "–"


def _is_pbf(path: Path) -> bool:
    return path.name.lower().endswith(".pbf")


def _say(progress: Progress | None, fraction: float, step: str) -> None:
    if progress is not None:
        progress(fraction, step)


def _read_pbf(path: Path, what: str, *, max_bytes: int, progress: Progress | None = None) -> gpd.GeoDataFrame:
    """Walkable ways (``network``), buildings (``buildings``), barrier ways and water areas
    (``barriers``) or the points of interest that map to a service category (``services``) from
    an OSM extract, read with pyrosm (by content: the header's bounding box is not used)."""
    check_file(path, max_bytes=max_bytes)
    from pyrosm import OSM

    _say(progress, 0.0, "read")
    try:
        osm = OSM(str(path))
        if what == "network":
            frame = osm.get_network(network_type="walking")
        elif what == "buildings":
            frame = osm.get_buildings()
        elif what == "barriers":
            wanted: dict[str, list[str]] = {}
            for tags in osm_barriers().values():
                for key, values in tags.items():
                    wanted.setdefault(key, []).extend(values)
            frame = osm.get_data_by_custom_criteria(custom_filter=wanted, filter_type="keep", keep_nodes=False,
                                                    keep_ways=True, keep_relations=True)
        else:
            frame = osm.get_pois(custom_filter={key: list(values) for key, values in osm_categories().items()})
    except Exception as exc:  # pyrosm raises bare exceptions for damaged files
        raise InputError(Problem("pbf_unreadable", {"detail": str(exc)[:200]}, file=path.name)) from None
    if frame is None or len(frame) == 0:
        raise InputError(Problem("pbf_empty", {"what": what}, file=path.name))
    _say(progress, 0.4, "read")
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=frame.crs or "EPSG:4326")


def read_pbf_services(path: Path, *, max_bytes: int) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Points of interest of an OSM extract whose tags map to a service category
    (``data/services/osm_categories.toml``) and that category; areas (a school's grounds) become
    a point inside them."""

    pois = _read_pbf(path, "services", max_bytes=max_bytes)
    pois = pois[pois.geometry.notna() & ~pois.geometry.is_empty]
    category = pd.Series(None, index=pois.index, dtype=object)
    for key, values in osm_categories().items():
        if key in pois:
            category = category.where(category.notna(), pois[key].map(values))
    pois = pois[category.notna()].copy()
    category = category[category.notna()]
    if len(pois) == 0:
        raise InputError(Problem("pbf_empty", {"what": "services"}, file=path.name))
    points = pois.geometry.where(pois.geometry.geom_type == "Point", pois.geometry.representative_point())
    pois = pois.set_geometry(points)
    pois["id"] = pois["osm_type"].astype(str).str[0] + pois["id"].astype(str)
    for col in ("name", "opening_hours", "wheelchair"):
        if col not in pois:
            pois[col] = None
    return pois[["id", "name", "opening_hours", "wheelchair", "geometry"]], category


def import_network(ws: Workspace, path: Path | str, spec: NetworkSpec, source: Source, *, max_bytes: int,
                   dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """The walkable network as straight segments; the report gives its length, nodes, segments
    and connected share (the largest connected part's share of the length, %)."""
    path = Path(path)
    problems: list[Problem] = []
    if _is_pbf(path):
        gdf = _read_pbf(path, "network", max_bytes=max_bytes, progress=progress)
        class_column = spec.class_column or "highway"
    else:
        gdf = read_vector(path, crs=spec.crs, layer=spec.layer, max_bytes=max_bytes)
        class_column = spec.class_column
    raise_if_errors(check_columns(gdf.columns, {"class": class_column}, file=path.name), SchemaError)
    gdf, geo_problems = check_geometries(gdf, expected="line", file=path.name, invalid="repair")
    problems += geo_problems
    if len(gdf) == 0:
        problems.append(Problem("file_empty", file=path.name))
    notices = raise_if_errors(problems, InputError)
    rows = len(gdf)
    dropped = 0
    if class_column and spec.exclude:
        walkable = ~gdf[class_column].astype(str).isin(spec.exclude)
        dropped = int((~walkable).sum())
        gdf = gdf[walkable]
    if dropped:
        notices.append(Problem("network_excluded", {"count": dropped, "classes": ", ".join(spec.exclude)},
                               file=path.name, severity="notice"))
    gdf = to_work_crs(gdf, ws.work_crs, file=path.name, near=ws.extent())
    parts = gdf.explode(index_parts=False)
    coords, idx = shapely.get_coordinates(parts.geometry.array, return_index=True)
    same = idx[1:] == idx[:-1]
    classes = parts[class_column].astype(str).to_numpy() if class_column else np.full(len(parts), None)
    segments = pd.DataFrame({"x1": coords[:-1, 0][same], "y1": coords[:-1, 1][same],
                             "x2": coords[1:, 0][same], "y2": coords[1:, 1][same],
                             "fclass": classes[idx[:-1][same]]})
    segments = segments[(segments["x1"] != segments["x2"]) | (segments["y1"] != segments["y2"])]
    if segments.empty:        # nothing walkable left: never replace a stored network by nothing
        raise InputError(Problem("network_nothing_walkable", {"classes": ", ".join(spec.exclude) or "–"},
                                 file=path.name))
    _say(progress, 0.5, "graph")
    graph = network_from_segments(segments[["x1", "y1"]].to_numpy(), segments[["x2", "y2"]].to_numpy())
    main = graph.component[graph.u] == graph.main_component
    _say(progress, 0.7, "coverage")
    vertices = shapely.multipoints(coords)
    coverage = shapely.concave_hull(vertices, ratio=0.3).buffer(spec.coverage_buffer_m)
    _say(progress, 0.9, "write")
    report = ImportReport("network", path.name, rows=rows, written=len(segments), notices=notices,
                          details={"network_id": spec.network_id, "segments": len(segments),
                                   "length_km": round(float(np.hypot(segments.x2 - segments.x1,
                                                                     segments.y2 - segments.y1).sum()) / 1000, 1),
                                   "nodes": int(graph.n_nodes), "edges": int(graph.n_edges),
                                   "components": int(graph.component.max() + 1) if graph.n_nodes else 0,
                                   "connected_share": round(float(graph.length[main].sum() / graph.length.sum() * 100),
                                                            2) if graph.n_edges else 0.0,
                                   "extent": [round(float(v), 1) for v in shapely.bounds(vertices)]})
    return commit_import(ws, report, source, path, asdict(spec),
                   lambda: ws.replace_network(spec.network_id, label=spec.label or path.name, segments=segments,
                                              coverage=coverage, source_id=source.source_id), dry_run=dry_run)


def import_origins(ws: Workspace, path: Path | str, spec: OriginSpec, source: Source, *, max_bytes: int,
                   dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    path = Path(path)
    if _is_pbf(path):
        gdf = _read_pbf(path, "buildings", max_bytes=max_bytes, progress=progress)
        spec_filter = spec.filter or {"building": list(RESIDENTIAL_BUILDINGS)}
    else:
        gdf = read_vector(path, crs=spec.crs, layer=spec.layer, max_bytes=max_bytes)
        spec_filter = spec.filter
    cols = {f"filter {c}": c for c in spec_filter}
    cols.update({"storeys": spec.storeys, "id": spec.id})
    raise_if_errors(check_columns(gdf.columns, cols, file=path.name), SchemaError)
    rows = len(gdf)
    for column, accepted in spec_filter.items():
        gdf = gdf[gdf[column].astype(str).isin([str(a) for a in accepted])]
    problems: list[Problem] = []
    if len(gdf) == 0:
        problems.append(Problem("origins_none", {"filter": _filter_text(spec_filter)}, file=path.name))
    raise_if_errors(problems, InputError)
    polygons = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    gdf, geo_problems = check_geometries(gdf, expected="polygon" if polygons else "point", file=path.name,
                                         invalid="repair")
    gdf = _drop_empty(gdf, geo_problems, file=path.name)
    if len(gdf) == 0:
        geo_problems.append(Problem("origins_none", {"filter": _filter_text(spec_filter)}, file=path.name))
    notices = raise_if_errors(geo_problems, InputError)
    gdf = to_work_crs(gdf, ws.work_crs, file=path.name, near=ws.extent())
    if polygons:
        points = gdf.geometry.representative_point()
        basis = gdf.geometry.area.to_numpy()
        if spec.storeys:
            storeys = pd.to_numeric(gdf[spec.storeys], errors="coerce").fillna(1).clip(lower=1).to_numpy()
            basis = basis * storeys
    else:
        points = gdf.geometry
        basis = np.ones(len(gdf))
    prefix = spec.id_prefix or source.source_id
    ids = normalise_keys(gdf[spec.id]).to_numpy() if spec.id else np.arange(1, len(gdf) + 1).astype(str)
    frame = pd.DataFrame({"origin_id": [f"{prefix}:{i}" for i in ids], "x": points.x.to_numpy(),
                          "y": points.y.to_numpy(), "basis": basis, "kind": spec.kind})
    dup = frame["origin_id"].duplicated()
    if dup.any():
        frame.loc[dup, "origin_id"] = [f"{v}#{k}" for k, v in enumerate(frame.loc[dup, "origin_id"])]
    report = ImportReport("origins", path.name, rows=rows, written=len(frame), notices=notices,
                          details={"kind": spec.kind})
    return commit_import(ws, report, source, path, asdict(spec),
                   lambda: ws.replace_origins(frame, source_id=source.source_id, id_prefix=prefix), dry_run=dry_run)


def _pbf_barriers(path: Path, spec: BarrierSpec, *, max_bytes: int,
                  progress: Progress | None) -> tuple[gpd.GeoDataFrame, int, BarrierSpec]:
    """The barrier ways and water areas of an OSM extract with their kind and class (the tag
    value), name (``name``, for roads else ``ref``: "A 5") and ``osm_type`` + id as the id;
    ways in a tunnel or on a bridge are left out (people pass there)."""
    gdf = _read_pbf(path, "barriers", max_bytes=max_bytes, progress=progress)
    rows = len(gdf)
    kind = pd.Series(None, index=gdf.index, dtype=object)
    cls = pd.Series(None, index=gdf.index, dtype=object)
    for barrier_kind, tags in osm_barriers().items():
        for key, values in tags.items():
            if key not in gdf:
                continue
            hit = kind.isna() & gdf[key].astype(str).isin(values)
            kind[hit], cls[hit] = barrier_kind, gdf.loc[hit, key].astype(str)
    passable = pd.Series(False, index=gdf.index)
    for key in ("tunnel", "bridge"):
        if key in gdf:
            passable |= gdf[key].notna() & ~gdf[key].astype(str).isin(["no", "None", "nan"])
    keep = kind.notna() & ~passable
    if spec.keep:
        keep &= cls.isin(spec.keep)
    gdf = gdf[keep].copy()
    gdf["kind"], gdf["class"] = kind[keep], cls[keep]
    names = gdf["name"] if "name" in gdf else pd.Series(None, index=gdf.index, dtype=object)
    if "ref" in gdf:                  # a motorway's "A 5" (a railway's ref is a line number: not a name)
        names = names.where(names.notna() | (gdf["kind"] != "road"), gdf["ref"])
    gdf["name"] = names
    gdf["osm_id"] = gdf["osm_type"].astype(str).str[0] + gdf["id"].astype(str)
    # water areas as their shore lines: one geometry family for the crossing test
    areas = gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    if areas.any():
        gdf.loc[areas, "geometry"] = gdf.geometry[areas].boundary
    return gdf, rows, BarrierSpec(kind="osm", class_column="class", keep=spec.keep, name="name", id="osm_id",
                                  id_prefix=spec.id_prefix)


def import_barriers(ws: Workspace, path: Path | str, spec: BarrierSpec, source: Source, *, max_bytes: int,
                    dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Barrier lines or areas of one kind from a vector file, or of every kind from an
    ``.osm.pbf`` (``data/barriers/osm_barriers.toml``; ``spec.keep`` narrows the classes)."""
    path = Path(path)
    if _is_pbf(path):
        gdf, rows, spec = _pbf_barriers(path, spec, max_bytes=max_bytes, progress=progress)
    else:
        gdf = read_vector(path, crs=spec.crs, max_bytes=max_bytes)
        raise_if_errors(check_columns(gdf.columns, {"class": spec.class_column, "name": spec.name, "id": spec.id},
                                      file=path.name), SchemaError)
        rows = len(gdf)
        if spec.class_column and spec.keep:
            gdf = gdf[gdf[spec.class_column].astype(str).isin(spec.keep)]
    if len(gdf) == 0:
        raise InputError(Problem("barriers_none", {"classes": ", ".join(spec.keep) or "–"}, file=path.name))
    lines = gdf.geometry.geom_type.isin(["LineString", "MultiLineString"]).all()
    gdf, geo_problems = check_geometries(gdf, expected="line" if lines else "polygon", file=path.name,
                                         invalid="repair")
    gdf = _drop_empty(gdf, geo_problems, file=path.name)
    notices = raise_if_errors(geo_problems, InputError)
    gdf = to_work_crs(gdf, ws.work_crs, file=path.name, near=ws.extent())
    prefix = spec.id_prefix or source.source_id
    ids = normalise_keys(gdf[spec.id]).to_numpy() if spec.id else np.arange(1, len(gdf) + 1).astype(str)
    names = gdf[spec.name].astype(object).where(gdf[spec.name].notna(), None).to_numpy() if spec.name else None
    kinds = gdf["kind"].to_numpy(object) if spec.kind == "osm" else spec.kind
    out = gpd.GeoDataFrame({"barrier_id": [f"{prefix}:{i}" for i in ids], "kind": kinds,
                            "class": gdf[spec.class_column].astype(str).to_numpy() if spec.class_column else None,
                            "name": names}, geometry=gdf.geometry.to_numpy(), crs=ws.work_crs)
    out = out.drop_duplicates("barrier_id")
    report = ImportReport("barriers", path.name, rows=rows, written=len(out), notices=notices,
                          details={"kind": spec.kind, "by_kind": {str(k): int(n) for k, n in
                                                                  out["kind"].value_counts().items()}})
    return commit_import(ws, report, source, path, asdict(spec),
                   lambda: ws.replace_barriers(out, source_id=source.source_id, id_prefix=prefix), dry_run=dry_run)
