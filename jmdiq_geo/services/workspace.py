"""Opening, creating and describing a workspace: the one way the app and the CLI get hold of
one (``Workspace`` is re-exported for type hints above ``store``)."""
from __future__ import annotations

from pathlib import Path

from jmdiq_geo.store.workspace import Workspace

__all__ = ["Workspace", "open_workspace", "create_workspace", "workspace_summary",
           "newest_import_id"]


def open_workspace(path: Path | str, *, read_only: bool = False) -> Workspace:
    """Open (and, writable, migrate) the workspace file; SchemaError when it is missing (read
    only), of another version, or held by another process."""
    return Workspace(path, read_only=read_only)


def create_workspace(path: Path | str, *, work_crs: str, city: str) -> Workspace:
    """A new workspace file with its work CRS and city."""
    return Workspace.create(path, work_crs=work_crs, city=city)


def workspace_summary(ws: Workspace) -> dict:
    """Meta, levels with their editions, periods, counts per table, services per category,
    grids and walking-access inputs (see ``Workspace.summary``)."""
    return ws.summary()


def newest_import_id(ws: Workspace) -> int:
    """The import log's newest id (0 before the first import): changes with every import."""
    return ws.newest_import_id()
