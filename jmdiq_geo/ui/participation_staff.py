"""The staff's participation page (issue 18): open a session (a quarter from areas, a programme
area, drawn on the map or uploaded - as on the Prüfen page -, a time window, categories, its one
aggregation: 100 m or 250 m cells or areas, k), hand out its link and QR code, watch live
counts, moderate comments, close or delete it. The results: ``ui.participation_results``."""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import streamlit as st

from jmdiq_geo.errors import InputError, JmdiqError, Problem
from jmdiq_geo.i18n import localized_column
from jmdiq_geo.services import participation as part
from jmdiq_geo.services.auth import act_as, current_actor
from jmdiq_geo.services.quarter import quarter_from_areas
from jmdiq_geo.ui.check import choose_quarter
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.state import lang, settings, tr, trm, workspace, workspace_version

_FLASH = "part_flash"
_OPENED = "part_opened"


def flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message)


def _quarter(ws):
    """The session's quarter: areas of any level, a programme area, drawn or uploaded (the Prüfen
    page's widgets, ``ui.check.choose_quarter``); None until complete."""
    source = st.radio(tr("check_source"), ["areas", "programme", "drawn", "file"], horizontal=True,
                      key="part_q_source", format_func=lambda s: tr(f"check_source_{s}"))
    if source != "areas":
        try:
            return choose_quarter(workspace_version(), source, key="part_q")
        except JmdiqError as exc:
            show_error(exc)
            return None
    known = ws.levels()
    labels = dict(zip(known["level"], localized_column(known, lang())))
    level = st.selectbox(tr("part_level"), ws.levels_in_order(), key="part_level",
                         format_func=lambda lv: labels.get(lv) or lv)
    areas = ws.area_names(level)
    names = dict(zip(areas["area_id"], areas["name"]))
    chosen = st.multiselect(tr("part_areas"), list(names), format_func=lambda a: f"{names[a]} ({a})",
                            placeholder=tr("part_areas_placeholder"), key="part_areas")
    return quarter_from_areas(ws, level=level, area_ids=chosen) if chosen else None


def new_session_form(ws) -> None:
    """The form that opens a session."""
    with st.expander(tr("part_new"), expanded=False):
        quarter = _quarter(ws)
        if quarter is not None:
            st.caption(tr("part_quarter_chosen", label=quarter.label))
        with st.form("part_new_form"):
            title = st.text_input(tr("part_title_field"), max_chars=120)
            start = datetime.now().replace(minute=0, second=0, microsecond=0)    # from this hour, for 3 hours
            end = start + timedelta(hours=3)
            c1, c2 = st.columns(2)
            start_d = c1.date_input(tr("part_start"), start.date(), format="DD.MM.YYYY")
            start_t = c1.time_input(tr("part_start_time"), start.time())
            end_d = c2.date_input(tr("part_end"), end.date(), format="DD.MM.YYYY")
            end_t = c2.time_input(tr("part_end_time"), end.time())
            c3, c4, c5 = st.columns(3)
            cell = c3.radio(tr("part_cell_size"), [*part.CELL_SIZES, 0], horizontal=True, help=tr("part_unit_help"),
                            format_func=lambda s: f"{s} m" if s else tr("part_unit_areas"))
            k = c4.number_input(tr("part_k"), min_value=3, max_value=50, value=3, step=1)
            max_pins = c5.number_input(tr("part_max_pins"), min_value=1, max_value=200, value=part.MAX_PINS)
            st.caption(tr("part_categories_help"))
            cats = st.data_editor(pd.DataFrame(list(part.default_categories())), num_rows="dynamic",
                                  use_container_width=True, key="part_cats")
            if st.form_submit_button(tr("part_create"), type="primary"):
                try:
                    if quarter is None:
                        raise InputError(Problem("quarter_empty"))
                    rows = [{k2: v for k2, v in r.items() if isinstance(v, str) and v.strip()}
                            for r in cats.to_dict("records")]
                    s = part.create_session(ws, title=title, quarter=quarter,
                                            starts_at=datetime.combine(start_d, start_t),
                                            ends_at=datetime.combine(end_d, end_t), categories=rows,
                                            cell_size_m=int(cell) or 100, unit="grid" if cell else "areas",
                                            k=int(k), max_pins=int(max_pins), settings=settings())
                except JmdiqError as exc:
                    show_error(exc)
                else:
                    st.session_state[_OPENED] = s.session_id       # chosen in the next run (pick_session)
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
    opened = st.session_state.pop(_OPENED, None)
    if opened in ids:               # just opened: set in the run that draws the box (set before a rerun, it was lost)
        st.session_state["part_session"] = opened
    if st.session_state.get("part_session") not in ids:       # deleted meanwhile, or none chosen yet
        st.session_state["part_session"] = ids[0]
    return st.selectbox(tr("part_pick"), ids, format_func=lambda i: titles[i], key="part_session")


def _status(row, now) -> str:
    if row.closed_at is not None and not pd.isna(row.closed_at):
        return "closed"
    return "expired" if now >= row.ends_at else "not_started" if now < row.starts_at else "open"


def live_counts(session_id: str) -> None:
    """Participants, pins and comments to moderate, refreshed every ten seconds."""
    _live_counts(session_id, current_actor())


@st.fragment(run_every=10)
def _live_counts(session_id: str, actor) -> None:
    # a fragment's rerun runs only this function, not the app's login gate: act as the one who
    # opened the page (without it the refresh failed with "nobody is logged in")
    act_as(actor)
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
