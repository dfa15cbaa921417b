"""Settings: where the data root and the workspace are, and the limits that apply.

One frozen object, built from the environment once (``Settings.from_env()``) and passed down.
No mutable module globals.

Environment variables
---------------------
``JMDIQ_DATA_ROOT``     folder the data-package manifests refer to (default ``../shared/data``
                        beside the repository, when it exists).
``JMDIQ_DB``            workspace file (default ``workspace/berlin.duckdb`` in the repository), or a
                        PostgreSQL URL (``postgresql://user@host/dbname``, a shared server: see
                        README, "A shared server").
``JMDIQ_MAX_FILE_MB``   largest file an import accepts (default 500).
``JMDIQ_LANG``          ``de`` (default) or ``en`` for CLI messages.
``JMDIQ_USERS``         the local accounts file (default ``users.toml`` beside the workspace).
``JMDIQ_AUTH``          ``accounts`` (log in with a local account), ``oidc`` (Streamlit's OpenID
                        Connect login, ``.streamlit/secrets.toml``) or ``single`` (no login: one
                        user, only on 127.0.0.1); default ``accounts`` when the accounts file
                        has accounts, else ``single``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CITIES_DIR = REPO_ROOT / "data" / "cities"
#: the data package the demo is built from (``jmdiq-geo demo``, the Übersicht's demo button)
DEMO_PACKAGE = "berlin"
#: the start of a boundary edition given without a date: valid at every period (shown "ohne Datum")
UNDATED_EDITION = "1900-01-01"
DEFAULT_DATA_ROOT = REPO_ROOT.parent / "shared" / "data"
DEFAULT_DB = REPO_ROOT / "workspace" / "berlin.duckdb"


def is_postgres_url(location) -> bool:
    """Whether a workspace location names a PostgreSQL database instead of a DuckDB file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def workspace_location(value: str | Path) -> Path | str:
    """``JMDIQ_DB`` / ``--db`` as a location: a PostgreSQL URL stays a string, anything else is a file."""
    return value if is_postgres_url(value) else Path(value)


def location_label(location: Path | str) -> str:
    """A short name of a workspace for messages: the file's name, or the database's (never a password)."""
    if is_postgres_url(location):
        from urllib.parse import urlsplit
        parts = urlsplit(location)
        return f"{parts.hostname or 'localhost'}/{parts.path.lstrip('/') or '?'}"
    return Path(location).name


@dataclass(frozen=True)
class Settings:
    data_root: Path | None
    #: the workspace: a DuckDB file, or a PostgreSQL URL (str) - see ``is_postgres_url``
    db_path: Path | str
    max_file_mb: float = 500.0
    #: MSS rule: values of areas with fewer residents are not shown.
    min_residents: int = 300
    #: counts below this are suppressed in maps and exports.
    small_count: int = 3
    lang: str = "de"
    users_path: Path | None = None
    auth_mode: str | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        root = env.get("JMDIQ_DATA_ROOT")
        data_root = Path(root) if root else (DEFAULT_DATA_ROOT if DEFAULT_DATA_ROOT.is_dir() else None)
        return cls(
            data_root=data_root,
            db_path=workspace_location(env.get("JMDIQ_DB") or DEFAULT_DB),
            max_file_mb=float(env.get("JMDIQ_MAX_FILE_MB") or 500.0),
            lang=env.get("JMDIQ_LANG") or "de",
            users_path=Path(env["JMDIQ_USERS"]) if env.get("JMDIQ_USERS") else None,
            auth_mode=env.get("JMDIQ_AUTH") or None,
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def accounts_file(self) -> Path:
        if self.users_path:
            return self.users_path
        # beside the file; for a PostgreSQL workspace, in the repository's workspace folder
        return (DEFAULT_DB if self.uses_postgres else self.db_path).with_name("users.toml")

    @property
    def uses_postgres(self) -> bool:
        return is_postgres_url(self.db_path)

    @property
    def db_label(self) -> str:
        return location_label(self.db_path)

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
