"""Local accounts for sites without an identity provider: a TOML file (``[users.<name>]`` with
``role`` and an Argon2id ``hash``; OpenID Connect users may be listed by ``email`` with a role
only). Written atomically; never holds a password, only its hash."""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from jmdiq_geo.errors import InputError, Problem, SchemaError

_HASHER = PasswordHasher()
NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
#: a hash to verify against when the name is unknown, so both cases take the same time
_DUMMY = _HASHER.hash("jmdiq-geo: no such user")


def read_accounts(path: Path | str) -> dict[str, dict]:
    """name → {role, hash?, email?}; an absent file is no accounts."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SchemaError(Problem("accounts_unreadable", {"reason": str(exc)[:200]}, file=path.name)) from None
    users = doc.get("users", {})
    return {str(k): dict(v) for k, v in users.items() if isinstance(v, dict)}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_accounts(path: Path | str, accounts: dict[str, dict]) -> None:
    """Write the file anew (a temporary file moved into place; readable by its owner only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# jmdiq-geo accounts: edit with 'jmdiq-geo user add|remove'. Hashes are Argon2id.", ""]
    for name in sorted(accounts):
        lines.append(f"[users.{_quote(name)}]")
        for key in ("role", "email", "hash"):
            if accounts[name].get(key):
                lines.append(f"{key} = {_quote(str(accounts[name][key]))}")
        lines.append("")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise InputError(Problem("password_too_short", {"min": 10}))
    return _HASHER.hash(password)


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise InputError(Problem("user_name_bad", {"name": name[:80]}))
    return name


def verify_password(accounts: dict[str, dict], name: str, password: str) -> str | None:
    """The role of ``name`` when ``password`` is theirs, else None (same work either way)."""
    account = accounts.get(name)
    stored = account.get("hash") if account else None
    try:
        _HASHER.verify(stored or _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return account.get("role") if stored else None


def role_for_email(accounts: dict[str, dict], email: str | None) -> str | None:
    """The role of an OpenID Connect user listed by ``email`` (case-insensitive), else None."""
    if not email:
        return None
    for account in accounts.values():
        if str(account.get("email", "")).casefold() == email.casefold():
            return account.get("role")
    return None
