"""jmdiq-geo app: navigation and the shared sidebar only (pages live in views/: a folder named pages/ would be routed by Streamlit itself)."""
import streamlit as st

from jmdiq_geo.ui.auth import gate
from jmdiq_geo.ui.participation import link_token, participant_page
from jmdiq_geo.ui.state import language_switch, settings, tr, workspace
from jmdiq_geo.ui.widgets import hide_unsafe_table_export

st.set_page_config(page_title="jmdiq-geo", page_icon="static/favicon.png", layout="wide")
hide_unsafe_table_export()        # the table toolbar's CSV would not neutralise formula-like cells
if token := link_token():         # a participation link (?p=…): the one page without login, nothing else
    participant_page(token)
    st.stop()
language_switch()
actor = gate()                    # who acts in this run (a login first, unless single-user on 127.0.0.1)

pages = [
    st.Page("views/uebersicht.py", title=tr("nav_overview"), icon=":material/home:", url_path="uebersicht", default=True),
    st.Page("views/karte.py", title=tr("nav_map"), icon=":material/map:", url_path="karte"),
    st.Page("views/steckbrief.py", title=tr("nav_profile"), icon=":material/description:", url_path="steckbrief"),
    st.Page("views/indizes.py", title=tr("nav_indices"), icon=":material/leaderboard:", url_path="indizes"),
    st.Page("views/hotspots.py", title=tr("nav_hotspots"), icon=":material/scatter_plot:", url_path="hotspots"),
    st.Page("views/pruefen.py", title=tr("nav_check"), icon=":material/fact_check:", url_path="pruefen"),
    st.Page("views/zugang.py", title=tr("nav_access"), icon=":material/directions_walk:", url_path="zugang"),
    st.Page("views/mikroprojekte.py", title=tr("nav_projects"), icon=":material/diversity_3:", url_path="mikroprojekte"),
    st.Page("views/praesentation.py", title=tr("nav_story"), icon=":material/slideshow:", url_path="praesentation"),
    st.Page("views/daten.py", title=tr("nav_data"), icon=":material/library_books:", url_path="daten"),
]
if actor.may("participation"):    # the services refuse it to others anyway
    pages.insert(-1, st.Page("views/beteiligung.py", title=tr("nav_participation"), icon=":material/pin_drop:",
                             url_path="beteiligung"))
if actor.may("import"):           # the services refuse it to others anyway
    pages.insert(-1, st.Page("views/import.py", title=tr("nav_import"), icon=":material/upload_file:",
                             url_path="import"))
nav = st.navigation(pages)
ws = workspace()
st.sidebar.caption(tr("sidebar_workspace", path=settings().db_label,
                      city=ws.meta().get("city", "–") if ws else "–"))
nav.run()
