"""Login and roles (issue "Trust"): the services refuse what the actor's role does not allow
(nobody logged in: nothing), local accounts hold Argon2id hashes only, the CLI manages them."""
from __future__ import annotations

import io

import pytest

from jmdiq_geo.analysis.projects import Partner
from jmdiq_geo.cli import main as cli_main
from jmdiq_geo.errors import AccessDenied
from jmdiq_geo.services.auth import (ACTIONS, ROLES, Actor, act_as, add_user, current_actor, list_users, login,
                                     oidc_actor, remove_user, set_default_actor)
from jmdiq_geo.services.catalogue import store_rule_set
from jmdiq_geo.services.imports import Source, TableSpec, import_file
from jmdiq_geo.services.projects import create_partner
from jmdiq_geo.services.roles import set_indicator_roles
from tests.fixtures.files import MAX_BYTES, TINY_AREAS, count_table


@pytest.fixture
def as_role():
    def become(role):
        act_as(Actor(f"{role}-person", role, "test") if role else None)
    yield become
    act_as(None)


@pytest.fixture
def nobody():
    set_default_actor(None)
    act_as(None)
    yield
    set_default_actor(Actor("test", "admin", "test"))


def attempts(ws, tmp_path):
    """One change per action the page offers: name → (action it needs, call)."""
    table = count_table(tmp_path / "werte.csv", [(a, i + 1) for i, (a, _, _) in enumerate(TINY_AREAS)])
    spec = TableSpec(level="plr", period="2024-12-31", key="PLR_ID", columns={}, define=True)
    return {
        "import": ("import", lambda: import_file(ws, "indicators", table, spec, Source("s", "S", licence="CC0"),
                                                 max_bytes=MAX_BYTES)),
        "partner": ("edit_projects", lambda: create_partner(ws, Partner("", "Neuer Träger", "Schule"), user="x")),
        "roles": ("configure", lambda: set_indicator_roles(ws, {"residents": None})),
        "rules": ("configure", lambda: store_rule_set(ws, "[ruleset]\nid = 'x'\n", file="x.toml")),
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_what_the_table_says_and_nothing_else(tiny_ws, tmp_path, as_role, role):
    as_role(role)
    for name, (action, call) in attempts(tiny_ws, tmp_path).items():
        before = tiny_ws.snapshot()
        allowed = ROLES.index(role) >= ROLES.index(ACTIONS[action])
        if allowed:
            try:
                call()
            except AccessDenied:
                pytest.fail(f"{role} was refused {name}")
            except Exception:          # noqa: BLE001 - other refusals (a bad rule set) are not ours
                pass
        else:
            with pytest.raises(AccessDenied) as err:
                call()
            assert err.value.problems[0].code == "auth_forbidden" and tiny_ws.snapshot() == before, name


def test_nobody_logged_in_may_change_nothing(tiny_ws, tmp_path, nobody):
    assert current_actor() is None
    for name, (_, call) in attempts(tiny_ws, tmp_path).items():
        with pytest.raises(AccessDenied) as err:
            call()
        assert err.value.problems[0].code == "auth_required", name


@pytest.mark.backend_free
def test_accounts_hold_argon2_hashes_and_log_in(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "anna", role="editor", password="ein langes Passwort")
    add_user(path, "chef@example.org", role="admin", email="chef@example.org")
    text = path.read_text(encoding="utf-8")
    assert "ein langes Passwort" not in text and "$argon2id$" in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert login(path, "anna", "ein langes Passwort") == Actor("anna", "editor", "account")
    assert login(path, "anna", "falsch falsch falsch") is None
    assert login(path, "niemand", "ein langes Passwort") is None
    assert login(path, "chef@example.org", "") is None                  # an OIDC entry has no password
    assert oidc_actor(path, email="CHEF@example.org", name="Chef").role == "admin"
    assert oidc_actor(path, email="fremd@example.org", name="Fremd").role == "viewer"
    assert list_users(path) == [("anna", "editor", "password"), ("chef@example.org", "admin", "oidc")]
    assert remove_user(path, "anna") and not remove_user(path, "anna")


@pytest.mark.backend_free
def test_only_an_admin_manages_accounts(tmp_path, as_role):
    as_role("editor")
    with pytest.raises(AccessDenied):
        add_user(tmp_path / "users.toml", "bert", role="admin", password="noch ein langes")
    assert not (tmp_path / "users.toml").exists()


@pytest.mark.backend_free
def test_cli_user_commands(tmp_path, monkeypatch, capsys):
    users = tmp_path / "users.toml"
    monkeypatch.setenv("JMDIQ_USERS", str(users))
    monkeypatch.setattr("sys.stdin", io.StringIO("ein langes Passwort\n"))
    assert cli_main(["--lang", "en", "user", "add", "anna", "--role", "editor", "--password-stdin"]) == 0
    assert login(users, "anna", "ein langes Passwort").role == "editor"
    monkeypatch.setattr("sys.stdin", io.StringIO("kurz\n"))
    assert cli_main(["--lang", "en", "user", "add", "bert", "--password-stdin"]) == 2
    assert "too short" in capsys.readouterr().err
    assert cli_main(["--lang", "en", "user", "add", "x", "--role", "chef", "--email", "x@example.org"]) == 2
    assert cli_main(["--lang", "en", "user", "list"]) == 0
    assert "anna" in capsys.readouterr().out
    assert cli_main(["--lang", "en", "user", "remove", "anna"]) == 0
    assert cli_main(["--lang", "en", "user", "remove", "anna"]) == 2
