"""Widgets of the quarter-check page: choose or draw a quarter, run the rule sets, show and export."""
from __future__ import annotations

import hashlib
import json

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.crs import to_display_crs
from jmdiq_geo.i18n import format_number
from jmdiq_geo.services.grids import grid_basis
from jmdiq_geo.services.quarter import (Quarter, check_quarter, quarter_from_areas, quarter_from_file, quarter_from_geojson,
                               quarter_from_programme, result_to_dict, weight_grid)
from jmdiq_geo.render.maps import drawing_map, quarter_map, standalone_html
from jmdiq_geo.render.print_map import map_outlines, quarter_print
from jmdiq_geo.render.report import justification_pdf, quarter_png
from jmdiq_geo.ui.import_form import save_upload
from jmdiq_geo.ui.map_export import map_export
from jmdiq_geo.ui.map_view import zoom_controls
from jmdiq_geo.ui.maps import outlines, readable
from jmdiq_geo.ui.state import lang, settings, tr, workspace

STATUS_BOX = {"met": st.success, "not_met": st.error, "unknown": st.info}


@st.cache_resource(show_spinner=False, max_entries=2)
def cached_grid(version: float):
    return weight_grid(workspace())


@st.cache_resource(show_spinner=False, max_entries=2)
def cached_basis(version: float):
    return grid_basis(workspace())


def choose_quarter(version: float, source: str, *, key: str = "check") -> Quarter | None:
    """The widgets for one way of giving a quarter; returns it (or None until it is complete).
    ``key``: the prefix of the widgets' keys (another page may draw or upload a quarter too)."""
    ws = workspace()
    lowest = ws.lowest_level()
    if source == "areas":
        names = ws.area_names(lowest)
        labels = dict(zip(names["area_id"], names["name"] + " (" + names["area_id"] + ")"))
        chosen = st.multiselect(tr("check_areas"), list(labels), format_func=labels.get, key=f"{key}_areas",
                                placeholder=tr("ui_choose"))
        return quarter_from_areas(ws, level=lowest, area_ids=chosen) if chosen else None
    if source == "programme":
        pa = ws.programme_areas()
        if pa.empty:
            st.info(tr("check_no_programmes"))
            return None
        labels = dict(zip(pa["pa_id"], pa["name"] + " – " + pa["programme"]))
        chosen = st.selectbox(tr("check_programme"), list(labels), format_func=labels.get, key=f"{key}_pa")
        return quarter_from_programme(ws, chosen)
    if source == "drawn":
        st.caption(tr("check_draw_hint"))
        target, _ = zoom_controls(version, key=key, with_only=False)
        areas = ws.areas(lowest)
        m = drawing_map(areas, lang=lang(), attributions=ws.attributions(areas["source_id"].dropna().unique().tolist()),
                        outlines=outlines(version, lowest))
        readable(m, version, level=lowest, key=f"{key}_draw", target=target)
        state = st_folium(m, key=f"{key}_draw", height=520, use_container_width=True,
                          returned_objects=["all_drawings"])
        drawings = (state or {}).get("all_drawings") or []
        if not drawings:
            return None
        st.caption(tr("check_drawn"))
        return quarter_from_geojson(ws, drawings[-1], label=tr("quarter_kind_drawn"))
    files = st.file_uploader(tr("check_file"), accept_multiple_files=True, key=f"{key}_file",
                             type=["geojson", "json", "gpkg", "zip", "shp", "shx", "dbf", "prj", "cpg"])
    path = save_upload(files)
    return quarter_from_file(ws, path, max_bytes=settings().max_file_bytes) if path else None


def run_check(version: float, quarter: Quarter, rulesets: list) -> list:
    ws = workspace()
    from jmdiq_geo.services.quarter import quarter_numbers

    numbers = quarter_numbers(ws, quarter, settings=settings(), grid=cached_grid(version),
                              basis=cached_basis(version))
    return [check_quarter(ws, quarter, r, settings=settings(), numbers=numbers)
            for r in rulesets]


def show_results(version: float, results: list) -> None:
    lg = lang()
    first = results[0]
    numbers = first.numbers
    c1, c2, c3 = st.columns(3)
    # the population is an estimate only where areas are partly inside the quarter
    estimated = not numbers.share_partial == 0          # unknown (NaN: residents from the grids) too
    c1.metric(tr("check_population_estimated" if estimated else "check_population"),
              tr("check_population_small", n=settings().min_residents) if numbers.too_small
              else format_number(numbers.population, lg, digits=0))
    partial = 100 * numbers.share_partial             # unknown without a population ("keine Angabe", no "%")
    grids = result_to_dict(first, lang=lg).get("grids")
    if pd.isna(partial) and grids:                    # residents from the grids: the foreign citizens beside them
        foreigners = next(x for x in grids["lines"] if x["role"] == "foreigners")
        c2.metric(foreigners["label"], foreigners["text"])
    else:
        c2.metric(tr("check_partial"), format_number(partial, lg, digits=0) + (" %" if pd.notna(partial) else ""))
    c3.metric("km²", format_number(first.quarter.geometry.area / 1e6, lg, digits=2))
    fallback = int(numbers.methods.get("area", 0))
    if fallback:
        st.warning(tr("check_fallback", n=fallback))
    if numbers.too_small:
        st.warning(tr("check_too_small", n=settings().min_residents))
    if grids:
        st.markdown(f"**{tr('check_grid_title')}**")
        st.table(pd.DataFrame([{tr("col_indicator"): x["label"], tr("check_value"): x["text"]}
                               for x in grids["lines"]]).set_index(tr("col_indicator")))
        st.caption(grids["weighting_text"])
    for result in results:
        data = result_to_dict(result, lang=lg)
        STATUS_BOX[data["verdict"]](f"**{data['ruleset']['label']}: {tr('verdict_' + data['verdict'])}** — "
                                    f"{data['reason']}")
        st.table(pd.DataFrame([{tr("col_indicator"): c["label"], tr("check_outcome"): tr("verdict_" + c["status"]),
                                tr("check_reason"): c["reason"]} for c in data["criteria"]])
                 .set_index(tr("col_indicator")))
    ws = workspace()
    lowest = ws.lowest_level()
    q = gpd.GeoDataFrame(geometry=[first.quarter.geometry], crs=ws.work_crs)
    drawn = dict(areas=ws.areas(lowest), weights=numbers.weights.table, lang=lg, attributions=first.attributions)
    m = quarter_map(to_display_crs(q), **drawn)
    shapes = map_outlines(ws, lowest)        # read here; HTML and print are made on click
    dicts = [result_to_dict(r, lang=lg) for r in results]
    label = first.quarter.label or tr("check_title")
    map_export("check_map", name=label, html=lambda: standalone_html(quarter_map(to_display_crs(q), **drawn)),
               build=lambda: quarter_print(q, title=label, outlines=shapes, **drawn))
    readable(m, version, level=lowest, key="check_result_map", token=hashlib.sha1(q.geometry.iloc[0].wkb).hexdigest())
    st_folium(m, key="check_result_map", height=420, use_container_width=True, returned_objects=[])
    top = ws.top_level()
    png = quarter_png(q, ws.areas(lowest), ws.areas(top))
    pdf = justification_pdf(dicts, lang=lg, map_png=png)
    d1, d2 = st.columns(2)
    d1.download_button(tr("check_pdf"), pdf, file_name="quartierspruefung.pdf", mime="application/pdf",
                       key="check_pdf", type="primary")
    d2.download_button(tr("check_json"), json.dumps(dicts, ensure_ascii=False, indent=2),
                       file_name="quartierspruefung.json", mime="application/json", key="check_json")
