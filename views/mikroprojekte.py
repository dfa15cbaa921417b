"""Mikroprojekte und Netzwerk: the project register, partners, the yearly network map, the team's
activity log and the annual report annex."""
import streamlit as st

from jmdiq_geo.ui.activity import activity_section
from jmdiq_geo.ui.annual import annex_section
from jmdiq_geo.ui.projects import project_overview, show_flash
from jmdiq_geo.ui.projects_forms import partner_form, project_form
from jmdiq_geo.ui.projects_network import exchange_section, network_section
from jmdiq_geo.ui.state import require_workspace, tr, workspace_version
from jmdiq_geo.ui.story import add_to_story

st.title(tr("projects_title"))
st.write(tr("projects_intro"))
ws = require_workspace()
version = workspace_version()
show_flash()
# one section at a time (a map inside a hidden tab would open at the wrong place)
section = st.radio(tr("projects_section"), ["list", "form", "partners", "network", "activity", "annex", "exchange"],
                   horizontal=True, key="projects_section", format_func=lambda s: tr(f"projects_tab_{s}"),
                   label_visibility="collapsed")
{"list": project_overview, "form": project_form}.get(section, lambda v: None)(version)
sections = {"partners": lambda: partner_form(version), "exchange": exchange_section, "network": network_section,
            "activity": activity_section, "annex": annex_section}
if section in sections:
    sections[section]()
if section == "network":
    add_to_story({"kind": "network"})
