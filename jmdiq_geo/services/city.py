"""A city as a data package: a TOML manifest naming its files and how their columns map.

``load_manifest`` validates the whole manifest (unknown sections, missing fields, unknown
sources, levels and indicators, files that do not exist below the data root) and raises once
with every problem. ``build_workspace`` runs the importers for every entry, each in its own
transaction, into a new file that replaces the target only when everything succeeded.
"""
from __future__ import annotations

import itertools
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from jmdiq_geo.analysis.attributes import CATEGORIES
from jmdiq_geo.analysis.derived import DerivedDef
from jmdiq_geo.analysis.roles import ROLES
from jmdiq_geo.config import CITIES_DIR, Settings, is_postgres_url
from jmdiq_geo.services.definitions import apply_derived
from jmdiq_geo.errors import JmdiqError, Problem, SchemaError
from jmdiq_geo.io.imports import (BoundarySpec, GridSpec, ImportReport, IndicatorDef, ProgrammeSpec, ServiceSpec,
                                  Source, TableSpec, run_import)
from jmdiq_geo.io.context import ContextSpec
from jmdiq_geo.io.documents import build as build_record
from jmdiq_geo.io.networks import BarrierSpec, NetworkSpec, OriginSpec
from jmdiq_geo.io.rasters import RasterGridSpec, is_raster
from jmdiq_geo.services.new_city import add_zensus, nest_from_geometry
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize
from jmdiq_geo.services.workspace import build_new_workspace, build_target

SECTIONS = {"city", "levels", "sources", "indicators", "derived", "roles", "boundaries", "tables", "services",
            "programme_areas", "grids", "networks", "origins", "barriers", "context"}


@dataclass
class Entry:
    """One file to import: its path below the data root, what it is, and its options."""
    kind: str
    file: str
    spec: object
    source: str


@dataclass
class Manifest:
    path: Path
    city: dict
    levels: list[dict]
    sources: dict[str, Source]
    indicators: list[IndicatorDef]
    derived: list[DerivedDef]
    entries: list[Entry] = field(default_factory=list)

    @property
    def work_crs(self) -> str:
        return self.city["work_crs"]


def manifest_path(city: str) -> Path:
    """``berlin`` → ``data/cities/berlin.toml``; a path is taken as it is."""
    candidate = Path(city)
    if candidate.suffix == ".toml":
        return candidate
    return CITIES_DIR / f"{city}.toml"


def _expand(raw: dict) -> list[dict]:
    """``each = {year = [2021, 2022]}`` → one entry per value, ``{year}`` filled in every string."""
    each = raw.get("each")
    if not each:
        return [raw]
    names = list(each)
    out = []
    for combo in itertools.product(*(each[n] for n in names)):
        values = dict(zip(names, combo))
        entry = {}
        for k, v in raw.items():
            if k == "each":
                continue
            if isinstance(v, str):
                v = v.format(**values)
            entry[k] = v
        if "category_of" in entry:
            entry["category"] = entry.pop("category_of")[str(values[names[0]])]
        out.append(entry)
    return out


def load_manifest(path: Path | str, *, data_root: Path | None = None) -> Manifest:
    path = Path(path)
    name = path.name
    if not path.exists():
        raise SchemaError(Problem("manifest_missing", {"path": str(path)}))
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(Problem("manifest_syntax", {"reason": str(exc)}, file=name)) from None
    problems: list[Problem] = []
    unknown = sorted(set(doc) - SECTIONS)
    if unknown:
        problems.append(Problem("manifest_unknown_section", {"sections": ", ".join(unknown),
                                                             "allowed": ", ".join(sorted(SECTIONS))}, file=name))
    city = doc.get("city", {})
    for key in ("id", "name", "work_crs"):
        if key not in city:
            problems.append(Problem("manifest_field_missing", {"field": f"city.{key}"}, file=name))
    levels = doc.get("levels", [])
    level_ids = {lv.get("id") for lv in levels}
    sources = {}
    for sid, raw in doc.get("sources", {}).items():
        src = build_record(Source, {"source_id": sid, **raw}, where=f"sources.{sid}", problems=problems)
        if src:
            sources[sid] = src
    indicators = []
    for iid, raw in doc.get("indicators", {}).items():
        d = build_record(IndicatorDef, {"indicator_id": iid, **raw}, where=f"indicators.{iid}", problems=problems)
        if d:
            if d.kind not in ("extensive", "intensive", "class"):
                problems.append(Problem("indicator_kind", {"indicator": iid, "kind": d.kind}, file=name))
            indicators.append(d)
    derived = []
    for iid, raw in doc.get("derived", {}).items():
        d = build_record(DerivedDef, {"indicator_id": iid, **raw}, where=f"derived.{iid}", problems=problems)
        if d:
            derived.append(d)
    known_ind = {d.indicator_id for d in indicators} | {d.indicator_id for d in derived}
    # walking access: who the target group is, and per category whose demand E2SFCA divides by
    demand = city.get("access_demand", {})
    if not isinstance(demand, dict) or not all(isinstance(v, str) for v in demand.values()):
        problems.append(Problem("manifest_bad_entry", {"where": "city.access_demand",
                                                       "reason": "{ kita = \"indicator\" }"}, file=name))
        demand = {}
    categories = set(CATEGORIES) | {e.get("category") for e in doc.get("services", []) if isinstance(e, dict)}
    unknown_cat = sorted(set(demand) - categories)
    if unknown_cat:
        problems.append(Problem("manifest_bad_entry", {
            "where": "city.access_demand", "reason": ", ".join(unknown_cat) + " ∉ " + ", ".join(sorted(
                c for c in categories if c))}, file=name))
    # indicator roles: which of the city's indicators the shipped rule sets and the profile use
    roles = doc.get("roles", {})
    if not isinstance(roles, dict) or not all(isinstance(v, str) for v in roles.values()):
        problems.append(Problem("manifest_bad_entry", {"where": "roles", "reason": "{ role = \"indicator\" }"},
                                file=name))
        roles = {}
    for role in sorted(set(roles) - set(ROLES)):
        problems.append(Problem("rule_role_unknown", {"id": "roles", "role": role, "known": ", ".join(ROLES)},
                                file=name))
    city["roles"] = roles
    referenced = {w for w in [city.get("target_group_indicator"), *demand.values(), *roles.values()] if w}
    entries: list[Entry] = []
    kinds = {"boundaries": (BoundarySpec, "boundaries"), "tables": (TableSpec, "indicators"),
             "services": (ServiceSpec, "services"), "programme_areas": (ProgrammeSpec, "programme-areas"),
             "grids": (GridSpec, "grid"), "networks": (NetworkSpec, "network"), "origins": (OriginSpec, "origins"),
             "barriers": (BarrierSpec, "barriers"), "context": (ContextSpec, "context")}
    for section, (cls, kind) in kinds.items():
        for i, raw in enumerate(doc.get(section, [])):
            for entry in _expand(raw):
                where = f"{section}[{i + 1}] ({entry.get('file', '?')})"
                for key in ("file", "source"):
                    if key not in entry:
                        problems.append(Problem("manifest_field_missing", {"field": f"{where}.{key}"}, file=name))
                if entry.get("source") and entry["source"] not in sources:
                    problems.append(Problem("manifest_unknown_source", {"source": entry["source"], "where": where},
                                            file=name))
                spec = build_record(RasterGridSpec if kind == "grid" and is_raster(entry.get("file", "")) else cls,
                                    entry, drop={"file", "source"}, where=where, problems=problems)
                if spec is None:
                    continue
                if isinstance(spec, TableSpec) and spec.indicators:
                    # indicators defined with the table they come from (as a written manifest has them)
                    spec.indicators = [d for j, raw_d in enumerate(spec.indicators)
                                       if (d := raw_d if isinstance(raw_d, IndicatorDef) else build_record(
                                           IndicatorDef, raw_d, where=f"{where}.indicators[{j + 1}]",
                                           problems=problems))]
                    known_ind |= {d.indicator_id for d in spec.indicators}
                lv = getattr(spec, "level", None) or getattr(spec, "member_level", None)
                if lv and lv not in level_ids:
                    problems.append(Problem("level_unknown", {"level": lv, "known": ", ".join(sorted(level_ids))},
                                            file=name))
                if isinstance(spec, TableSpec):
                    missing = sorted(set(spec.columns.values()) - known_ind)
                    if missing:
                        problems.append(Problem("indicator_unknown", {"indicators": ", ".join(missing)}, file=name))
                if data_root is not None and "file" in entry and not (data_root / entry["file"]).exists():
                    problems.append(Problem("manifest_file_missing", {"path": entry["file"],
                                                                      "root": str(data_root)}, file=name))
                entries.append(Entry(kind, entry.get("file", ""), spec, entry.get("source", "")))
    # indicators may be defined in [indicators] or with the table they come from: check what
    # refers to them once all are known
    for d in derived:
        missing = sorted(set(d.inputs()) - known_ind)
        if missing:
            problems.append(Problem("indicator_unknown", {"indicators": ", ".join(missing)}, file=name))
    missing = sorted(referenced - known_ind)
    if missing:
        problems.append(Problem("indicator_unknown", {"indicators": ", ".join(missing)}, file=name))
    if problems:
        raise SchemaError(problems)
    return Manifest(path, city, levels, sources, indicators, derived, entries)


@dataclass
class BuildReport:
    db_path: Path
    reports: list[ImportReport]
    derived: dict[str, int]


def build_workspace(manifest: Manifest, *, settings: Settings, db_path: Path | None = None,
                    progress: Callable[[int, int, str], None] | None = None) -> BuildReport:
    """Import every entry of ``manifest`` into a fresh workspace at ``db_path``.

    The workspace is built in ``<db_path>.building`` and moved into place only when every
    import succeeded, so a failing build leaves an existing workspace untouched.
    """
    authorize("create_workspace")
    if settings.data_root is None:
        raise SchemaError(Problem("data_root_missing"))
    data_root = settings.data_root
    # a file is replaced when the build is done; a PostgreSQL database holding a workspace is
    # shared by many: refused at once, not overwritten
    location = build_target(db_path or settings.db_path, replace=True)
    reports: list[ImportReport] = []

    def fill(ws: Workspace) -> dict[str, int]:
        with ws.transaction():
            ws.set_meta(city_id=manifest.city["id"], manifest=manifest.path.name,
                        population_indicator=manifest.city.get("population_indicator", ""),
                        default_indicator=manifest.city.get("default_indicator", ""),
                        target_group_indicator=manifest.city.get("target_group_indicator", ""),
                        access_fallback_grid=manifest.city.get("access_fallback_grid", ""),
                        access_demand=json.dumps(manifest.city.get("access_demand", {})),
                        roles=json.dumps(manifest.city.get("roles", {}), ensure_ascii=False))
            for lv in manifest.levels:
                ws.put_level(lv["id"], label_de=lv.get("label_de", lv["id"]), label_en=lv.get("label_en", lv["id"]),
                             rank=int(lv.get("rank", 0)), parent_level=lv.get("parent"))
            ws.put_indicators([{**vars(d)} for d in manifest.indicators])
        total = len(manifest.entries) + 1
        # one transaction for the whole build: each import joins it (the file is new anyway)
        with ws.transaction():
            for i, entry in enumerate(manifest.entries):
                if progress:
                    progress(i, total, entry.file)
                reports.append(_run_entry(ws, entry, manifest, data_root, settings))
            # levels whose files name no parents get them from geometry (as when they were imported)
            for child, parent in _levels_without_parents(ws):
                for edition in ws.editions(child):
                    nest_from_geometry(ws, child=child, parent=parent, valid_from=edition)
            if manifest.city.get("zensus"):
                # the Zensus grids of the nationwide layers, cut to the city, and its areas' counts
                add_zensus(ws, data_root=data_root)
            if progress:
                progress(total - 1, total, "derived")
            derived = apply_derived(ws, manifest.derived)
            ws.checkpoint_at_commit()           # the file is this build's alone
        return derived

    # replacing the workspace there: refused while the app (another process) holds it
    derived_counts, _ = build_new_workspace(location, work_crs=manifest.work_crs, city=manifest.city["name"],
                                            fill=fill, replace=True)
    return BuildReport(location if is_postgres_url(location) else Path(location), reports, derived_counts)


def _levels_without_parents(ws: Workspace) -> list[tuple[str, str]]:
    """(level, parent level) for the levels with a parent level whose areas all lack a parent id."""
    out = []
    for row in ws.levels().itertuples():
        if isinstance(row.parent_level, str) and row.parent_level:
            names = ws.area_names(row.level)
            if len(names) and names["parent_id"].isna().all():
                out.append((row.level, row.parent_level))
    return out


def _run_entry(ws: Workspace, entry: Entry, manifest: Manifest, data_root: Path, settings: Settings) -> ImportReport:
    path = data_root / entry.file
    source = manifest.sources[entry.source]
    try:
        return run_import(ws, entry.kind, path, entry.spec, source, max_bytes=settings.max_file_bytes)
    except JmdiqError as exc:
        # name the manifest entry as well as the file
        raise type(exc)([Problem("manifest_entry_failed", {"path": entry.file, "manifest": manifest.path.name},
                                 severity="error")] + exc.problems) from None

