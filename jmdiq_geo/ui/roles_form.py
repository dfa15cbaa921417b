"""Daten page: which indicator plays which role (``analysis.roles``) for rule sets, indices and the
Steckbrief, and the count a rate is a share of (its denominator)."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.analysis.roles import ROLES, role_label
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import localized_column
from jmdiq_geo.services.definitions import set_denominator
from jmdiq_geo.services.roles import indicator_roles, set_indicator_roles
from jmdiq_geo.ui.feedback import guard, show_error
from jmdiq_geo.ui.state import lang, tr, workspace

NONE = ""
#: a message to toast after the rerun that shows what was saved
_TOAST = "data_form_toast"


def _labels(ind) -> dict[str, str]:
    """indicator id → its label in the page language (with the id where two labels are the same)."""
    names = dict(zip(ind["indicator_id"], localized_column(ind, lang())))
    seen = list(names.values())
    return {i: (f"{n} ({i})" if seen.count(n) > 1 else n) for i, n in names.items()}


def _choices(labels: dict[str, str]) -> list[str]:
    return [NONE, *sorted(labels, key=lambda i: labels[i].lower())]


def _saved(message: str) -> None:
    """After a save: caches of the old mapping cleared, a check result of it forgotten, the page
    drawn again (the tables above show the change) with the message as a toast."""
    st.cache_data.clear()
    st.session_state.pop("check_result", None)
    st.session_state[_TOAST] = message
    st.rerun()


def show_toast() -> None:
    if message := st.session_state.pop(_TOAST, None):
        st.toast(message, icon=":material/check_circle:")


def roles_form() -> None:
    ws = workspace()
    ind = ws.indicators()
    if ind.empty:
        st.caption(tr("roles_needs_indicators"))
        return
    try:
        current = indicator_roles(ws)
    except JmdiqError as exc:
        show_error(exc)
        current = {}
    labels = _labels(ind)
    ids = _choices(labels)
    st.caption(tr("roles_help"))
    with st.form("roles_form"):
        cols = st.columns(2)
        chosen = {role: cols[i % 2].selectbox(
            role_label(role, lang()), ids, index=ids.index(current[role]) if current.get(role) in ids else 0,
            format_func=lambda i: labels.get(i, "—"), key=f"role_{role}") for i, role in enumerate(ROLES)}
        submitted = st.form_submit_button(tr("roles_save"), type="primary")
    if submitted:
        with guard():
            set_indicator_roles(ws, {role: value or None for role, value in chosen.items()})
            _saved(tr("roles_done", n=sum(1 for v in chosen.values() if v), total=len(ROLES)))


def denominator_form() -> None:
    ws = workspace()
    ind = ws.indicators()
    rates, counts = ind[ind["kind"] == "intensive"], ind[ind["kind"] == "extensive"]
    if rates.empty or counts.empty:
        st.caption(tr("denominator_needs"))
        return
    rate_labels, count_labels = _labels(rates), _labels(counts)
    current = dict(zip(rates["indicator_id"], rates["denominator"]))
    st.caption(tr("denominator_help"))
    c1, c2 = st.columns(2)
    rate = c1.selectbox(tr("denominator_rate"), _choices(rate_labels)[1:], format_func=rate_labels.get,
                        key="denominator_rate")
    ids = _choices(count_labels)
    preset = current.get(rate)
    count = c2.selectbox(tr("denominator_count"), ids, index=ids.index(preset) if preset in ids else 0,
                         format_func=lambda i: count_labels.get(i, "—"), key=f"denominator_count_{rate}")
    if st.button(tr("denominator_save"), type="primary", key="denominator_save"):
        with guard():
            set_denominator(ws, rate, count or None)
            _saved(tr("denominator_done", rate=rate_labels[rate], count=count_labels.get(count, "—")))
