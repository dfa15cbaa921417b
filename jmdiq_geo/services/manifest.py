"""A workspace writes its own data package: the manifest that rebuilds it from the same files.

A city built by clicking (or with ``jmdiq-geo new`` and ``import``) can so be rebuilt with
``jmdiq-geo demo --city <written>.toml``: the city's settings and roles, its levels, sources,
indicator definitions, derived indicators and, in the order they were imported, every file with
the options it was imported with. File paths are written relative to the data root when they lie
below it (absolute otherwise); a file imported before paths were recorded is named with a
comment to fill in its folder.
"""
from __future__ import annotations

import json
from dataclasses import MISSING, fields
from pathlib import Path

import pandas as pd

from jmdiq_geo.analysis.derived import DerivedDef
from jmdiq_geo.io.imports import BoundarySpec, GridSpec, IndicatorDef, ProgrammeSpec, ServiceSpec, TableSpec
from jmdiq_geo.io.context import ContextSpec
from jmdiq_geo.io.networks import BarrierSpec, NetworkSpec, OriginSpec
from jmdiq_geo.io.rasters import RasterGridSpec, is_raster
from jmdiq_geo.services.definitions import stored_derived
from jmdiq_geo.services.roles import indicator_roles
from jmdiq_geo.store.workspace import Workspace

#: import kind → (manifest section, spec class)
SECTION_OF = {"boundaries": ("boundaries", BoundarySpec), "indicators": ("tables", TableSpec),
              "services": ("services", ServiceSpec), "programme-areas": ("programme_areas", ProgrammeSpec),
              "grid": ("grids", GridSpec), "network": ("networks", NetworkSpec), "origins": ("origins", OriginSpec),
              "barriers": ("barriers", BarrierSpec), "context": ("context", ContextSpec)}
CITY_KEYS = ("population_indicator", "default_indicator", "target_group_indicator", "access_fallback_grid")


def write_manifest(ws: Workspace, *, data_root: Path | None) -> str:
    """The manifest (TOML text) that rebuilds ``ws`` from the files it was built from."""
    meta = ws.meta()
    lines = [f"# Data package: {meta.get('city', '')}", "# Written by jmdiq-geo from the workspace's import log; "
             "`jmdiq-geo demo --city THIS_FILE` rebuilds it.", "", "[city]"]
    city = {"id": meta.get("city_id") or meta.get("city", "stadt").lower(), "name": meta.get("city", ""),
            "work_crs": meta.get("work_crs", "")}
    city.update({k: meta[k] for k in CITY_KEYS if meta.get(k)})
    zensus = meta.get("zensus") == "true"        # the nationwide grids cut to the city (add_zensus)
    if zensus:
        city["zensus"] = True
    demand = json.loads(meta.get("access_demand") or "{}")
    lines += [f"{k} = {_toml(v)}" for k, v in city.items()]
    if demand:
        lines.append(f"access_demand = {_toml(demand)}")
    roles = {k: v for k, v in indicator_roles(ws).items() if k not in ("residents", "target_group")}
    if roles:
        lines += ["", "[roles]"] + [f"{k} = {_toml(v)}" for k, v in roles.items()]
    levels = ws.levels()
    for row in levels.itertuples():
        lines += ["", "[[levels]]", f"id = {_toml(row.level)}", f"label_de = {_toml(row.label_de)}",
                  f"label_en = {_toml(row.label_en)}", f"rank = {int(row.rank)}"]
        if isinstance(row.parent_level, str) and row.parent_level:
            lines.append(f"parent = {_toml(row.parent_level)}")
    sources = ws.sources()
    for row in sources.itertuples():
        lines += ["", f"[sources.{_key(row.source_id)}]"]
        for col in ("title", "publisher", "licence", "attribution", "url", "reference_date"):
            value = getattr(row, col)
            if isinstance(value, str) and value:
                lines.append(f"{col} = {_toml(value)}")
    derived = stored_derived(ws)
    derived_ids = {d.indicator_id for d in derived}
    indicators = ws.indicators()
    log = ws.imports()
    # an indicator that came with a table (its source is the table's) is defined with that table,
    # so the rebuilt one keeps its source; the others stand in [indicators]
    with_table: dict[int, list[dict]] = {}
    placed = set()
    for row in log.to_dict("records"):
        if row["kind"] != "indicators":
            continue
        # the indicators a table brought: its column mapping, or (columns found by the import
        # itself) the report's list
        columns = set(json.loads(row["options"] or "{}").get("columns", {}).values())
        columns |= set(json.loads(row["report"] or "{}").get("details", {}).get("indicators", []))
        for d in indicators.to_dict("records"):
            if d["indicator_id"] in columns and d["indicator_id"] not in placed | derived_ids \
                    and d.get("source_id") == row["source_id"]:
                with_table.setdefault(row["import_id"], []).append(d)
                placed.add(d["indicator_id"])
    for row in indicators.to_dict("records"):
        if row["indicator_id"] in derived_ids | placed:
            continue
        lines += ["", f"[indicators.{_key(row['indicator_id'])}]"]
        lines += _fields(IndicatorDef, row, skip={"indicator_id"})
    for d in derived:
        lines += ["", f"[derived.{_key(d.indicator_id)}]"]
        lines += _fields(DerivedDef, vars(d), skip={"indicator_id"})
    nationwide = [row for row in log.to_dict("records") if row["kind"] == "nationwide"
                  and json.loads(row["options"] or "{}").get("level")]      # outlines: a starter's
    if nationwide:
        # a starter from the nationwide layers is no file import: say how it is rebuilt
        ags = meta.get("gemeinde_ags")
        lines += ["", "# The areas, grids and indicators of the nationwide layers are not rebuilt from this file:",
                  f"# jmdiq-geo new {'--gemeinde ' + ags if ags else '--germany'} --db FILE, then the imports below."]
    for row in log.to_dict("records"):
        if row["kind"] not in SECTION_OF:
            if row["kind"] != "nationwide":
                # service attributes from a table are staff edits kept in the workspace, not a dataset
                lines += ["", f"# {row['kind']} from {row['file']}: kept in the workspace (staff edits), not rebuilt"]
            continue
        section, cls = SECTION_OF[row["kind"]]
        cls = RasterGridSpec if row["kind"] == "grid" and is_raster(row["file"]) else cls
        options = json.loads(row["options"] or "{}")
        path = options.pop("file_path", None)
        lines += ["", f"[[{section}]]"]
        if path:
            lines.append(f"file = {_toml(_relative(Path(path), data_root))}")
        else:
            lines += ["# the import log of this file names no folder: put its path below the data root here",
                      f"file = {_toml(row['file'])}"]
        lines.append(f"source = {_toml(row['source_id'])}")
        lines += _fields(cls, options, skip={"indicators"})
        if row["import_id"] in with_table:
            defs = [{"indicator_id": d["indicator_id"], **_non_default(IndicatorDef, d, skip={"indicator_id"})}
                    for d in with_table[row["import_id"]]]
            lines.append(f"indicators = {_toml(defs)}")
    return "\n".join(lines) + "\n"


def _relative(path: Path, data_root: Path | None) -> str:
    if data_root is not None:
        try:
            return path.resolve().relative_to(Path(data_root).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _non_default(cls, values: dict, *, skip: set[str]) -> dict:
    """The dataclass fields of ``values`` that are set and differ from their defaults."""
    out = {}
    for f in fields(cls):
        if f.name in skip or f.name not in values:
            continue
        value = values[f.name]
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        default = f.default if f.default is not MISSING else (
            f.default_factory() if f.default_factory is not MISSING else MISSING)
        if default is not MISSING and value == default:
            continue
        out[f.name] = value
    return out


def _fields(cls, values: dict, *, skip: set[str]) -> list[str]:
    """``key = value`` lines of the dataclass fields that are set and differ from their defaults."""
    return [f"{k} = {_toml(v)}" for k, v in _non_default(cls, values, skip=skip).items()]


def _key(text: str) -> str:
    return text if text.replace("_", "").replace("-", "").isalnum() and text.isascii() else _toml(text)


def _toml(value) -> str:
    """One TOML value (strings, numbers, booleans, lists and inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(str(k))} = {_toml(v)}" for k, v in value.items() if v is not None) + " }"
    return json.dumps(str(value), ensure_ascii=False)
