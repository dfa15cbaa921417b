"""The login gate of the app (called by ``app.py`` before any page): who acts in this script
run, by the mode of ``config.Settings.auth_mode``:

- ``accounts``: a name and password from the local accounts file (Argon2id hashes);
- ``oidc``: Streamlit's OpenID Connect login (``st.login``; ``.streamlit/secrets.toml``), the
  role from the accounts file by email, else viewer;
- ``single``: no login, one user with every right - only while the server listens on the
  loopback address (``scripts/run.sh`` starts it so).

Every service checks the role itself (``services.auth.authorize``); the gate only says who acts.
"""
from __future__ import annotations

import time

import streamlit as st

from jmdiq_geo.services.auth import Actor, act_as, has_accounts, local_admin, login, oidc_actor
from jmdiq_geo.ui.state import settings, tr

_ACTOR = "auth_actor"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def auth_mode() -> str:
    s = settings()
    if s.auth_mode:
        return s.auth_mode
    return "accounts" if has_accounts(s.accounts_file) else "single"


def gate() -> Actor:
    """The actor of this run; draws the login and stops the run until somebody logged in."""
    mode = auth_mode()
    if mode == "single":
        address = st.get_option("server.address")
        if address not in LOOPBACK:
            st.error(tr("auth_single_not_local", address=address or "0.0.0.0"), icon=":material/lock:")
            st.stop()
        actor = local_admin("single-user")
    elif mode == "oidc":
        if not st.user.is_logged_in:
            st.title(tr("auth_title"))
            st.button(tr("auth_login_oidc"), on_click=st.login, type="primary")
            act_as(None)
            st.stop()
        actor = oidc_actor(settings().accounts_file, email=st.user.get("email"), name=st.user.get("name"))
    elif mode == "accounts":
        actor = st.session_state.get(_ACTOR)
        if actor is None:
            act_as(None)
            _login_form()
            st.stop()
    else:
        st.error(tr("auth_mode_unknown", mode=mode))
        st.stop()
    act_as(actor)
    _sidebar(actor, mode)
    return actor


def _login_form() -> None:
    st.title(tr("auth_title"))
    with st.form("auth_login"):
        name = st.text_input(tr("auth_name"), key="auth_name")
        password = st.text_input(tr("auth_password"), type="password", key="auth_password")
        if st.form_submit_button(tr("auth_login"), type="primary"):
            actor = login(settings().accounts_file, name, password)
            if actor is None:
                time.sleep(1.0)                     # slows guessing down
                st.error(tr("auth_failed"))
            else:
                st.session_state[_ACTOR] = actor
                st.session_state.pop("auth_password", None)
                st.rerun()


def _sidebar(actor: Actor, mode: str) -> None:
    st.sidebar.caption(tr("auth_signed_in", name=actor.name, role=tr(f"auth_role_{actor.role}")))
    if mode == "accounts" and st.sidebar.button(tr("auth_logout"), key="auth_logout"):
        st.session_state.pop(_ACTOR, None)
        st.rerun()
    elif mode == "oidc" and st.sidebar.button(tr("auth_logout"), key="auth_logout"):
        st.logout()


def current_name() -> str:
    """The logged-in user's name, for the audit log (never a name typed into a field)."""
    from jmdiq_geo.services.auth import current_actor
    actor = current_actor()
    return actor.name if actor else "?"
