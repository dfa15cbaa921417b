"""Repository of the project register: micro-projects, partners and yearly network ties, each a
JSON body with a ``version`` for optimistic locking (and, stored alike, the months of the
team's activity log), and the audit log of every change (a mixin of
``store.workspace.Workspace``, see ``store/base.py``).

A save names the version it was based on; if someone else saved in between, the save is refused
with a ``ConflictError`` that shows both versions, and nothing is overwritten. Every change is
written to ``audit_log`` (who, when, before, after) in the same transaction.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd

from jmdiq_geo.errors import ConflictError, Problem
from jmdiq_geo.store.base import Repository

#: entity → (table, id column)
RECORD_TABLES = {"project": ("micro_projects", "project_id"),
                 "partner": ("partners", "partner_id"),
                 "tie": ("network_ties", "tie_id"),
                 "activity": ("activity_months", "month")}
#: entities without a location (no x, y columns)
UNLOCATED = {"tie", "activity"}


class ProjectsRepository(Repository):
    """Records of the project register (``entity``: project, partner or tie) and their history."""

    def record_ids(self, entity: str) -> set[str]:
        """The ids of the records not archived."""
        table, id_col = RECORD_TABLES[entity]
        return {r[0] for r in self.cursor().execute(f"SELECT {id_col} FROM {table} WHERE NOT archived").fetchall()}

    def next_record_id(self, entity: str, prefix: str) -> str:
        """The next free id ``<prefix>NNN`` (one above the highest number with that prefix,
        archived records included). Call it inside the transaction that saves the record: two
        sessions then never get the same id."""
        table, id_col = RECORD_TABLES[entity]
        ids = [r[0] for r in self.cursor().execute(f"SELECT {id_col} FROM {table} WHERE starts_with({id_col}, ?)",
                                                   [prefix]).fetchall()]
        numbers = [int(i[len(prefix):]) for i in ids if i[len(prefix):].isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1:03d}"

    def record_row(self, entity: str, record_id: str) -> tuple[dict, int, bool] | None:
        """(body, version, archived) of one record, or None."""
        table, id_col = RECORD_TABLES[entity]
        row = self.cursor().execute(f"SELECT body, version, archived FROM {table} WHERE {id_col} = ?",
                                    [record_id]).fetchone()
        return None if row is None else (json.loads(row[0]), row[1], row[2])

    def record_rows(self, entity: str, *, include_archived: bool = False) -> list[dict]:
        """Every record's body with its version, archived flag and who/when, ordered by id."""
        table, id_col = RECORD_TABLES[entity]
        where = "" if include_archived else " WHERE NOT archived"
        rows = self.cursor().execute(f"SELECT body, version, archived, updated_at, updated_by FROM {table}{where} "
                                     f"ORDER BY {id_col}").fetchall()
        return [{**json.loads(b), "version": v, "archived": a, "updated_at": at, "updated_by": by}
                for b, v, a, at, by in rows]

    def save_record(self, entity: str, record_id: str, body: dict, *, expected_version: int | None, user: str,
                    xy: tuple[float | None, float | None] = (None, None), action: str | None = None,
                    archived: bool = False) -> int:
        """Insert or update a record based on ``expected_version`` (refused with a
        ``ConflictError`` when the stored version differs) and log the change; returns the new
        version."""
        table, id_col = RECORD_TABLES[entity]
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        located = entity not in UNLOCATED
        with self.transaction():
            row = self.con.execute(f"SELECT version, body FROM {table} WHERE {id_col} = ?", [record_id]).fetchone()
            if row is None:
                if expected_version not in (None, 0):
                    raise ConflictError(Problem("conflict_gone", {"record": record_id}))
                version, before = 1, None
                self.con.execute(f"INSERT INTO {table} ({id_col}, body, {'x, y, ' if located else ''}version, "
                                 f"archived, updated_at, updated_by) VALUES (?, ?, {'?, ?, ' if located else ''}"
                                 "?, ?, ?, ?)",
                                 [record_id, text, *(xy if located else ()), version, archived, now, user])
                action = action or "create"
            else:
                current, before = row
                if expected_version is None:        # a new record under an id somebody else has
                    raise ConflictError(Problem("record_id_taken", {"record": record_id}))
                if expected_version != current:
                    theirs = json.loads(before)
                    changed = sorted(k for k in set(theirs) | set(body) if theirs.get(k) != body.get(k))
                    detail = "; ".join(f"{k}: {_short(body.get(k))} ↔ {_short(theirs.get(k))}" for k in changed[:6])
                    raise ConflictError(Problem("conflict", {"record": record_id, "yours": expected_version,
                                                             "theirs": current, "detail": detail or "–"}))
                version = current + 1
                sets = "body = ?, " + ("x = ?, y = ?, " if located else "")
                self.con.execute(f"UPDATE {table} SET {sets}version = ?, archived = ?, updated_at = ?, "
                                 f"updated_by = ? WHERE {id_col} = ? AND version = ?",
                                 [text, *(xy if located else ()), version, archived, now, user, record_id, current])
                action = action or "update"
            next_id = self.con.execute("SELECT coalesce(max(entry_id), 0) + 1 FROM audit_log").fetchone()[0]
            self.con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [next_id, entity, record_id, action, version, now, user, before, text])
        return version

    def audit_entries(self, entity: str, record_id: str) -> pd.DataFrame:
        """A record's history: version, action, at, by, before, after (oldest first)."""
        return self._df("SELECT version, action, changed_at AS at, changed_by AS by, before, after FROM audit_log "
                        "WHERE entity = ? AND record_id = ? ORDER BY entry_id", [entity, record_id])


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 40 else text[:37] + "…"
