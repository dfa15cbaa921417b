"""Page actions that call the package and refresh Streamlit's caches."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
from jmdiq_geo.services.new_city import new_city, new_gemeinde
from jmdiq_geo.ui.state import settings


def build_demo(city: str = "berlin"):
    """Build a data package's workspace, with a progress bar over its files."""
    from pathlib import Path

    from jmdiq_geo.ui.state import tr
    s = settings()
    manifest = load_manifest(manifest_path(city), data_root=s.data_root)
    st.cache_resource.clear()
    st.cache_data.clear()
    bar = st.progress(0.0, text=tr("overview_building"))

    def progress(i: int, total: int, label: str) -> None:
        bar.progress(min(1.0, (i + 1) / total), text=f"{tr('overview_building')} {i + 1}/{total}: {Path(label).name}")
    report = build_workspace(manifest, settings=s, progress=progress)
    bar.empty()
    st.cache_resource.clear()
    return report


def create_city(name: str, crs: str | None = None) -> None:
    """An empty workspace for the city ``name`` at the settings' path (JmdiqError when the file
    exists, the name is empty or the CRS is not metric); the next run opens it."""
    new_city(settings().db_path, name=name, crs=(crs or "").strip() or None).close()
    # a workspace removed and created again at the same path must not meet cached results
    st.cache_data.clear()


def backup_section() -> None:
    """A consistent copy of the open workspace to download (the app keeps running meanwhile)."""
    import tempfile
    from datetime import date
    from pathlib import Path

    from jmdiq_geo.services.workspace import backup_workspace
    from jmdiq_geo.ui.state import tr, workspace

    st.caption(tr("data_backup_help"))
    if st.button(tr("data_backup_make"), key="data_backup_make"):
        folder = Path(tempfile.mkdtemp(prefix="jmdiq-backup-"))
        out = backup_workspace(workspace(), folder / f"sicherung-{date.today().isoformat()}.duckdb")
        st.session_state["data_backup"] = (out.name, out.read_bytes())
        out.unlink()
        folder.rmdir()
    if "data_backup" in st.session_state:
        name, data = st.session_state["data_backup"]
        st.download_button(tr("data_backup_download", size=f"{len(data) / 1e6:.1f}"), data=data, file_name=name,
                           mime="application/octet-stream", key="data_backup_download")


def create_starter(ags: str, *, lang: str, progress=None):
    """A starter workspace for the Gemeinde ``ags`` at the settings' path (see
    ``services.new_city.new_gemeinde``); the next run opens it."""
    s = settings()
    report = new_gemeinde(s.db_path, ags, data_root=s.data_root, lang=lang, progress=progress)
    st.cache_data.clear()
    return report
