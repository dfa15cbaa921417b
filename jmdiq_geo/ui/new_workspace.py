"""The Übersicht's start without a workspace: a new, empty workspace for any city or town (its
levels then come from the boundaries imported on the Import page), a starter for any Gemeinde
from the nationwide layers (its outline, the Zensus grids cut to it), or the Berlin demo."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from jmdiq_geo.services.new_city import gemeinde_candidates, nationwide_available
from jmdiq_geo.ui import actions
from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.state import lang, settings, tr


def start_section() -> None:
    """Shown while no workspace exists at the configured path; reruns once one does."""
    st.warning(tr("overview_no_workspace"))
    st.subheader(tr("new_ws_title"))
    st.caption(tr("new_ws_intro", path=settings().db_label))
    with st.form("new_workspace"):
        c1, c2 = st.columns([2, 1])
        name = c1.text_input(tr("new_ws_name"), key="new_ws_name", placeholder=tr("new_ws_name_placeholder"))
        crs = c2.text_input(tr("new_ws_crs"), key="new_ws_crs", placeholder="EPSG:25832",
                            help=tr("new_ws_crs_help"))
        submitted = st.form_submit_button(tr("new_ws_create"), type="primary")
    if submitted:
        with guard("new_ws_failed"):
            actions.create_city(name, crs)
            st.rerun()
    if nationwide_available(settings().data_root):
        gemeinde_section()
    st.subheader(tr("new_ws_demo_title"))
    if st.button(tr("overview_build_demo"), key="build_demo"):
        with guard():
            actions.build_demo()
            st.rerun()


@st.cache_data(show_spinner=False, max_entries=32)
def _candidates(data_root: str, query: str):
    return gemeinde_candidates(Path(data_root), query)


def gemeinde_section() -> None:
    """A Gemeinde by name or AGS; its candidates with their Kreis to choose from; the starter
    built with a progress bar for its steps."""
    st.subheader(tr("new_ws_gemeinde_title"))
    st.caption(tr("new_ws_gemeinde_intro"))
    query = st.text_input(tr("new_ws_gemeinde"), key="new_ws_gemeinde", placeholder=tr("new_ws_gemeinde_placeholder"))
    if not query.strip():
        return
    how, found = _candidates(str(settings().data_root), query.strip())
    if found.empty:
        st.warning(tr("new_ws_gemeinde_none", query=query))
        return
    if how == "close":
        st.warning(tr("new_ws_gemeinde_similar", query=query))
    elif len(found) > 1:
        st.info(tr("new_ws_gemeinde_several", n=len(found)))
    labels = {row.ags: f"{row.name} ({row.type}, {row.kreis}, AGS {row.ags})" for row in found.itertuples()}
    ags = st.selectbox(tr("new_ws_gemeinde_pick"), list(labels), format_func=labels.get, key="new_ws_gemeinde_ags",
                       index=0 if len(found) == 1 else None, placeholder=tr("ui_choose"))
    if st.button(tr("new_ws_gemeinde_create"), type="primary", key="new_ws_gemeinde_create", disabled=ags is None):
        bar = st.progress(0.0, text=tr("new_ws_gemeinde_building"))

        def progress(i, total, text):
            bar.progress(min((i + 1) / total, 1.0), text=text)
        with guard("new_ws_failed"):
            actions.create_starter(ags, lang=lang(), progress=progress)
            st.rerun()
