"""Definitions kept in the workspace: composite indices a user copied and changed, and derived
indicators (from the data package or defined in the app), which are recomputed whenever their
inputs are imported again. (Orchestration above store/ and analysis/, like maplayer.py.)"""
from __future__ import annotations

import json
from dataclasses import asdict, fields

from jmdiq_geo.analysis.derived import DerivedDef, derive_values
from jmdiq_geo.analysis.index import IndexDef
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.io.imports import ImportReport, run_import
from jmdiq_geo.io.indexdefs import index_from_dict, index_to_dict
from jmdiq_geo.store.workspace import Workspace


def save_index(ws: Workspace, definition: IndexDef, *, based_on: str | None = None) -> None:
    """Check the definition against the workspace's indicators, then store it (replacing one of
    the same id)."""
    body = index_to_dict(definition)
    index_from_dict(body, known_indicators=ws.indicator_ids())
    with ws.transaction():
        ws.con.execute("INSERT OR REPLACE INTO index_definitions (index_id, label_de, body, based_on) "
                       "VALUES (?, ?, ?, ?)",
                       [definition.id, definition.label_de, json.dumps(body, ensure_ascii=False), based_on])


def stored_indices(ws: Workspace) -> dict[str, IndexDef]:
    rows = ws.cursor().execute("SELECT index_id, body FROM index_definitions ORDER BY index_id").fetchall()
    return {i: index_from_dict(json.loads(b)) for i, b in rows}


def stored_index(ws: Workspace, index_id: str) -> IndexDef | None:
    row = ws.cursor().execute("SELECT body FROM index_definitions WHERE index_id = ?", [index_id]).fetchone()
    return index_from_dict(json.loads(row[0])) if row else None


# --------------------------------------------------------------------------- derived indicators

def check_derived(ws: Workspace, d: DerivedDef) -> None:
    """A derived indicator needs a new id, known inputs, and counts (extensive) as inputs."""
    problems = []
    kinds = dict(ws.cursor().execute("SELECT indicator_id, kind FROM indicators").fetchall())
    stored = {x.indicator_id for x in stored_derived(ws)}
    if not d.indicator_id or not d.indicator_id.replace("_", "").isalnum():
        problems.append(Problem("derived_bad_id", {"id": d.indicator_id}))
    elif d.indicator_id in kinds and d.indicator_id not in stored:
        problems.append(Problem("derived_id_taken", {"id": d.indicator_id}))
    if not d.sum and not (d.numerator and d.denominator):
        problems.append(Problem("derived_incomplete", {"id": d.indicator_id}))
    unknown = [i for i in d.inputs() if i not in kinds]
    if unknown:
        problems.append(Problem("indicator_unknown", {"indicators": ", ".join(unknown)}))
    not_counts = [i for i in d.inputs() if kinds.get(i) not in (None, "extensive")]
    if not_counts:
        problems.append(Problem("derived_needs_counts", {"indicators": ", ".join(not_counts)}))
    if problems:
        raise SchemaError(problems)


def save_derived(ws: Workspace, d: DerivedDef) -> dict[str, int]:
    """Check, store and compute a derived indicator; returns the number of values written."""
    check_derived(ws, d)
    with ws.transaction():
        ws.con.execute("INSERT OR REPLACE INTO derived_definitions VALUES (?, ?)",
                       [d.indicator_id, json.dumps(asdict(d), ensure_ascii=False)])
        return apply_derived(ws, [d])


def stored_derived(ws: Workspace) -> list[DerivedDef]:
    """In the order they were defined (a derived indicator may use an earlier one)."""
    allowed = {f.name for f in fields(DerivedDef)}
    rows = ws.cursor().execute("SELECT body FROM derived_definitions ORDER BY rowid").fetchall()
    return [DerivedDef(**{k: v for k, v in json.loads(b).items() if k in allowed}) for (b,) in rows]


def apply_derived(ws: Workspace, definitions: list[DerivedDef]) -> dict[str, int]:
    """Compute and store derived indicators on every level that has their inputs (in order).
    Their definitions are kept in the workspace so later imports refresh them."""
    counts: dict[str, int] = {}
    levels = [r[0] for r in ws.cursor().execute("SELECT DISTINCT level FROM indicator_values").fetchall()]
    with ws.transaction():
        ws.put_indicators([d.definition() for d in definitions])
        for d in definitions:
            ws.con.execute("INSERT OR REPLACE INTO derived_definitions VALUES (?, ?)",
                           [d.indicator_id, json.dumps(asdict(d), ensure_ascii=False)])
            counts[d.indicator_id] = 0
            for level in levels:
                values = ws.values_long(level=level, indicator_ids=d.inputs())
                if values.empty:
                    continue
                source = ws.cursor().execute(
                    "SELECT any_value(source_id) FROM indicator_values WHERE level = ? AND indicator_id = ?",
                    [level, d.inputs()[0]]).fetchone()[0]
                out = derive_values(values, d).assign(level=level, source_id=source)
                # only where every input has a value: periods without any would offer empty maps
                # (the old values go first, so a value that can no longer be derived is gone too)
                ws.con.execute("DELETE FROM indicator_values WHERE level = ? AND indicator_id = ?",
                               [level, d.indicator_id])
                out = out[out["value"].notna()]
                if not out.empty:
                    ws.put_values(out)
                counts[d.indicator_id] += len(out)
    return counts


def import_file(ws: Workspace, kind: str, path, spec, source, *, max_bytes: int,
                dry_run: bool = False) -> ImportReport:
    """Import one file (see ``io.imports``); after an indicator table, refresh the derived
    indicators that use what was imported."""
    report = run_import(ws, kind, path, spec, source, max_bytes=max_bytes, dry_run=dry_run)
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
