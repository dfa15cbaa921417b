"""Page actions that call the package and refresh Streamlit's caches."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
from jmdiq_geo.ui.state import settings


def build_demo(city: str = "berlin"):
    s = settings()
    manifest = load_manifest(manifest_path(city), data_root=s.data_root)
    st.cache_resource.clear()
    st.cache_data.clear()
    report = build_workspace(manifest, settings=s)
    st.cache_resource.clear()
    return report
