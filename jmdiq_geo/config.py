"""Settings: where the data root and the workspace are, and the limits that apply.

One frozen object, built from the environment once (``Settings.from_env()``) and passed down.
No mutable module globals.

Environment variables
---------------------
``JMDIQ_DATA_ROOT``     folder the data-package manifests refer to (default ``../shared/data``
                        beside the repository, when it exists).
``JMDIQ_DB``            workspace file (default ``workspace/berlin.duckdb`` in the repository).
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
DEFAULT_DATA_ROOT = REPO_ROOT.parent / "shared" / "data"
DEFAULT_DB = REPO_ROOT / "workspace" / "berlin.duckdb"


@dataclass(frozen=True)
class Settings:
    data_root: Path | None
    db_path: Path
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
            db_path=Path(env.get("JMDIQ_DB") or DEFAULT_DB),
            max_file_mb=float(env.get("JMDIQ_MAX_FILE_MB") or 500.0),
            lang=env.get("JMDIQ_LANG") or "de",
            users_path=Path(env["JMDIQ_USERS"]) if env.get("JMDIQ_USERS") else None,
            auth_mode=env.get("JMDIQ_AUTH") or None,
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def accounts_file(self) -> Path:
        return self.users_path or self.db_path.with_name("users.toml")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
