"""A city or town without a manifest: start an empty workspace, then let its levels come from the
boundary files it has.

- ``new_city``: an empty workspace with the city's name; its work CRS is chosen from where the
  first boundaries lie (ETRS89 / UTM zone 32 or 33 in Germany) unless given.
- ``add_boundaries``: import one boundary file as a level (created when it is new). A level given
  a ``parent_level`` lies below it: the new level's areas get their parents from a parent column,
  a key prefix or, when neither is given, from geometry (the area above that holds most of each
  area). A new level without a parent level goes on top, and the areas of the level that was on
  top get their parents in it, again from geometry. Areas that fit no parent or straddle two are
  reported by name. Everything happens in one transaction: a refused file leaves no level behind.
- ``new_gemeinde``: a starter workspace for any Gemeinde of Germany from the nationwide layers
  (``data/nationwide/germany.toml``, read in place by ``io.nationwide``): its outline as the top
  level, its Kreis and Land as context outlines, the Zensus 2022 grids cut to it and its
  residents and foreign nationals from the grids; the town's own areas are then imported as a
  level below it (``add_boundaries`` with ``parent_level="gemeinde"``). ``gemeinde_candidates``
  lists what a name may mean, for a picker.
- ``new_germany``: the ``germany`` workspace, every Gemeinde, Kreis and Land and the whole grids.
- ``add_zensus``: a workspace with areas of its own (a city that publishes shares and densities
  but no counts, or a starter after its own quarters were imported) takes the Zensus grids cut to
  its areas, and every level's areas get residents, foreign nationals and their share from them.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.analysis.interpolate import sum_in
from jmdiq_geo.analysis.nesting import assign_parents
from jmdiq_geo.config import location_label
from jmdiq_geo.crs import SharedVertices, require_metric, to_work_crs, utm_crs_at, utm_crs_for
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.i18n import localized, t
from jmdiq_geo.io import nationwide
from jmdiq_geo.io.commit import file_sha256
from jmdiq_geo.io.imports import BoundarySpec, ImportReport, Source, import_boundaries
from jmdiq_geo.io.readers import read_vector
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize
from jmdiq_geo.services.grids import grid_basis
from jmdiq_geo.services.workspace import build_new_workspace, build_target

#: how many area names a report lists before "…"
LISTED = 10


def new_city(db_path: Path | str, *, name: str, crs: str | None = None) -> Workspace:
    """An empty workspace for the city ``name`` at ``db_path`` (which must not exist yet)."""
    authorize("create_workspace")
    db_path = build_target(db_path)
    if not name.strip():
        raise SchemaError(Problem("city_name_missing"))
    if crs:
        require_metric(crs)
    ws = Workspace.create(db_path, work_crs=crs or "", city=name.strip())
    with ws.transaction():
        ws.set_meta(city_id=_slug(name))
    return ws


def _slug(name: str) -> str:
    keep = "".join(c if c.isalnum() else "-" for c in name.strip().lower())
    return "-".join(part for part in keep.split("-") if part) or "stadt"


@dataclass
class LevelSpec:
    """A level a boundary file brings: its id and labels, and where it lies."""
    level: str
    label_de: str
    label_en: str | None = None
    #: the existing level this one lies below (its areas' parents are there)
    parent_level: str | None = None


def add_boundaries(ws: Workspace, path: Path | str, spec: BoundarySpec, source: Source, *, level: LevelSpec,
                   max_bytes: int, dry_run: bool = False) -> ImportReport:
    """Import ``path`` as the areas of ``level`` (created when new), with parents (see module);
    a dry run reports what would happen and writes nothing, not even the level."""
    try:
        return _add(ws, Path(path), spec, source, level=level, max_bytes=max_bytes, dry_run=dry_run)
    except _DryRun as done:
        return done.report


def _add(ws: Workspace, path: Path, spec: BoundarySpec, source: Source, *, level: LevelSpec, max_bytes: int,
         dry_run: bool) -> ImportReport:
    known = ws.levels_in_order()
    problems = []
    if level.parent_level and level.parent_level not in known:
        problems.append(Problem("level_unknown", {"level": level.parent_level, "known": ", ".join(known) or "–"},
                                file=path.name))
    if level.level not in known and level.parent_level and known and level.parent_level != known[0]:
        # a level between two others would need the lower one's parents moved: not done silently
        problems.append(Problem("level_between", {"level": level.level, "parent": level.parent_level,
                                                  "lowest": known[0]}, file=path.name))
    if problems:
        raise SchemaError(problems)
    with ws.transaction():
        if not ws.meta().get("work_crs"):
            ws.set_meta(work_crs=utm_crs_for(read_vector(path, crs=spec.crs, layer=spec.layer, max_bytes=max_bytes)))
        below_top = None
        if level.level not in known:
            order = list(known)
            current = ws.levels()
            parents = {lv: (p if isinstance(p, str) and p else None)
                       for lv, p in zip(current["level"], current["parent_level"])}
            if level.parent_level:                         # a finer level below the lowest
                order.insert(0, level.level)
                parents[level.level] = level.parent_level
            else:                                          # a coarser level on top
                below_top = known[-1] if known else None
                order.append(level.level)
                parents[level.level] = None
                if below_top:
                    parents[below_top] = level.level
            ws.put_level(level.level, label_de=level.label_de, label_en=level.label_en or level.label_de,
                         rank=len(order) - 1, parent_level=parents[level.level])
            ws.set_level_order(order, parents)
        parent_level = level.parent_level or _parent_of(ws, level.level)
        report = import_boundaries(ws, path, spec, source, max_bytes=max_bytes, dry_run=dry_run)
        if not dry_run:
            valid_from = date.fromisoformat(str(spec.valid_from)[:10])
            if parent_level and not (spec.parent or spec.parent_prefix):
                report.notices += nest_from_geometry(ws, child=level.level, parent=parent_level, valid_from=valid_from)
            if below_top:
                for edition in ws.editions(below_top):
                    report.notices += nest_from_geometry(ws, child=below_top, parent=level.level, valid_from=edition)
        report.details["level"] = level.level
        if dry_run:
            raise _DryRun(report)
    return report


class _DryRun(Exception):
    """Rolls a dry run's level back (the caller gets the report all the same)."""

    def __init__(self, report: ImportReport):
        super().__init__("dry run")
        self.report = report


def _parent_of(ws: Workspace, level: str) -> str | None:
    levels = ws.levels().set_index("level")
    parent = levels.at[level, "parent_level"] if level in levels.index else None
    return parent if isinstance(parent, str) and parent else None


def nest_from_geometry(ws: Workspace, *, child: str, parent: str, valid_from: date) -> list[Problem]:
    """Give the areas of ``child`` (one edition) their parents in ``parent`` from geometry, and
    say how it went."""
    children = ws.areas(child, at=valid_from)
    parents = ws.areas(parent)
    nested = assign_parents(children, parents)
    ws.set_parents(child, valid_from, dict(zip(nested["area_id"], nested["parent_id"])))
    names = dict(zip(children["area_id"], children["name"]))
    # levels named as people call them (the German label is the domain term in both languages)
    levels = ws.levels()
    label = dict(zip(levels["level"], levels["label_de"]))
    child_name, parent = label.get(child, child), label.get(parent, parent)
    notices = [Problem("parents_from_geometry", {"count": int(nested["parent_id"].notna().sum()),
                                                 "level": child_name, "parent": parent}, severity="notice")]
    for status, code in (("outside", "parents_outside"), ("straddles", "parents_straddle")):
        hit = nested[nested["status"] == status]
        if len(hit):
            listed = [f"{names.get(a, a)} ({a})" for a in hit["area_id"][:LISTED]]
            notices.append(Problem(code, {"count": len(hit), "parent": parent,
                                          "areas": ", ".join(listed) + (" …" if len(hit) > LISTED else "")},
                                   severity="notice"))
    return notices


# --------------------------------------------------------------------------- from the nationwide layers

#: (step index, number of steps, what happens now, in the caller's language)
Progress = Callable[[int, int, str], None]


@dataclass
class StarterReport:
    """What a workspace built from the nationwide layers holds."""
    db_path: Path
    city: str
    ags: str | None
    work_crs: str
    #: level (or ``context:<kind>``) → number of areas
    areas: dict[str, int] = field(default_factory=dict)
    #: grid id → number of cells stored
    cells: dict[str, int] = field(default_factory=dict)
    #: indicator → number of values (the ``germany`` workspace) or the value (one Gemeinde)
    values: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0


def nationwide_available(data_root: Path | None) -> bool:
    """Whether the nationwide layers are below ``data_root`` (a starter can be built)."""
    try:
        nationwide.load_layers(data_root)
    except SchemaError:
        return False
    return True


def gemeinde_candidates(data_root: Path | None, query: str) -> tuple[str, pd.DataFrame]:
    """The Gemeinden ``query`` (a name or an AGS) may mean, for a picker: (how they were found:
    ``ags``, ``exact``, ``part`` or ``close`` for similar names only; ``ags, name, type, kreis``)."""
    found = nationwide.search_gemeinden(nationwide.gemeinde_index(nationwide.load_layers(data_root)), query)
    return found.how, found.candidates.reset_index(drop=True)


def new_gemeinde(db_path: Path | str, query: str, *, data_root: Path | None, name: str | None = None,
                 lang: str = "de", progress: Progress | None = None) -> StarterReport:
    """A starter workspace for one Gemeinde (``query``: its name or AGS; several or no matches
    are an ``InputError`` listing the candidates with their Kreis, and nothing is written): its
    outline as the top level, its Kreis and Land as context outlines, the Zensus grids cut to it
    (cells touching the outline) and its residents and foreign nationals summed from the cells
    whose centre lies inside (see ``io.nationwide``). Built in ``<db>.building``, moved into
    place when complete."""
    authorize("create_workspace")
    started = time.perf_counter()
    layers = nationwide.load_layers(data_root)
    total = len(layers.grids) + 3
    step = _stepper(progress, total, lang)
    step("starter_step_find", query=query)
    row = nationwide.resolve_gemeinde(nationwide.gemeinde_index(layers), query)
    # the target is looked at only for a Gemeinde found: an unknown name leaves a PostgreSQL
    # database as it was (opening a workspace there creates its tables)
    db_path = build_target(db_path)
    ags = str(row["ags"])
    step("starter_step_outline", name=row["name"])
    gem = nationwide.read_areas(layers.areas["gemeinde"], keys=[ags])
    context = {level: nationwide.read_areas(layer, keys=[ags[:layer.key_digits]])
               for level, layer in layers.areas.items() if level != "gemeinde"}
    work_crs = utm_crs_for(gem)
    grid_crs = {g.crs for g in layers.grids}
    outline = {crs: to_work_crs(gem, crs).geometry for crs in grid_crs}
    grids = []
    for g in layers.grids:
        step("starter_step_grid", grid=g.label)
        shape = outline[g.crs]
        cells = nationwide.read_cells(g, bbox=shape.total_bounds)
        grids.append((g, cells[nationwide.cells_touching(cells, shape.iloc[0], cell_size_m=float(g.cell_size_m))]))
    step("starter_step_write", path=location_label(db_path))
    sums = {g.grid_id: nationwide.CentreLabels(outline[g.crs]).sums(cells) for g, cells in grids}
    values = _indicator_values(layers, sums, [ags])
    report = StarterReport(db_path, name or str(row["name"]), ags, work_crs)

    def write(ws: Workspace):
        _write_level(ws, layers, "gemeinde", gem, work_crs=work_crs, parents=None, rank=0, parent_level=None)
        report.areas["gemeinde"] = len(gem)
        for level, areas in context.items():
            ws.replace_context_areas(to_work_crs(areas, work_crs), kind=level, source_id=layers.areas[level].source)
            report.areas[f"context:{level}"] = len(areas)
        for g, cells in grids:
            ws.replace_grid(g.meta(), cells)
            report.cells[g.grid_id] = len(cells)
        _write_indicators(ws, layers, values)
        report.values = {k: float(v.iloc[0]) for k, v in values.items() if len(v)}
        _log(ws, layers, gemeinde=ags)
    _build(db_path, report, layers, write, ags=ags)
    report.seconds = time.perf_counter() - started
    return report


def new_germany(db_path: Path | str, *, data_root: Path | None, name: str | None = None, lang: str = "de",
                progress: Progress | None = None) -> StarterReport:
    """The ``germany`` workspace: every Gemeinde, Kreis and Land as three levels (parents from
    the AGS), the whole Zensus grids (inserted by DuckDB straight from the parquet files), and
    every Gemeinde's residents and foreign nationals (cells by their centre)."""
    authorize("create_workspace")
    started = time.perf_counter()
    db_path = build_target(db_path)
    layers = nationwide.load_layers(data_root)
    step = _stepper(progress, 4, lang)
    step("starter_step_outline", name=t("starter_germany", lang))
    order = list(layers.areas)            # smallest first: gemeinde, kreis, land
    lowest = order[0]
    used = {d.get("grid") for d in layers.indicators.values()}
    grid_crs = sorted({g.crs for g in layers.grids})
    hub = grid_crs[0] if grid_crs else None

    def gemeinden():
        """The Gemeinden, read and ready to be reprojected: the outlines' vertices are transformed
        once, to the geographic CRS of the grids' datum (the hub); from there the grids' CRS and
        the work CRS are projections (PROJ sets the datum shift up once)."""
        gem = nationwide.read_areas(layers.areas[lowest])
        return gem, SharedVertices([gem], hub=hub)

    def gemeinde_sums() -> dict:
        shared = reading.result()[1]
        labels = {crs: nationwide.CentreLabels(shared.to(crs)[0].geometry) for crs in grid_crs}
        return {g.grid_id: labels[g.crs].sums_of(*nationwide.read_all_cells(g)) for g in layers.grids
                if g.grid_id in used}

    # at once, each releasing the GIL for its heavy work: one thread reads the Gemeinden and
    # transforms their vertices, a second then sums the grids' cells in them (PROJ, pyarrow,
    # GEOS, numpy); a third runs DuckDB's insert of the grids from the moment the workspace exists,
    # in a transaction of its own (the build's file is moved into place only when all is
    # written); this thread reads the other levels, chooses the work CRS, reprojects the levels
    # and writes them, the Gemeinden's values and the import log meanwhile
    pool = ThreadPoolExecutor(max_workers=3)
    reading = pool.submit(gemeinden)
    sums = pool.submit(gemeinde_sums)
    report = StarterReport(db_path, name or t("starter_germany", lang), None, "")   # its work CRS: below

    def begin(ws: Workspace) -> Future:
        ws.leave_cores(2)               # this thread and the sums' (DuckDB's insert runs in the third)
        return pool.submit(ws.insert_cells_from_parquet, [(g.grid_id, g.file, g.column) for g in layers.grids],
                           own_transaction=True)

    def write(ws: Workspace):
        ws.put_grids([g.meta() for g in layers.grids])
        step("starter_step_grid_all", grid=", ".join(g.label for g in layers.grids))
        areas = {level: nationwide.read_areas(layers.areas[level]) for level in order[1:]}
        upper = SharedVertices(list(areas.values()), hub=hub)      # Kreise and Länder
        gem, lower = reading.result()
        # the work CRS from the top level's extent in degrees
        report.work_crs = utm_crs_at(*(upper.lonlat_bounds(len(order) - 2) if len(order) > 1
                                       else lower.lonlat_bounds(0)))
        in_work = dict(zip(order, lower.to(report.work_crs) + upper.to(report.work_crs)))
        areas[lowest] = gem
        ws.set_meta(work_crs=report.work_crs)
        for rank, level in enumerate(order):
            above = order[rank + 1] if rank + 1 < len(order) else None
            digits = layers.areas[above].key_digits if above else None
            parents = areas[level]["area_id"].str[:digits] if digits else None
            _write_level(ws, layers, level, in_work[level], work_crs=None, parents=parents, rank=rank,
                         parent_level=above)
            report.areas[level] = len(areas[level])
        step("starter_step_indicators")
        values = _indicator_values(layers, sums.result(), list(areas[lowest]["area_id"]))
        _write_indicators(ws, layers, values)
        report.values = {k: int(v.notna().sum()) for k, v in values.items()}
        step("starter_step_write", path=location_label(db_path))
        _log(ws, layers, gemeinde=None)

    try:
        report.cells.update(_build(db_path, report, layers, write, ags=None, begin=begin))
    finally:
        pool.shutdown(cancel_futures=True)
    report.seconds = time.perf_counter() - started
    return report


def zensus_residents(data_root: Path | None) -> str:
    """The indicator the census's residents are stored as (``add_zensus``)."""
    return nationwide.load_layers(data_root).city.get("population_indicator", "")


def add_zensus(ws: Workspace, *, data_root: Path | None, residents: bool = False, lang: str = "de",
               progress: Progress | None = None) -> StarterReport:
    """The nationwide grids cut to the workspace's areas (the cells touching the outline of its
    top level) in place of any grids of the same id, and for the areas of every level the counts
    of the nationwide layers' indicators (residents, foreign nationals) and the shares rebuilt
    from them: residents from the residents grid spread within each cell over its inhabited part
    as the finer grid shows it, foreign nationals from the finer grid's cells by the share of
    their surface inside (as for a drawn quarter, ``services.grids.grid_numbers``; the pieces
    of a cell add up to the cell, so the areas add up to what the grids hold inside the city).
    The roles of the nationwide layers (the foreigners share) are added where the workspace maps
    none, and the census's residents become the population indicator where there is none (or,
    ``residents``, in place of the one there is). One transaction: a failure writes nothing.
    For cities that publish shares and densities but no counts, and starters whose own quarters
    were imported after."""
    authorize("import")
    started = time.perf_counter()
    order = [lv for lv in ws.levels_in_order() if lv in ws.levels_with_areas()]
    if not order:
        raise SchemaError(Problem("zensus_needs_areas"))
    layers = nationwide.load_layers(data_root)
    step = _stepper(progress, len(layers.grids) + len(order), lang)
    report = StarterReport(ws.url or ws.path, ws.meta().get("city", ""),
                           ws.meta().get("gemeinde_ags") or None, ws.work_crs)
    top = ws.areas(order[-1])
    outline = gpd.GeoSeries([shapely.union_all(shapely.make_valid(top.geometry.array))], crs=top.crs)
    with ws.transaction():
        for source in {g.source for g in layers.grids}:
            ws.put_source(asdict(layers.sources[source]))
        for g in layers.grids:
            step("starter_step_grid", grid=g.label)
            shape = to_work_crs(gpd.GeoDataFrame(geometry=outline), g.crs).geometry.iloc[0]
            cells = nationwide.read_cells(g, bbox=shape.bounds)
            cells = cells[nationwide.cells_touching(cells, shape, cell_size_m=float(g.cell_size_m))]
            ws.replace_grid(g.meta(), cells)
            report.cells[g.grid_id] = len(cells)
        basis = grid_basis(ws)
        pieces = {basis.residents_grid: basis.residents, basis.foreigners_grid: basis.foreigners}
        labels = ws.levels().set_index("level")
        for level in order:
            step("zensus_step_level", level=localized(labels.loc[level], lang))
            areas = to_work_crs(ws.areas(level), basis.crs)
            sums = {grid: [float(sum_in(area, found).sum()) for area in areas.geometry.array]
                    for grid, found in pieces.items() if grid is not None and found is not None}
            values = _indicator_values(layers, sums, list(areas["area_id"]))
            _write_indicators(ws, layers, values, level=level, description="description_areas")
            report.areas[level] = len(areas)
            for ind, v in values.items():
                report.values[ind] = report.values.get(ind, 0) + int(v.notna().sum())
        roles = json.loads(ws.meta().get("roles") or "{}")
        # (``zensus``: a data package written from this workspace takes the grids the same way;
        # a workspace without residents of its own takes the census's for the privacy rule)
        ws.set_meta(roles=json.dumps({**layers.roles, **{k: v for k, v in roles.items() if v}}, ensure_ascii=False),
                    zensus="true", population_indicator=(not residents and ws.meta().get("population_indicator"))
                    or layers.city.get("population_indicator", ""))
        _log(ws, layers, gemeinde=None, areas=False)
    report.seconds = time.perf_counter() - started
    return report


def _stepper(progress: Progress | None, total: int, lang: str):
    count = [0]

    def step(key: str, **params):
        if progress:
            progress(min(count[0], total - 1), total, t(key, lang, **params))
        count[0] += 1
    return step


def _indicator_values(layers, sums: dict[str, np.ndarray], area_ids: list[str]) -> dict[str, pd.Series]:
    """Indicator → values per area: a count is the sum of its grid's cells (by centre), a
    share is rebuilt from its numerator and denominator (none where the denominator is 0)."""
    out = {}
    for ind, d in layers.indicators.items():
        if d.get("grid") in sums:
            out[ind] = pd.Series(sums[d["grid"]], index=area_ids, dtype=float)
    for ind, d in layers.indicators.items():
        if d.get("numerator") in out and d.get("denominator") in out:
            num, den = out[d["numerator"]], out[d["denominator"]]
            out[ind] = (100.0 * num / den.where(den > 0)).astype(float)
    return out


def _write_level(ws: Workspace, layers, level: str, areas, *, work_crs: str | None, parents, rank: int,
                 parent_level: str | None) -> None:
    """Store the level and its areas (``work_crs``: reprojected to it first; None: ``areas`` are
    in the work CRS already, from ``SharedVertices``, which checked them)."""
    spec = layers.areas[level]
    ws.put_level(level, label_de=spec.label_de, label_en=spec.label_en, rank=rank, parent_level=parent_level)
    frame = to_work_crs(areas, work_crs) if work_crs else areas
    frame = frame.assign(parent_id=parents.to_numpy() if parents is not None else None)
    ws.replace_areas(frame, level=level, valid_from=date.fromisoformat(layers.sources[spec.source].reference_date),
                     valid_to=None, source_id=spec.source)


def _write_indicators(ws: Workspace, layers, values: dict[str, pd.Series], *, level: str | None = None,
                      description: str = "description") -> None:
    """The indicators' definitions and ``values`` at ``level`` (default: the lowest nationwide
    level); ``description``: which of a definition's descriptions (its method) to store."""
    grids = {g.grid_id: g for g in layers.grids}
    level = level or next(iter(layers.areas))
    defs, frames = [], []
    for ind, d in layers.indicators.items():
        if ind not in values:
            continue
        source = grids[d["grid"]].source if d.get("grid") in grids else grids[
            layers.indicators[d["numerator"]]["grid"]].source
        defs.append({"indicator_id": ind, "label_de": d["label_de"], "label_en": d.get("label_en"),
                     "unit": d.get("unit"), "kind": d["kind"], "denominator": d.get("denominator"),
                     "description": d.get(description, d.get("description")), "source_id": source})
        period = grids[d.get("grid") or layers.indicators[d["numerator"]]["grid"]].period
        v = values[ind]
        frames.append(pd.DataFrame({"level": level, "area_id": v.index.to_numpy(), "indicator_id": ind,
                                    "period": pd.Timestamp(period), "value": v.to_numpy(), "source_id": source}))
    ws.put_indicators(defs)
    if frames:
        ws.put_values(pd.concat(frames, ignore_index=True))


def _log(ws: Workspace, layers, *, gemeinde: str | None, areas: bool = True) -> None:
    """One import-log row per file read (with its sha256), so the workspace names its files
    (``areas``: the outlines' files too)."""
    for level, spec in layers.areas.items() if areas else ():
        ws.log_import(kind="nationwide", file=spec.file.name, sha256=file_sha256(spec.file), source_id=spec.source,
                      options={"file_path": str(spec.file), "level": level, "gemeinde": gemeinde}, report={})
    for g in layers.grids:
        ws.log_import(kind="nationwide", file=g.file.name, sha256=file_sha256(g.file), source_id=g.source,
                      options={"file_path": str(g.file), "grid_id": g.grid_id, "gemeinde": gemeinde}, report={})


def _build(db_path: Path | str, report: StarterReport, layers, write, *, ags: str | None,
           begin=None):
    """Write the workspace (``write(ws)`` in one transaction with the starter's meta and
    sources) with ``build_new_workspace``: nobody sees it before all is written, and a path
    somebody else built meanwhile is not replaced. ``begin``: as there. Returns the result of
    ``begin``'s work (None without ``begin``)."""
    def fill(ws: Workspace) -> None:
        with ws.transaction():
            city = layers.city
            ws.set_meta(city_id=_slug(report.city), gemeinde_ags=ags or "",
                        roles=json.dumps(layers.roles, ensure_ascii=False),
                        **{k: city.get(k, "") for k in ("population_indicator", "default_indicator",
                                                        "target_group_indicator", "access_fallback_grid")})
            for source in layers.sources.values():
                ws.put_source(asdict(source))
            write(ws)
            ws.checkpoint_at_commit()       # the file is this build's alone

    return build_new_workspace(db_path, work_crs=report.work_crs, city=report.city, fill=fill, begin=begin)[1]
