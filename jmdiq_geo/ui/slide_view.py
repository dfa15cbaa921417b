"""The "add to presentation" button of a map page that keeps its view in the browser: a small
custom component (``ui/view_button/index.html``) that reads, on click, the view the map keeps in
the tab's sessionStorage (``render.map_context.add_view_memory``) and reports it with the click.
Panning and zooming report nothing (no rerun); the click reruns the page once."""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from jmdiq_geo.ui.state import tr

_view_button = components.declare_component("jmdiq_view_button", path=str(Path(__file__).with_name("view_button")))


def browser_bounds(reported) -> list[float] | None:
    """[west, south, east, north] (EPSG:4326, 5 decimals) of the view the map reported
    (``ui/view_button``), or None when it reported none or nonsense."""
    bounds = (reported or {}).get("view", {}) if isinstance(reported, dict) else {}
    bounds = bounds.get("bounds") if isinstance(bounds, dict) else None
    try:
        west, south, east, north = (float(v) for v in bounds)
    except (TypeError, ValueError):
        return None
    ok = -180 <= west < east <= 180 and -90 <= south < north <= 90
    return [round(v, 5) for v in (west, south, east, north)] if ok else None


def add_button(key: str, view_key: str | None) -> tuple[bool, list[float] | None]:
    """The add button: (clicked in this run, the extent the user looks at). A map page that
    keeps its view (``view_key``) gets the button that reads that view in the browser on click;
    a click is taken once (its nonce remembered)."""
    if view_key is None:
        return st.button(tr("story_add_button"), key=key, type="primary"), None
    reported = _view_button(label=tr("story_add_button"), view=view_key, key=key, default=None)
    nonce = reported.get("nonce") if isinstance(reported, dict) else None
    if not nonce or st.session_state.get(key + "_done") == nonce:
        return False, None
    st.session_state[key + "_done"] = nonce
    return True, browser_bounds(reported)
