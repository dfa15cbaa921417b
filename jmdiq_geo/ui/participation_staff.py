"""The staff's participation page (issue 18): open a session (quarter, time window, categories,
grid size, k), hand out its link and QR code, watch live counts, moderate comments, close or
delete it, and see the results - only places where at least k different participants pinned."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import format_number, localized_column, number_styler
from jmdiq_geo.render.participation import results_map
from jmdiq_geo.services import participation as part
from jmdiq_geo.services.quarter import quarter_from_areas
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.state import lang, settings, tr, trm, workspace

_FLASH = "part_flash"


def flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def new_session_form(ws) -> None:
    """The form that opens a session."""
    with st.expander(tr("part_new"), expanded=False):
        known = ws.levels()
        labels = dict(zip(known["level"], localized_column(known, lang())))
        level = st.selectbox(tr("part_level"), ws.levels_in_order(), key="part_level",
                             format_func=lambda lv: labels.get(lv) or lv)
        areas = ws.area_names(level)
        names = dict(zip(areas["area_id"], areas["name"]))
        with st.form("part_new_form"):
            title = st.text_input(tr("part_title_field"), max_chars=120)
            chosen = st.multiselect(tr("part_areas"), list(names), format_func=lambda a: f"{names[a]} ({a})",
                                    placeholder=tr("part_areas_placeholder"))
            start = datetime.now().replace(minute=0, second=0, microsecond=0)    # from this hour, for 3 hours
            end = start + timedelta(hours=3)
            c1, c2 = st.columns(2)
            start_d = c1.date_input(tr("part_start"), start.date(), format="DD.MM.YYYY")
            start_t = c1.time_input(tr("part_start_time"), start.time())
            end_d = c2.date_input(tr("part_end"), end.date(), format="DD.MM.YYYY")
            end_t = c2.time_input(tr("part_end_time"), end.time())
            c3, c4, c5 = st.columns(3)
            cell = c3.radio(tr("part_cell_size"), part.CELL_SIZES, horizontal=True, format_func=lambda s: f"{s} m")
            k = c4.number_input(tr("part_k"), min_value=3, max_value=50, value=3, step=1)
            max_pins = c5.number_input(tr("part_max_pins"), min_value=1, max_value=200, value=part.MAX_PINS)
            st.caption(tr("part_categories_help"))
            cats = st.data_editor(pd.DataFrame(list(part.default_categories())), num_rows="dynamic",
                                  use_container_width=True, key="part_cats")
            if st.form_submit_button(tr("part_create"), type="primary"):
                try:
                    quarter = quarter_from_areas(ws, level=level, area_ids=chosen)
                    rows = [{k2: v for k2, v in r.items() if isinstance(v, str) and v.strip()}
                            for r in cats.to_dict("records")]
                    s = part.create_session(ws, title=title, quarter=quarter,
                                            starts_at=datetime.combine(start_d, start_t),
                                            ends_at=datetime.combine(end_d, end_t), categories=rows,
                                            cell_size_m=int(cell), k=int(k), max_pins=int(max_pins),
                                            settings=settings())
                except JmdiqError as exc:
                    show_error(exc)
                else:
                    st.session_state["part_session"] = s.session_id
                    st.session_state[_FLASH] = tr("part_created", title=s.title)
                    st.rerun()


def pick_session(ws) -> str | None:
    """The sessions as a table with live counts; the one chosen."""
    table = part.sessions(ws)
    if table.empty:
        st.info(tr("part_none"))
        return None
    now = datetime.now()
    table["status"] = [tr(f"part_status_{_status(r, now)}") for r in table.itertuples()]
    for col in ("starts_at", "ends_at"):
        table[col] = table[col].dt.strftime("%d.%m.%Y %H:%M")
    shown = table[["title", "quarter_label", "starts_at", "ends_at", "status", "participants", "pins", "to_moderate"]]
    st.dataframe(shown.rename(columns={c: tr(f"part_col_{c}") for c in shown.columns}), hide_index=True,
                 use_container_width=True)
    ids = table["session_id"].tolist()
    titles = dict(zip(ids, table["title"]))
    if st.session_state.get("part_session") not in ids:       # deleted meanwhile, or none chosen yet
        st.session_state["part_session"] = ids[0]
    return st.selectbox(tr("part_pick"), ids, format_func=lambda i: titles[i], key="part_session")


def _status(row, now) -> str:
    if row.closed_at is not None and not pd.isna(row.closed_at):
        return "closed"
    return "expired" if now >= row.ends_at else "not_started" if now < row.starts_at else "open"


@st.fragment(run_every=10)
def live_counts(session_id: str) -> None:
    """Participants, pins and comments to moderate, refreshed every ten seconds."""
    row = part.sessions(workspace()).set_index("session_id").loc[session_id]
    c1, c2, c3 = st.columns(3)
    c1.metric(tr("part_participants"), int(row["participants"]))
    c2.metric(tr("part_pins"), int(row["pins"]))
    c3.metric(tr("part_to_moderate"), int(row["to_moderate"]))


def link_section(ws, session) -> None:
    """The link and its QR code, closing and deleting."""
    base = st.text_input(tr("part_base_url"), value=_base_url(), key="part_base_url", help=tr("part_base_url_help"))
    link = part.participation_link(base, session.token)
    st.code(link, language=None)
    png = part.qr_png(link)
    c1, c2 = st.columns([1, 2])
    c1.image(png, width=180)
    c2.download_button(tr("part_qr_download"), png, file_name=f"beteiligung-{session.session_id}.png",
                       mime="image/png", key="part_qr")
    c2.caption(tr("part_status_line", status=tr(f"part_status_{session.status()}"), k=session.k,
                  cell=session.cell_size_m))
    if session.closed_at is None and c2.button(tr("part_close"), key="part_close"):
        part.close_session(ws, session.session_id)
        st.session_state[_FLASH] = tr("part_closed_msg")
        st.rerun()
    sure = c2.checkbox(tr("part_delete_sure"), key="part_delete_sure")
    if c2.button(tr("part_delete"), key="part_delete", disabled=not sure):
        removed = part.delete_session(ws, session.session_id)
        st.session_state.pop("part_session", None)
        st.session_state[_FLASH] = tr("part_deleted_msg", n=removed["participation_pins"])
        st.rerun()


def _base_url() -> str:
    url = st.context.url or ""
    return url.split("?", 1)[0].rsplit("/", 1)[0] if url.count("/") > 2 else url


def moderation_section(ws, session) -> None:
    queue = part.moderation_queue(ws, session.session_id)
    if queue.empty:
        st.caption(tr("part_queue_empty"))
        return
    labels = {c["id"]: c["de"] for c in session.categories}
    for row in queue.itertuples():
        flags = ", ".join(tr(f"part_flag_{f}") for f in _flags(row.comment_flags)) or tr("part_flag_none")
        c1, c2, c3 = st.columns([5, 1, 1])
        c1.markdown(trm("part_queue_item", category=labels.get(row.category, row.category), text=row.comment,
                        flags=flags))
        if c2.button(tr("part_approve"), key=f"part_ok_{row.pin_id}"):
            part.moderate(ws, session.session_id, row.pin_id, approve=True)
            st.rerun()
        if c3.button(tr("part_reject"), key=f"part_no_{row.pin_id}"):
            part.moderate(ws, session.session_id, row.pin_id, approve=False)
            st.rerun()


def _flags(text) -> list[str]:
    import json
    return json.loads(text) if isinstance(text, str) and text else []


def results_section(ws, session) -> None:
    """Results per cell or area and category (only where k participants pinned)."""
    c1, c2, c3, c4 = st.columns(4)
    unit = c1.radio(tr("part_unit"), ["grid", "areas"], horizontal=True, key="part_unit",
                    format_func=lambda u: tr(f"part_unit_{u}", size=session.cell_size_m))
    labels = {c["id"]: c.get(lang()) or c["de"] for c in session.categories}
    category = c2.selectbox(tr("part_category"), list(labels), format_func=labels.get, key="part_category")
    age = c3.selectbox(tr("part_filter_age"), [None, *part.AGE_BANDS], key="part_age",
                       format_func=lambda v: tr("part_all") if v is None else v)
    new = c4.selectbox(tr("part_filter_new"), [None, *part.NEWCOMER], key="part_new",
                       format_func=lambda v: tr("part_all") if v is None else tr(f"pp_answer_{v}"))
    try:
        res = part.results(ws, session.session_id, unit=unit, age_band=age, newcomer=new)
    except JmdiqError as exc:
        show_error(exc)
        return
    st.caption(tr("part_results_caption", k=session.k, n=res.participants, suppressed=res.suppressed))
    categories = part.service_categories(ws)
    chosen = st.multiselect(tr("part_services"), categories, key="part_services",
                            default=[c for c in categories if "jugend" in c.lower() or "youth" in c.lower()][:2])
    target = part.target_group_layer(ws, session.session_id, settings=settings(), lang=lang())
    places = res.places[res.places["category"] == category]
    import geopandas as gpd
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
    compare_section(ws, session, unit)


def compare_section(ws, session, unit: str) -> None:
    """This session beside another one (e.g. last year's), each only where it has k participants."""
    others = part.sessions(ws)
    others = others[others["session_id"] != session.session_id]
    if others.empty:
        return
    with st.expander(tr("part_compare")):
        titles = dict(zip(others["session_id"], others["title"]))
        other = st.selectbox(tr("part_compare_with"), list(titles), format_func=titles.get, key="part_compare")
        try:
            table = part.compare_sessions(ws, session.session_id, other, unit=unit)
        except JmdiqError as exc:
            show_error(exc)
            return
        table = table.rename(columns={"participants_first": session.title, "participants_second": titles[other],
                                      "place": tr("part_col_place"), "category": tr("part_col_category")})
        st.dataframe(table, hide_index=True, use_container_width=True)
