"""jmdiq-geo app: navigation and the shared sidebar only (pages live in pages/)."""
import streamlit as st

from jmdiq_geo.ui.state import language_switch, settings, tr, workspace

st.set_page_config(page_title="jmdiq-geo", page_icon="static/favicon.png", layout="wide")
language_switch()

pages = [
    st.Page("pages/uebersicht.py", title=tr("nav_overview"), icon=":material/home:", url_path="uebersicht", default=True),
    st.Page("pages/karte.py", title=tr("nav_map"), icon=":material/map:", url_path="karte"),
    st.Page("pages/steckbrief.py", title=tr("nav_profile"), icon=":material/description:", url_path="steckbrief"),
    st.Page("pages/indizes.py", title=tr("nav_indices"), icon=":material/leaderboard:", url_path="indizes"),
    st.Page("pages/hotspots.py", title=tr("nav_hotspots"), icon=":material/scatter_plot:", url_path="hotspots"),
    st.Page("pages/pruefen.py", title=tr("nav_check"), icon=":material/fact_check:", url_path="pruefen"),
    st.Page("pages/zugang.py", title=tr("nav_access"), icon=":material/directions_walk:", url_path="zugang"),
    st.Page("pages/mikroprojekte.py", title=tr("nav_projects"), icon=":material/diversity_3:", url_path="mikroprojekte"),
    st.Page("pages/import.py", title=tr("nav_import"), icon=":material/upload_file:", url_path="import"),
    st.Page("pages/daten.py", title=tr("nav_data"), icon=":material/library_books:", url_path="daten"),
]
nav = st.navigation(pages)
ws = workspace()
st.sidebar.caption(tr("sidebar_workspace", path=settings().db_path.name,
                      city=ws.meta().get("city", "–") if ws else "–"))
nav.run()
