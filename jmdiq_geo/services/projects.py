"""Storing micro-projects, partners and ties: optimistic locking, audit log, CSV/GeoJSON.

Every record carries a ``version``. A save names the version it was based on; if someone else
saved in between, the save is refused with a ``ConflictError`` that shows both versions, and
nothing is overwritten. Every change is written to ``audit_log`` (who, when, before, after) in
the same transaction, so a record's history can always be shown.
"""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import datetime, timezone

import geopandas as gpd
import pandas as pd
import shapely

from jmdiq_geo.errors import ConflictError, InputError, Problem, raise_if_errors
from jmdiq_geo.analysis.projects import (MicroProject, Partner, Tie, validate_partner, validate_project,
                                      validate_tie)
from jmdiq_geo.store.workspace import Workspace

TABLES = {"project": ("micro_projects", "project_id", MicroProject),
          "partner": ("partners", "partner_id", Partner),
          "tie": ("network_ties", "tie_id", Tie)}
LIST_FIELDS = {"fields_of_action", "partners"}


def _inside(ws: Workspace):
    areas = ws.areas(ws.lowest_level())

    def inside(x: float, y: float) -> bool:
        return len(areas.sindex.query(shapely.Point(x, y), predicate="intersects")) > 0
    return inside


def _ids(ws: Workspace, entity: str) -> set[str]:
    table, id_col, _ = TABLES[entity]
    return {r[0] for r in ws.cursor().execute(f"SELECT {id_col} FROM {table} WHERE NOT archived").fetchall()}


def _save(ws: Workspace, entity: str, record_id: str, body: dict, *, expected_version: int | None, user: str,
          xy: tuple[float | None, float | None] = (None, None), action: str | None = None,
          archived: bool = False) -> int:
    table, id_col, _ = TABLES[entity]
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    with ws.transaction():
        row = ws.con.execute(f"SELECT version, body FROM {table} WHERE {id_col} = ?", [record_id]).fetchone()
        if row is None:
            if expected_version not in (None, 0):
                raise ConflictError(Problem("conflict_gone", {"record": record_id}))
            version, before = 1, None
            ws.con.execute(f"INSERT INTO {table} ({id_col}, body, {'x, y, ' if entity != 'tie' else ''}version, "
                           f"archived, updated_at, updated_by) VALUES (?, ?, {'?, ?, ' if entity != 'tie' else ''}"
                           "?, ?, ?, ?)",
                           [record_id, text, *(xy if entity != "tie" else ()), version, archived, now, user])
            action = action or "create"
        else:
            current, before = row
            if expected_version != current:
                theirs = json.loads(before)
                changed = sorted(k for k in set(theirs) | set(body) if theirs.get(k) != body.get(k))
                detail = "; ".join(f"{k}: {_short(body.get(k))} ↔ {_short(theirs.get(k))}" for k in changed[:6])
                raise ConflictError(Problem("conflict", {"record": record_id, "yours": expected_version,
                                                         "theirs": current, "detail": detail or "–"}))
            version = current + 1
            sets = "body = ?, " + ("x = ?, y = ?, " if entity != "tie" else "")
            ws.con.execute(f"UPDATE {table} SET {sets}version = ?, archived = ?, updated_at = ?, updated_by = ? "
                           f"WHERE {id_col} = ? AND version = ?",
                           [text, *(xy if entity != "tie" else ()), version, archived, now, user, record_id, current])
            action = action or "update"
        next_id = ws.con.execute("SELECT coalesce(max(entry_id), 0) + 1 FROM audit_log").fetchone()[0]
        ws.con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [next_id, entity, record_id, action, version, now, user, before, text])
    return version


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "…"


# --------------------------------------------------------------------------- public API

def save_project(ws: Workspace, p: MicroProject, *, expected_version: int | None, user: str) -> tuple[int, list[Problem]]:
    """Validate (every wrong field at once), then save; returns the new version and notices."""
    problems = validate_project(p, known_partners=_ids(ws, "partner"), known_projects=_ids(ws, "project"),
                                inside_workspace=_inside(ws))
    notices = raise_if_errors(problems, InputError)
    xy = (p.x, p.y)
    if p.location_partner and p.x is None:
        partner = get_record(ws, "partner", p.location_partner)
        xy = (partner[0].x, partner[0].y) if partner else (None, None)
    return _save(ws, "project", p.project_id, asdict(p), expected_version=expected_version, user=user, xy=xy), notices


def save_partner(ws: Workspace, p: Partner, *, expected_version: int | None, user: str) -> tuple[int, list[Problem]]:
    """Validate, then save. A name another partner already has (ignoring case and spaces) is
    refused: the same organisation twice splits its projects and ties."""
    problems = validate_partner(p, inside_workspace=_inside(ws))
    others = records(ws, "partner")
    others = others[others["partner_id"] != p.partner_id]
    same = others[others["name"].str.casefold().str.split().str.join(" ") == " ".join(p.name.casefold().split())]
    if p.name.strip() and not same.empty:
        problems.append(Problem("form_partner_exists", {"partner": same["partner_id"].iloc[0]}, column="name"))
    notices = raise_if_errors(problems, InputError)
    return _save(ws, "partner", p.partner_id, asdict(p), expected_version=expected_version, user=user,
                 xy=(p.x, p.y)), notices


def save_tie(ws: Workspace, t: Tie, *, expected_version: int | None, user: str) -> tuple[int, list[Problem]]:
    notices = raise_if_errors(validate_tie(t, known_partners=_ids(ws, "partner")), InputError)
    return _save(ws, "tie", t.tie_id, asdict(t), expected_version=expected_version, user=user), notices


def archive(ws: Workspace, entity: str, record_id: str, *, expected_version: int, user: str) -> int:
    record = get_record(ws, entity, record_id)
    if record is None:
        raise ConflictError(Problem("conflict_gone", {"record": record_id}))
    table, _, cls = TABLES[entity]
    xy = (getattr(record[0], "x", None), getattr(record[0], "y", None))
    return _save(ws, entity, record_id, asdict(record[0]), expected_version=expected_version, user=user, xy=xy,
                 action="archive", archived=True)


def get_record(ws: Workspace, entity: str, record_id: str):
    """(record, version, archived) or None."""
    table, id_col, cls = TABLES[entity]
    row = ws.cursor().execute(f"SELECT body, version, archived FROM {table} WHERE {id_col} = ?",
                              [record_id]).fetchone()
    if row is None:
        return None
    allowed = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in json.loads(row[0]).items() if k in allowed}), row[1], row[2]


def records(ws: Workspace, entity: str, *, include_archived: bool = False) -> pd.DataFrame:
    """All records of an entity as a table (list fields kept as lists), with version and who/when."""
    table, id_col, cls = TABLES[entity]
    where = "" if include_archived else " WHERE NOT archived"
    rows = ws.cursor().execute(f"SELECT body, version, archived, updated_at, updated_by FROM {table}{where} "
                               f"ORDER BY {id_col}").fetchall()
    data = [{**json.loads(b), "version": v, "archived": a, "updated_at": at, "updated_by": by}
            for b, v, a, at, by in rows]
    columns = [f.name for f in fields(cls)] + ["version", "archived", "updated_at", "updated_by"]
    return pd.DataFrame(data, columns=columns)


def history(ws: Workspace, entity: str, record_id: str) -> pd.DataFrame:
    return ws.cursor().execute("SELECT version, action, changed_at AS at, changed_by AS by, before, after FROM audit_log "
                               "WHERE entity = ? AND record_id = ? ORDER BY entry_id", [entity, record_id]).df()


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
    """Records from an exported table (CSV or GeoJSON attributes)."""
    _, _, cls = TABLES[entity]
    out = []
    for row in frame.to_dict("records"):
        values = {}
        for f in fields(cls):
            v = row.get(f.name)
            if isinstance(v, float) and pd.isna(v):
                v = None
            if isinstance(v, (pd.Timestamp, datetime)):        # GeoJSON readers turn ISO dates into datetimes
                v = v.date().isoformat()
            if f.name in LIST_FIELDS:
                v = [x.strip() for x in str(v or "").split(";") if x.strip()]
            elif f.type in ("float | None",) and v is not None:
                v = float(v)
            elif f.type in ("int | None", "int") and v is not None:
                v = int(float(v))
            elif f.type in ("str", "str | None") and v is not None:
                v = str(v)
            if v is None and f.type == "str":
                v = ""
            values[f.name] = v
        out.append(cls(**values))
    return out


def import_records(ws: Workspace, entity: str, items: list, *, user: str) -> int:
    """Save many records in one transaction: every problem of every record is reported, and
    nothing is written when one is wrong."""
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
