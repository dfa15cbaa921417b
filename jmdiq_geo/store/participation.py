"""Repository of participation (issue 18): sessions, their anonymous participants and pins (a
mixin of ``store.workspace.Workspace``, see ``store/base.py``).

What is stored about a young person is only what the tables say: a random token, an age band,
newcomer yes/no/no answer, the hour they joined; per pin a category, a point, an optional
comment with its moderation status, the hour. Deleting a session deletes all of it.
"""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import shapely

from jmdiq_geo.store.base import Repository

_SESSION_COLUMNS = ("session_id, token, title, quarter_label, quarter_kind, quarter_geom, source_ids, starts_at, "
                    "ends_at, categories, cell_size_m, k, max_pins, closed_at, created_at, created_by")


class ParticipationRepository(Repository):
    """Sessions, participants and pins of the participation method."""

    # ------------------------------------------------------------------ sessions
    def insert_participation_session(self, row: dict) -> None:
        with self.transaction():
            self.con.execute(
                f"INSERT INTO participation_sessions ({_SESSION_COLUMNS}) VALUES ({', '.join('?' * 16)})",
                [row["session_id"], row["token"], row["title"], row["quarter_label"], row["quarter_kind"],
                 shapely.to_wkb(row["quarter_geom"]), json.dumps(row["source_ids"]), row["starts_at"],
                 row["ends_at"], json.dumps(row["categories"], ensure_ascii=False), row["cell_size_m"], row["k"],
                 row["max_pins"], None, row["created_at"], row["created_by"]])

    def _session_dict(self, row) -> dict:
        d = dict(zip([c.strip() for c in _SESSION_COLUMNS.split(",")], row))
        d["quarter_geom"] = shapely.from_wkb(bytes(d["quarter_geom"]))
        d["source_ids"] = json.loads(d["source_ids"] or "[]")
        d["categories"] = json.loads(d["categories"])
        return d

    def participation_session(self, session_id: str) -> dict | None:
        row = self.cursor().execute(f"SELECT {_SESSION_COLUMNS} FROM participation_sessions WHERE session_id = ?",
                                    [session_id]).fetchone()
        return None if row is None else self._session_dict(row)

    def participation_session_by_token(self, token: str) -> dict | None:
        row = self.cursor().execute(f"SELECT {_SESSION_COLUMNS} FROM participation_sessions WHERE token = ?",
                                    [token]).fetchone()
        return None if row is None else self._session_dict(row)

    def participation_sessions(self) -> pd.DataFrame:
        """Every session with its counts of participants, pins and comments awaiting moderation
        (no geometry), newest first."""
        return self._df("""
            SELECT s.session_id, s.title, s.quarter_label, s.starts_at, s.ends_at, s.closed_at, s.cell_size_m, s.k,
                   s.created_at, s.token,
                   (SELECT count(*) FROM participation_participants p WHERE p.session_id = s.session_id) AS participants,
                   (SELECT count(*) FROM participation_pins n WHERE n.session_id = s.session_id) AS pins,
                   (SELECT count(*) FROM participation_pins n WHERE n.session_id = s.session_id
                        AND n.comment_status IN ('pending', 'held')) AS to_moderate
            FROM participation_sessions s ORDER BY s.created_at DESC, s.session_id""")

    def close_participation_session(self, session_id: str, at: datetime) -> bool:
        with self.transaction():
            n = self.con.execute("UPDATE participation_sessions SET closed_at = ? WHERE session_id = ? "
                                 "AND closed_at IS NULL", [at, session_id]).fetchone()[0]
        return bool(n)

    def delete_participation_session(self, session_id: str) -> dict[str, int]:
        """Delete a session and everything in it; the rows removed per table."""
        removed = {}
        with self.transaction():
            for table in ("participation_pins", "participation_participants", "participation_sessions"):
                removed[table] = int(self.con.execute(f"DELETE FROM {table} WHERE session_id = ?",
                                                      [session_id]).fetchone()[0])
        return removed

    # ------------------------------------------------------------------ participants and pins
    def participation_participant(self, session_id: str, participant: str) -> dict | None:
        row = self.cursor().execute("SELECT age_band, newcomer FROM participation_participants "
                                    "WHERE session_id = ? AND participant = ?", [session_id, participant]).fetchone()
        return None if row is None else {"age_band": row[0], "newcomer": row[1]}

    def put_participation_participant(self, session_id: str, participant: str, *, age_band: str | None,
                                      newcomer: str | None, hour: datetime) -> None:
        with self.transaction(derived=False):          # nothing derived reads participants
            self.con.execute("INSERT OR REPLACE INTO participation_participants VALUES (?, ?, ?, ?, ?)",
                             [session_id, participant, age_band, newcomer, hour])

    def add_participation_pin(self, session_id: str, participant: str, *, category: str, x: float, y: float,
                              comment: str | None, comment_status: str | None, comment_flags: list[str],
                              hour: datetime, max_pins: int) -> int | None:
        """Insert a pin; None (nothing written) when the participant has ``max_pins`` already."""
        with self.transaction(derived=False):          # pins are read uncached, aggregated
            n = self.con.execute("SELECT count(*) FROM participation_pins WHERE session_id = ? AND participant = ?",
                                 [session_id, participant]).fetchone()[0]
            if n >= max_pins:
                return None
            pin_id = self.con.execute("SELECT coalesce(max(pin_id), 0) + 1 FROM participation_pins").fetchone()[0]
            self.con.execute("INSERT INTO participation_pins VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [pin_id, session_id, participant, category, x, y, comment, comment_status,
                              json.dumps(comment_flags) if comment_flags else None, hour])
        return int(pin_id)

    def participation_pin_count(self, session_id: str, participant: str) -> int:
        return self.cursor().execute("SELECT count(*) FROM participation_pins WHERE session_id = ? "
                                     "AND participant = ?", [session_id, participant]).fetchone()[0]

    def participation_pins(self, session_id: str) -> pd.DataFrame:
        """The raw pins with each participant's age band and newcomer answer - for aggregation
        only (``services.participation``); never shown as they are."""
        return self._df("""SELECT n.participant, n.category, n.x, n.y, p.age_band, p.newcomer
                           FROM participation_pins n LEFT JOIN participation_participants p
                                ON p.session_id = n.session_id AND p.participant = n.participant
                           WHERE n.session_id = ? ORDER BY n.pin_id""", [session_id])

    def participation_comments(self, session_id: str, statuses: tuple[str, ...]) -> pd.DataFrame:
        """Comments with the given moderation statuses: pin id, category, text, flags (no point,
        no participant)."""
        marks = ", ".join("?" * len(statuses))
        return self._df(f"""SELECT pin_id, category, comment, comment_status, comment_flags
                            FROM participation_pins WHERE session_id = ? AND comment IS NOT NULL
                            AND comment_status IN ({marks}) ORDER BY pin_id""", [session_id, *statuses])

    def moderate_participation_comment(self, session_id: str, pin_id: int, status: str) -> bool:
        """Set a comment's status; a rejected comment's text is deleted."""
        with self.transaction():
            n = self.con.execute(
                "UPDATE participation_pins SET comment_status = ?, comment = CASE WHEN ? = 'rejected' THEN NULL "
                "ELSE comment END WHERE session_id = ? AND pin_id = ? AND comment IS NOT NULL",
                [status, status, session_id, pin_id]).fetchone()[0]
        return bool(n)
