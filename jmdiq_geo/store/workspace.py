"""The workspace: one DuckDB file, its repositories, and one transaction per import.

``store`` is the only place that turns WKB into GeoDataFrames and back. Writers run inside
``Workspace.transaction()``; a failed import rolls back and leaves the file unchanged.
"""
from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.store.schema import DATA_TABLES, MIGRATIONS, SCHEMA_VERSION


#: service attributes staff can edit (columns of ``services``)
SERVICE_FIELDS = ("category", "name", "address", "languages", "opening_hours", "barrier_free", "cost",
                  "age_min", "age_max", "capacity")


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file; another process holding it (DuckDB allows one writer per file: e.g. the
    running app) is a message naming the process, not a traceback."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise
        holder = re.search(r"PID (\d+)", str(exc))
        raise SchemaError(Problem("workspace_locked", {"path": str(path),
                                                       "pid": holder.group(1) if holder else "?"})) from None


class Workspace:
    """A connection to one workspace file. Not thread-safe: use ``cursor()`` per thread."""

    def __init__(self, path: Path | str, *, read_only: bool = False):
        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif not self.path.exists():
            raise SchemaError(Problem("workspace_missing", {"path": str(self.path)}))
        self.con = _connect(self.path, read_only)
        #: one writer at a time; the thread holding it works on ``self.con``, others read through
        #: their own cursors and see committed data only
        self._write_lock = threading.RLock()
        self._local = threading.local()
        #: decoded geometries per (level, edition); cleared whenever areas are written
        self._area_cache: dict[tuple[str, date], gpd.GeoDataFrame] = {}
        if not read_only:
            self._migrate()
        elif self.schema_version() != SCHEMA_VERSION:
            raise SchemaError(Problem("workspace_version", {"found": self.schema_version(),
                                                            "expected": SCHEMA_VERSION}))

    # ------------------------------------------------------------------ lifecycle
    @classmethod
    def create(cls, path: Path | str, *, work_crs: str, city: str) -> "Workspace":
        ws = cls(path)
        with ws.transaction():
            ws.set_meta(work_crs=work_crs, city=city)
        return ws

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def _in_transaction(self) -> bool:
        return getattr(self._local, "depth", 0) > 0

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for reading (one per query: the connection is not thread-safe). Inside this
        thread's transaction, reads go through the transaction's connection to see its writes."""
        return self.con if self._in_transaction else self.con.cursor()

    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()[0]
        if not exists:
            return 0
        row = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise SchemaError(Problem("workspace_version", {"found": version, "expected": SCHEMA_VERSION}))
        if version == SCHEMA_VERSION:
            return
        with self.transaction():
            for statements in MIGRATIONS[version:]:
                for sql in statements:
                    self.con.execute(sql)
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])

    @contextmanager
    def transaction(self) -> Iterator["Workspace"]:
        """One transaction; inside an open one of the same thread, a nested call joins it (all or
        nothing). Other threads wait for the write lock."""
        if self._in_transaction:
            self._local.depth += 1
            try:
                yield self
            finally:
                self._local.depth -= 1
            return
        with self._write_lock:
            self.con.execute("BEGIN TRANSACTION")
            self._local.depth = 1
            try:
                yield self
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            else:
                self.con.execute("COMMIT")
            finally:
                self._local.depth = 0
                self._area_cache.clear()

    def _with_frame(self, name: str, frame: pd.DataFrame | pa.Table, *statements: str) -> None:
        """Run ``statements`` with ``frame`` registered as the view ``name`` (explicitly, so the
        SQL never depends on a Python variable's name)."""
        if isinstance(frame, pd.DataFrame):
            # arrow converts object columns in C++; DuckDB's pandas scan would sniff them in Python
            # (a column arrow cannot type, e.g. mixed numbers and text, stays with DuckDB's scan)
            try:
                frame = pa.Table.from_pandas(frame, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass
        self.con.register(name, frame)
        try:
            for sql in statements:
                self.con.execute(sql)
        finally:
            self.con.unregister(name)

    # ------------------------------------------------------------------ meta
    def set_meta(self, **values: str) -> None:
        for key, value in values.items():
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])

    def meta(self) -> dict[str, str]:
        return dict(self.cursor().execute("SELECT key, value FROM meta").fetchall())

    @property
    def work_crs(self) -> str:
        crs = self.meta().get("work_crs")
        if not crs:
            raise SchemaError(Problem("workspace_no_crs", {"path": str(self.path)}))
        return crs

    # ------------------------------------------------------------------ writers
    def put_source(self, source: dict) -> None:
        """Add or update a source (unchanged rows are not rewritten)."""
        cols = ["source_id", "title", "publisher", "licence", "attribution", "url", "reference_date"]
        row = [source.get(c) for c in cols]
        current = self.con.execute(f"SELECT {', '.join(cols)} FROM sources WHERE source_id = ?",
                                   [source["source_id"]]).fetchone()
        if current is None or list(current) != row:
            self.con.execute(f"INSERT OR REPLACE INTO sources ({', '.join(cols)}) "
                             f"VALUES ({', '.join('?' * len(cols))})", row)

    def put_level(self, level: str, *, label_de: str, label_en: str, rank: int, parent_level: str | None) -> None:
        self.con.execute("INSERT OR REPLACE INTO area_levels VALUES (?, ?, ?, ?, ?)",
                         [level, label_de, label_en, rank, parent_level])

    def replace_areas(self, gdf: gpd.GeoDataFrame, *, level: str, valid_from: date, valid_to: date | None,
                      source_id: str) -> None:
        """Store one edition of a level's areas (replacing that edition if it was imported before)."""
        self._area_cache.clear()
        frame = pd.DataFrame({
            "level": level, "area_id": gdf["area_id"].astype(str).to_numpy(),
            "name": gdf["name"].astype(object).to_numpy(), "parent_id": gdf["parent_id"].astype(object).to_numpy(),
            "valid_from": pd.Timestamp(valid_from), "valid_to": pd.Timestamp(valid_to) if valid_to else pd.NaT,
            "area_m2": gdf.geometry.area.to_numpy(), "geom": shapely.to_wkb(gdf.geometry.array),
            "source_id": source_id})
        self.con.execute("DELETE FROM areas WHERE level = ? AND valid_from = ?", [level, valid_from])
        # an older edition still open ends where this one begins; this one (if open) ends where
        # a newer one begins (editions may be imported in any order)
        self.con.execute("UPDATE areas SET valid_to = ? WHERE level = ? AND valid_from < ? "
                         "AND (valid_to IS NULL OR valid_to > ?)", [valid_from, level, valid_from, valid_from])
        if valid_to is None:
            newer = self.con.execute("SELECT min(valid_from) FROM areas WHERE level = ? AND valid_from > ?",
                                     [level, valid_from]).fetchone()[0]
            if newer is not None:
                frame["valid_to"] = pd.Timestamp(newer)
        self._with_frame("new_areas", frame, "INSERT INTO areas SELECT * FROM new_areas")

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
        values["period"] = pd.to_datetime(values["period"]).dt.date
        if values.duplicated(["level", "area_id", "indicator_id", "period"]).any():
            raise ValueError("put_values: duplicate (level, area_id, indicator_id, period) rows")
        # a table replaces the values of each (level, indicator, period) it brings, so areas it no
        # longer lists do not keep stale values
        for (level, period), ids in values.groupby(["level", "period"])["indicator_id"]:
            self.con.execute("DELETE FROM indicator_values WHERE level = ? AND period = ? "
                             "AND list_contains(?, indicator_id)", [level, period, sorted(set(ids))])
        self._with_frame("new_values", values,
                         "INSERT INTO indicator_values SELECT level, area_id, indicator_id, "
                         "period::DATE, value, source_id FROM new_values")

    def replace_services(self, gdf: gpd.GeoDataFrame, *, source_id: str, id_prefix: str) -> None:
        """Replace the services imported from one file (ids ``<id_prefix>:…``); services that
        staff entered in the app (origin ``user``) stay untouched."""
        cols = ["service_id", "category", "name", "address", "languages", "opening_hours", "barrier_free",
                "cost", "age_min", "age_max", "capacity", "attributes"]
        frame = pd.DataFrame({c: (gdf[c].to_numpy() if c in gdf else None) for c in cols})
        frame["origin"] = "import"
        frame["geom"] = shapely.to_wkb(gdf.geometry.array)
        frame["source_id"] = source_id
        self.con.execute("DELETE FROM services WHERE origin = 'import' AND starts_with(service_id, ?)",
                         [id_prefix + ":"])
        self._with_frame("new_services", frame, "INSERT INTO services SELECT * FROM new_services")

    def put_programme_areas(self, gdf: gpd.GeoDataFrame, *, source_id: str) -> None:
        frame = pd.DataFrame({
            "pa_id": gdf["pa_id"].to_numpy(), "name": gdf["name"].to_numpy(), "programme": gdf["programme"].to_numpy(),
            "since": pd.to_datetime(gdf["since"]), "until": pd.to_datetime(gdf["until"]),
            "members": gdf["members"].to_numpy(), "member_level": gdf["member_level"].to_numpy(),
            "area_m2": gdf.geometry.area.to_numpy(), "geom": shapely.to_wkb(gdf.geometry.array),
            "source_id": source_id})
        self._with_frame("new_pa", frame, "DELETE FROM programme_areas WHERE pa_id IN (SELECT pa_id FROM new_pa)",
                         "INSERT INTO programme_areas SELECT pa_id, name, programme, since::DATE, until::DATE, "
                         "members, member_level, area_m2, geom, source_id FROM new_pa")

    def replace_grid(self, grid: dict, cells: pd.DataFrame) -> None:
        self.con.execute("DELETE FROM grid_cells WHERE grid_id = ?", [grid["grid_id"]])
        self.con.execute("INSERT OR REPLACE INTO grids VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         [grid["grid_id"], grid.get("label"), grid["variable"], grid["kind"], grid["crs"],
                          grid["cell_size_m"], grid.get("period"), grid.get("source_id")])
        frame = pd.DataFrame({"grid_id": grid["grid_id"], "x": cells["x"].to_numpy(float),
                              "y": cells["y"].to_numpy(float), "value": cells["value"].to_numpy(float)})
        self._with_frame("new_cells", frame, "INSERT INTO grid_cells SELECT * FROM new_cells")

    def log_import(self, *, kind: str, file: str, sha256: str | None, source_id: str | None,
                   options: dict, report: dict) -> int:
        next_id = self.con.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()[0]
        self.con.execute("INSERT INTO imports (import_id, kind, file, sha256, source_id, options, report) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [next_id, kind, file, sha256, source_id, json.dumps(options, ensure_ascii=False, default=str),
                          json.dumps(report, ensure_ascii=False, default=str)])
        return next_id

    # ------------------------------------------------------------------ readers
    def _df(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def levels(self) -> pd.DataFrame:
        """The area levels, lowest (smallest areas) first."""
        return self._df("SELECT * FROM area_levels ORDER BY rank")

    def levels_in_order(self) -> list[str]:
        """Level ids from the lowest (smallest areas) to the top."""
        return [r[0] for r in self.cursor().execute("SELECT level FROM area_levels ORDER BY rank").fetchall()]

    def lowest_level(self) -> str:
        """The level of the smallest areas: values of higher levels are aggregated from it."""
        levels = self.levels_in_order()
        if not levels:
            raise SchemaError(Problem("workspace_no_levels", {"path": str(self.path)}))
        return levels[0]

    def top_level(self) -> str:
        """The level of the largest areas (e.g. the Bezirke): the outlines drawn on every map."""
        levels = self.levels_in_order()
        if not levels:
            raise SchemaError(Problem("workspace_no_levels", {"path": str(self.path)}))
        return levels[-1]

    def editions(self, level: str) -> list[date]:
        rows = self.cursor().execute("SELECT DISTINCT valid_from FROM areas WHERE level = ? ORDER BY 1",
                                     [level]).fetchall()
        return [r[0] for r in rows]

    def _edition(self, level: str, at: date | None) -> date | None:
        if at is not None:
            return at
        editions = self.editions(level)
        return editions[-1] if editions else None

    def area_names(self, level: str, *, at: date | None = None) -> pd.DataFrame:
        """``area_id, name, parent_id`` of the areas valid at ``at`` (no geometry: cheap)."""
        at = self._edition(level, at)
        if at is None:
            return pd.DataFrame({"area_id": [], "name": [], "parent_id": []})
        return self._df("""SELECT area_id, name, parent_id FROM areas WHERE level = ? AND valid_from <= ?
                           AND (valid_to IS NULL OR valid_to > ?) ORDER BY area_id""", [level, at, at])

    def areas(self, level: str, *, at: date | None = None) -> gpd.GeoDataFrame:
        """The areas of ``level`` valid at ``at`` (default: the newest edition)."""
        if at is None:
            editions = self.editions(level)
            if not editions:
                return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in
                                         ("area_id", "name", "parent_id", "valid_from", "valid_to", "area_m2",
                                          "source_id")}, geometry=[], crs=self.work_crs)
            at = editions[-1]
        key = (level, at)
        if key not in self._area_cache or self._in_transaction:
            frame = self._df("""SELECT area_id, name, parent_id, valid_from, valid_to, area_m2, geom, source_id
                                FROM areas WHERE level = ? AND valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)
                                ORDER BY area_id""", [level, at, at])
            geom = _from_wkb(frame.pop("geom"))
            gdf = gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)
            if self._in_transaction:
                return gdf
            self._area_cache[key] = gdf
        return self._area_cache[key].copy()

    def indicator_ids(self) -> set[str]:
        return {r[0] for r in self.cursor().execute("SELECT indicator_id FROM indicators").fetchall()}

    def indicators(self) -> pd.DataFrame:
        frame = self._df("SELECT * FROM indicators ORDER BY indicator_id")
        frame = frame.astype(object).where(frame.notna(), None)   # missing text is None, never NaN
        frame["classes"] = frame["classes"].map(lambda s: json.loads(s) if isinstance(s, str) and s else None)
        return frame

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

    def sources(self) -> pd.DataFrame:
        return self._df("""
            SELECT s.source_id, s.title, s.publisher, s.licence, s.attribution, s.url, s.reference_date,
                   (SELECT string_agg(DISTINCT i.file, ', ' ORDER BY i.file) FROM imports i
                     WHERE i.source_id = s.source_id) AS files,
                   (SELECT string_agg(DISTINCT strftime(period, '%Y-%m-%d'), ', ' ORDER BY strftime(period, '%Y-%m-%d'))
                      FROM indicator_values v WHERE v.source_id = s.source_id) AS periods,
                   (SELECT count(*) FROM indicator_values v WHERE v.source_id = s.source_id) AS n_values,
                   (SELECT count(*) FROM areas a WHERE a.source_id = s.source_id) AS n_areas,
                   (SELECT count(*) FROM services v WHERE v.source_id = s.source_id) AS n_services,
                   (SELECT count(*) FROM grid_cells c JOIN grids g USING (grid_id)
                     WHERE g.source_id = s.source_id) AS n_cells
            FROM sources s ORDER BY s.source_id""")

    def attributions(self, source_ids: list[str] | None = None) -> list[str]:
        sql = "SELECT DISTINCT coalesce(attribution, title || coalesce(', ' || licence, '')) FROM sources"
        params: list = []
        if source_ids:
            sql += f" WHERE source_id IN ({', '.join('?' * len(source_ids))})"
            params = list(source_ids)
        return [r[0] for r in self.cursor().execute(sql + " ORDER BY 1", params).fetchall()]

    def services(self, *, category: str | None = None, include_hidden: bool = False) -> gpd.GeoDataFrame:
        """Services with the staff's edits applied (column ``edited``); services staff removed
        are left out unless ``include_hidden`` (column ``hidden``)."""
        frame = self._df("SELECT s.*, e.body AS edit_body, coalesce(e.deleted, false) AS hidden "
                         "FROM services s LEFT JOIN service_edits e USING (service_id) ORDER BY service_id")
        frame["edited"] = frame["edit_body"].notna() | (frame["origin"] == "user")
        for i in np.flatnonzero(frame["edit_body"].notna().to_numpy()):
            for key, value in json.loads(frame.at[i, "edit_body"]).items():
                if key in SERVICE_FIELDS:
                    frame.at[i, key] = value
        frame = frame.drop(columns="edit_body")
        if not include_hidden:
            frame = frame[~frame["hidden"]]
        if category:
            frame = frame[frame["category"] == category]
        frame = frame.reset_index(drop=True)
        geom = _from_wkb(frame.pop("geom"))
        return gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)

    def edit_service(self, service_id: str, changes: dict, *, user: str | None = None) -> None:
        """Record staff changes to a service. Imported services keep their imported row (a
        re-import refreshes it) and get the changes as an overlay; services staff added are
        changed in place."""
        unknown = sorted(set(changes) - set(SERVICE_FIELDS))
        if unknown:
            raise ValueError(f"unknown service fields: {unknown}")
        with self.transaction():
            if self._service_origin(service_id) == "user":
                for key, value in changes.items():
                    self.con.execute(f"UPDATE services SET {key} = ? WHERE service_id = ?", [value, service_id])
                return
            old = self.con.execute("SELECT body, deleted FROM service_edits WHERE service_id = ?",
                                   [service_id]).fetchone()
            body = {**(json.loads(old[0]) if old else {}), **changes}
            self.con.execute("DELETE FROM service_edits WHERE service_id = ?", [service_id])
            # a hidden service stays hidden when staff correct it
            self.con.execute("INSERT INTO service_edits VALUES (?, ?, ?, current_timestamp, ?)",
                             [service_id, json.dumps(body, ensure_ascii=False), bool(old[1]) if old else False, user])

    def _service_origin(self, service_id: str) -> str:
        """``import`` or ``user``; KeyError for an unknown service."""
        row = self.con.execute("SELECT origin FROM services WHERE service_id = ?", [service_id]).fetchone()
        if row is None:
            raise KeyError(service_id)
        return row[0]

    def add_service(self, record: dict, *, x: float, y: float, user: str | None = None) -> str:
        """A service staff know and no dataset has (origin ``user``; never touched by imports)."""
        import uuid
        service_id = f"user:{uuid.uuid4().hex[:10]}"
        values = {k: record.get(k) for k in SERVICE_FIELDS}
        with self.transaction():
            self.con.execute(
                "INSERT INTO services (service_id, category, name, address, languages, opening_hours, barrier_free, "
                "cost, age_min, age_max, capacity, attributes, origin, geom, source_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'user', ?, NULL)",
                [service_id, *(values[k] for k in SERVICE_FIELDS), json.dumps({"added_by": user}),
                 shapely.to_wkb(shapely.Point(x, y))])
        return service_id

    def remove_service(self, service_id: str, *, user: str | None = None) -> None:
        """Remove a staff service, or hide an imported one (kept hidden across re-imports)."""
        with self.transaction():
            if self._service_origin(service_id) == "user":
                self.con.execute("DELETE FROM services WHERE service_id = ?", [service_id])
                return
            old = self.con.execute("SELECT body FROM service_edits WHERE service_id = ?", [service_id]).fetchone()
            self.con.execute("DELETE FROM service_edits WHERE service_id = ?", [service_id])
            self.con.execute("INSERT INTO service_edits VALUES (?, ?, true, current_timestamp, ?)",
                             [service_id, old[0] if old else "{}", user])

    def revert_service(self, service_id: str) -> None:
        """Drop the staff's changes to an imported service (shows the imported record again)."""
        with self.transaction():
            self.con.execute("DELETE FROM service_edits WHERE service_id = ?", [service_id])

    # ------------------------------------------------------------------ walking access
    def replace_network(self, network_id: str, *, label: str, segments: pd.DataFrame, coverage,
                        source_id: str) -> None:
        frame = segments[["x1", "y1", "x2", "y2", "fclass"]].copy()
        frame.insert(0, "network_id", network_id)
        length = float(np.hypot(frame["x2"] - frame["x1"], frame["y2"] - frame["y1"]).sum() / 1000)
        self.con.execute("DELETE FROM network_segments WHERE network_id = ?", [network_id])
        self.con.execute("DELETE FROM networks WHERE network_id = ?", [network_id])
        self.con.execute("INSERT INTO networks VALUES (?, ?, ?, ?, ?, ?)",
                         [network_id, label, shapely.to_wkb(coverage) if coverage is not None else None,
                          len(frame), length, source_id])
        self._with_frame("new_segments", pa.Table.from_pandas(frame, preserve_index=False),
                         "INSERT INTO network_segments SELECT * FROM new_segments")

    def networks(self) -> pd.DataFrame:
        return self._df("SELECT network_id, label, n_segments, length_km, source_id FROM networks ORDER BY 1")

    def network_segments(self) -> pd.DataFrame:
        return self._df("SELECT x1, y1, x2, y2, fclass, network_id FROM network_segments")

    def network_coverage(self):
        """The union of the areas the stored networks cover (None without a network)."""
        blobs = [r[0] for r in self.cursor().execute(
            "SELECT coverage FROM networks WHERE coverage IS NOT NULL").fetchall()]
        return shapely.union_all(shapely.from_wkb(blobs)) if blobs else None

    def replace_origins(self, frame: pd.DataFrame, *, source_id: str, id_prefix: str) -> None:
        out = frame[["origin_id", "x", "y", "basis", "kind"]].copy()
        out["source_id"] = source_id
        self.con.execute("DELETE FROM origins WHERE starts_with(origin_id, ?)", [id_prefix + ":"])
        self._with_frame("new_origins", out, "INSERT INTO origins SELECT * FROM new_origins")

    def origins(self) -> pd.DataFrame:
        return self._df("SELECT * FROM origins ORDER BY origin_id")

    def replace_barriers(self, gdf: gpd.GeoDataFrame, *, source_id: str, id_prefix: str) -> None:
        frame = pd.DataFrame({"barrier_id": gdf["barrier_id"].to_numpy(), "kind": gdf["kind"].to_numpy(),
                              "class": gdf["class"].to_numpy(), "name": gdf["name"].to_numpy(),
                              "geom": shapely.to_wkb(gdf.geometry.array), "source_id": source_id})
        self.con.execute("DELETE FROM barriers WHERE starts_with(barrier_id, ?)", [id_prefix + ":"])
        self._with_frame("new_barriers", frame, "INSERT INTO barriers SELECT * FROM new_barriers")

    def barriers(self, *, within=None) -> gpd.GeoDataFrame:
        frame = self._df("SELECT * FROM barriers ORDER BY barrier_id")
        geom = _from_wkb(frame.pop("geom"))
        gdf = gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)
        if within is not None and len(gdf):
            gdf = gdf[gdf.intersects(within)]
        return gdf

    def access_run(self, run_key: str) -> dict | None:
        row = self.cursor().execute("SELECT origins, areas, pairs, report FROM access_runs WHERE run_key = ?",
                                    [run_key]).fetchone()
        if row is None:
            return None
        import io
        return {"origins": pd.read_parquet(io.BytesIO(row[0])), "areas": pd.read_parquet(io.BytesIO(row[1])),
                "pairs": pd.read_parquet(io.BytesIO(row[2])), "report": json.loads(row[3])}

    def put_access_run(self, run_key: str, *, category: str, persona: str | None, origins: pd.DataFrame,
                       areas: pd.DataFrame, pairs: pd.DataFrame, report: dict) -> None:
        """Cache one run; older runs of the same category and persona are dropped (their inputs
        or settings changed, so their key can never be asked for again)."""
        import io

        def blob(frame):
            buf = io.BytesIO()
            frame.to_parquet(buf, index=False)
            return buf.getvalue()
        with self.transaction():
            self.con.execute("DELETE FROM access_runs WHERE run_key = ? OR (category = ? AND persona IS NOT DISTINCT FROM ?)",
                             [run_key, category, persona])
            self.con.execute("INSERT INTO access_runs VALUES (?, ?, ?, current_timestamp, ?, ?, ?, ?)",
                             [run_key, category, persona, blob(origins), blob(areas), blob(pairs),
                              json.dumps(report, ensure_ascii=False, default=str)])

    def services_stamp(self) -> str:
        """Changes whenever staff add, change, hide or restore a service (or anything is imported)."""
        row = self.cursor().execute(
            "SELECT (SELECT count(*) FROM services WHERE origin = 'user'), "
            "(SELECT count(*) FROM service_edits), (SELECT max(updated_at)::VARCHAR FROM service_edits), "
            "(SELECT sum(hash(body, deleted)) FROM service_edits)").fetchone()
        return f"{self.data_stamp()}|{row}"

    def data_stamp(self) -> str:
        """Changes whenever anything is imported (sources and import log)."""
        row = self.cursor().execute("SELECT count(*), max(imported_at)::VARCHAR FROM imports").fetchone()
        return f"{row[0]}:{row[1]}"

    def programme_areas(self) -> gpd.GeoDataFrame:
        frame = self._df("SELECT * FROM programme_areas ORDER BY pa_id")
        geom = _from_wkb(frame.pop("geom"))
        return gpd.GeoDataFrame(frame, geometry=geom, crs=self.work_crs)

    def grids(self) -> pd.DataFrame:
        return self._df("SELECT g.*, (SELECT count(*) FROM grid_cells c WHERE c.grid_id = g.grid_id) AS n_cells "
                        "FROM grids g ORDER BY grid_id")

    def grid_cells(self, grid_id: str) -> pd.DataFrame:
        return self._df("SELECT x, y, value FROM grid_cells WHERE grid_id = ?", [grid_id])

    def imports(self) -> pd.DataFrame:
        return self._df("SELECT * FROM imports ORDER BY import_id")

    def summary(self) -> dict:
        cur = self.cursor()
        levels = cur.execute("""SELECT l.level, l.label_de, l.label_en, l.rank, count(a.area_id) AS n,
                                       string_agg(DISTINCT strftime(a.valid_from, '%Y-%m-%d'), ', ') AS editions
                                FROM area_levels l LEFT JOIN areas a USING (level)
                                GROUP BY ALL ORDER BY l.rank""").df()
        periods = cur.execute("""SELECT strftime(period, '%Y-%m-%d') AS period, count(DISTINCT indicator_id) AS indicators,
                                        count(*) AS n_values
                                 FROM indicator_values GROUP BY 1 ORDER BY 1""").df()
        count = lambda t: cur.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: E731
        services = cur.execute("SELECT category, count(*) AS n FROM services GROUP BY 1 ORDER BY 1").df()
        return {"meta": self.meta(), "levels": levels, "periods": periods,
                "indicators": count("indicators"), "values": count("indicator_values"),
                "services": services, "programme_areas": count("programme_areas"),
                "grids": self.grids(), "sources": count("sources"),
                "network_km": cur.execute("SELECT coalesce(sum(length_km), 0) FROM networks").fetchone()[0],
                "network_segments": count("network_segments"), "origins": count("origins"),
                "barriers": count("barriers"), "service_edits": count("service_edits")}

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Row count and a content hash per table: equal snapshots mean nothing was written."""
        out = {}
        for table in DATA_TABLES:
            n, h = self.con.execute(f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)), 0) FROM {table} t").fetchone()
            out[table] = (int(n), int(h))
        return out


def _from_wkb(blobs: pd.Series) -> np.ndarray:
    """DuckDB hands BLOBs back as bytearray; shapely wants bytes."""
    return shapely.from_wkb(np.array([bytes(b) for b in blobs], dtype=object))
