"""The Import page's progress bar for the walking-access imports (an OSM extract takes seconds)
and what their report says beyond rows: the network's length, nodes, segments and connected
share; the barriers by kind."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.services.imports import ImportReport
from jmdiq_geo.ui.state import tr

ACCESS_KINDS = ("network", "origins", "barriers")


def import_progress(kind: str):
    """A progress callback (fraction, step) showing a bar, or None for kinds that report none."""
    if kind not in ACCESS_KINDS:
        return None
    bar = st.progress(0.0, text=tr("import_running"))

    def say(fraction: float, step: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=f"{tr('import_running')} ({tr('acc_step_' + step)})")
    return say


def show_access_details(report: ImportReport) -> None:
    d = report.details
    if report.kind == "network" and "connected_share" in d:
        st.write(tr("cli_network_report", km=f"{d['length_km']:.1f}", nodes=d["nodes"], segments=d["segments"],
                    share=f"{d['connected_share']:.1f}", components=d["components"]))
    if report.kind == "barriers" and d.get("by_kind"):
        st.write(tr("cli_barriers_report", kinds=", ".join(f"{tr('access_barrier_' + k)} {n}"
                                                           for k, n in d["by_kind"].items())))
    if report.kind == "context" and d.get("by_layer"):
        st.write(tr("cli_context_report", layers=", ".join(f"{tr('context_layer_' + k)} {n}"
                                                            for k, n in d["by_layer"].items())))
