"""The import use case: one file into the workspace (then the derived indicators that use it
are refreshed), and a preview of a file before its columns are mapped.

The import specs, ``Source`` and ``KINDS`` are re-exported from ``io`` for the CLI and the
Import page, which build specs from plain options and never import ``io`` themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from jmdiq_geo.io.imports import (INDICATOR_KINDS, KIND_WORDS, KINDS, BoundarySpec, GridSpec, ImportReport,
                                  IndicatorDef, ProgrammeSpec, ServiceSpec, Source, TableSpec, TablePlan,
                                  guess_indicator_kind, inspect_indicator_table, plan_indicator_table, run_import)
from jmdiq_geo.io.service_attributes import KEYS as ATTRIBUTE_KEYS, AttributeSpec, import_service_attributes
from jmdiq_geo.io.tables import slug
from jmdiq_geo.io.context import ContextSpec
from jmdiq_geo.io.networks import BarrierSpec, NetworkSpec, OriginSpec
from jmdiq_geo.io.rasters import RasterGridSpec, describe_raster, is_raster
from jmdiq_geo.io.readers import TABLE_SUFFIXES, check_file, read_table, read_vector, vector_layers
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.services.definitions import apply_derived, stored_derived
from jmdiq_geo.services.new_city import LevelSpec, add_boundaries
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize

__all__ = ["KINDS", "INDICATOR_KINDS", "BoundarySpec", "TableSpec", "IndicatorDef", "ServiceSpec", "ProgrammeSpec",
           "GridSpec", "NetworkSpec", "OriginSpec", "BarrierSpec", "ContextSpec", "Source", "ImportReport", "guess_indicator_kind",
           "import_file", "FilePreview", "preview_file", "LevelSpec", "KIND_WORDS", "suggest_table_spec", "slug",
           "TablePlan", "table_plan", "RasterGridSpec", "is_raster", "ATTRIBUTE_KIND", "ATTRIBUTE_KEYS",
           "import_attributes"]

#: the kind of a table of service attributes (staff edits, not a dataset of its own)
ATTRIBUTE_KIND = "service-attributes"
#: the Import page's kind that reads no file: the nationwide Zensus grids cut to the workspace
ZENSUS_KIND = "zensus"


def import_attributes(ws: Workspace, path, source: Source, *, key: str = "service_id", sheet: str | None = None,
                      category: str | None = None, max_bytes: int, dry_run: bool = False,
                      user: str | None = None) -> ImportReport:
    """Service attributes in bulk from a table, keyed by ``service_id`` or ``name+address``
    (``io.service_attributes``): written as staff edits, so they survive a re-import. The
    source's id gets the prefix ``attributes-`` (a table named like a dataset must not replace
    that dataset's source and licence)."""
    authorize("edit_services")
    if not source.source_id.startswith("attributes-"):
        source = replace(source, source_id=f"attributes-{source.source_id}")
    return import_service_attributes(ws, path, AttributeSpec(key=key, sheet=sheet, category=category), source,
                                     max_bytes=max_bytes, dry_run=dry_run, user=user)


def import_file(ws: Workspace, kind: str, path, spec, source, *, max_bytes: int,
                dry_run: bool = False, level: LevelSpec | None = None, progress=None) -> ImportReport:
    """Import one file of ``kind`` (one of ``KINDS``; see ``io.imports``); after an indicator
    table, refresh the derived indicators that use what was imported. Boundaries of a level the
    workspace does not have yet need ``level`` (its labels and where it lies): the level is
    created and its areas' parents found (``services.new_city.add_boundaries``). ``progress``
    (fraction, step): called by the walking-access importers."""
    authorize("import")
    if kind == "boundaries" and (level is not None or spec.level not in ws.levels_in_order()):
        if level is None:
            known = ws.levels_in_order()
            raise SchemaError(Problem("level_unknown_label", {"level": spec.level, "known": ", ".join(known) or "–"},
                                      file=Path(path).name))
        return add_boundaries(ws, path, spec, source, level=level, max_bytes=max_bytes, dry_run=dry_run)
    report = run_import(ws, kind, path, spec, source, max_bytes=max_bytes, dry_run=dry_run, progress=progress)
    if kind == "indicators" and not dry_run:
        imported = set(report.details.get("indicators", []))
        todo, affected = [], set(imported)
        for d in stored_derived(ws):
            if affected & set(d.inputs()):
                todo.append(d)
                affected.add(d.indicator_id)
        if todo:
            report.details["derived"] = apply_derived(ws, todo)
    return report


def suggest_table_spec(ws: Workspace, path, spec: TableSpec, *, max_bytes: int) -> TableSpec:
    """An indicator table's spec with its columns named and the new indicators defined, their
    kinds guessed (``guess_indicator_kind``: counts ``extensive``, rates and shares
    ``intensive``) unless ``spec.kinds``/``spec.default_kind`` say otherwise: what the CLI shows
    before importing ``spec``. Without ``spec.columns``: every column that holds numbers (of a
    long or wide table: its variables). Raises what stops the import before the join."""
    return plan_indicator_table(ws, path, spec, max_bytes=max_bytes)


def table_plan(ws: Workspace, path, spec: TableSpec, *, max_bytes: int) -> TablePlan:
    """How an indicator table will be read (shape, periods, columns, new indicators with their
    kinds, its first values as they will be stored): the Import page's preview before the join."""
    return inspect_indicator_table(ws, path, spec, max_bytes=max_bytes)


@dataclass
class FilePreview:
    """What a file holds before its columns are mapped: ``form`` is ``pbf`` (an OpenStreetMap
    extract: no columns, only its size), ``raster`` (no columns; ``head`` is one row describing
    it: width, height, bands, crs, cell size, nodata), ``table`` (with how it was read) or ``vector``."""

    form: str
    columns: list[str]
    head: pd.DataFrame
    decimal: str = "."
    rows: int = 0
    size_bytes: int = 0
    encoding: str | None = None
    delimiter: str | None = None
    geometry_types: list[str] = field(default_factory=list)
    crs: str | None = None


def preview_file(path: Path | str, *, max_bytes: int, crs: str | None = None, layer: str | None = None) -> FilePreview:
    """Columns and first 20 rows of a table or vector file (raises JmdiqError on bad files);
    ``crs``: the CRS of a vector file that names none; ``layer``: which one of a file of several."""
    p = Path(path)
    if is_raster(p):        # a raster: no columns; one row that says what it is (bands, CRS, cells)
        info = describe_raster(p)
        return FilePreview("raster", [], pd.DataFrame([info]), rows=info["width"] * info["height"],
                           size_bytes=p.stat().st_size, crs=info["crs"])
    if p.name.lower().endswith(".pbf"):
        check_file(p, max_bytes=max_bytes)
        return FilePreview("pbf", [], pd.DataFrame(), size_bytes=p.stat().st_size)
    if p.suffix.lower() in TABLE_SUFFIXES:
        table = read_table(p, max_bytes=max_bytes)
        return FilePreview("table", list(table.frame.columns), table.frame.head(20), decimal=table.decimal,
                           rows=len(table.frame), encoding=table.encoding, delimiter=table.delimiter)
    gdf = read_vector(p, max_bytes=max_bytes, crs=crs, layer=layer)
    return FilePreview("vector", [c for c in gdf.columns if c != gdf.geometry.name],
                       pd.DataFrame(gdf.drop(columns=gdf.geometry.name).head(20)), rows=len(gdf),
                       geometry_types=sorted(gdf.geom_type.dropna().unique()),
                       crs=gdf.crs.to_string() if gdf.crs else None)


def file_layers(path: Path | str) -> list[str]:
    """The layers of a vector file (several in a GeoPackage; one or none otherwise)."""
    p = Path(path)
    if p.suffix.lower() in TABLE_SUFFIXES or p.name.lower().endswith(".pbf") or p.is_dir() or is_raster(p):
        return []
    return vector_layers(p)
