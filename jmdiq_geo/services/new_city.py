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
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jmdiq_geo.analysis.nesting import assign_parents
from jmdiq_geo.crs import require_metric, utm_crs_for
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.io.imports import BoundarySpec, ImportReport, Source, import_boundaries
from jmdiq_geo.io.readers import read_vector
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize

#: how many area names a report lists before "…"
LISTED = 10


def new_city(db_path: Path | str, *, name: str, crs: str | None = None) -> Workspace:
    """An empty workspace for the city ``name`` at ``db_path`` (which must not exist yet)."""
    authorize("create_workspace")
    db_path = Path(db_path)
    if db_path.exists():
        raise SchemaError(Problem("workspace_exists", {"path": str(db_path)}))
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
