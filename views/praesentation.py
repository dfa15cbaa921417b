"""Präsentation: arrange a story's slides, show it full-screen step by step, download it as one
offline HTML file."""
import streamlit as st

from jmdiq_geo.ui.state import require_areas, tr
from jmdiq_geo.ui.story import arrange_section, show_section

require_areas()
if not show_section():          # while a story is shown, nothing else is on the page
    st.title(tr("story_title"))
    st.write(tr("story_intro"))
    arrange_section()
