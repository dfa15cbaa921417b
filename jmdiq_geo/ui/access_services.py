"""The service map (filtered by category, language, wheelchair access and cost) and the staff's
edits of services: correct, add, hide, revert."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from jmdiq_geo.analysis.attributes import CATEGORIES, COSTS
from jmdiq_geo.errors import JmdiqError, Problem
from jmdiq_geo.i18n import format_date, format_number, language_label, readable
from jmdiq_geo.render.access_maps import services_map
from jmdiq_geo.services.access_edits import (ServiceForm, add_service, categories, check_service, filter_services,
                                             remove_service, revert_service, save_service_edit, target_group_label,
                                             target_group_values)
from jmdiq_geo.ui.auth import current_name
from jmdiq_geo.ui.access import category_label, lang_options, txt
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.maps import display_geometry_of, show_map
from jmdiq_geo.ui.projects import location_picker
from jmdiq_geo.ui.state import lang, tr, workspace


# --------------------------------------------------------------------------- services map
def services_section(version: float) -> None:
    ws = workspace()
    services = ws.services()
    cats = categories(services)
    if not cats:
        st.info(tr("svc_none_at_all"))
        return
    c1, c2, c3, c4 = st.columns([3, 2, 1.2, 1.2])
    chosen = c1.multiselect(tr("svc_categories"), cats, default=[c for c in ("jugendfreizeit",) if c in cats],
                            format_func=category_label, key="svc_map_categories", placeholder=tr("ui_choose"))
    langs = c2.multiselect(tr("svc_filter_languages"), lang_options(), key="svc_map_langs",
                           format_func=lambda c: language_label(c, lang()), placeholder=tr("ui_choose"))
    wheelchair = c3.checkbox(tr("svc_filter_wheelchair"), key="svc_map_wheelchair")
    free = c4.checkbox(tr("svc_filter_free"), key="svc_map_free")
    services = services[services["category"].isin(chosen)]
    if langs or wheelchair or free:
        services = filter_services(services, languages=langs, wheelchair=wheelchair, free=free)
        st.caption(tr("svc_filter_caption", n=len(services)))
    level = ws.lowest_level()
    areas = ws.areas(level)
    values, period = target_group_values(ws, level)
    group = target_group_label(ws, lang()) or tr("svc_target_group_none")
    title = tr("svc_target_group_period", group=group, period=format_date(period, lang())) if period is not None \
        else tr("svc_target_group", group=group)
    sources = sorted(set(areas["source_id"].dropna()) | set(services["source_id"].dropna()))
    titles = ws.sources().set_index("source_id")["title"]
    services = services.assign(source_title=services["source_id"].map(titles))
    m = services_map(areas, values, services, title=title, lang=lang(), attributions=ws.attributions(sources),
                     display=display_geometry_of(version, level))
    show_map(m, key="svc_map", height=600)
    st.caption(tr("svc_map_hint"))
    with st.expander(tr("svc_table", n=len(services))):
        st.dataframe(readable(_service_table(services), lang()), hide_index=True, width="stretch")


def _service_table(services) -> pd.DataFrame:
    return pd.DataFrame({
        tr("tt_service"): services["name"], tr("svc_category"): services["category"].map(category_label),
        tr("svc_languages"): services["languages"], tr("svc_opening_hours"): services["opening_hours"],
        tr("svc_cost"): services["cost"].map(lambda c: tr(f"svc_cost_{c}") if c in COSTS else c),
        tr("svc_age"): [_age(a, b) for a, b in zip(services["age_min"], services["age_max"])],
        tr("svc_wheelchair"): services["barrier_free"], tr("svc_capacity"): services["capacity"],
        tr("svc_edited"): services["edited"], "ID": services["service_id"]})


def _age(lo, hi) -> str:
    if pd.isna(lo) and pd.isna(hi):
        return ""
    return f"{'' if pd.isna(lo) else int(lo)}–{'' if pd.isna(hi) else int(hi)}"


# --------------------------------------------------------------------------- staff edits
def _attribute_form(prefix: str, current: dict) -> tuple[dict | None, list[Problem]]:
    """The attribute fields; the values when they are valid, else None and the problems."""
    c1, c2 = st.columns(2)
    cats = list(CATEGORIES)
    if current.get("category") and current["category"] not in cats:
        cats.append(current["category"])
    category = c1.selectbox(tr("svc_category"), cats, index=cats.index(current.get("category") or cats[0]),
                            format_func=category_label, key=f"{prefix}_category")
    name = c2.text_input(tr("tt_service"), value=txt(current.get("name")), key=f"{prefix}_name")
    address = c1.text_input(tr("tt_address"), value=txt(current.get("address")), key=f"{prefix}_address")
    languages = c2.text_input(tr("svc_languages"), value=txt(current.get("languages")), key=f"{prefix}_languages",
                              help=tr("svc_languages_help"))
    hours = c1.text_input(tr("svc_opening_hours"), value=txt(current.get("opening_hours")), key=f"{prefix}_hours",
                          help=tr("svc_hours_help"))
    cost_options = ["", *COSTS]
    cost_now = txt(current.get("cost")) if txt(current.get("cost")) in COSTS else ""
    cost = c2.selectbox(tr("svc_cost"), cost_options, index=cost_options.index(cost_now),
                        format_func=lambda c: tr(f"svc_cost_{c}") if c else tr("access_not_recorded"),
                        key=f"{prefix}_cost")
    a1, a2, a3, a4 = st.columns(4)
    age_min = a1.text_input(tr("svc_age_min"), value=_num_text(current.get("age_min")), key=f"{prefix}_age_min")
    age_max = a2.text_input(tr("svc_age_max"), value=_num_text(current.get("age_max")), key=f"{prefix}_age_max")
    bf_options = ["", "yes", "no"]
    bf_now = current.get("barrier_free")
    bf_index = 0 if bf_now is None or pd.isna(bf_now) else (1 if bf_now else 2)
    wheelchair = a3.selectbox(tr("svc_wheelchair"), bf_options, index=bf_index,
                              format_func=lambda c: tr(f"ui_{c}") if c else tr("access_not_recorded"),
                              key=f"{prefix}_wheelchair")
    capacity = a4.text_input(tr("svc_capacity"), value=_num_text(current.get("capacity")), key=f"{prefix}_capacity")
    return check_service(ServiceForm(category, name, address, languages, hours, cost, age_min, age_max, wheelchair,
                                     capacity), lang())


def _forget_form(prefix: str) -> None:
    """Drop a form's widget values so it shows the stored record again after a save or revert."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix + "_")]:
        del st.session_state[key]


def _num_text(v) -> str:
    return "" if v is None or pd.isna(v) else format_number(float(v), "en", digits=0).replace(",", "")


def edit_section(version: float) -> None:
    ws = workspace()
    flash = st.session_state.pop("svc_flash", None)
    if flash:
        st.success(flash)
    mode = st.radio(tr("svc_edit_mode"), ["edit", "add"], horizontal=True, key="svc_edit_mode",
                    format_func=lambda m: tr(f"svc_edit_mode_{m}"))
    user = current_name()               # the logged-in user, for the record of who changed what
    if mode == "add":
        st.write(tr("svc_add_intro"))
        x, y = location_picker(version, key="svc_location")
        values, problems = _attribute_form("svc_new", {"category": "beratung"})
        if st.button(tr("svc_save_new"), type="primary", key="svc_save_new"):
            if x is None:
                show_error(JmdiqError(Problem("svc_location_missing")))
            elif problems:
                show_error(JmdiqError(problems))
            else:
                add_service(ws, values, x=x, y=y, user=user)
                st.session_state["svc_flash"] = tr("svc_saved_new", name=values["name"])
                st.rerun()
        return
    services = ws.services(include_hidden=True)
    cats = categories(services)
    if not cats:
        st.info(tr("svc_none"))
        return
    c1, c2 = st.columns([1, 2])
    cat = c1.selectbox(tr("svc_category"), cats, format_func=category_label, key="svc_edit_cat")
    part = services[services["category"] == cat].sort_values("name")
    labels = {r.service_id: " · ".join(x for x in (txt(r.name) or "–", txt(r.address)) if x)
              + (" ✎" if r.edited else "") + (f" ({tr('svc_hidden')})" if r.hidden else "")
              for r in part.itertuples()}
    if not labels:
        st.info(tr("svc_none"))
        return
    # the labels change when a service is edited (✎), which makes a new widget: keep the choice
    ids = list(labels)
    last = st.session_state.get("svc_edit_last")
    sid = c2.selectbox(tr("svc_pick"), ids, index=ids.index(last) if last in ids else 0, format_func=labels.get,
                       key="svc_edit_pick")
    st.session_state["svc_edit_last"] = sid
    row = part.set_index("service_id").loc[sid].to_dict()
    # the service as this session started editing it: a save made elsewhere meanwhile is a conflict
    base = st.session_state.setdefault(f"svc_base_{sid}", row)
    st.caption(tr("svc_edit_note_user" if sid.startswith("user:") else "svc_edit_note_import"))
    values, problems = _attribute_form(f"svc_edit_{sid}", row)
    b1, b2, b3 = st.columns(3)
    if b1.button(tr("svc_save"), type="primary", key="svc_save"):
        if problems:
            show_error(JmdiqError(problems))
        else:
            try:
                n = save_service_edit(ws, sid, row, values, user=user, base=base)
            except JmdiqError as exc:           # changed elsewhere: the form shows the new state
                st.session_state.pop(f"svc_base_{sid}", None)
                _forget_form(f"svc_edit_{sid}")
                show_error(exc)
            else:
                st.session_state.pop(f"svc_base_{sid}", None)
                _forget_form(f"svc_edit_{sid}")
                st.session_state["svc_flash"] = tr("svc_saved", name=values["name"], n=n)
                st.rerun()
    if row.get("edited") and not sid.startswith("user:") and b2.button(tr("svc_revert"), key="svc_revert"):
        revert_service(ws, sid)
        st.session_state.pop(f"svc_base_{sid}", None)
        _forget_form(f"svc_edit_{sid}")
        st.session_state["svc_flash"] = tr("svc_reverted")
        st.rerun()
    if not row.get("hidden") and b3.button(tr("svc_remove"), key="svc_remove"):
        remove_service(ws, sid, user=user)
        _forget_form(f"svc_edit_{sid}")
        st.session_state["svc_flash"] = tr("svc_removed")
        st.rerun()
    edited = services[services["edited"] | services["hidden"]]
    with st.expander(tr("svc_edits_list", n=len(edited))):
        st.dataframe(readable(_service_table(edited), lang()), hide_index=True, width="stretch")
