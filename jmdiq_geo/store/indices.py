"""Composite-index definitions saved in the workspace (copies a user changed in the app)."""
from __future__ import annotations

import json

from jmdiq_geo.analysis.index import IndexDef
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
