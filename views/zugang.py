"""Einrichtungen und Zugang: services on the map, staff edits, walking access and barriers."""
import streamlit as st

from jmdiq_geo.ui.access import network_note
from jmdiq_geo.ui.access_fit import fit_section
from jmdiq_geo.ui.access_run import access_section
from jmdiq_geo.ui.access_services import edit_section, services_section
from jmdiq_geo.ui.state import require_areas, tr, workspace_version
from jmdiq_geo.ui.story import add_access_to_story

st.title(tr("access_title"))
st.write(tr("access_intro"))
require_areas()
network_note()
version = workspace_version()
# one section at a time (a map inside a hidden tab would open at the wrong place)
section = st.radio(tr("access_section"), ["access", "fit", "services", "edit"], horizontal=True, key="access_section",
                   format_func=lambda s: tr(f"access_section_{s}"), label_visibility="collapsed")
{"access": access_section, "fit": fit_section, "services": services_section, "edit": edit_section}[section](version)
if section == "access":
    add_access_to_story()
