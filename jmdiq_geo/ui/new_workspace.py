"""The Übersicht's start without a workspace: a new, empty workspace for any city or town (its
levels then come from the boundaries imported on the Import page), or the Berlin demo."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.ui import actions
from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.state import settings, tr


def start_section() -> None:
    """Shown while no workspace exists at the configured path; reruns once one does."""
    st.warning(tr("overview_no_workspace"))
    st.subheader(tr("new_ws_title"))
    st.caption(tr("new_ws_intro", path=str(settings().db_path)))
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
    st.subheader(tr("new_ws_demo_title"))
    if st.button(tr("overview_build_demo"), key="build_demo"):
        with guard(), st.spinner(tr("overview_building")):
            actions.build_demo()
            st.rerun()
