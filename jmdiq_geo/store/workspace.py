"""The workspace: one DuckDB file (or one PostgreSQL database), its repositories, and one
transaction per import.

``Workspace`` keeps the connection, the transactions, the meta table, the migrations and the
whole-workspace views (summary, snapshot); what is stored lives in one repository per kind of
data, each a mixin in its own module:

- ``store/areas.py``: levels, areas and editions, programme areas, grids, sources, import log;
- ``store/values.py``: indicators and their values;
- ``store/definitions.py``: index and derived-indicator definitions;
- ``store/services.py``: services and the staff's edits of them (``SERVICE_FIELDS``);
- ``store/access.py``: networks, origins, barriers, access runs;
- ``store/projects.py``: micro-projects, partners, network ties and their audit log;
- ``store/nationwide.py``: grids inserted straight from parquet, context outlines (Kreis, Land);
- ``store/participation.py``: participation sessions, their anonymous participants and pins.

``store`` is the only place that runs SQL and turns WKB into GeoDataFrames and back. Writers run
inside ``Workspace.transaction()``; a failed import rolls back and leaves the file unchanged.

A PostgreSQL workspace (a ``postgresql://`` URL instead of a path) runs the same SQL: the
connection is an in-memory DuckDB with the database attached through DuckDB's ``postgres``
extension and made the default catalog (``USE pg``), so DuckDB plans every query and the
repositories do not know which backend they write to. There, PostgreSQL's transactions and WAL
replace the write journal, and writers of all processes take turns through one advisory lock
(in DuckDB, the single writer per file), held by a transaction of its own that begins before
the write transaction and ends after it; readers never wait.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

import duckdb
import geopandas as gpd

from jmdiq_geo.config import is_postgres_url, location_label
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.store.access import AccessRepository
from jmdiq_geo.store.areas import AreasRepository
from jmdiq_geo.store.context import ContextRepository
from jmdiq_geo.store.definitions import DefinitionsRepository
from jmdiq_geo.store.generation import GENERATION_KEY, GenerationRepository, generational
from jmdiq_geo.store.nationwide import NationwideRepository
from jmdiq_geo.store.participation import ParticipationRepository
from jmdiq_geo.store.projects import ProjectsRepository
from jmdiq_geo.store.schema import DATA_TABLES, MIGRATIONS, SCHEMA_VERSION
from jmdiq_geo.store.services import SERVICE_FIELDS, ServicesRepository
from jmdiq_geo.store.stories import StoriesRepository
from jmdiq_geo.store.values import ValuesRepository

__all__ = ["SERVICE_FIELDS", "Workspace"]      # SERVICE_FIELDS: defined in store/services.py


#: the schema version that brought the write journal
_JOURNAL_VERSION = 5


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the file; another process holding it (DuckDB allows one writer per file: e.g. the
    running app) is a message naming the process, and a file that is no workspace, is damaged or
    whose write-ahead log cannot be replayed is a message too, not a traceback."""
    wal = path.with_name(path.name + ".wal")
    if wal.exists() and not path.exists():
        # the log of a file that was moved or deleted: replayed into a new file it would make
        # that file unreadable; kept aside, never replayed
        wal.rename(path.with_name(f"{path.name}.wal.orphaned-{int(wal.stat().st_mtime)}"))
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" not in str(exc).lower():
            raise SchemaError(Problem("workspace_unreadable", {"path": str(path), "reason": str(exc)[:300]})) from None
        holder = re.search(r"PID (\d+)", str(exc))
        raise SchemaError(Problem("workspace_locked", {"path": str(path),
                                                       "pid": holder.group(1) if holder else "?"})) from None
    except duckdb.Error as exc:
        raise SchemaError(Problem("workspace_unreadable", {"path": str(path), "reason": str(exc)[:300]})) from None


#: the advisory lock every writer of a PostgreSQL workspace holds for its transaction
_PG_WRITE_LOCK = 7_301_017


def _pg_extension() -> str:
    """The ``postgres_scanner`` extension file the pip wheel ships (loaded by path: offline)."""
    spec = importlib.util.find_spec("duckdb_extension_postgres_scanner")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaError(Problem("workspace_unreadable", {"path": "postgresql", "reason":
                                  "duckdb-extension-postgres-scanner is not installed (pip)"}))
    folder = Path(list(spec.submodule_search_locations)[0]) / "extensions" / f"v{duckdb.__version__}"
    return str(folder / "postgres_scanner.duckdb_extension")


def _connect_pg(url: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the PostgreSQL database ``url`` attached as ``pg`` and used."""
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"LOAD '{_pg_extension()}'")
        quoted = url.replace("'", "''")
        con.execute(f"ATTACH '{quoted}' AS pg (TYPE postgres{', READ_ONLY' if read_only else ''})")
        con.execute("USE pg")
    except duckdb.Error as exc:
        con.close()
        reason = str(exc).replace(url, location_label(url))[:300]
        raise SchemaError(Problem("workspace_unreadable", {"path": location_label(url), "reason": reason})) from None
    return con


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def ensure_not_open(path: Path | str) -> None:
    """Raise (``workspace_locked``) when another process holds the workspace file ``path``."""
    path = Path(path)
    if path.exists():
        _connect(path, read_only=False).close()


def swap_in(built: Path | str, target: Path | str) -> None:
    """Move the closed, checkpointed workspace file ``built`` to ``target`` - only when no other
    process holds ``target`` (the running app: ``workspace_locked``). The old file is
    checkpointed and held while it is replaced, so nobody opens it in between and no log of it
    is left to be replayed into the new one."""
    built, target = Path(built), Path(target)
    if _wal(built).exists():
        raise SchemaError(Problem("workspace_unreadable", {"path": str(built), "reason": "not checkpointed"}))
    held = None
    if target.exists():
        held = _connect(target, read_only=False)
        held.execute("CHECKPOINT")
    try:
        _wal(target).unlink(missing_ok=True)
        os.replace(built, target)
    finally:
        if held is not None:
            held.close()


def place_new(built: Path | str, target: Path | str) -> None:
    """Move the closed, checkpointed workspace file ``built`` to ``target`` only if nothing is
    there: a file that appeared at ``target`` while ``built`` was written (another build of
    the same name) is never replaced (``workspace_exists``; ``built`` is left for the caller).
    A hard link is the atomic no-clobber move; where the file system has none, the check and
    the move are two steps."""
    built, target = Path(built), Path(target)
    if _wal(built).exists():
        raise SchemaError(Problem("workspace_unreadable", {"path": str(built), "reason": "not checkpointed"}))
    if not target.exists():
        _wal(target).unlink(missing_ok=True)      # a log without its file: left by a crash, not to be replayed
    try:
        os.link(built, target)
    except FileExistsError:
        raise SchemaError(Problem("workspace_exists", {"path": str(target)})) from None
    except OSError:                    # no hard links here (e.g. a network share)
        if target.exists():
            raise SchemaError(Problem("workspace_exists", {"path": str(target)})) from None
        os.replace(built, target)
        return
    built.unlink()


class Workspace(
    # the repositories a workspace is made of: adding one (e.g. ``store/projects.py``) is its
    # import above and one line here
    AreasRepository,
    ValuesRepository,
    DefinitionsRepository,
    ServicesRepository,
    AccessRepository,
    ProjectsRepository,
    NationwideRepository,
    StoriesRepository,
    ParticipationRepository,
    ContextRepository,
    GenerationRepository,
):
    """A connection to one workspace file. Not thread-safe: use ``cursor()`` per thread."""

    # ------------------------------------------------------------------ lifecycle
    def __init__(self, path: Path | str, *, read_only: bool = False):
        #: a PostgreSQL workspace: its URL (``path`` then only names it, e.g. for cache keys)
        self.url: str | None = path if is_postgres_url(path) else None
        self.path = Path(path)
        if self.url is None and not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif self.url is None and not self.path.exists():
            raise SchemaError(Problem("workspace_missing", {"path": str(self.path)}))
        self.con = self._open(read_only)
        #: one writer at a time; the thread holding it works on ``self.con``, others read through
        #: their own cursors and see committed data only
        self._write_lock = threading.RLock()
        self._local = threading.local()
        #: decoded geometries per (level, edition); cleared whenever areas are written
        self._area_cache: dict[tuple[str, date], gpd.GeoDataFrame] = {}
        self._journal = False
        try:
            version = self.schema_version()
        except duckdb.Error as exc:
            self.con.close()
            raise SchemaError(Problem("workspace_unreadable", {"path": str(self.path),
                                                               "reason": str(exc)[:300]})) from None
        if version > SCHEMA_VERSION:
            self.con.close()
            raise SchemaError(Problem("workspace_newer", {"found": version, "expected": SCHEMA_VERSION}))
        if not read_only:
            self._migrate()
            if self.url is None:         # PostgreSQL: real transactions and WAL, no journal
                self._journal = True
                self.recover()
            else:
                self._publish_layers()
        elif version != SCHEMA_VERSION:
            self.con.close()
            raise SchemaError(Problem("workspace_version", {"found": version, "expected": SCHEMA_VERSION}))
        elif self.url is None and self._open_journal():
            # a write that never finished (or finished torn): repaired by a writable open, which
            # is possible now (a read-only open means no process holds the file for writing)
            self.con.close()
            Workspace(self.path).close()
            self.con = _connect(self.path, read_only)

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        return _connect_pg(self.url, read_only) if self.url else _connect(self.path, read_only)

    @property
    def location(self) -> Path | str:
        """What the workspace was opened from: the file, or the PostgreSQL URL."""
        return self.url or self.path

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    @property
    def label(self) -> str:
        """The workspace in messages: the file, or host/database (never a password)."""
        return location_label(self.url) if self.url else str(self.path)

    @classmethod
    def create(cls, path: Path | str, *, work_crs: str, city: str) -> "Workspace":
        ws = cls(path)
        with ws.transaction():
            ws.set_meta(work_crs=work_crs, city=city)
        return ws

    def close(self) -> None:
        self.con.close()

    def checkpoint(self) -> None:
        """Write the write-ahead log into the file (e.g. before the file is moved into place);
        nothing to do on PostgreSQL."""
        if self.url is None:
            self.con.execute("CHECKPOINT")

    def checkpoint_at_commit(self) -> None:
        """Let the next commit write its data into the file itself (a checkpoint) rather than
        into the write-ahead log, which the checkpoint right after would make obsolete: for a bulk build
        into a new file that nothing else has open (DuckDB does not write the log for a commit
        that checkpoints). The threshold is the database's: set it only on such a file. Nothing
        to do on PostgreSQL."""
        if self.url is None:
            self.con.execute("SET checkpoint_threshold = '0KB'")

    def leave_cores(self, busy: int) -> None:
        """DuckDB's threads for this database: the machine's cores less ``busy`` (at least one),
        for a build that keeps ``busy`` threads of its own at work beside DuckDB's queries (on
        two cores DuckDB's second thread only competes with them: in the ``germany`` build it
        cost 0.15 s of CPU and was no faster). The setting is the database's: set it only on a
        file that nothing else has open. Nothing to do on PostgreSQL."""
        if self.url is None:
            self.con.execute(f"SET threads = {max(1, (os.cpu_count() or 1) - int(busy))}")

    def backup(self, out: Path | str) -> Path:
        """A consistent copy of the workspace in the new file ``out`` while it stays in use (one
        read transaction: the state of one moment, whatever is written meanwhile)."""
        out = Path(out)
        if out.exists() or _wal(out).exists():
            raise SchemaError(Problem("backup_exists", {"path": str(out)}))
        out.parent.mkdir(parents=True, exist_ok=True)
        name = self.con.execute("SELECT current_database()").fetchone()[0]
        quoted = str(out).replace("'", "''")
        with self._write_lock:
            self.con.execute(f"ATTACH '{quoted}' AS jmdiq_backup (READ_WRITE)")
            try:
                if self.url is None:
                    self.con.execute(f'COPY FROM DATABASE "{name}" TO jmdiq_backup')
                else:           # the same schema in the file, then every table in one read transaction
                    self._copy_tables_to("jmdiq_backup")
                self.con.execute("CHECKPOINT jmdiq_backup")
            finally:
                self.con.execute("DETACH jmdiq_backup")
        return out

    def _copy_tables_to(self, target: str) -> None:
        """Create the schema in the attached, empty DuckDB database ``target`` and copy every
        table into it (one transaction: one moment's state)."""
        for statements in MIGRATIONS:
            for sql in statements:
                self.con.execute(re.sub(r"^\s*CREATE TABLE (\w+)", rf"CREATE TABLE {target}.\1", sql))
        self.con.execute(f"INSERT INTO {target}.meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table in DATA_TABLES:
                if table == "meta":
                    self.con.execute(f"INSERT INTO {target}.meta SELECT * FROM meta WHERE key <> 'schema_version'")
                else:
                    self.con.execute(f"INSERT INTO {target}.{table} SELECT * FROM {table}")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def copy_from(self, source: "Workspace") -> dict[str, int]:
        """Copy every table of the workspace ``source`` (the other backend, or the same) into
        this one, which must hold no data yet; one transaction. Returns the rows per table."""
        if self.holds_data():
            raise SchemaError(Problem("workspace_not_empty", {"path": self.label}))
        if source.url:
            quoted = source.url.replace("'", "''")
            self.con.execute(f"LOAD '{_pg_extension()}'")
            self.con.execute(f"ATTACH '{quoted}' AS jmdiq_source (TYPE postgres, READ_ONLY)")
        else:
            quoted = str(source.path).replace("'", "''")
            self.con.execute(f"ATTACH '{quoted}' AS jmdiq_source (READ_ONLY)")
        counts: dict[str, int] = {}
        try:
            schema = "public" if source.url else "main"
            with self.transaction():
                self.con.execute("DELETE FROM meta")
                for table in DATA_TABLES:
                    self.con.execute(f"INSERT INTO {table} SELECT * FROM jmdiq_source.{schema}.{table}")
                    counts[table] = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        finally:
            self.con.execute("DETACH jmdiq_source")
        if self.url:
            self._publish_layers()
        return counts

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
        if self._in_transaction:
            return self.con
        cur = self.con.cursor()
        if self.url:
            cur.execute("USE pg")            # a cursor is a new DuckDB connection: its own default catalog
        return cur

    def schema_version(self) -> int:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta' "
            "AND table_catalog = current_database() AND table_schema = current_schema()").fetchone()[0]
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
            if self.url:
                self.con.execute("CALL pg_clear_cache()")   # DuckDB's copy of the catalog may be older
            version = self.schema_version()        # another process may have migrated meanwhile
            if self.url and version == 0:
                self._pg_execute("CREATE EXTENSION IF NOT EXISTS postgis")
            for statements in MIGRATIONS[version:]:
                for sql in statements:
                    self.con.execute(sql)
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])

    @contextmanager
    def transaction(self, *, derived: bool = True) -> Iterator["Workspace"]:
        """One transaction; inside an open one of the same thread, a nested call joins it (all or
        nothing). Other threads wait for the write lock. The write journal (see ``recover``)
        brackets it: whatever happens to the process, the workspace is as before or as after.

        ``derived=False`` is for writes that nothing derived reads (a participant's pin): the
        data generation stays, so the layers and maps shared under it are not computed again
        after every pin of a workshop (``store/generation.py``)."""
        if self._in_transaction:
            self._local.depth += 1
            try:
                yield self
            finally:
                self._local.depth -= 1
            return
        with self._write_lock:
            txn = self._journal_begin() if self._journal else None
            turn = self._pg_take_turn() if self.url else None
            try:
                self.con.execute("BEGIN TRANSACTION")
                self._local.depth = 1
                try:
                    yield self
                except BaseException:
                    self.con.execute("ROLLBACK")
                    if txn is not None:
                        self.con.execute("DELETE FROM write_journal WHERE txn_id = ?", [txn])
                    raise
                else:
                    if derived:
                        self._bump_generation()      # store/generation.py: shared results see the write
                    if txn is not None:
                        self.con.execute("DELETE FROM write_journal WHERE txn_id = ?", [txn])
                    self.con.execute("COMMIT")
                finally:
                    self._local.depth = 0
                    if derived:
                        self._area_cache.clear()
                    self._committed()                 # store/generation.py: the next read asks again
            finally:
                if turn is not None:
                    turn.execute("ROLLBACK")          # ends the lock's own transaction: the next writer's turn
                    turn.close()

    def _pg_take_turn(self) -> duckdb.DuckDBPyConnection:
        """Wait for this workspace's write lock, held by a transaction of its own (so the write
        transaction begins after it - PostgreSQL's snapshot then sees the writer before)."""
        turn = self.con.cursor()
        turn.execute("BEGIN TRANSACTION")
        try:
            turn.execute(f"SELECT * FROM postgres_query('pg', "
                         f"'SELECT pg_advisory_xact_lock({_PG_WRITE_LOCK})::text')").fetchall()
        except BaseException:
            turn.execute("ROLLBACK")
            turn.close()
            raise
        return turn

    def _table_marks(self) -> dict[str, list[int]]:
        """Per data table: its row count and largest rowid (-1 when empty), as committed."""
        sql = " UNION ALL ".join(f"SELECT '{table}', count(*), coalesce(max(rowid), -1) FROM {table}"
                                 for table in DATA_TABLES)        # one query: DuckDB scans them in parallel
        return {table: [int(n), int(top)] for table, n, top in self.con.execute(sql).fetchall()}

    def _journal_begin(self) -> int:
        """Commit a journal row with the tables' marks before a write transaction; its id."""
        txn = self.con.execute("SELECT coalesce(max(txn_id), 0) + 1 FROM write_journal").fetchone()[0]
        self.con.execute("INSERT INTO write_journal VALUES (?, current_timestamp, ?, NULL)",
                         [txn, json.dumps(self._table_marks())])
        return int(txn)

    def _open_journal(self) -> list[tuple[int, str]]:
        if self.schema_version() < _JOURNAL_VERSION:
            return []
        return self.con.execute("SELECT txn_id, tables FROM write_journal WHERE recovered IS NULL "
                                "ORDER BY txn_id").fetchall()

    def last_recovery(self) -> dict[str, int] | None:
        """The rows the last repair of a torn or unfinished write removed, per table (None: no
        repair ever removed anything)."""
        if self.schema_version() < _JOURNAL_VERSION:
            return None
        row = self.cursor().execute("SELECT recovered FROM write_journal WHERE recovered IS NOT NULL "
                                    "ORDER BY txn_id DESC LIMIT 1").fetchone()
        return json.loads(row[0]) if row else None

    def recover(self) -> dict[str, int]:
        """Undo what a write transaction that never committed left behind: journal rows still
        open mean the process died in it; rows beyond the marks taken before it (DuckDB may
        bring back a large append without the rest of its transaction) are removed and the
        journal row is cleared. Returns the rows removed per table (empty: nothing to do)."""
        open_rows = self._open_journal()
        if not open_rows:
            return {}
        marks = json.loads(open_rows[0][1])
        removed: dict[str, int] = {}
        self.con.execute("BEGIN TRANSACTION")
        try:
            for table, (count, top) in marks.items():
                if table not in DATA_TABLES:
                    continue
                n, now_top = self.con.execute(f"SELECT count(*), coalesce(max(rowid), -1) FROM {table}").fetchone()
                if n > count or now_top > top:
                    gone = self.con.execute(f"DELETE FROM {table} WHERE rowid > ?", [top]).fetchone()[0]
                    removed[table] = int(gone)
            self.con.execute("DELETE FROM write_journal WHERE recovered IS NULL AND txn_id <> ?", [open_rows[0][0]])
            if removed:
                self.con.execute("UPDATE write_journal SET recovered = ?, tables = '{}' WHERE txn_id = ?",
                                 [json.dumps(removed), open_rows[0][0]])
            else:
                self.con.execute("DELETE FROM write_journal WHERE txn_id = ?", [open_rows[0][0]])
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")
        self.con.execute("CHECKPOINT")
        return removed

    # ------------------------------------------------------------------ PostgreSQL
    def _pg_execute(self, sql: str) -> None:
        """Run ``sql`` in PostgreSQL itself (its own dialect: PostGIS, views, schemas)."""
        self.con.execute("CALL postgres_execute('pg', ?)", [sql])

    def _pg_rows(self, sql: str) -> list[tuple]:
        """Rows of ``sql`` run in PostgreSQL itself (no single quotes in ``sql``: use $$...$$)."""
        return self.cursor().execute(f"SELECT * FROM postgres_query('pg', '{sql}')").fetchall()

    def _publish_layers(self) -> None:
        """PostGIS views for QGIS (schema ``qgis``): areas, programme areas, services, projects
        and partners with a geometry column typed with the work CRS's SRID (so PostGIS lists
        them in ``geometry_columns``). Made once, again when the work CRS changes."""
        srid = _srid(self.meta().get("work_crs", ""))
        if srid is None:
            return
        stamp = f"jmdiq-geo views {_QGIS_VIEWS_VERSION}, SRID {srid}"
        found = self._pg_rows("SELECT coalesce(obj_description(oid, $$pg_namespace$$), $$$$) FROM pg_namespace "
                              "WHERE nspname = $$qgis$$")
        if found == [(stamp,)]:
            return
        with self.transaction():
            self._pg_execute("CREATE SCHEMA IF NOT EXISTS qgis")
            for name, sql in _QGIS_VIEWS.items():
                self._pg_execute(f"DROP VIEW IF EXISTS qgis.{name}")
                self._pg_execute(f"CREATE VIEW qgis.{name} AS {sql.format(srid=srid)}")
            self._pg_execute(f"COMMENT ON SCHEMA qgis IS {_pg_literal(stamp)}")

    def put_layer_styles(self, styles: dict[str, tuple[str, str]]) -> None:
        """QGIS's ``public.layer_styles`` rows (the default style of each ``qgis.<layer>``):
        ``styles`` maps a layer to (style name, QML). Replaces the styles this app wrote."""
        if not self.url or not styles:
            return
        with self.transaction():
            self._pg_execute(_LAYER_STYLES_DDL)
            for layer, (name, qml) in styles.items():
                self._pg_execute(f"DELETE FROM public.layer_styles WHERE f_table_schema = 'qgis' "
                                 f"AND f_table_name = {_pg_literal(layer)}")
                self._pg_execute(
                    "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                    "f_geometry_column, stylename, styleqml, stylesld, useasdefault, description, owner) "
                    f"VALUES (current_database(), 'qgis', {_pg_literal(layer)}, 'geometry', {_pg_literal(name)}, "
                    f"{_pg_literal(qml)}, NULL, true, 'jmdiq-geo', current_user)")

    # ------------------------------------------------------------------ meta
    def set_meta(self, **values: str) -> None:
        for key, value in values.items():
            self.con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, str(value)])
        if self.url and "work_crs" in values:
            self._publish_layers()

    @generational
    def meta(self) -> dict[str, str]:
        """The workspace's settings (city, work CRS, roles …); without the data generation, which
        counts writes and is no setting (``data_generation()``)."""
        return dict(self.cursor().execute("SELECT key, value FROM meta WHERE key <> ?", [GENERATION_KEY]).fetchall())

    @property
    def work_crs(self) -> str:
        crs = self.meta().get("work_crs")
        if not crs:
            raise SchemaError(Problem("workspace_no_crs", {"path": self.label}))
        return crs

    # ------------------------------------------------------------------ whole workspace
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

    def holds_data(self) -> bool:
        """Whether any table but meta has rows (a workspace copied or built into must hold none)."""
        return any(n for table, (n, _) in self.snapshot().items() if table != "meta")

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Row count and a content hash per table: equal snapshots mean nothing was written."""
        out = {}
        for table in DATA_TABLES:
            n, h = self.con.execute(f"SELECT count(*), coalesce(sum(hash(t::VARCHAR)), 0) FROM {table} t").fetchone()
            out[table] = (int(n), int(h))
        return out


def _srid(work_crs: str) -> int | None:
    match = re.fullmatch(r"EPSG:(\d+)", work_crs.strip(), flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


def _pg_literal(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _geometry(expr: str) -> str:
    return f"ST_SetSRID(ST_GeomFromWKB({expr}), {{srid}})::geometry(Geometry, {{srid}})"


def _edited(field: str, cast: str) -> str:
    """A service's field with the staff's edit (``service_edits.body``) over the imported value."""
    return (f"CASE WHEN e.body::jsonb ? '{field}' THEN (e.body::jsonb ->> '{field}')::{cast} "
            f"ELSE s.{field} END AS {field}")


def _point(x: str, y: str) -> str:
    return f"ST_SetSRID(ST_MakePoint({x}, {y}), {{srid}})::geometry(Point, {{srid}})"


#: changes whenever ``_QGIS_VIEWS`` changes: the views are made again on the next writable open
_QGIS_VIEWS_VERSION = 2

#: the PostGIS views QGIS opens (``qgis.<name>``): plain columns plus ``geometry`` with SRID;
#: ``fid`` a key QGIS can use (a view has no primary key of its own)
_QGIS_VIEWS = {
    "areas": "SELECT level || '/' || area_id || '/' || valid_from AS fid, level, area_id, name, parent_id, "
             "valid_from, valid_to, area_m2, source_id, " + _geometry("geom") + " AS geometry FROM public.areas",
    "programme_areas": "SELECT pa_id AS fid, pa_id, name, programme, since, until, members, member_level, area_m2, "
                       "source_id, " + _geometry("geom") + " AS geometry FROM public.programme_areas",
    # as ``ServicesRepository.services``: the staff's edits applied, services they removed left out
    "services": "SELECT s.service_id AS fid, s.service_id, "
                + ", ".join(_edited(f, cast) for f, cast in (
                    ("category", "text"), ("name", "text"), ("address", "text"), ("languages", "text"),
                    ("opening_hours", "text"), ("barrier_free", "boolean"), ("cost", "text"),
                    ("age_min", "double precision"), ("age_max", "double precision"),
                    ("capacity", "double precision")))
                + ", s.origin, s.source_id, e.service_id IS NOT NULL AS edited, "
                + _geometry("s.geom") + " AS geometry FROM public.services s "
                "LEFT JOIN public.service_edits e ON e.service_id = s.service_id "
                "WHERE NOT coalesce(e.deleted, false)",
    "projects": "SELECT project_id AS fid, project_id, (body::jsonb)->>'title' AS title, "
                "(body::jsonb)->>'status' AS status, version, updated_at, updated_by, body, "
                + _point("x", "y") + " AS geometry FROM public.micro_projects "
                "WHERE NOT archived AND x IS NOT NULL AND y IS NOT NULL",
    "partners": "SELECT partner_id AS fid, partner_id, (body::jsonb)->>'name' AS name, version, updated_at, "
                "updated_by, body, " + _point("x", "y") + " AS geometry FROM public.partners "
                "WHERE NOT archived AND x IS NOT NULL AND y IS NOT NULL",
}

#: QGIS's own table of layer styles (as QGIS creates it; "IF NOT EXISTS": QGIS may have made it)
_LAYER_STYLES_DDL = """CREATE TABLE IF NOT EXISTS public.layer_styles (
    id serial PRIMARY KEY, f_table_catalog varchar, f_table_schema varchar, f_table_name varchar,
    f_geometry_column varchar, stylename text, styleqml xml, stylesld xml, useasdefault boolean,
    description text, owner varchar(63) DEFAULT CURRENT_USER, ui xml,
    update_time timestamp DEFAULT CURRENT_TIMESTAMP, type varchar)"""
