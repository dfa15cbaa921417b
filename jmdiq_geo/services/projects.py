"""The project register's use cases: micro-projects, partners and ties — validation, saving with
optimistic locking (``store/projects.py``: versions, conflicts, audit log), the tables the page
shows, and CSV/GeoJSON exchange (files through ``io/exports.py``).

Every record carries a ``version``. A save names the version it was based on; if someone else
saved in between, the save is refused with a ``ConflictError`` that shows both versions, and
nothing is overwritten. Every change is written to the audit log (who, when, before, after) in
the same transaction, so a record's history can always be shown.
"""
from __future__ import annotations

from dataclasses import asdict, fields, replace
from datetime import datetime

import geopandas as gpd
import pandas as pd
import shapely

from jmdiq_geo.analysis.project_summary import compare_years, project_summary
from jmdiq_geo.analysis.projects import (MicroProject, Partner, Tie, validate_partner, validate_project,
                                      validate_tie)
from jmdiq_geo.crs import to_work_crs
from jmdiq_geo.errors import ConflictError, InputError, JmdiqError, ParseError, Problem, raise_if_errors
from jmdiq_geo.i18n import DATE_FORMAT
from jmdiq_geo.io.exports import exchange_bytes, read_exchange
from jmdiq_geo.store.projects import RECORD_TABLES
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize

#: entity → (table, id column, record class)
TABLES = {entity: (*RECORD_TABLES[entity], cls) for entity, cls in
          (("project", MicroProject), ("partner", Partner), ("tie", Tie))}
LIST_FIELDS = {"fields_of_action", "partners"}


def _inside(ws: Workspace):
    areas = ws.areas(ws.lowest_level())

    def inside(x: float, y: float) -> bool:
        return len(areas.sindex.query(shapely.Point(x, y), predicate="intersects")) > 0
    return inside


def _ids(ws: Workspace, entity: str) -> set[str]:
    return ws.record_ids(entity)


# --------------------------------------------------------------------------- public API

def save_project(ws: Workspace, p: MicroProject, *, expected_version: int | None, user: str) -> tuple[int, list[Problem]]:
    """Validate (every wrong field at once), then save; returns the new version and notices."""
    authorize("edit_projects")
    problems = validate_project(p, known_partners=_ids(ws, "partner"), known_projects=_ids(ws, "project"),
                                inside_workspace=_inside(ws))
    notices = raise_if_errors(problems, InputError)
    xy = (p.x, p.y)
    if p.location_partner and p.x is None:
        partner = get_record(ws, "partner", p.location_partner)
        xy = (partner[0].x, partner[0].y) if partner else (None, None)
    return ws.save_record("project", p.project_id, asdict(p), expected_version=expected_version, user=user,
                          xy=xy), notices


def create_project(ws: Workspace, p: MicroProject, *, user: str) -> tuple[str, int, list[Problem]]:
    """Save a new project; without an id it gets the next free ``pNNN``, assigned in the saving
    transaction (two sessions adding at once get two ids). An id that exists is a conflict,
    never an overwrite. Returns the id, the version and notices."""
    authorize("edit_projects")
    with ws.transaction():
        pid = p.project_id.strip() or ws.next_record_id("project", "p")
        version, notices = save_project(ws, replace(p, project_id=pid), expected_version=None, user=user)
    return pid, version, notices


def create_partner(ws: Workspace, p: Partner, *, user: str) -> tuple[str, int, list[Problem]]:
    """Save a new partner; without an id it gets the next free ``orgNNN`` (see ``create_project``)."""
    authorize("edit_projects")
    with ws.transaction():
        pid = p.partner_id.strip() or ws.next_record_id("partner", "org")
        version, notices = save_partner(ws, replace(p, partner_id=pid), expected_version=None, user=user)
    return pid, version, notices


def save_partner(ws: Workspace, p: Partner, *, expected_version: int | None, user: str) -> tuple[int, list[Problem]]:
    """Validate, then save. A name another partner already has (ignoring case and spaces) is
    refused: the same organisation twice splits its projects and ties."""
    authorize("edit_projects")
    problems = validate_partner(p, inside_workspace=_inside(ws))
    others = records(ws, "partner")
    others = others[others["partner_id"] != p.partner_id]
    same = others[others["name"].str.casefold().str.split().str.join(" ") == " ".join(p.name.casefold().split())]
    if p.name.strip() and not same.empty:
        problems.append(Problem("form_partner_exists", {"partner": same["partner_id"].iloc[0]}, column="name"))
    notices = raise_if_errors(problems, InputError)
    return ws.save_record("partner", p.partner_id, asdict(p), expected_version=expected_version, user=user,
                          xy=(p.x, p.y)), notices


def save_tie(ws: Workspace, t: Tie, *, expected_version: int | None, user: str) -> tuple[int, list[Problem]]:
    authorize("edit_projects")
    notices = raise_if_errors(validate_tie(t, known_partners=_ids(ws, "partner")), InputError)
    return ws.save_record("tie", t.tie_id, asdict(t), expected_version=expected_version, user=user), notices


def archive(ws: Workspace, entity: str, record_id: str, *, expected_version: int, user: str) -> int:
    authorize("edit_projects")
    record = get_record(ws, entity, record_id)
    if record is None:
        raise ConflictError(Problem("conflict_gone", {"record": record_id}))
    xy = (getattr(record[0], "x", None), getattr(record[0], "y", None))
    return ws.save_record(entity, record_id, asdict(record[0]), expected_version=expected_version, user=user, xy=xy,
                          action="archive", archived=True)


def get_record(ws: Workspace, entity: str, record_id: str):
    """(record, version, archived) or None."""
    cls = TABLES[entity][2]
    row = ws.record_row(entity, record_id)
    if row is None:
        return None
    allowed = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in row[0].items() if k in allowed}), row[1], row[2]


def records(ws: Workspace, entity: str, *, include_archived: bool = False) -> pd.DataFrame:
    """All records of an entity as a table (list fields kept as lists), with version and who/when."""
    cls = TABLES[entity][2]
    data = ws.record_rows(entity, include_archived=include_archived)
    columns = [f.name for f in fields(cls)] + ["version", "archived", "updated_at", "updated_by"]
    return pd.DataFrame(data, columns=columns)


def history(ws: Workspace, entity: str, record_id: str) -> pd.DataFrame:
    return ws.audit_entries(entity, record_id)


# --------------------------------------------------------------------------- exchange

def to_geodataframe(ws: Workspace, entity: str) -> gpd.GeoDataFrame:
    """Records as a GeoDataFrame in the work CRS (list fields joined by "; ")."""
    frame = records(ws, entity)
    for col in LIST_FIELDS & set(frame.columns):
        frame[col] = frame[col].map(lambda v: "; ".join(v) if isinstance(v, list) else "")
    frame = frame.drop(columns=["archived", "updated_at", "updated_by", "version"])
    geom = [shapely.Point(x, y) if pd.notna(x) and pd.notna(y) else None
            for x, y in zip(frame.get("x", [None] * len(frame)), frame.get("y", [None] * len(frame)))]
    return gpd.GeoDataFrame(frame, geometry=geom, crs=ws.work_crs)


#: entity → (column named in the tooltip, column shown as its detail)
POINT_LABELS = {"project": ("title", "status"), "partner": ("name", "type")}


def located_points(ws: Workspace, entity: str) -> gpd.GeoDataFrame:
    """Located records of ``entity`` as points (name and a detail for the tooltip), for maps."""
    name, detail = POINT_LABELS[entity]
    frame = records(ws, entity)
    frame = frame[frame["x"].notna() & frame["y"].notna()]
    return gpd.GeoDataFrame({"name": frame[name], "address": frame[detail]},
                            geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=ws.work_crs)


def from_table(frame: pd.DataFrame, entity: str) -> list:
    """Records from an exported table (CSV or GeoJSON attributes). A number that is not one is a
    ``ParseError`` naming every such row and column."""
    _, _, cls = TABLES[entity]
    out, problems = [], []
    for i, row in enumerate(frame.to_dict("records"), start=1):
        values = {}
        for f in fields(cls):
            v = row.get(f.name)
            if isinstance(v, float) and pd.isna(v):
                v = None
            if isinstance(v, (pd.Timestamp, datetime)):        # GeoJSON readers turn ISO dates into datetimes
                v = v.date().isoformat()
            try:
                if f.name in LIST_FIELDS:
                    v = [x.strip() for x in str(v or "").split(";") if x.strip()]
                elif f.type in ("float | None",) and v is not None:
                    v = float(v)
                elif f.type in ("int | None", "int") and v is not None:
                    v = int(float(v))
                elif f.type in ("str", "str | None") and v is not None:
                    v = str(v)
            except (TypeError, ValueError):
                problems.append(Problem("exchange_bad_number", {"value": str(v)}, row=i, column=f.name))
                v = None
            if v is None and f.type == "str":
                v = ""
            values[f.name] = v
        out.append(cls(**values))
    if problems:
        raise ParseError(problems)
    return out


def import_records(ws: Workspace, entity: str, items: list, *, user: str) -> int:
    """Save many records in one transaction: every problem of every record is reported, and
    nothing is written when one is wrong."""
    authorize("edit_projects")
    problems: list[Problem] = []
    saver = {"project": save_project, "partner": save_partner, "tie": save_tie}[entity]
    with ws.transaction():
        for i, item in enumerate(items, start=1):
            existing = get_record(ws, entity, getattr(item, TABLES[entity][1]) if entity != "tie" else item.tie_id)
            try:
                saver(ws, item, expected_version=existing[1] if existing else None, user=user)
            except InputError as exc:
                problems += [Problem(p.code, p.params, file=p.file, row=i, column=p.column) for p in exc.problems]
        if problems:
            raise InputError(problems)
    return len(items)


def import_file(ws: Workspace, entity: str, name: str, data: bytes, *, user: str) -> int:
    """Import an uploaded CSV or GeoJSON as exported (all or nothing); a file that does not fit
    the format is an ``InputError`` naming it, never a bare exception."""
    frame = read_exchange(name, data, ws.work_crs)
    try:
        return import_records(ws, entity, from_table(frame, entity), user=user)
    except (ValueError, KeyError) as exc:
        if isinstance(exc, JmdiqError):
            raise
        raise InputError(Problem("exchange_bad_file", {"format": "CSV" if name.lower().endswith(".csv")
                                                       else "GeoJSON"}, file=name)) from None


def export_files(ws: Workspace, entity: str) -> tuple[bytes, bytes]:
    """The records of ``entity`` as CSV and GeoJSON bytes, for a download."""
    return exchange_bytes(to_geodataframe(ws, entity))


# --------------------------------------------------------------------------- places and tables for the page

def work_point(ws: Workspace, lng: float, lat: float) -> tuple[float, float]:
    """A point clicked on a map (EPSG:4326) in the work CRS."""
    point = to_work_crs(gpd.GeoDataFrame(geometry=gpd.points_from_xy([lng], [lat]), crs="EPSG:4326"),
                        ws.work_crs).geometry.iloc[0]
    return point.x, point.y


def place_search(ws: Workspace, query: str, limit: int = 20) -> gpd.GeoDataFrame:
    """Places of the workspace whose name or address contains ``query`` (services of every
    category: schools, youth centres, libraries …) — offline, no geocoder."""
    services = ws.services()
    text = (services["name"].fillna("") + " " + services["address"].fillna("")).str.lower()
    return services[text.str.contains(query.strip().lower(), regex=False)].head(limit)


def filter_options(projects: pd.DataFrame) -> tuple[list[int], list[str]]:
    """The start years and the areas the projects have (for the overview's filters)."""
    years = sorted(pd.to_datetime(projects["start"], errors="coerce").dt.year.dropna().astype(int).unique())
    areas = sorted(a for a in projects["area_id"].dropna().unique())
    return years, areas


def filter_projects(projects: pd.DataFrame, *, year: int | None = None, field: str | None = None,
                    status: str | None = None, area: str | None = None) -> pd.DataFrame:
    """The projects of a start year, field of action, status and area (None: any)."""
    shown = projects
    if year is not None:
        shown = shown[pd.to_datetime(shown["start"], errors="coerce").dt.year == year]
    if field is not None:
        shown = shown[shown["fields_of_action"].map(lambda f: field in f)]
    if status is not None:
        shown = shown[shown["status"] == status]
    if area is not None:
        shown = shown[shown["area_id"] == area]
    return shown


def area_labels(ws: Workspace) -> dict[str, str]:
    """Area id → its name, over every level (a project's area may be of any level); an area
    without a name keeps its id."""
    labels: dict[str, str] = {}
    for level in reversed(ws.levels_in_order()):          # the lowest level's name wins a shared id
        names = ws.area_names(level)
        labels.update({a: (n if isinstance(n, str) and n.strip() else a)
                       for a, n in zip(names["area_id"], names["name"])})
    return labels


def overview_table(projects: pd.DataFrame, lang: str, area_names: dict[str, str] | None = None) -> pd.DataFrame:
    """The overview's columns, dates written as the language writes them, areas by name (with
    ``area_names``), budgets as numbers (an empty budget is a missing value, shown as "–")."""
    table = projects[["project_id", "title", "area_id", "status", "start", "end", "budget_planned", "budget_spent",
                      "predecessor", "version", "updated_by"]].copy()
    for col in ("start", "end"):
        table[col] = pd.to_datetime(table[col], errors="coerce").dt.strftime(DATE_FORMAT[lang])
    for col in ("budget_planned", "budget_spent"):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    if area_names is not None:
        table["area_id"] = table["area_id"].map(lambda a: area_names.get(a, a) if isinstance(a, str) else "–")
    table["predecessor"] = table["predecessor"].map(lambda v: v if isinstance(v, str) and v else "–")
    return table


def summary_table(projects: pd.DataFrame, by: str, area_names: dict[str, str] | None = None) -> pd.DataFrame:
    """``project_summary`` with the shares in % and the groups as text (years without decimals,
    areas by name with ``area_names``)."""
    summary = project_summary(projects, by=by)
    summary[["share_participation", "share_continued"]] *= 100           # shares in %
    for col in ("budget_planned", "budget_spent"):
        summary[col] = pd.to_numeric(summary[col], errors="coerce").astype(float)
    names = area_names or {}
    summary.index = summary.index.map(lambda v: "–" if pd.isna(v) else (str(int(v)) if by == "year" else
                                                                         names.get(v, v) if by == "area_id" else v))
    return summary


def ties_of_year(ties: pd.DataFrame, names: dict[str, str], year: int) -> pd.DataFrame:
    """The ties of one year, with the partners' names."""
    return ties[ties["year"] == year].assign(name=lambda f: f["partner_id"].map(names))


def year_changes(ties: pd.DataFrame, partners: pd.DataFrame, year_a: int, year_b: int) -> pd.DataFrame:
    """Per partner: how its tie changed from ``year_a`` to ``year_b``, with its name; intensity
    and importance as numbers (a year without a tie: a missing value, shown as "–", never "None")."""
    changes = compare_years(ties, year_a, year_b)
    changes.insert(1, "name", changes["partner_id"].map(dict(zip(partners["partner_id"], partners["name"]))))
    for col in ("intensity_a", "intensity_b", "importance_a", "importance_b"):
        changes[col] = pd.to_numeric(changes[col], errors="coerce").astype(float)
    return changes


def tie_years(ties: pd.DataFrame) -> list[int]:
    """The years that have ties (for the Netzwerkkarte's year chooser)."""
    return sorted(int(y) for y in ties["year"].dropna().unique())


def network_maps(ws: Workspace, year: int, compare_with: int | None, *, title: str, lang: str = "de",
                 fmt: str = "png", partner_ids: set[str] | None = None) -> tuple[bytes, pd.DataFrame | None]:
    """The Netzwerkkarte of ``year`` (with ``compare_with``: beside that year's map, the changes
    marked) and the table of changes; with ``partner_ids`` only those partners' ties (e.g. the
    partners located in a quarter). Reads only: drawing a year saves nothing."""
    from jmdiq_geo.render.network import network_figure, network_pair_figure

    partners, ties = records(ws, "partner", include_archived=True), records(ws, "tie")
    if partner_ids is not None:
        partners = partners[partners["partner_id"].isin(partner_ids)]
        ties = ties[ties["partner_id"].isin(partner_ids)]
    if compare_with is None:
        return network_figure(partners, ties, year=int(year), title=title, fmt=fmt, lang=lang), None
    changes = year_changes(ties, partners, int(compare_with), int(year))
    return network_pair_figure(partners, ties, year_a=int(compare_with), year_b=int(year), title=title,
                               changes=changes, fmt=fmt, lang=lang), changes
