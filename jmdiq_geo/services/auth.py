"""Who is acting, and what their role allows: the one place where actions are checked.

Roles: ``viewer`` (maps, profiles, checks, presentations), ``editor`` (+ micro-projects,
partners, network ties, services and their attributes, participation sessions), ``admin``
(+ imports, rule sets, index definitions, indicator roles and definitions, users, backups,
new workspaces). Every service that changes something calls ``authorize(action)`` first; the
app's login sets the actor of each script run (``act_as``), the CLI acts as the local user with
the admin role (it has the file anyway). Nobody set means nothing is allowed.
"""
from __future__ import annotations

import getpass
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from jmdiq_geo.errors import AccessDenied, InputError, Problem
from jmdiq_geo.io.accounts import (check_name, hash_password, read_accounts, role_for_email, verify_password,
                                   write_accounts)

ROLES = ("viewer", "editor", "admin")
#: action → the least role that may do it (the one table of permissions)
ACTIONS = {
    "view": "viewer",
    "present": "viewer",
    "edit_projects": "editor",
    "edit_services": "editor",
    "participation": "editor",
    "import": "admin",
    "configure": "admin",
    "backup": "admin",
    "users": "admin",
    "create_workspace": "admin",
}


@dataclass(frozen=True)
class Actor:
    name: str
    role: str
    how: str          # "account", "oidc", "single-user", "cli", "test"

    def may(self, action: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(ACTIONS[action])


_current: ContextVar[Actor | None] = ContextVar("jmdiq_actor", default=None)
#: the process's actor where a run sets none (the CLI: the local user); None in the app
_default: list[Actor | None] = [None]


def set_default_actor(actor: Actor | None) -> None:
    _default[0] = actor


def act_as(actor: Actor | None) -> None:
    """The actor of this thread's work from now on (the app: each script run, after login)."""
    _current.set(actor)


def current_actor() -> Actor | None:
    return _current.get() or _default[0]


def local_admin(how: str = "cli") -> Actor:
    return Actor(getpass.getuser(), "admin", how)


def authorize(action: str) -> Actor:
    """The actor, when their role allows ``action``; else ``AccessDenied`` (a message)."""
    actor = current_actor()
    if actor is None:
        raise AccessDenied(Problem("auth_required"))
    if actor.role not in ROLES or not actor.may(action):
        raise AccessDenied(Problem("auth_forbidden", {"user": actor.name, "role": actor.role,
                                                      "needed": ACTIONS[action]}))
    return actor


# --------------------------------------------------------------------------- accounts

def login(path: Path | str, name: str, password: str) -> Actor | None:
    """The actor for a local account's name and password, else None."""
    role = verify_password(read_accounts(path), name.strip(), password)
    return Actor(name.strip(), role, "account") if role in ROLES else None


def oidc_actor(path: Path | str, *, email: str | None, name: str | None) -> Actor:
    """An identity provider's user: the role the accounts file gives their email, else viewer."""
    role = role_for_email(read_accounts(path), email) or "viewer"
    return Actor(email or name or "?", role if role in ROLES else "viewer", "oidc")


def has_accounts(path: Path | str) -> bool:
    return bool(read_accounts(path))


def add_user(path: Path | str, name: str, *, role: str, password: str | None = None, email: str | None = None) -> None:
    """Add or change an account (a password for a local login, an email for OpenID Connect)."""
    authorize("users")
    check_name(name)
    if role not in ROLES:
        raise InputError(Problem("user_role_bad", {"role": role, "known": ", ".join(ROLES)}))
    if not password and not email:
        raise InputError(Problem("user_needs_password_or_email", {"name": name}))
    accounts = read_accounts(path)
    entry = {"role": role}
    if email:
        entry["email"] = email
    if password:
        entry["hash"] = hash_password(password)
    accounts[name] = entry
    write_accounts(path, accounts)


def remove_user(path: Path | str, name: str) -> bool:
    authorize("users")
    accounts = read_accounts(path)
    if accounts.pop(name, None) is None:
        return False
    write_accounts(path, accounts)
    return True


def list_users(path: Path | str) -> list[tuple[str, str, str]]:
    """(name, role, how they log in) per account."""
    return [(n, a.get("role", "?"), "password" if a.get("hash") else "oidc" if a.get("email") else "–")
            for n, a in sorted(read_accounts(path).items())]
