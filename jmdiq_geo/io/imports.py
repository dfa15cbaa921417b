"""Importers: read → validate (all problems at once) → normalise → one transaction.

One function per kind of file a city has. The CLI, the Import page and the data-package
builder all call these, with explicit options (``*Spec``). Nothing is written unless every
check passed; the returned ``ImportReport`` lists notices and the join report.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.analysis.attributes import (is_osm_attribute_key, osm_attributes, parse_bool, parse_cost,
                                          parse_languages, parse_opening_hours)
from jmdiq_geo.analysis.roles import GRID_ROLES
from jmdiq_geo.config import UNDATED_EDITION
from jmdiq_geo.crs import to_work_crs
from jmdiq_geo.errors import InputError, JoinError, Problem, SchemaError, raise_if_errors
from jmdiq_geo.io.commit import ImportReport, Source, commit_import  # noqa: F401 (Source: part of the API)
from jmdiq_geo.io.names import UnmatchedRows, classify_unmatched, match_keys, match_names
from jmdiq_geo.io import networks
from jmdiq_geo.io.context import ContextSpec, import_context  # noqa: F401 (ContextSpec: part of the API)
from jmdiq_geo.io.networks import read_pbf_services
from jmdiq_geo.io.numbers import parse_numeric
from jmdiq_geo.io.rasters import RasterGridSpec, import_raster_grid
from jmdiq_geo.io.readers import TABLE_SUFFIXES, read_points_table, read_table, read_vector
from jmdiq_geo.io.tables import (period_hint, read_indicator_source, recognise_shape, slug, text_columns,
                                 value_columns)
from jmdiq_geo.io.validate import check_columns, check_geometries, check_keys, normalise_keys
from jmdiq_geo.store.workspace import Workspace

KINDS = ("boundaries", "indicators", "services", "programme-areas", "grid", "network", "origins", "barriers",
         "context")
INDICATOR_KINDS = ("extensive", "intensive", "class")
#: words in a column name that say it holds a rate or share, not a count
RATE_WORDS = ("anteil", "quote", "rate", "prozent", "%", "dichte", "je ", "pro ", "durchschnitt", "mittel",
              "share", "per ", "average", "mean", "ratio", " pct ", "percent", "density")
#: the kinds a user may name (``--kind COLUMN=count|rate|class``) -> the stored kind
KIND_WORDS = {"count": "extensive", "rate": "intensive", "share": "intensive", "class": "class",
              "extensive": "extensive", "intensive": "intensive"}


def guess_indicator_kind(column: str, sample: pd.Series | None = None, *, decimal: str = ".") -> str:
    """``intensive`` (a rate or share: never summed) when the column's name says so or its values
    have decimals, else ``extensive`` (a count). Only a default for the import form."""
    name = " " + re.sub(r"[_\-]+", " ", column.casefold()) + " "
    if any(word in name for word in RATE_WORDS):
        return "intensive"
    if sample is not None and len(sample):
        values, _ = parse_numeric(sample.astype(object), column=column, file=None, decimal=decimal)
        finite = values.dropna()
        if len(finite) and bool((finite != finite.round()).any()):
            return "intensive"
    return "extensive"


# --------------------------------------------------------------------------- specs

@dataclass
class BoundarySpec:
    level: str
    key: str
    name: str | None = None
    parent: str | None = None          # a column holding the parent's id …
    parent_prefix: int | None = None   # … or: the parent's id is the first n characters of the key
    key_pattern: str | None = None     # regex whose first group is the key (e.g. "(\\d{2})$")
    key_width: int | None = None       # zero-pad keys to this width
    valid_from: str = UNDATED_EDITION     # no date given: valid at every period
    valid_to: str | None = None
    crs: str | None = None
    invalid: str = "repair"
    layer: str | None = None


@dataclass
class IndicatorDef:
    indicator_id: str
    label_de: str
    label_en: str | None = None
    unit: str | None = None
    kind: str = "intensive"
    denominator: str | None = None
    polarity: str | None = None
    classes: dict | None = None
    description: str | None = None


@dataclass
class TableSpec:
    level: str
    period: str
    columns: dict[str, str]            # column -> indicator_id
    key: str | None = None
    name_column: str | None = None     # join by normalised name instead of key
    key_width: int | None = None
    missing_values: list[str] = field(default_factory=list)
    value_maps: dict[str, dict[str, float]] = field(default_factory=dict)
    decimal: str | None = None
    sheet: str | None = None
    indicators: list[IndicatorDef] = field(default_factory=list)
    #: the boundary edition the keys refer to (its valid_from date), when it is not the one
    #: valid at ``period`` (MSS 2021 gives 2020 values on the LOR edition of 2021-01-01)
    edition: str | None = None
    #: 1-based row of the file that holds the header (default: found, title rows skipped)
    header_row: int | None = None
    #: column (or indicator id) -> kind of a new indicator: extensive/intensive/class or
    #: count/rate/share; overrides ``default_kind`` and the guess
    kinds: dict[str, str] = field(default_factory=dict)
    #: kind of every new indicator (default: guessed per column by ``guess_indicator_kind``)
    default_kind: str | None = None
    #: unit of new indicators
    unit: str | None = None
    #: define indicators the workspace does not know (always when ``columns`` is empty: then
    #: every column holding numbers is an indicator, its id a slug of the column name)
    define: bool = False
    #: rate (column or indicator id) -> its denominator: a column of the same table or an
    #: indicator of the workspace, a count (weights for higher levels, the whole city, quarters)
    denominators: dict[str, str] = field(default_factory=dict)
    #: the layer of a vector file of several (a GeoPackage) whose attributes are the table
    layer: str | None = None


#: fields of ``TableSpec`` logged only when set (the import log of older imports stays as it was)
_TABLE_OPTIONAL = {"header_row": None, "kinds": {}, "default_kind": None, "unit": None, "define": False,
                   "denominators": {}, "layer": None}


@dataclass
class ServiceSpec:
    category: str
    name: str
    id: str | None = None
    address: list[str] = field(default_factory=list)
    capacity: str | None = None
    languages: str | None = None
    opening_hours: str | None = None
    barrier_free: str | None = None
    cost: str | None = None
    age_min: str | None = None
    age_max: str | None = None
    attributes: list[str] = field(default_factory=list)
    x: str | None = None               # for tables of points
    y: str | None = None
    crs: str | None = None
    id_prefix: str | None = None
    layer: str | None = None           # the layer of a file of several (a GeoPackage)


@dataclass
class ProgrammeSpec:
    """Programme areas as polygons (``id``/``name``… columns of a vector file) or as a table of
    member areas (one row per programme area and member, ``member`` naming an area key of
    ``member_level``); polygons are then the union of the members."""
    id: str
    name: str
    programme: str | None = None        # a column naming each area's programme …
    since: str | None = None
    until: str | None = None
    member: str | None = None
    member_level: str | None = None
    crs: str | None = None
    programme_name: str | None = None   # … or one programme for all (e.g. "Aktionsplan Soziale Stadt")
    layer: str | None = None            # the layer of a file of several (a GeoPackage)


@dataclass
class GridSpec:
    x: str
    y: str
    crs: str
    cell_size_m: float
    variables: dict[str, dict]         # column -> {grid_id, label, kind, role (optional, GRID_ROLES)}
    period: str | None = None
    missing_values: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers

def _date(text: str | None, *, field_name: str, file: str) -> date | None:
    if text in (None, ""):
        return None
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise InputError(Problem("bad_date", {"value": text, "field": field_name}, file=file)) from None


def _key_series(raw: pd.Series, *, pattern: str | None, width: int | None, file: str, column: str,
                problems: list[Problem]) -> pd.Series:
    keys = normalise_keys(raw, width=None)
    if pattern:
        rx = re.compile(pattern)
        extracted = keys.map(lambda k: (m.group(1) if (m := rx.search(k)) else None))
        bad = extracted.isna() & (keys != "")
        if bad.any():
            rows = [int(i) + 1 for i in np.flatnonzero(bad.to_numpy())[:10]]
            problems.append(Problem("key_pattern", {"pattern": pattern, "rows": ", ".join(map(str, rows))},
                                    file=file, row=rows[0], column=column))
        keys = extracted.fillna("")
    if width:
        keys = keys.map(lambda k: k.zfill(width) if k else k)
    return keys


# --------------------------------------------------------------------------- boundaries

def import_boundaries(ws: Workspace, path: Path | str, spec: BoundarySpec, source: Source, *,
                      max_bytes: int, dry_run: bool = False) -> ImportReport:
    """Areas of one level and edition. Keys stay strings; geometry goes to the work CRS."""
    path = Path(path)
    gdf = read_vector(path, crs=spec.crs, layer=spec.layer, max_bytes=max_bytes)
    problems = check_columns(gdf.columns, {"key": spec.key, "name": spec.name, "parent": spec.parent}, file=path.name)
    raise_if_errors(problems, SchemaError)
    levels = ws.levels()
    if spec.level not in set(levels["level"]):
        raise SchemaError(Problem("level_unknown", {"level": spec.level,
                                                    "known": ", ".join(levels["level"]) or "–"}, file=path.name))
    keys = _key_series(gdf[spec.key], pattern=spec.key_pattern, width=spec.key_width, file=path.name,
                       column=spec.key, problems=problems)
    problems += check_keys(keys, file=path.name, column=spec.key)
    gdf, geo_problems = check_geometries(gdf, expected="polygon", file=path.name, invalid=spec.invalid)
    problems += geo_problems
    valid_from = _date(spec.valid_from, field_name="valid_from", file=path.name)
    valid_to = _date(spec.valid_to, field_name="valid_to", file=path.name)
    if valid_from and valid_to and valid_to <= valid_from:
        problems.append(Problem("valid_to_before_from", {"valid_from": str(valid_from), "valid_to": str(valid_to)},
                                file=path.name))
    notices = raise_if_errors(problems, InputError)
    if spec.parent:
        parent = normalise_keys(gdf[spec.parent])
    elif spec.parent_prefix:
        parent = keys.str.slice(0, spec.parent_prefix)
    else:
        parent = pd.Series([None] * len(gdf), index=gdf.index, dtype=object)
    out = gpd.GeoDataFrame({
        "area_id": keys.to_numpy(),
        "name": gdf[spec.name].astype(str).str.strip().to_numpy() if spec.name else keys.to_numpy(),
        "parent_id": parent.to_numpy()}, geometry=to_work_crs(gdf, ws.work_crs, file=path.name, near=ws.extent()).geometry.to_numpy(),
        crs=ws.work_crs)
    report = ImportReport("boundaries", path.name, rows=len(gdf), written=len(out), notices=notices,
                          details={"level": spec.level, "valid_from": str(valid_from), "crs_in": str(gdf.crs)})
    return commit_import(ws, report, source, path, asdict(spec), lambda: ws.replace_areas(
        out, level=spec.level, valid_from=valid_from, valid_to=valid_to, source_id=source.source_id), dry_run=dry_run)


# --------------------------------------------------------------------------- indicator tables

def import_indicator_table(ws: Workspace, path: Path | str, spec: TableSpec, source: Source, *,
                           max_bytes: int, dry_run: bool = False) -> ImportReport:
    """Indicator values from a table as offices publish it: CSV/XLSX (header found, notes left
    out) or a vector file's attributes; plain (one row per area), long (area × variable × period)
    or wide with years in the column names (one import per period). Rows that match no area are
    classified - totals (stored on a higher level where they name one of its areas), merged
    areas, the rest - and reported; the table is refused when less than half of its rows match
    or keys are ambiguous. Without ``columns`` every column holding numbers is an indicator."""
    path = Path(path)
    table, shape, plan, defs, problems, labels, decimal, period_given = _prepare(ws, path, spec,
                                                                                 max_bytes=max_bytes)
    frame, name = table.frame, table.file
    joins, stored, join_problems = _join_parts(ws, spec, shape, frame, labels, table.typed, period_given, file=name)
    problems += join_problems
    long_parts = []
    for part, columns in zip(shape.parts, plan):
        period = part.period or period_given
        area_level, area_id = stored[id(part)]
        part_values = []
        for col, indicator_id in columns.items():
            raw, origin = part.frame[col], part.origin.get(col, col)
            mapping = spec.value_maps.get(origin)
            if mapping:
                unmapped = ~raw.isin(list(mapping)) & (raw != "")
                if unmapped.any():
                    rows = [int(i) + 1 for i in np.flatnonzero(unmapped.to_numpy())[:10]]
                    problems.append(Problem("value_not_in_map", {
                        "values": ", ".join(f"'{v}'" for v in raw[unmapped].unique()[:5]),
                        "known": ", ".join(f"'{v}'" for v in mapping), "rows": ", ".join(map(str, rows))},
                        file=name, row=rows[0], column=origin))
                values = raw.map(lambda v: mapping.get(v, np.nan)).astype(float)
            else:
                values, value_problems = parse_numeric(raw, column=origin, file=name, decimal=decimal,
                                                       missing_values=set(spec.missing_values))
                problems += value_problems
            part_values.append(values.to_numpy())
        if part_values:         # one frame per part: its columns one below the other
            # (the texts typed once per row or column - as pandas types them - and repeated by take)
            rows, ids = np.tile(np.arange(len(area_id)), len(part_values)), np.repeat(
                np.arange(len(part_values)), len(area_id))
            long_parts.append(pd.DataFrame({
                "level": pd.Series(area_level).array.take(rows), "area_id": pd.Series(area_id).array.take(rows),
                "indicator_id": pd.Series(np.array(list(columns.values()), dtype=object)).array.take(ids),
                "value": np.concatenate(part_values), "period": pd.Timestamp(period)}))
    join_errors = any(p.severity == "error" and p.code.startswith("join_") for p in problems)
    notices = raise_if_errors(problems, JoinError if join_errors else InputError)
    long = pd.concat(long_parts, ignore_index=True)
    long = long[long["area_id"].notna()].assign(source_id=source.source_id)
    periods = sorted({(part.period or period_given) for part in shape.parts})
    indicators = sorted({i for columns in plan for i in columns.values()})
    details = {"level": spec.level, "period": str(periods[0]) if len(periods) == 1 else None,
               "encoding": table.encoding, "delimiter": table.delimiter, "decimal": decimal,
               "indicators": indicators, "header_row": table.header_row, "header_rows": table.header_rows,
               "shape": shape.kind}
    if len(periods) > 1:
        details["periods"] = [str(p) for p in periods]
    if defs:
        details["new_indicators"] = [{"column": col, "indicator": d.indicator_id, "kind": d.kind, "guessed": guessed}
                                     for col, d, guessed in defs]
    upper = long[long["level"] != spec.level]
    if len(upper):
        details["stored_above"] = {lv: int(n) for lv, n in upper.groupby("level").size().items()}
    report = ImportReport("indicators", name, rows=len(frame), written=len(long), notices=notices, join=joins[0],
                          details=details)
    options = {k: v for k, v in asdict(spec).items() if k not in _TABLE_OPTIONAL or v != _TABLE_OPTIONAL[k]}
    new_defs = [{**asdict(d), "source_id": source.source_id} for d in spec.indicators] + [
        {**asdict(d), "source_id": source.source_id} for _, d, _ in defs]
    if len(periods) == 1:
        def write():
            ws.put_indicators(new_defs)
            ws.put_values(long)
        return commit_import(ws, report, source, path, options, write, dry_run=dry_run)
    # one import per period, all in one transaction
    report.details["dry_run"] = dry_run
    if dry_run:
        return report
    with ws.transaction():
        ws.put_indicators(new_defs)
        for period in periods:
            values = long[long["period"] == pd.Timestamp(period)]
            part_report = ImportReport("indicators", name, rows=len(frame), written=len(values), notices=notices,
                                       join=joins[0], details={**details, "period": str(period)})
            commit_import(ws, part_report, source, path, {**options, "period": str(period)},
                          lambda values=values: ws.put_values(values))
    return report


def _prepare(ws: Workspace, path: Path, spec: TableSpec, *, max_bytes: int, need_period: bool = True):
    """Read the table, recognise its shape and plan its columns; raise on what stops an import
    before the join (missing columns, bad kinds, no period (unless not ``need_period``), no value
    columns)."""
    table = read_indicator_source(path, sheet=spec.sheet, header_row=spec.header_row, max_bytes=max_bytes,
                                  layer=spec.layer)
    frame, name = table.frame, table.file
    if not (spec.key or spec.name_column):
        raise SchemaError(Problem("key_or_name_needed", file=name))
    problems = check_columns(frame.columns, {"key": spec.key, "name": spec.name_column}, file=name)
    if problems:          # name every missing column at once
        problems += check_columns(frame.columns, {f"indicator {ind}": col for col, ind in spec.columns.items()},
                                  file=name)
    for d in spec.indicators:
        if d.kind not in INDICATOR_KINDS:
            problems.append(Problem("indicator_kind", {"indicator": d.indicator_id, "kind": d.kind}, file=name))
    kinds = {}
    for col, kind in {**({"*": spec.default_kind} if spec.default_kind else {}), **spec.kinds}.items():
        if kind not in KIND_WORDS:
            problems.append(Problem("indicator_kind_word", {"column": col, "kind": kind,
                                                            "known": ", ".join(KIND_WORDS)}, file=name))
        kinds[col] = KIND_WORDS.get(kind)
    period_given = _date(spec.period, field_name="period", file=name)
    raise_if_errors(problems, SchemaError)

    labels = [c for c in (spec.key, spec.name_column) if c]
    decimal = spec.decimal or table.decimal
    shape = recognise_shape(frame, labels=labels, file=name, columns=spec.columns, period_given=bool(period_given),
                            decimal=decimal, missing_values=set(spec.missing_values), typed=table.typed)
    problems = list(table.notices) + shape.problems
    raise_if_errors(problems, InputError)
    plan, defs, plan_problems = _plan_columns(ws, spec, shape, labels=labels, kinds=kinds, typed=table.typed,
                                              decimal=decimal, file=name)
    problems += plan_problems
    if spec.denominators and not any(p.severity == "error" for p in plan_problems):
        defs, den_problems = _with_denominators(ws, spec, shape, plan, defs, file=name)
        problems += den_problems
    for part in shape.parts:
        if part.period is None and period_given is None and need_period:
            hint = period_hint(table.titles, name)          # what the title or the name suggests
            problems.append(Problem(f"period_needed_{hint[1]}", {"period": str(hint[0])}, file=name) if hint
                            else Problem("period_needed", file=name))
            break
    notices = raise_if_errors(problems, SchemaError)
    return table, shape, plan, defs, notices, labels, decimal, period_given


@dataclass
class TablePlan:
    """How an indicator table will be read, before anything is joined or written: its shape
    (``plain``, ``long``, ``wide``), the periods its parts carry (None: the period given with the
    import), column → indicator id, the new indicators (column, definition, kind guessed?), the
    first rows as they will be stored (label, period, column, indicator, value as in the file)
    and the notices so far."""

    shape: str
    periods: list[date | None]
    columns: dict[str, str]
    new: list[tuple[str, IndicatorDef, bool]]
    preview: pd.DataFrame
    notices: list[Problem]
    #: for a part without a period of its own: the period the title rows or the file name give
    #: and where it was read (``tables.period_hint``), to be offered, not taken unasked
    period_hint: tuple[date, str] | None = None


def inspect_indicator_table(ws: Workspace, path: Path | str, spec: TableSpec, *, max_bytes: int,
                            rows: int = 4) -> TablePlan:
    """The plan of ``spec`` for the file (see ``TablePlan``); raises what stops an import before
    the join except a missing period (a plain table then shows None as its period)."""
    table, shape, plan, defs, notices, labels, _, period_given = _prepare(ws, Path(path), spec, max_bytes=max_bytes,
                                                                          need_period=False)
    pieces = []
    for part, columns in zip(shape.parts, plan):
        head = part.frame.head(rows)
        for col, ident in columns.items():
            pieces.append(pd.DataFrame({
                "area": head[labels[0]].astype(str).to_numpy(), "period": part.period or period_given,
                "column": part.origin.get(col, col), "indicator": ident,
                "value": head[col].astype(object).where(head[col].notna(), "").astype(str).to_numpy()}))
    preview = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(
        columns=["area", "period", "column", "indicator", "value"])
    columns = {c: i for part_plan in plan for c, i in part_plan.items()}
    hint = period_hint(table.titles, table.file) if any(part.period is None for part in shape.parts) else None
    return TablePlan(shape.kind, [part.period or period_given for part in shape.parts], columns, defs, preview,
                     list(notices), hint)


def plan_indicator_table(ws: Workspace, path: Path | str, spec: TableSpec, *, max_bytes: int) -> TableSpec:
    """``spec`` with its columns named (without ``columns``: every column holding numbers, ids
    slugs of their names; of a long or wide table: its variables) and the definitions of the new
    indicators (kinds from ``kinds``/``default_kind`` or guessed); raises what stops the import
    before the join. What the CLI shows before an import; importing it gives what ``spec`` gives."""
    _, shape, plan, defs, _, _, _, _ = _prepare(ws, Path(path), spec, max_bytes=max_bytes)
    columns = {c: i for part_plan in plan for c, i in part_plan.items()}
    return replace(spec, columns=columns, indicators=list(spec.indicators) + [d for _, d, _ in defs], define=False)


def _plan_columns(ws: Workspace, spec: TableSpec, shape, *, labels: list[str], kinds: dict, typed: bool,
                  decimal: str, file: str):
    """Per part: column -> indicator id; the definitions of new indicators (column, def, guessed)."""
    problems: list[Problem] = []
    plan: list[dict[str, str]] = []
    exclude = set(labels) | shape.structure
    if spec.columns:
        present = list(dict.fromkeys(c for part in shape.parts for c in part.frame.columns))
        problems += check_columns(present, {f"indicator {ind}": col for col, ind in spec.columns.items()}, file=file)
        plan = [{c: i for c, i in spec.columns.items() if c in part.frame.columns} for part in shape.parts]
    else:
        skipped: list[str] = []
        for part in shape.parts:
            found, others = value_columns(part.frame, exclude=exclude, typed=typed, decimal=decimal,
                                          missing_values=set(spec.missing_values))
            ids: dict[str, str] = {}
            for c in found:
                base = slug(c)
                ident, n = base, 2
                while ident in ids.values():
                    ident, n = f"{base}_{n}", n + 1
                ids[c] = ident
            plan.append(ids)
            skipped += [part.origin.get(c, c) for c in others if part.origin.get(c, c) not in skipped]
        if not any(plan):
            problems.append(Problem("table_no_value_columns", {"columns": ", ".join(
                f"'{c}'" for c in skipped[:10]) or "–"}, file=file))
        elif skipped and shape.kind == "plain":
            problems.append(Problem("columns_not_imported", {"count": len(skipped), "columns": ", ".join(
                f"'{c}'" for c in skipped[:10]) + (" …" if len(skipped) > 10 else "")}, file=file, severity="notice"))
    known = ws.indicator_ids() | {d.indicator_id for d in spec.indicators}
    define = spec.define or not spec.columns
    defs, unknown, seen, kept = [], [], set(), []
    for part, columns in zip(shape.parts, plan):
        for col, ident in columns.items():
            if ident in known and ident not in kept and {col, part.origin.get(col, col), ident} & set(kinds):
                kept.append(ident)             # a kind given for an indicator the workspace knows
            if ident in known or ident in seen:
                continue
            seen.add(ident)
            if not define:
                unknown.append(ident)
                continue
            origin = part.origin.get(col, col)
            kind = kinds.get(col) or kinds.get(origin) or kinds.get(ident) or kinds.get("*")
            guessed = kind is None
            if guessed:
                kind = guess_indicator_kind(col, part.frame[col], decimal=decimal)
            defs.append((col, IndicatorDef(ident, label_de=col, label_en=col, unit=spec.unit, kind=kind), guessed))
    if unknown:
        problems.append(Problem("indicator_unknown", {"indicators": ", ".join(sorted(unknown))}, file=file))
    if kept:
        problems.append(Problem("kind_of_known_indicator", {"indicators": ", ".join(f"'{i}'" for i in kept)},
                                file=file, severity="notice"))
    named = {c for part, columns in zip(shape.parts, plan) for c in columns} | {
        part.origin.get(c, c) for part, columns in zip(shape.parts, plan) for c in columns} | {
        i for columns in plan for i in columns.values()}
    strange = sorted(c for c in kinds if c != "*" and c not in named)
    if strange:
        problems.append(Problem("kind_column_unknown", {"columns": ", ".join(f"'{c}'" for c in strange),
                                                        "known": ", ".join(f"'{c}'" for c in sorted(
                                                            {c for columns in plan for c in columns})) or "–"},
                                file=file))
    return plan, defs, problems


def _with_denominators(ws: Workspace, spec: TableSpec, shape, plan, defs, *, file: str):
    """``defs`` with the denominators of ``spec.denominators`` set: each rate (a column of the
    table, its original name or its indicator id) gets a count, named as a column of the same
    table or an indicator of the workspace. A rate the workspace already knows is redefined
    with its denominator (the definition is added to ``defs``)."""
    problems: list[Problem] = []
    ident_of: dict[str, str] = {}
    for part, columns in zip(shape.parts, plan):
        for col, ident in columns.items():
            for name in (col, part.origin.get(col, col), ident):
                ident_of.setdefault(name, ident)
    stored = ws.indicators().set_index("indicator_id")
    new = {d.indicator_id: i for i, (_, d, _) in enumerate(defs)}
    given = {d.indicator_id: d for d in spec.indicators}

    def kind_of(ident: str) -> str | None:
        if ident in new:
            return defs[new[ident]][1].kind
        if ident in given:
            return given[ident].kind
        return stored.at[ident, "kind"] if ident in stored.index else None
    defs = list(defs)
    for rate, den in spec.denominators.items():
        rate_id = ident_of.get(rate)
        den_id = ident_of.get(den) or (den if den in stored.index or den in given else None)
        if rate_id is None:
            problems.append(Problem("denominator_rate_unknown", {"column": rate, "known": ", ".join(
                f"'{c}'" for c in sorted({c for columns in plan for c in columns})) or "–"}, file=file))
            continue
        if den_id is None:
            problems.append(Problem("denominator_unknown", {"denominator": den, "rate": rate}, file=file))
            continue
        if kind_of(rate_id) != "intensive":
            problems.append(Problem("denominator_not_rate", {"indicator": rate_id, "kind": kind_of(rate_id)},
                                    file=file))
        if kind_of(den_id) != "extensive":
            problems.append(Problem("denominator_not_count", {"indicator": den_id}, file=file))
        if rate_id in new:
            col, d, guessed = defs[new[rate_id]]
            defs[new[rate_id]] = (col, replace(d, denominator=den_id), guessed)
        elif rate_id not in given and rate_id in stored.index:
            row = stored.loc[rate_id]
            d = IndicatorDef(rate_id, label_de=row["label_de"], label_en=row["label_en"], unit=row["unit"],
                             kind=row["kind"], denominator=den_id, polarity=row["polarity"],
                             classes=row["classes"],
                             description=row["description"])
            new[rate_id] = len(defs)
            defs.append((rate, d, False))
    return defs, problems


def _join_parts(ws: Workspace, spec: TableSpec, shape, frame: pd.DataFrame, labels: list[str], typed: bool,
                period_given, *, file: str):
    """Join the rows of every part to the areas of the level (by key or name, keys also as
    numbers); classify the rest; refuse below half. Returns the join reports (one per boundary
    edition), per part the (level, area_id) of each row (None: not stored), and problems."""
    problems: list[Problem] = []
    column = spec.key or spec.name_column
    text_cells = None

    def labels_of(part) -> pd.Series:
        raw = part.frame[column]
        if spec.key:
            return normalise_keys(raw, width=spec.key_width)
        return raw.astype(object).where(raw.notna(), "").map(lambda v: str(v).strip())

    # the parts whose periods have the same areas are joined together (one report, not one per period)
    # a period before the level's first edition (older figures on the boundaries as they are
    # now, as offices republish them): the first edition's areas, said in a notice
    given = _date(spec.edition, field_name="edition", file=file)
    first = ws.editions(spec.level)[:1] if given is None else []
    earlier = set()
    editions: dict = {}
    for part in shape.parts:
        edition = given or part.period or period_given
        if first and edition is not None and edition < first[0]:
            earlier.add(edition)
            edition = first[0]
        areas = ws.area_names(spec.level, at=edition)
        if areas.empty:
            raise JoinError(Problem("level_empty", {"level": spec.level, "period": str(edition)}, file=file))
        same = tuple(zip(areas["area_id"].tolist(), areas["name"].tolist()))
        editions.setdefault(same, (edition, areas, []))[2].append(part)
    joins, stored = [], {}
    for edition, areas, parts in editions.values():
        part_labels = {id(part): labels_of(part) for part in parts}
        uniq = list(dict.fromkeys(v for lab in part_labels.values() for v in lab.unique().tolist() if v))
        if spec.key:
            join = match_keys(uniq, areas["area_id"].tolist(), numeric=True)
        else:
            join = match_names(uniq, dict(zip(areas["area_id"], areas["name"])))
        # the rows without an area: one entry per label (a row without one: per row)
        entries, entry_of = [], {}
        known = set(join.mapping) | set(join.ambiguous)
        for part in parts:
            lab = part_labels[id(part)]
            rest = ~lab.isin(known).to_numpy()
            for label, src in zip(lab.to_numpy()[rest], part.src[rest]):
                ident = label or ("", int(src))
                if ident not in entry_of:
                    entry_of[ident] = len(entries)
                    entries.append((label, int(src)))
        kinds = UnmatchedRows()
        if entries:
            if text_cells is None:
                texts = text_columns(frame, exclude=set(labels) | shape.structure, typed=typed)
                text_cells = frame[texts].astype(object).where(frame[texts].notna(), "").astype(str)
            order = ws.levels_in_order()
            above = order[order.index(spec.level) + 1:] if spec.level in order else []
            upper_levels = [(lv, dict(zip(a["area_id"], a["name"]))) for lv in above
                            if not (a := ws.area_names(lv, at=edition)).empty]
            cells_of = [[c.strip() for c in text_cells.iloc[src]] for _, src in entries]
            kinds = classify_unmatched([(label, cells) for (label, _), cells in zip(entries, cells_of)],
                                       by="key" if spec.key else "name",
                                       level_areas=dict(zip(areas["area_id"], areas["name"])),
                                       upper_levels=upper_levels, city=ws.meta().get("city"))
            entries = [(label, cells, src) for (label, src), cells in zip(entries, cells_of)]
            taken = set()
            for i, hit in list(kinds.upper.items()):
                if hit in taken:                    # a second row for the same area: not stored twice
                    del kinds.upper[i]
                    kinds.totals.append(i)
                taken.add(hit)
        for part in parts:
            lab = part_labels[id(part)]
            ids = np.array(lab.map(join.mapping).astype(object).to_numpy(), dtype=object)
            levels = np.full(len(lab), spec.level, dtype=object)
            for j in np.flatnonzero(pd.isna(ids)) if kinds.upper else []:
                entry = entry_of.get(lab.iloc[j] or ("", int(part.src[j])))
                if entry in kinds.upper:
                    levels[j], ids[j] = kinds.upper[entry]
            ids = np.where(pd.isna(ids), None, ids)
            stored[id(part)] = (levels, ids)
        problems += _join_problems(join, kinds, entries, parts, part_labels, spec, column, file)
        joins.append(join)
    if earlier:
        problems.append(Problem("period_before_edition", {
            "level": spec.level, "periods": ", ".join(map(str, sorted(earlier))), "edition": str(first[0])},
            file=file, severity="notice"))
    return joins, stored, problems


def _join_problems(join, kinds, entries, parts, part_labels, spec: TableSpec, column: str, file: str) -> list[Problem]:
    problems: list[Problem] = []
    n_rows = sum(len(lab) for lab in part_labels.values())
    matched = sum(int(lab.isin(list(join.mapping)).sum()) for lab in part_labels.values())

    def listing(indexes, *, arrow=None) -> tuple[str, str, int | None]:
        rows = [entries[i][2] + 1 for i in indexes]
        values = [f"'{entries[i][0] or ' '.join(entries[i][1][:1]) or '–'}' ({rows[k]})"
                  + (f" → {arrow(i)}" if arrow else "") for k, i in enumerate(indexes)]
        return ", ".join(values[:10]) + (" …" if len(values) > 10 else ""), \
            ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else ""), (rows[0] if rows else None)

    if matched * 2 < n_rows:
        unmatched = [i for i in range(len(entries))]
        values, rows, first = listing(unmatched[:5])
        problems.append(Problem("join_too_few", {"matched": matched, "rows": n_rows, "level": spec.level,
                                                 "examples": values}, file=file, row=first, column=column))
    if join.ambiguous:
        problems.append(Problem("join_ambiguous", {"values": ", ".join(f"'{k}'" for k in join.ambiguous[:10])},
                                file=file, column=column))
    # two rows for one area: which value is right cannot be told
    for part in parts:
        lab = part_labels[id(part)]
        keep = lab.isin(list(join.mapping)).to_numpy()
        dup = lab.duplicated(keep=False).to_numpy() & keep
        if dup.any():
            listed = []
            for key, rows in pd.Series(part.src[dup] + 1, index=lab[dup].to_numpy()).groupby(level=0):
                listed.append(f"'{key}' ({', '.join(map(str, rows.tolist()[:5]))})")
            problems.append(Problem("key_duplicate", {"count": len(listed), "keys": "; ".join(listed[:10])},
                                    file=file, row=int(part.src[dup][0] + 1), column=column))
            break
    if join.as_numbers:
        problems.append(Problem("keys_as_numbers", {
            "count": len(join.as_numbers),
            "examples": ", ".join(f"'{a}' → '{b}'" for a, b in join.as_numbers[:5])
            + (" …" if len(join.as_numbers) > 5 else "")}, file=file, column=column, severity="notice"))
    if kinds.upper:
        idx = sorted(kinds.upper)
        values, rows, first = listing(idx, arrow=lambda i: f"{kinds.upper[i][0]} '{kinds.upper[i][1]}'")
        problems.append(Problem("rows_total_stored", {"count": len(idx), "values": values, "rows": rows},
                                file=file, row=first, column=column, severity="notice"))
    if kinds.totals:
        values, rows, first = listing(sorted(kinds.totals))
        problems.append(Problem("rows_total", {"count": len(kinds.totals), "values": values, "rows": rows},
                                file=file, row=first, column=column, severity="notice"))
    if kinds.merged:
        idx = sorted(kinds.merged)
        values, rows, first = listing(idx, arrow=lambda i: " + ".join(kinds.merged[i]))
        problems.append(Problem("rows_merged", {"count": len(idx), "values": values, "rows": rows},
                                file=file, row=first, column=column, severity="notice"))
    other = [i for i in kinds.other if entries[i][0]]
    empty = [i for i in kinds.other if not entries[i][0]]
    if other:
        values, rows, first = listing(other)
        problems.append(Problem("rows_unmatched", {"count": len(other), "level": spec.level, "values": values,
                                                   "rows": rows}, file=file, row=first, column=column,
                                severity="notice"))
    if empty:
        _, rows, first = listing(empty)
        problems.append(Problem("rows_key_empty", {"count": len(empty), "rows": rows}, file=file, row=first,
                                column=column, severity="notice"))
    if join.areas_unmatched:
        problems.append(Problem("join_areas_without_values", {
            "count": len(join.areas_unmatched), "level": spec.level,
            "values": ", ".join(join.areas_unmatched[:10])}, file=file, severity="notice"))
    return problems


# --------------------------------------------------------------------------- services

def import_services(ws: Workspace, path: Path | str, spec: ServiceSpec, source: Source, *,
                    max_bytes: int, dry_run: bool = False) -> ImportReport:
    """Service locations (points) of one category with the attributes that decide access."""
    path = Path(path)
    categories = None
    if path.name.lower().endswith(".pbf"):
        gdf, categories = read_pbf_services(path, max_bytes=max_bytes)
        spec = ServiceSpec(**{**asdict(spec), "id": "id", "name": "name", "opening_hours": "opening_hours",
                              "barrier_free": "wheelchair", "address": [], "attributes": [], "capacity": None,
                              "languages": None, "cost": None, "age_min": None, "age_max": None})
    elif path.suffix.lower() in TABLE_SUFFIXES:
        table = read_table(path, max_bytes=max_bytes)
        problems = check_columns(table.frame.columns, {"x": spec.x, "y": spec.y}, file=path.name)
        if not (spec.x and spec.y and spec.crs):
            problems.append(Problem("points_need_xy", file=path.name))
        raise_if_errors(problems, SchemaError)
        gdf = read_points_table(table, x=spec.x, y=spec.y, crs=spec.crs)
    else:
        gdf = read_vector(path, crs=spec.crs, layer=spec.layer, max_bytes=max_bytes)
    cols = {"id": spec.id, "name": spec.name, "capacity": spec.capacity, "languages": spec.languages,
            "opening_hours": spec.opening_hours, "barrier_free": spec.barrier_free, "cost": spec.cost,
            "age_min": spec.age_min, "age_max": spec.age_max}
    cols.update({f"address {i + 1}": c for i, c in enumerate(spec.address)})
    cols.update({f"attribute {c}": c for c in spec.attributes})
    problems = check_columns(gdf.columns, cols, file=path.name)
    raise_if_errors(problems, SchemaError)
    gdf, geo_problems = check_geometries(gdf, expected="point", file=path.name, invalid="reject")
    problems += geo_problems
    access, access_notices = _access_attributes(gdf, spec, file=path.name)
    problems += access_notices + _osm_tag_attributes(gdf, spec, access, file=path.name)
    prefix = spec.id_prefix or source.source_id
    if spec.id:
        ids = normalise_keys(gdf[spec.id])
        problems += check_keys(ids, file=path.name, column=spec.id)
    else:
        ids = pd.Series([str(i + 1) for i in range(len(gdf))], index=gdf.index)
        # row numbers are no identity: staff edits would land on whatever row comes first next time
        edited = ws.service_edit_count(prefix)
        if edited:
            problems.append(Problem("services_need_id", {"count": edited}, file=path.name))
    capacity = None
    if spec.capacity:
        capacity, cap_problems = parse_numeric(gdf[spec.capacity].astype(object).where(gdf[spec.capacity].notna(), ""),
                                               column=spec.capacity, file=path.name)
        problems += cap_problems
    notices = raise_if_errors(problems, InputError)
    points = to_work_crs(gdf, ws.work_crs, file=path.name, near=ws.extent())
    # MultiPoint with one member → Point; anything else that is not a point → its centroid
    geoms = np.asarray(points.geometry.array, dtype=object).copy()
    single = (shapely.get_type_id(geoms) == 4) & (shapely.get_num_geometries(geoms) == 1)
    geoms[single] = shapely.get_geometry(geoms[single], 0)
    if (shapely.get_type_id(geoms) != 0).any():
        geoms = shapely.centroid(geoms)

    def text(col):
        return _stripped_text(gdf[col]) if col else None

    address = None
    if spec.address:
        parts = [normalise_keys(gdf[c]) for c in spec.address]
        address = pd.Series([" ".join(p for p in row if p) for row in zip(*parts)]).to_numpy()
    attributes = None
    if spec.attributes:
        import json
        columns = [_stripped_text(gdf[c], strip=False) for c in spec.attributes]
        attributes = [json.dumps(dict(zip(spec.attributes, row)), ensure_ascii=False) for row in zip(*columns)]
    out = gpd.GeoDataFrame({
        "service_id": (prefix + ":" + ids.astype(str)).to_numpy(),
        "category": categories.loc[gdf.index].to_numpy() if categories is not None else spec.category,
        "name": text(spec.name), "address": address, **access,
        "capacity": capacity.to_numpy() if capacity is not None else None, "attributes": attributes,
    }, geometry=geoms, crs=ws.work_crs)
    report = ImportReport("services", path.name, rows=len(gdf), written=len(out), notices=notices,
                          details={"category": spec.category})
    return commit_import(ws, report, source, path, asdict(spec), lambda: ws.replace_services(out, source_id=source.source_id, id_prefix=prefix), dry_run=dry_run)


def _stripped_text(values: pd.Series, *, strip: bool = True) -> np.ndarray:
    """Cells as text (``str()`` of numbers; stripped unless ``strip`` is false), missing ones None."""
    present = values.notna().to_numpy()
    out = np.full(len(values), None, dtype=object)
    texts = values[present].astype(str)
    out[present] = (texts.str.strip() if strip else texts).to_numpy(dtype=object)
    return out


def _access_attributes(gdf, spec: ServiceSpec, *, file: str) -> tuple[dict, list[Problem]]:
    """Languages (→ ISO codes), opening hours (OSM syntax, checked), wheelchair (yes/no), cost
    (free/reduced/paid), age range. A value that cannot be read is reported as a notice with its
    rows and counts as not recorded (opening hours keep their text, so staff can correct them)."""

    n = len(gdf)
    out = {"languages": [None] * n, "opening_hours": [None] * n, "barrier_free": [None] * n, "cost": [None] * n,
           "age_min": np.full(n, np.nan), "age_max": np.full(n, np.nan)}
    notices: list[Problem] = []

    def each(column, parse, target, code):
        if not column:
            return
        bad = []
        for i, value in enumerate(gdf[column].astype(object).to_numpy()):
            try:
                out[target][i] = parse(value)
            except ValueError:
                bad.append((i + 1, str(value)))
        if bad:
            notices.append(Problem(code, {"count": len(bad), "rows": ", ".join(str(r) for r, _ in bad[:10]),
                                          "values": ", ".join(f"'{v}'" for _, v in bad[:5])},
                                   file=file, row=bad[0][0], column=column, severity="notice"))

    def languages(value):
        codes, unknown = parse_languages(value)
        if unknown:
            raise ValueError(", ".join(unknown))
        return ", ".join(codes) if codes else None

    def hours(value):
        if parse_opening_hours(value) is None:
            return None
        return str(value).strip()

    each(spec.languages, languages, "languages", "service_languages_unknown")
    each(spec.opening_hours, hours, "opening_hours", "service_hours_malformed")
    each(spec.barrier_free, parse_bool, "barrier_free", "service_wheelchair_unreadable")
    each(spec.cost, parse_cost, "cost", "service_cost_unreadable")
    if spec.opening_hours:       # malformed hours keep their text (unknown for personas, visible to staff)
        raw = gdf[spec.opening_hours].astype(object).to_numpy()
        out["opening_hours"] = [v if v is not None else (None if pd.isna(r) or not str(r).strip() else str(r))
                                for v, r in zip(out["opening_hours"], raw)]
    for target, column in (("age_min", spec.age_min), ("age_max", spec.age_max)):
        if column:
            values, age_problems = parse_numeric(gdf[column].astype(object).where(gdf[column].notna(), ""),
                                                 column=column, file=file)
            notices += age_problems
            out[target] = values.to_numpy(dtype=float)
    return out, notices


def _osm_tag_attributes(gdf, spec: ServiceSpec, access: dict, *, file: str) -> list[Problem]:
    """Fill the attributes the spec does not map from the file's OSM tag columns, where it has
    any (``opening_hours``, ``wheelchair``, ``fee``, ``language:xx``, ``min_age``/``max_age``,
    ``age``; read by ``analysis.attributes.osm_attributes``); returns notices naming the tags
    that could not be read (their rows), and which tags were read."""
    tag_columns = [c for c in gdf.columns if is_osm_attribute_key(c)]
    mapped = {"languages": spec.languages, "opening_hours": spec.opening_hours, "barrier_free": spec.barrier_free,
              "cost": spec.cost, "age_min": spec.age_min, "age_max": spec.age_max}
    if not tag_columns or all(mapped.values()):
        return []
    bad: dict[str, list[tuple[int, str]]] = {}
    cells = gdf[tag_columns].astype(object).to_numpy()
    for i, row in enumerate(cells):
        values, unreadable = osm_attributes({k: v for k, v in zip(tag_columns, row) if v is not None})
        for target, value in values.items():
            if not mapped[target] and value is not None:
                access[target][i] = value
        for key, value in unreadable:
            bad.setdefault(key, []).append((i + 1, value))
    notices = [Problem("service_osm_tags", {"tags": ", ".join(tag_columns)}, file=file, severity="notice")]
    for key, rows in bad.items():
        params = {"count": len(rows), "rows": ", ".join(str(r) for r, _ in rows[:10]),
                  "values": ", ".join(f"'{v}'" for _, v in rows[:5])}
        notices.append(Problem("service_osm_tag_unreadable", params, file=file, row=rows[0][0], column=key,
                               severity="notice"))
    return notices


# --------------------------------------------------------------------------- programme areas

def import_programme_areas(ws: Workspace, path: Path | str, spec: ProgrammeSpec, source: Source, *,
                           max_bytes: int, dry_run: bool = False) -> ImportReport:
    """Programme areas (Sozialer Zusammenhalt, Soziale Stadt, QM) from polygons or a member table."""
    path = Path(path)
    by_members = spec.member is not None
    if by_members:
        frame = read_table(path, max_bytes=max_bytes).frame
    else:
        frame = read_vector(path, crs=spec.crs, layer=spec.layer, max_bytes=max_bytes)
    required = {"id": spec.id, "name": spec.name, "programme": spec.programme, "since": spec.since,
                "until": spec.until, "member": spec.member}
    problems = check_columns(frame.columns, required, file=path.name)
    if by_members and not spec.member_level:
        problems.append(Problem("member_level_needed", file=path.name))
    if not spec.programme and not spec.programme_name:
        problems.append(Problem("programme_needed", file=path.name))
    raise_if_errors(problems, SchemaError)
    ids = normalise_keys(frame[spec.id])
    without = (ids == "").to_numpy() if by_members else np.zeros(len(frame), dtype=bool)
    if without.any():
        # a member table lists every area; those in no programme area have an empty id
        problems.append(Problem("programme_rows_without_area", {"count": int(without.sum())}, file=path.name,
                                column=spec.id, severity="notice"))
        frame, ids = frame[~without].reset_index(drop=True), ids[~without].reset_index(drop=True)
    programme = (frame[spec.programme].astype(str) if spec.programme
                 else pd.Series(spec.programme_name, index=frame.index, dtype=object))
    problems += [p for p in check_keys(ids, file=path.name, column=spec.id) if p.code == "key_empty"]

    def dates(col):
        if not col:
            return pd.Series([None] * len(frame), index=frame.index, dtype=object)
        values = frame[col].astype(object).where(frame[col].notna(), "").astype(str).str.strip().str[:10]
        parsed = pd.to_datetime(values.where(values != ""), errors="coerce", format="%Y-%m-%d")
        bad = parsed.isna() & (values != "")
        if bad.any():
            rows = [int(i) + 1 for i in np.flatnonzero(bad.to_numpy())[:10]]
            problems.append(Problem("bad_date_column", {"rows": ", ".join(map(str, rows)),
                                                        "examples": ", ".join(values[bad].unique()[:3])},
                                    file=path.name, row=rows[0], column=col))
        return parsed

    since, until = dates(spec.since), dates(spec.until)
    order = (since.notna() & until.notna() & (until < since)).to_numpy()
    if order.any():
        rows = [int(i) + 1 for i in np.flatnonzero(order)[:10]]
        problems.append(Problem("end_before_start", {"rows": ", ".join(map(str, rows))}, file=path.name,
                                row=rows[0], column=spec.until))
    if by_members:
        members = normalise_keys(frame[spec.member])
        areas = ws.areas(spec.member_level)
        join = match_keys(members.tolist(), areas["area_id"].tolist())
        if join.table_unmatched:
            rows = [int(i) + 1 for i in np.flatnonzero(members.isin(join.table_unmatched).to_numpy())[:10]]
            problems.append(Problem("join_unmatched", {
                "count": len(join.table_unmatched), "values": ", ".join(f"'{k}'" for k in join.table_unmatched[:10]),
                "level": spec.member_level, "rows": ", ".join(map(str, rows))},
                file=path.name, row=rows[0], column=spec.member))
        notices = raise_if_errors(problems, JoinError if join.table_unmatched else InputError)
        work = pd.DataFrame({"pa_id": ids, "name": frame[spec.name].astype(str), "programme": programme,
                             "since": since, "until": until, "member": members})
        geom_of = dict(zip(areas["area_id"], areas.geometry))
        rows_out = []
        for pa_id, group in work.groupby("pa_id", sort=True):
            first = group.iloc[0]
            member_ids = sorted(group["member"].unique())
            rows_out.append({"pa_id": pa_id, "name": first["name"], "programme": first["programme"],
                             "since": first["since"], "until": first["until"], "members": ",".join(member_ids),
                             "member_level": spec.member_level,
                             "geometry": shapely.union_all([geom_of[m] for m in member_ids])})
        out = gpd.GeoDataFrame(rows_out, geometry="geometry", crs=ws.work_crs)
    else:
        problems += check_keys(ids, file=path.name, column=spec.id)
        frame, geo_problems = check_geometries(frame, expected="polygon", file=path.name)
        problems += geo_problems
        notices = raise_if_errors(problems, InputError)
        frame = to_work_crs(frame, ws.work_crs, file=path.name, near=ws.extent())
        out = gpd.GeoDataFrame({"pa_id": ids.to_numpy(), "name": frame[spec.name].astype(str).to_numpy(),
                                "programme": programme.to_numpy(),
                                "since": since.to_numpy(), "until": until.to_numpy(), "members": None,
                                "member_level": None}, geometry=frame.geometry.to_numpy(), crs=ws.work_crs)
    report = ImportReport("programme-areas", path.name, rows=len(frame), written=len(out), notices=notices,
                          details={"by_members": by_members})
    return commit_import(ws, report, source, path, asdict(spec),
                   lambda: ws.put_programme_areas(out, source_id=source.source_id), dry_run=dry_run)


# --------------------------------------------------------------------------- population grids

def import_grid(ws: Workspace, path: Path | str, spec: GridSpec, source: Source, *, max_bytes: int, dry_run: bool = False) -> ImportReport:
    """A population grid given as cell centres (e.g. Zensus 2022 CSV), one grid per variable; a
    raster (``RasterGridSpec``: GeoTIFF …) through ``io.rasters``."""
    if isinstance(spec, RasterGridSpec):
        return import_raster_grid(ws, path, spec, source, max_bytes=max_bytes, dry_run=dry_run)
    path = Path(path)
    table = read_table(path, max_bytes=max_bytes)
    problems = check_columns(table.frame.columns, {"x": spec.x, "y": spec.y,
                                                   **{f"variable {c}": c for c in spec.variables}}, file=table.file)
    raise_if_errors(problems, SchemaError)
    xs, p1 = parse_numeric(table.frame[spec.x], column=spec.x, file=table.file, decimal=table.decimal)
    ys, p2 = parse_numeric(table.frame[spec.y], column=spec.y, file=table.file, decimal=table.decimal)
    problems += p1 + p2
    for label, series in ((spec.x, xs), (spec.y, ys)):
        if series.isna().any():
            rows = [int(i) + 1 for i in np.flatnonzero(series.isna().to_numpy())[:10]]
            problems.append(Problem("coordinates_missing", {"count": int(series.isna().sum()),
                                                            "rows": ", ".join(map(str, rows))},
                                    file=table.file, row=rows[0], column=label))
    values = {}
    for col in spec.variables:
        values[col], vp = parse_numeric(table.frame[col], column=col, file=table.file, decimal=table.decimal,
                                        missing_values=set(spec.missing_values))
        problems += vp
    for col, meta in spec.variables.items():
        if meta.get("role") and meta["role"] not in GRID_ROLES:
            problems.append(Problem("grid_role_unknown", {"role": meta["role"], "column": col,
                                                          "known": ", ".join(GRID_ROLES)}, file=table.file))
    notices = raise_if_errors(problems, InputError)
    period = _date(spec.period, field_name="period", file=table.file)
    grids = []
    for col, meta in spec.variables.items():
        grids.append(({"grid_id": meta["grid_id"], "label": meta.get("label", col), "variable": col,
                       "kind": meta.get("kind", "extensive"), "crs": spec.crs, "cell_size_m": spec.cell_size_m,
                       "period": period, "source_id": source.source_id, "role": meta.get("role")},
                      pd.DataFrame({"x": xs, "y": ys, "value": values[col]})))
    report = ImportReport("grid", table.file, rows=len(table.frame), written=len(table.frame) * len(grids),
                          notices=notices, details={"grids": [g["grid_id"] for g, _ in grids]})

    def write():
        for grid, cells in grids:
            ws.replace_grid(grid, cells)
    return commit_import(ws, report, source, path, asdict(spec), write, dry_run=dry_run)


IMPORTERS = {"boundaries": import_boundaries, "indicators": import_indicator_table, "services": import_services,
             "programme-areas": import_programme_areas, "grid": import_grid}


def run_import(ws: Workspace, kind: str, path: Path | str, spec, source: Source, *, max_bytes: int,
               dry_run: bool = False, progress: networks.Progress | None = None) -> ImportReport:
    """Dispatch to the importer of ``kind`` (one of ``KINDS``); ``progress(fraction, step)`` is
    called by the walking-access importers (an OSM extract takes seconds)."""
    if kind in ("network", "origins", "barriers", "context"):
        importer = {"network": networks.import_network, "origins": networks.import_origins,
                    "barriers": networks.import_barriers, "context": import_context}[kind]
        return importer(ws, path, spec, source, max_bytes=max_bytes, dry_run=dry_run, progress=progress)
    return IMPORTERS[kind](ws, path, spec, source, max_bytes=max_bytes, dry_run=dry_run)
