"""Repository of the indicators and their values per level, area and period (a mixin of
``store.workspace.Workspace``)."""
from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa

from jmdiq_geo.store.base import Repository
from jmdiq_geo.store.generation import generational


class ValuesRepository(Repository):
    """Indicator definitions (``indicators``) and their values (``indicator_values``)."""

    # ------------------------------------------------------------------ writers
    def put_indicators(self, definitions: list[dict]) -> None:
        cols = ["indicator_id", "label_de", "label_en", "unit", "kind", "denominator", "polarity", "classes",
                "description", "source_id"]
        rows = []
        for d in definitions:
            row = dict(d)
            if isinstance(row.get("classes"), dict):
                row["classes"] = json.dumps(row["classes"], ensure_ascii=False)
            rows.append([row.get(c) for c in cols])
        if rows:
            frame = pd.DataFrame(rows, columns=cols, dtype=object)
            self._with_frame("new_indicators", frame,
                             f"INSERT OR REPLACE INTO indicators SELECT {', '.join(cols)} FROM new_indicators")

    def put_values(self, frame: pd.DataFrame) -> None:
        """Upsert long-format values (level, area_id, indicator_id, period, value, source_id)."""
        values = frame[["level", "area_id", "indicator_id", "period", "value", "source_id"]].copy()
        period = values["period"].dtype
        if isinstance(period, np.dtype) and period.kind == "M":      # (naive) datetimes: their days
            values["period"] = values["period"].to_numpy().astype("datetime64[D]")
        else:                   # dates, texts, Timestamps with a time zone: as pandas reads them
            values["period"] = pd.to_datetime(values["period"]).dt.date
        if values.duplicated(["level", "area_id", "indicator_id", "period"]).any():
            raise ValueError("put_values: duplicate (level, area_id, indicator_id, period) rows")
        try:        # arrow converts in C++ (see ``_with_frame``); a column it cannot type stays pandas
            table = pa.Table.from_pandas(values, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            table = values
        self.con.register("new_values", table)
        try:
            # a table replaces the values of each (level, indicator, period) it brings, so areas it
            # no longer lists do not keep stale values
            # (one statement per level and period: its constants let DuckDB skip the row groups
            # of other periods)
            for level, period, ids in self.con.execute(
                    "SELECT level, period::DATE, list(DISTINCT indicator_id ORDER BY indicator_id) FROM new_values "
                    "WHERE level IS NOT NULL AND period IS NOT NULL GROUP BY ALL").fetchall():
                self.con.execute("DELETE FROM indicator_values WHERE level = ? AND period = ? "
                                 "AND list_contains(?, indicator_id)", [level, period, ids])
            self.con.execute("INSERT INTO indicator_values SELECT level, area_id, indicator_id, period::DATE, "
                             "value, source_id FROM new_values")
        finally:
            self.con.unregister("new_values")

    def delete_values(self, *, level: str, indicator_id: str) -> None:
        """Drop every value of one indicator on one level (all periods)."""
        self.con.execute("DELETE FROM indicator_values WHERE level = ? AND indicator_id = ?",
                         [level, indicator_id])

    # ------------------------------------------------------------------ readers
    def indicator_ids(self) -> set[str]:
        return {r[0] for r in self.cursor().execute("SELECT indicator_id FROM indicators").fetchall()}

    def indicator_kinds(self) -> dict[str, str]:
        """``indicator_id`` → kind (extensive, intensive, class)."""
        return dict(self.cursor().execute("SELECT indicator_id, kind FROM indicators").fetchall())

    @generational
    def indicators(self) -> pd.DataFrame:
        frame = self._df("SELECT * FROM indicators ORDER BY indicator_id")
        frame = frame.astype(object).where(frame.notna(), None)   # missing text is None, never NaN
        frame["classes"] = frame["classes"].map(lambda s: json.loads(s) if isinstance(s, str) and s else None)
        return frame

    @generational
    def periods(self, *, indicator_id: str | None = None, level: str | None = None) -> list[date]:
        sql, params = "SELECT DISTINCT period FROM indicator_values WHERE 1=1", []
        if indicator_id:
            sql, params = sql + " AND indicator_id = ?", params + [indicator_id]
        if level:
            sql, params = sql + " AND level = ?", params + [level]
        return [r[0] for r in self.cursor().execute(sql + " ORDER BY 1", params).fetchall()]

    def values(self, indicator_id: str, *, period: date, level: str) -> pd.Series:
        frame = self._df("SELECT area_id, value FROM indicator_values WHERE indicator_id = ? AND period = ? "
                         "AND level = ? ORDER BY area_id", [indicator_id, period, level])
        return pd.Series(frame["value"].to_numpy(float), index=frame["area_id"].astype(str).to_numpy(),
                         name=indicator_id)

    def values_long(self, *, level: str, indicator_ids: list[str] | None = None) -> pd.DataFrame:
        sql, params = "SELECT area_id, indicator_id, period, value FROM indicator_values WHERE level = ?", [level]
        if indicator_ids:
            sql += f" AND indicator_id IN ({', '.join('?' * len(indicator_ids))})"
            params += indicator_ids
        return self._df(sql, params)

    def value_levels(self) -> list[str]:
        """The levels that have values (in no particular order)."""
        return [r[0] for r in self.cursor().execute("SELECT DISTINCT level FROM indicator_values").fetchall()]

    def value_source(self, *, level: str, indicator_id: str) -> str | None:
        """The source of (any of) an indicator's values on a level."""
        return self.cursor().execute(
            "SELECT any_value(source_id) FROM indicator_values WHERE level = ? AND indicator_id = ?",
            [level, indicator_id]).fetchone()[0]

    def value_sources(self, indicator_ids: list[str], *, period: date | None = None) -> list[str]:
        """The sources of the values of these indicators (at ``period``, if given), each once."""
        sql = (f"SELECT DISTINCT source_id FROM indicator_values "
               f"WHERE indicator_id IN ({', '.join('?' * len(indicator_ids))})")
        params = list(indicator_ids)
        if period is not None:
            sql, params = sql + " AND period = ?", params + [period]
        return [r[0] for r in self.cursor().execute(sql, params).fetchall() if r[0]]
