"""Opening, creating and describing a workspace: the one way the app and the CLI get hold of
one (``Workspace`` is re-exported for type hints above ``store``)."""
from __future__ import annotations

import shutil
import tempfile
from concurrent.futures import Future, wait as futures_wait
from pathlib import Path
from typing import Callable, TypeVar

from jmdiq_geo.config import is_postgres_url, location_label
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.store.workspace import Workspace, ensure_not_open, place_new, swap_in
from jmdiq_geo.services.auth import authorize

__all__ = ["Workspace", "open_workspace", "create_workspace", "build_new_workspace", "workspace_summary",
           "newest_import_id", "backup_workspace", "restore_workspace", "migrate_workspace"]

T = TypeVar("T")


def open_workspace(path: Path | str, *, read_only: bool = False) -> Workspace:
    """Open (and, writable, migrate) the workspace file; SchemaError when it is missing (read
    only), of another version, or held by another process."""
    return Workspace(path, read_only=read_only)


def create_workspace(path: Path | str, *, work_crs: str, city: str) -> Workspace:
    """A new workspace file with its work CRS and city."""
    return Workspace.create(path, work_crs=work_crs, city=city)


def build_target(location: Path | str, *, replace: bool = False) -> Path | str:
    """``location`` if a new workspace may be built there, checked before the build starts: a
    file that does not exist yet (``replace``: or a workspace file, replaced when the build is
    done), or a PostgreSQL database that holds no workspace, neither a city nor data (others may
    be working in it: it is never overwritten, ``build_target_not_empty``)."""
    if is_postgres_url(location):
        with Workspace(location) as ws:
            if ws.meta().get("city") or ws.holds_data():
                raise SchemaError(Problem("build_target_not_empty", {"path": ws.label}))
        return location
    path = Path(location)
    if path.exists() and not replace:
        raise SchemaError(Problem("workspace_exists", {"path": str(path)}))
    return path


def build_new_workspace(location: Path | str, *, work_crs: str, city: str, fill: Callable[[Workspace], T],
                        begin: Callable[[Workspace], Future] | None = None,
                        replace: bool = False) -> tuple[T, object]:
    """Build a whole workspace so that nobody ever sees half of it: written in
    ``<location>.building`` and moved into place only when all of it is written; if anything
    fails, the file is removed and ``location`` is left as it was. (A PostgreSQL database: built
    in a temporary file the same way, then copied in in one transaction, with QGIS's default
    styles; the caller checks first that it may take it: ``build_target``.)

    ``fill(ws)`` writes the workspace, in transactions of its own. ``begin(ws)``, if given, is
    called with the new workspace first and may start work of its own in the file, in a
    transaction of its own (nobody sees the file before it is moved into place): it returns a
    future, waited for after ``fill`` and before the file is checkpointed, closed, moved into
    place or, if anything failed, removed. ``replace``: a workspace at ``location`` is replaced
    (refused while another process holds it); otherwise nothing may be there, not even a
    workspace another build put there meanwhile (``workspace_exists``).

    Returns ``fill``'s result and the future's (None without ``begin``)."""
    if is_postgres_url(location):
        from jmdiq_geo.services.postgis import publish_qgis_styles

        with tempfile.TemporaryDirectory(prefix="jmdiq-build-") as folder:
            built = Path(folder) / "workspace.duckdb"
            result = build_new_workspace(built, work_crs=work_crs, city=city, fill=fill, begin=begin)
            with Workspace(built, read_only=True) as src, Workspace(location) as dst:
                dst.copy_from(src)
                publish_qgis_styles(dst)
        return result
    target = Path(location)
    target.parent.mkdir(parents=True, exist_ok=True)
    if replace:
        ensure_not_open(target)          # never build a workspace to replace one that is in use
    tmp = _staging(target, ".building")
    ws = Workspace.create(tmp, work_crs=work_crs, city=city)
    started = None
    try:
        started = begin(ws) if begin else None
        filled = fill(ws)
        begun = started.result() if started is not None else None
        ws.checkpoint()
        ws.close()
        (swap_in if replace else place_new)(tmp, target)   # swap_in: refused if somebody opened it meanwhile
    except BaseException:
        if started is not None:
            futures_wait([started])
        ws.close()
        tmp.unlink(missing_ok=True)
        raise
    return filled, begun


def _staging(target: Path, suffix: str) -> Path:
    """The file beside ``target`` a new workspace is written in before it is moved into place,
    with what an interrupted earlier attempt left there (the file and its log) removed."""
    staged = target.with_name(target.name + suffix)
    for leftover in (staged, staged.with_name(staged.name + ".wal")):
        leftover.unlink(missing_ok=True)
    return staged


def workspace_summary(ws: Workspace) -> dict:
    """Meta, levels with their editions, periods, counts per table, services per category,
    grids and walking-access inputs (see ``Workspace.summary``)."""
    return ws.summary()


def newest_import_id(ws: Workspace) -> int:
    """The import log's newest id (0 before the first import): changes with every import."""
    return ws.newest_import_id()


def backup_workspace(ws: Workspace, out: Path | str) -> Path:
    """A consistent copy of the open workspace in the new file ``out`` (while it stays in use:
    the app's download and ``jmdiq-geo backup``)."""
    authorize("backup")
    return ws.backup(out)


def restore_workspace(backup: Path | str, target: Path | str) -> dict:
    """Put the workspace file ``backup`` in place of ``target``: checked first (a workspace of a
    version this app reads, migrated on a copy), refused while anybody holds ``target``; the
    backup itself is left as it is. Returns the restored workspace's meta."""
    authorize("backup")
    if is_postgres_url(target):
        raise SchemaError(Problem("restore_postgres", {"path": location_label(target)}))
    backup, target = Path(backup), Path(target)
    if not backup.is_file():
        raise SchemaError(Problem("workspace_missing", {"path": str(backup)}))
    ensure_not_open(target)
    staged = _staging(target, ".restoring")
    shutil.copy(backup, staged)
    try:
        with Workspace(staged) as ws:          # reads it, migrates it, repairs an unfinished write
            meta = ws.meta()
            if not meta.get("city"):
                raise SchemaError(Problem("workspace_unreadable", {"path": str(backup), "reason": "no workspace"}))
            ws.checkpoint()
        swap_in(staged, target)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return meta


def migrate_workspace(source: Path | str, target: Path | str) -> dict[str, int]:
    """Copy the workspace ``source`` into ``target`` - a DuckDB file into a PostgreSQL database
    (``postgresql://…``) or back, or file to file: every table, row by row, in one transaction.
    ``target`` is created with the current schema and must hold no data yet; ``source`` is
    only read (it must be of this version: open it once with the app or the CLI to migrate it).
    Returns the rows copied per table."""
    authorize("backup")
    from jmdiq_geo.services.postgis import publish_qgis_styles

    with Workspace(source, read_only=True) as src, Workspace(target) as dst:
        counts = dst.copy_from(src)
        publish_qgis_styles(dst)          # a PostgreSQL target: QGIS's default styles of its layers
    return counts
