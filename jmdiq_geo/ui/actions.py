"""Page actions that call the package and refresh Streamlit's caches."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
from jmdiq_geo.services.new_city import new_city
from jmdiq_geo.ui.state import settings


def build_demo(city: str = "berlin"):
    s = settings()
    manifest = load_manifest(manifest_path(city), data_root=s.data_root)
    st.cache_resource.clear()
    st.cache_data.clear()
    report = build_workspace(manifest, settings=s)
    st.cache_resource.clear()
    return report


def create_city(name: str, crs: str | None = None) -> None:
    """An empty workspace for the city ``name`` at the settings' path (JmdiqError when the file
    exists, the name is empty or the CRS is not metric); the next run opens it."""
    new_city(settings().db_path, name=name, crs=(crs or "").strip() or None).close()
    # a workspace removed and created again at the same path must not meet cached results
    st.cache_data.clear()
