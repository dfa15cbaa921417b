"""Page actions that call the package and refresh Streamlit's caches; the builds of a new workspace
(the demo, a Gemeinde starter, the germany workspace) are jobs that run beside the page (``ui/jobs.py``)
and touch no Streamlit state."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.config import DEMO_PACKAGE
from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
from jmdiq_geo.services.jobs import steps
from jmdiq_geo.services.new_city import new_city, new_gemeinde, new_germany
from jmdiq_geo.ui.state import settings


def build_demo(city: str = DEMO_PACKAGE, *, settings, progress=None):
    """A data package's workspace at the settings' path (a job: ``ui/jobs.py``), the progress
    over its files."""
    from pathlib import Path

    manifest = load_manifest(manifest_path(city), data_root=settings.data_root)
    return build_workspace(manifest, settings=settings,
                           progress=steps(progress, lambda i, total, label: f"{i + 1}/{total}: {Path(label).name}"))


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


def create_starter(ags: str, *, settings, lang: str, progress=None):
    """A starter workspace for the Gemeinde ``ags`` at the settings' path (see
    ``services.new_city.new_gemeinde``; a job: ``ui/jobs.py``)."""
    return new_gemeinde(settings.db_path, ags, data_root=settings.data_root, lang=lang, progress=steps(progress))


def create_germany(*, settings, lang: str, progress=None):
    """The ``germany`` workspace (every Gemeinde, the whole Zensus grids) at the settings' path
    (see ``services.new_city.new_germany``; a job: ``ui/jobs.py``)."""
    return new_germany(settings.db_path, data_root=settings.data_root, lang=lang, progress=steps(progress))
