"""The Übersicht's start without a workspace: a new, empty workspace for any city or town (its
levels then come from the boundaries imported on the Import page), a starter for any Gemeinde
from the nationwide layers (its outline, the Zensus grids cut to it), the germany workspace (the
national view), or the demo. The builds run as jobs beside the page (``ui/jobs.py``), with
their progress; other sessions are not held up."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from jmdiq_geo.services.new_city import gemeinde_candidates, nationwide_available
from jmdiq_geo.ui import actions
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.ui.feedback import guard, show_error
from jmdiq_geo.ui.jobs import finished, start
from jmdiq_geo.ui.state import lang, settings, tr

#: this session's build of a new workspace (the demo, a Gemeinde starter, germany): a job
JOB_KEY = "new_ws_job"


def follow_build() -> bool:
    """This session's build of a new workspace: while it runs, its progress bar (updating
    itself) and True (the page shows nothing else). When it has finished: the caches cleared
    (a workspace created again at the same place must not meet cached results) and False, or
    its error shown and False (the start section follows)."""
    job = finished(JOB_KEY, tr(st.session_state.get(JOB_KEY + "_text", "overview_building")))
    if job is None:
        return JOB_KEY in st.session_state
    try:
        job.outcome()
    except JmdiqError as exc:
        show_error(exc, title_key="new_ws_failed")
        return False
    st.cache_data.clear()
    return False


def _start_build(text_key: str, label: str, work, *args, **kwargs) -> None:
    """A build as this session's job, beside the page: other sessions go on meanwhile."""
    st.session_state[JOB_KEY + "_text"] = text_key
    start(JOB_KEY, label, work, *args, settings=settings(), **kwargs)
    st.rerun()


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
        germany_section()
    st.subheader(tr("new_ws_demo_title"))
    if st.button(tr("overview_build_demo"), key="build_demo"):
        _start_build("overview_building", "demo workspace", actions.build_demo)


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
        _start_build("new_ws_gemeinde_building", f"starter {ags}", actions.create_starter, ags, lang=lang())


def germany_section() -> None:
    """The national view: every Gemeinde, Kreis and Land and the whole Zensus grids."""
    st.subheader(tr("new_ws_germany_title"))
    st.caption(tr("new_ws_germany_intro"))
    if st.button(tr("new_ws_germany_create"), key="new_ws_germany_create"):
        _start_build("new_ws_gemeinde_building", "germany workspace", actions.create_germany, lang=lang())
