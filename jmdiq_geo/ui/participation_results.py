"""The results of a participation session on the staff's page (issue 18): per place of the
session's one aggregation and category, only where at least k different participants pinned;
one filter at a time (age band or newcomer); beside the target group, chosen services and the
stored walking-access runs ("where young people say something is missing" against "where the walk
to a youth centre is long"); another session side by side; a slide for a presentation."""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import format_number, number_styler, t_or
from jmdiq_geo.render.participation import results_map
from jmdiq_geo.services import participation as part
from jmdiq_geo.services.participation_results import context_table
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.state import lang, settings, tr, trm
from jmdiq_geo.ui.story import add_to_story

FILTERS = [None, *(("age_band", a) for a in part.AGE_BANDS), *(("newcomer", n) for n in part.NEWCOMER)]


def _filter_label(value) -> str:
    if value is None:
        return tr("part_all")
    what, v = value
    return (f"{tr('part_filter_age')}: {v}" if what == "age_band"
            else f"{tr('part_filter_new')}: {tr(f'pp_answer_{v}')}")


def results_section(ws, session) -> None:
    """Results per cell or area and category (only where k participants pinned)."""
    c1, c2 = st.columns(2)
    labels = {c["id"]: c.get(lang()) or c["de"] for c in session.categories}
    category = c1.selectbox(tr("part_category"), list(labels), format_func=labels.get, key="part_category")
    chosen_filter = c2.selectbox(tr("part_filter"), FILTERS, format_func=_filter_label, key="part_filter",
                                 help=tr("part_filter_help"))
    filters = {chosen_filter[0]: chosen_filter[1]} if chosen_filter else {}
    try:
        res = part.results(ws, session.session_id, **filters)
    except JmdiqError as exc:
        show_error(exc)
        return
    st.caption(tr("part_unit_fixed_caption", unit=tr(f"part_unit_{session.unit}", size=session.cell_size_m)))
    st.caption(tr("part_results_caption", k=session.k, n=res.participants, suppressed=res.suppressed))
    categories = part.service_categories(ws)
    chosen = st.multiselect(tr("part_services"), categories, key="part_services",
                            default=[c for c in categories if "jugend" in c.lower() or "youth" in c.lower()][:2])
    target = part.target_group_layer(ws, session.session_id, settings=settings(), lang=lang())
    places = res.places[res.places["category"] == category]
    quarter = gpd.GeoDataFrame(geometry=[session.quarter], crs=ws.work_crs)
    m = results_map(places, quarter, colour=next(c["colour"] for c in session.categories if c["id"] == category),
                    title=labels[category], lang=lang(),
                    attributions=list(dict.fromkeys(res.attributions + (target[2] if target else []))),
                    services=part.services_near(ws, session.session_id, chosen),
                    target=target[0] if target else None, target_title=target[1] if target else "")
    st_folium(m, key="part_results_map", height=480, use_container_width=True, returned_objects=[])
    table = part.results_table(res)
    table["category_label"] = table["category"].map(labels)
    st.dataframe(number_styler(table.rename(columns={c: tr(f"part_col_{c}") for c in table.columns}), lang(), 0),
                 hide_index=True, use_container_width=True)
    st.download_button(tr("part_csv"), part.results_csv(res), file_name=f"beteiligung-{session.session_id}.csv",
                       mime="text/csv", key="part_csv")
    comments = part.approved_comments(ws, session.session_id)
    if not comments.empty:
        st.subheader(tr("part_comments"))
        for row in comments.itertuples():
            st.markdown(trm("part_comment_item", category=labels.get(row.category, row.category), text=row.comment))
    st.caption(tr("part_totals", n=format_number(res.participants, lang(), digits=0)))
    if not filters:
        context_section(ws, session, category, labels[category])
    compare_section(ws, session)
    add_to_story({"kind": "participation", "session_id": session.session_id, "category": category,
                  "title": f"{session.title}: {labels[category]}"})


def context_section(ws, session, category: str, label: str) -> None:
    """The shown places of the category beside the target group and the stored access runs."""
    st.subheader(tr("part_context_heading", category=label))
    try:
        table, notes = context_table(ws, session.session_id, category, settings=settings(), lang=lang())
    except JmdiqError as exc:
        show_error(exc)
        return
    if table.empty:
        st.caption(tr("part_context_empty", k=session.k))
        return
    names = {"place": tr("part_col_place"), "area": tr("part_context_area"), "participants": tr("part_col_participants"),
             "pins": tr("part_col_pins"), "target": tr("part_context_target")}
    for col in table.columns:
        if ":" in col:
            measure, cat = col.split(":", 1)
            names[col] = tr(f"part_context_{measure}", category=t_or(f"cat_{cat}", cat, lang()))
    st.dataframe(number_styler(table.rename(columns=names), lang(), 1), hide_index=True, use_container_width=True)
    st.caption(tr("part_context_how", notes="; ".join(notes) or "–"))
    if not any(":" in c for c in table.columns):
        st.info(tr("part_context_no_access"))


def compare_section(ws, session) -> None:
    """This session beside another one (e.g. last year's), each only where it has k participants."""
    others = part.sessions(ws)
    others = others[others["session_id"] != session.session_id]
    if others.empty:
        return
    with st.expander(tr("part_compare")):
        titles = dict(zip(others["session_id"], others["title"]))
        other = st.selectbox(tr("part_compare_with"), list(titles), format_func=titles.get, key="part_compare")
        try:
            table = part.compare_sessions(ws, session.session_id, other)
        except JmdiqError as exc:
            show_error(exc)
            return
        table = table.rename(columns={"participants_first": session.title, "participants_second": titles[other],
                                      "place": tr("part_col_place"), "category": tr("part_col_category")})
        st.dataframe(pd.DataFrame(table), hide_index=True, use_container_width=True)
