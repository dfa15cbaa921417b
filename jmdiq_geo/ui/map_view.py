"""The map page's "zoom to" / "show only" controls and its table of values."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from jmdiq_geo.i18n import t_or
from jmdiq_geo.services.maps import zoom_targets
from jmdiq_geo.ui.state import lang, tr, workspace, workspace_version
from jmdiq_geo.ui.widgets import number_table


@st.cache_data(show_spinner=False, max_entries=4)
def _targets(version: float, language: str) -> pd.DataFrame:
    return zoom_targets(workspace(), language)


@st.cache_data(show_spinner=False, max_entries=4)
def _categories(version: str) -> list[str]:
    """The service categories of the workspace (its summary is a dozen queries: once per version)."""
    return workspace().summary()["services"]["category"].tolist()


def zoom_controls(version: float, *, key: str = "map", with_only: bool = True) -> tuple[tuple[str, str] | None, bool]:
    """(target (level, area id) or None for the whole city, show only the target's areas); the
    same control on every area map (Karte, access, quarter check, locations), ``with_only``
    where the map can leave out the other areas."""
    targets = _targets(version, lang())
    options = ["", *(targets["level"] + "\x1f" + targets["area_id"])]
    labels = dict(zip(options[1:], targets["label"]))
    c1, c2 = st.columns([3, 1.4])
    name = workspace().meta().get("city")                  # "Ganz Heidelberg", "Ganz Deutschland"
    whole = tr("map_zoom_whole", name=name) if name else tr("map_zoom_city")
    chosen = c1.selectbox(tr("map_zoom_to"), options, key=f"{key}_zoom_to", placeholder=whole,
                          format_func=lambda o: labels.get(o, whole))
    only = c2.toggle(tr("map_show_only"), key=f"{key}_show_only", disabled=not chosen,
                     help=tr("map_show_only_help")) if with_only else False
    if not chosen:
        return None, False
    level, area_id = chosen.split("\x1f", 1)
    return (level, area_id), only


def value_table(description, *, only: set[str] | None = None) -> None:
    """The areas with their values: official classes by their label (no rank: a class has
    none), counts without decimals."""
    table = description.layer.areas
    if only is not None:
        table = table[table["area_id"].isin(only)]
    title = description.title[:40]
    frame = pd.DataFrame({tr("tt_id"): table["area_id"].to_numpy(), tr("tt_area"): table["name"].to_numpy()})
    if description.official:
        label_of = dict(description.official)
        frame[title] = [label_of.get(v, tr("no_value")) if np.isfinite(v) else tr("no_value")
                        for v in table["value"].to_numpy(dtype=float)]
        st.dataframe(frame, hide_index=True, width="stretch")
        return
    frame[title] = table["value"].to_numpy(dtype=float)
    frame[tr("tt_rank")] = table["rank"].to_numpy(dtype=float) if "rank" in table else np.nan
    st.dataframe(number_table(frame, {title: description.value_digits, tr("tt_rank"): 0}), hide_index=True,
                 width="stretch")


def overlay_controls(ws) -> dict:
    """The Karte's overlays (programme areas, projects and partners, service categories) as the
    keyword arguments of ``ui.maps.indicator_map``."""
    with st.expander(tr("map_overlays")):
        show_programmes = st.toggle(tr("map_programme_areas"), key="map_show_pa")
        show_projects = st.toggle(tr("projects_title"), key="map_show_projects")
        categories = _categories(workspace_version())
        chosen = st.multiselect(tr("map_services"), categories, key="map_services", placeholder=tr("ui_choose"),
                                format_func=lambda c: t_or(f"cat_{c}", c, lang()))
    return {"show_programmes": show_programmes, "service_categories": tuple(chosen), "show_projects": show_projects}
