"""Beteiligung: participation sessions of young people (the digital needle method, issue 18)."""
import streamlit as st

from jmdiq_geo.services.participation import get_session
from jmdiq_geo.ui.participation_results import results_section
from jmdiq_geo.ui.participation_staff import (flash, link_section, live_counts, moderation_section,
                                              new_session_form, pick_session)
from jmdiq_geo.ui.state import require_workspace, tr

st.title(tr("part_page_title"))
st.write(tr("part_intro"))
ws = require_workspace()
flash()
new_session_form(ws)
session_id = pick_session(ws)
if session_id:
    session = get_session(ws, session_id)
    live_counts(session_id)
    section = st.radio(tr("part_section"), ["link", "moderation", "results"], horizontal=True, key="part_section",
                       format_func=lambda s: tr(f"part_section_{s}"), label_visibility="collapsed")
    {"link": link_section, "moderation": moderation_section, "results": results_section}[section](ws, session)
