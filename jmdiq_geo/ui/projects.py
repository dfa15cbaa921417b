"""Parts of the micro-project page shared by its sections: who edits, table headings, the
confirmation after a save, the location picker (also used for services), and the project list.

The sections: the project and partner forms (``ui/projects_forms.py``), the yearly network and
the CSV/GeoJSON exchange (``ui/projects_network.py``).
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.analysis.projects import FIELDS_OF_ACTION, STATUSES
from jmdiq_geo.render.maps import add_points, drawing_map, finish_layers
from jmdiq_geo.services.projects import (area_labels, filter_options, filter_projects, located_points,
                                         overview_table, records, summary_table, work_point)
from jmdiq_geo.ui.feedback import show_notices
from jmdiq_geo.ui.map_view import zoom_controls
from jmdiq_geo.ui.maps import outlines, readable as readable_map
from jmdiq_geo.ui.state import lang, tr, workspace
from jmdiq_geo.i18n import format_number, readable



def user() -> str:
    """The logged-in user (the audit log's "who"; never a name typed into a field)."""
    from jmdiq_geo.ui.auth import current_name
    return current_name()


FLASH_KEY = "projects_flash"
#: table columns → catalogue keys of their headings
HEADINGS = {"project_id": "projects_id", "title": "projects_field_title", "area_id": "projects_area",
            "status": "projects_status", "start": "projects_start", "end": "projects_end",
            "budget_planned": "projects_budget_planned", "budget_spent": "projects_budget_spent",
            "predecessor": "projects_predecessor", "version": "col_version", "updated_by": "col_changed_by",
            "name": "partners_name", "type": "partners_type", "address": "tt_address", "partner_id": "projects_id",
            "year": "projects_year", "intensity": "network_intensity", "importance": "network_importance",
            "formalisation": "network_formalisation", "change": "network_change", "n": "col_count",
            "share_participation": "projects_share_participation_pct", "share_continued": "projects_share_continued_pct",
            "intensity_a": "network_intensity_a", "intensity_b": "network_intensity_b",
            "importance_a": "network_importance_a", "importance_b": "network_importance_b",
            "action": "col_action", "at": "col_when", "topic": "network_topic"}


#: form fields (ids in problems) → catalogue keys of their labels, beyond the table headings
FORM_FIELDS = {"age_min": "projects_age_min", "age_max": "projects_age_max", "fields_of_action": "projects_fields",
               "partners": "projects_partners", "sustainability": "projects_sustainability",
               "what_is_new": "projects_what_is_new", "location": "projects_place_search",
               "target_groups": "projects_target"}


def field_labels() -> dict[str, str]:
    """A form's field ids → their labels, so messages name the field as the form shows it."""
    return {c: tr(k) for c, k in {**HEADINGS, **FORM_FIELDS}.items()}


def partner_label(names: dict[str, str]):
    """``Name (org001)``: two partners of the same name stay two choices."""
    return lambda i: f"{names[i]} ({i})" if i in names else "–"


def number_cells(frame: pd.DataFrame, digits: dict[str, int]) -> dict:
    """``st.dataframe`` arguments showing ``frame`` with the numbers of ``digits``'s columns as the
    UI's language writes them and a missing number as "–" (Streamlit shows a missing value as
    "None" whatever a Styler says, so these cells become right-aligned text)."""
    out = readable(frame, lang())                 # missing texts as "–" too
    for col, places in digits.items():
        if col in out.columns:
            out[col] = [format_number(float(v), lang(), digits=places) if pd.notna(v) else "–" for v in out[col]]
    return {"data": out, "hide_index": True, "width": "stretch",
            "column_config": {c: st.column_config.TextColumn(alignment="right") for c in digits if c in out.columns}}


def headed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.rename(columns={c: tr(k) for c, k in HEADINGS.items() if c in frame.columns})


def saved(version, notices, *, record: str = "", message: str | None = None) -> None:
    """Remember the confirmation and rerun, so every list and choice shows the new record (the
    save raised the data generation: what is cached under the old one is not asked for again;
    other sessions' caches stay)."""
    st.session_state[FLASH_KEY] = (message or tr("projects_saved", record=record, version=version), notices)
    st.rerun()


def show_flash() -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash[0])
        show_notices(flash[1], fields=field_labels())


def location_picker(version: float, key: str) -> tuple[float | None, float | None]:
    """A map to click the project's location on; returns x, y in the work CRS."""
    ws = workspace()
    lowest = ws.lowest_level()
    target, _ = zoom_controls(version, key=key, with_only=False)
    areas = ws.areas(lowest)
    m = drawing_map(areas, lang=lang(), attributions=ws.attributions(areas["source_id"].dropna().unique().tolist()),
                    outlines=outlines(version, lowest), with_draw=False)
    readable_map(m, version, level=lowest, key=key, target=target)
    projects, partners = project_points(), partner_points()
    if not projects.empty or not partners.empty:
        add_points(m, projects, name=tr("projects_projects"), colour="#D55E00", lang=lang())
        add_points(m, partners, name=tr("projects_tab_partners"), colour="#0072B2", lang=lang())
        finish_layers(m)
    state = st_folium(m, key=key, height=420, use_container_width=True, returned_objects=["last_clicked"])
    clicked = (state or {}).get("last_clicked")
    if not clicked:
        return None, None
    x, y = work_point(ws, clicked["lng"], clicked["lat"])
    st.caption(tr("projects_clicked", lat=f"{clicked['lat']:.5f}", lng=f"{clicked['lng']:.5f}"))
    return x, y


def project_points() -> gpd.GeoDataFrame:
    return located_points(workspace(), "project")


def partner_points() -> gpd.GeoDataFrame:
    return located_points(workspace(), "partner")


def project_overview(version: float) -> None:
    ws = workspace()
    frame = records(ws, "project")
    if frame.empty:
        st.info(tr("projects_none"))
        return
    c1, c2, c3, c4 = st.columns(4)
    years, areas = filter_options(frame)
    names = area_labels(ws)
    area = c4.selectbox(tr("projects_area"), ["–", *areas], key="projects_filter_area",
                        format_func=lambda a: names.get(a, a))
    year = c1.selectbox(tr("projects_year"), ["–"] + years, key="projects_filter_year")
    field = c2.selectbox(tr("projects_fields"), ["–", *FIELDS_OF_ACTION], key="projects_filter_field")
    status = c3.selectbox(tr("projects_status"), ["–", *STATUSES], key="projects_filter_status")
    shown = filter_projects(frame, **{k: None if v == "–" else v for k, v in
                                      (("year", year), ("field", field), ("status", status), ("area", area))})
    st.dataframe(**number_cells(headed(overview_table(shown, lang(), names)),
                                {tr("col_version"): 0, tr("projects_budget_planned"): 2,
                                 tr("projects_budget_spent"): 2}))
    st.markdown(f"**{tr('projects_summary')}**")
    by = st.radio(tr("projects_summary_by"), ["area_id", "field", "year"], horizontal=True, key="projects_by",
                  format_func=lambda b: tr(f"projects_by_{b}"))
    summary = summary_table(shown, by, names).rename_axis(tr({"area_id": "projects_area", "field": "projects_fields",
                                                       "year": "projects_year"}[by])).reset_index()
    st.dataframe(**number_cells(headed(summary), {tr("col_count"): 0, tr("projects_budget_planned"): 2,
                                                  tr("projects_budget_spent"): 2,
                                                  tr("projects_share_participation_pct"): 0,
                                                  tr("projects_share_continued_pct"): 0}))
