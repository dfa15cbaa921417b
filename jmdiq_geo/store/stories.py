"""Repository of presentations (stories): each a JSON body (title and slides) with a ``version``
for optimistic locking, and its changes in the audit log (a mixin of ``store.workspace.Workspace``,
see ``store/base.py``).

A save names the version it was based on; if someone else saved in between, the save is refused
with a ``ConflictError`` and nothing is overwritten.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from jmdiq_geo.errors import ConflictError, Problem
from jmdiq_geo.store.base import Repository


class StoriesRepository(Repository):
    """Stories and their history (entity ``story`` in the audit log)."""

    def next_story_id(self) -> str:
        """The next free id ``sNNN`` (archived stories included); call it inside the saving
        transaction, so two sessions never get the same id."""
        ids = [r[0] for r in self.cursor().execute("SELECT story_id FROM stories").fetchall()]
        numbers = [int(i[1:]) for i in ids if i[1:].isdigit()]
        return f"s{max(numbers, default=0) + 1:03d}"

    def story_row(self, story_id: str) -> tuple[dict, int, bool] | None:
        """(body, version, archived) of one story, or None."""
        row = self.cursor().execute("SELECT body, version, archived FROM stories WHERE story_id = ?",
                                    [story_id]).fetchone()
        return None if row is None else (json.loads(row[0]), row[1], row[2])

    def story_rows(self) -> list[dict]:
        """Every story not archived: id, body, version, who/when, ordered by id."""
        rows = self.cursor().execute("SELECT story_id, body, version, updated_at, updated_by FROM stories "
                                     "WHERE NOT archived ORDER BY story_id").fetchall()
        return [{"story_id": i, **json.loads(b), "version": v, "updated_at": at, "updated_by": by}
                for i, b, v, at, by in rows]

    def save_story(self, story_id: str, body: dict, *, expected_version: int | None, user: str,
                   action: str | None = None, archived: bool = False) -> int:
        """Insert (``expected_version`` None) or update a story based on ``expected_version``;
        a differing stored version is a ``ConflictError``. Logs the change; returns the new version."""
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        text = json.dumps(body, ensure_ascii=False, sort_keys=True)
        with self.transaction():
            row = self.con.execute("SELECT version, body FROM stories WHERE story_id = ?", [story_id]).fetchone()
            if row is None:
                if expected_version not in (None, 0):
                    raise ConflictError(Problem("conflict_gone", {"record": story_id}))
                version, before = 1, None
                self.con.execute("INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?)",
                                 [story_id, text, version, archived, now, user])
                action = action or "create"
            else:
                current, before = row
                if expected_version is None:
                    raise ConflictError(Problem("record_id_taken", {"record": story_id}))
                if expected_version != current:
                    raise ConflictError(Problem("conflict", {"record": story_id, "yours": expected_version,
                                                             "theirs": current, "detail": "–"}))
                version = current + 1
                self.con.execute("UPDATE stories SET body = ?, version = ?, archived = ?, updated_at = ?, "
                                 "updated_by = ? WHERE story_id = ? AND version = ?",
                                 [text, version, archived, now, user, story_id, current])
                action = action or "update"
            next_id = self.con.execute("SELECT coalesce(max(entry_id), 0) + 1 FROM audit_log").fetchone()[0]
            self.con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [next_id, "story", story_id, action, version, now, user, before, text])
        return version
