"""Repository of the definitions kept in the workspace: composite indices a user copied and
changed in the app, and derived indicators (from the data package or the app). Bodies are
stored as JSON and handed out as dicts; reading them into definitions is ``io.indexdefs`` and
``analysis.derived`` (a mixin of ``store.workspace.Workspace``)."""
from __future__ import annotations

import json

from jmdiq_geo.store.base import Repository


class DefinitionsRepository(Repository):
    """``index_definitions`` and ``derived_definitions``."""

    # ------------------------------------------------------------------ index definitions
    def put_index_definition(self, index_id: str, *, label_de: str, body: dict, based_on: str | None) -> None:
        """Store an index definition (replacing one of the same id)."""
        self.con.execute("INSERT OR REPLACE INTO index_definitions (index_id, label_de, body, based_on) "
                         "VALUES (?, ?, ?, ?)",
                         [index_id, label_de, json.dumps(body, ensure_ascii=False), based_on])

    def index_definition_bodies(self) -> dict[str, dict]:
        """Every stored index definition's body by its id (in the order of the ids)."""
        rows = self.cursor().execute("SELECT index_id, body FROM index_definitions ORDER BY index_id").fetchall()
        return {i: json.loads(b) for i, b in rows}

    def index_definition_body(self, index_id: str) -> dict | None:
        row = self.cursor().execute("SELECT body FROM index_definitions WHERE index_id = ?", [index_id]).fetchone()
        return json.loads(row[0]) if row else None

    # ------------------------------------------------------------------ derived indicators
    def put_derived_definition(self, indicator_id: str, body: dict) -> None:
        """Store a derived indicator's definition (replacing one of the same id)."""
        self.con.execute("INSERT OR REPLACE INTO derived_definitions VALUES (?, ?)",
                         [indicator_id, json.dumps(body, ensure_ascii=False)])

    def derived_definition_bodies(self) -> list[dict]:
        """The stored derived indicators' bodies, in the order they were defined."""
        rows = self.cursor().execute("SELECT body FROM derived_definitions ORDER BY rowid").fetchall()
        return [json.loads(b) for (b,) in rows]
