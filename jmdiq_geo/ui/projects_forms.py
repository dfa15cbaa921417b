"""The project form (location by map click, place search or a partner's address; edits are
checked against the version they started from) and the partner form."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from jmdiq_geo.analysis.projects import FIELDS_OF_ACTION, PARTNER_TYPES, STATUSES, SUSTAINABILITY, MicroProject, Partner
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.services.projects import (archive, create_partner, create_project, get_record, history, place_search,
                                         records, save_project)
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.projects import field_labels, headed, location_picker, partner_label, saved, user
from jmdiq_geo.ui.state import tr, workspace
from jmdiq_geo.ui.widgets import decimal_input


def project_form(version: float) -> None:
    ws = workspace()
    existing = records(ws, "project")
    if st.session_state.pop("projects_reset_edit", False):
        st.session_state["projects_edit"] = "__new__"
    if "projects_select" in st.session_state:       # a new project just saved: edit it from now on
        st.session_state["projects_edit"] = st.session_state.pop("projects_select")
    choices = ["__new__"] + existing["project_id"].tolist()
    titles = dict(zip(existing["project_id"], existing["title"]))
    chosen = st.selectbox(tr("projects_edit"), choices, key="projects_edit",
                          format_func=lambda i: tr("projects_new") if i == "__new__" else f"{titles[i]} ({i})")
    current, base_version = (None, None)
    if chosen != "__new__":
        current, stored_version, _ = get_record(ws, "project", chosen)
        # the version this session started editing from: kept across reruns, so a save made by
        # someone else in between is detected instead of silently overwritten
        base_key = f"projects_base_{chosen}"
        if base_key not in st.session_state:
            st.session_state[base_key] = (stored_version, current)
        base_version, current = st.session_state[base_key]      # the form shows the copy being edited
        if base_version != stored_version:
            st.warning(tr("projects_changed_elsewhere", version=stored_version))
            if st.button(tr("projects_reload"), key=f"projects_reload_{chosen}"):
                del st.session_state[base_key]
                st.rerun()
    p = current or MicroProject(project_id="", title="")      # a new project's id: assigned when saved
    x, y = location_picker(version, key=f"projects_map_{chosen}")
    c1, c2 = st.columns(2)
    query = c1.text_input(tr("projects_place_search"), key=f"projects_place_{chosen}",
                          help=tr("projects_place_help"))
    if query.strip():
        hits = place_search(ws, query)
        if hits.empty:
            c1.caption(tr("projects_place_none"))
        else:
            labels = dict(zip(hits.index, hits["name"] + " – " + hits["address"].fillna("")))
            pick = c1.selectbox(tr("projects_place_pick"), list(labels), format_func=labels.get,
                                key=f"projects_place_pick_{chosen}")
            x, y = hits.at[pick, "geometry"].x, hits.at[pick, "geometry"].y
    partner_records = records(ws, "partner")
    via = c2.selectbox(tr("projects_location_partner"), [""] + partner_records["partner_id"].tolist(),
                       format_func=partner_label(dict(zip(partner_records["partner_id"], partner_records["name"]))),
                       key=f"projects_via_{chosen}")
    partners = records(ws, "partner")
    partner_names = dict(zip(partners["partner_id"], partners["name"]))
    lowest = ws.lowest_level()
    names = ws.area_names(lowest)
    area_labels = dict(zip(names["area_id"], names["name"] + " (" + names["area_id"] + ")"))
    with st.form(f"project_form_{chosen}"):
        c1, c2 = st.columns([1, 3])
        pid = c1.text_input(tr("projects_id"), value=p.project_id, disabled=current is not None,
                            placeholder=tr("projects_id_auto"))
        title = c2.text_input(tr("projects_field_title"), value=p.title)
        area = st.selectbox(tr("projects_area"), [""] + list(area_labels), format_func=lambda a: area_labels.get(a, "–"),
                            index=([""] + list(area_labels)).index(p.area_id) if p.area_id in area_labels else 0)
        fields = st.multiselect(tr("projects_fields"), FIELDS_OF_ACTION, default=p.fields_of_action,
                                placeholder=tr("ui_choose"))
        c3, c4, c5 = st.columns([2, 1, 1])
        target = c3.text_input(tr("projects_target"), value=p.target_groups)
        age_min = c4.number_input(tr("projects_age_min"), 0, 99, value=p.age_min or 12)
        age_max = c5.number_input(tr("projects_age_max"), 0, 99, value=p.age_max or 27)
        planning = st.text_area(tr("projects_planning"), value=p.participation_planning, height=68)
        doing = st.text_area(tr("projects_doing"), value=p.participation_doing, height=68)
        linked = st.multiselect(tr("projects_partners"), list(partner_names), default=[x for x in p.partners
                                                                                       if x in partner_names],
                                format_func=partner_label(partner_names), placeholder=tr("ui_choose"))
        c6, c7, c8, c9 = st.columns(4)
        # keys with the version edited from: after "reload" the fields show the stored budget
        planned, planned_ok = decimal_input(tr("projects_budget_planned"), p.budget_planned, min_value=0.0,
                                            key=f"projects_planned_{chosen}_{base_version}", container=c6)
        spent, spent_ok = decimal_input(tr("projects_budget_spent"), p.budget_spent, min_value=0.0,
                                        key=f"projects_spent_{chosen}_{base_version}", container=c7)
        start = c8.date_input(tr("projects_start"), value=date.fromisoformat(p.start) if p.start else date.today(),
                              format="DD.MM.YYYY")
        end = c9.date_input(tr("projects_end"), value=date.fromisoformat(p.end) if p.end else date.today(),
                            format="DD.MM.YYYY")
        c10, c11, c12 = st.columns(3)
        status = c10.selectbox(tr("projects_status"), STATUSES, index=STATUSES.index(p.status))
        sustain = c11.selectbox(tr("projects_sustainability"), SUSTAINABILITY, index=SUSTAINABILITY.index(p.sustainability))
        sustain_form = c12.text_input(tr("projects_sustainability_form"), value=p.sustainability_form)
        others = [i for i in existing["project_id"] if i != p.project_id]
        predecessor = st.selectbox(tr("projects_predecessor"), [""] + others,
                                   index=([""] + others).index(p.predecessor) if p.predecessor in others else 0,
                                   format_func=lambda i: titles.get(i, "–"))
        new = st.text_area(tr("projects_what_is_new"), value=p.what_is_new, height=68)
        submitted = st.form_submit_button(tr("projects_save"), type="primary")
    if current is not None:
        if st.button(tr("projects_archive"), key=f"projects_archive_{chosen}"):
            try:
                new_version = archive(ws, "project", chosen, expected_version=base_version, user=user())
            except JmdiqError as exc:
                show_error(exc, fields=field_labels())
            else:
                st.session_state.pop(f"projects_base_{chosen}", None)
                st.session_state["projects_reset_edit"] = True      # back to "new project" on the next run
                saved(new_version, [], record=chosen)
        with st.expander(tr("projects_history")):
            log = history(ws, "project", p.project_id)
            st.dataframe(headed(log[["version", "action", "at", "by"]].rename(columns={"by": "updated_by"})),
                         hide_index=True, width="stretch")
    if submitted and planned_ok and spent_ok:
        record = MicroProject(pid.strip(), title, area or None, x if x is not None else p.x, y if y is not None else p.y,
                              via or None, fields, target, int(age_min), int(age_max), planning, doing, linked,
                              planned or None, spent or None, start.isoformat(), end.isoformat(), status, sustain,
                              sustain_form, predecessor or None, new, p.notes)
        try:
            if current is None:
                pid, *result = create_project(ws, record, user=user())
                record = replace(record, project_id=pid)
            else:
                result = save_project(ws, record, expected_version=base_version, user=user())
        except JmdiqError as exc:
            show_error(exc, fields=field_labels())
        else:
            st.session_state[f"projects_base_{record.project_id}"] = (result[0], record)
            if current is None:
                # the form now edits the saved project: a second click updates it instead of
                # saving a copy under the next number
                st.session_state["projects_select"] = record.project_id
            saved(*result, record=record.project_id)


def partner_form(version: float) -> None:
    ws = workspace()
    partners = records(ws, "partner")
    x, y = location_picker(version, key="partners_map")
    st.dataframe(headed(partners[["partner_id", "name", "type", "address", "version"]]), hide_index=True,
                 width="stretch")
    # a new generation of field keys after each save: the form starts empty again (a second
    # click would otherwise save the same partner under the next number)
    gen = st.session_state.get("partner_form_gen", 0)
    with st.form("partner_form"):
        c1, c2, c3 = st.columns([1, 2, 2])
        pid = c1.text_input(tr("projects_id"), key=f"partner_id_{gen}", placeholder=tr("projects_id_auto"))
        name = c2.text_input(tr("partners_name"), key=f"partner_name_{gen}")
        typ = c3.selectbox(tr("partners_type"), PARTNER_TYPES, key=f"partner_type_{gen}")
        address = st.text_input(tr("tt_address"), key=f"partner_address_{gen}")
        if st.form_submit_button(tr("partners_add"), type="primary"):
            try:                   # a new partner: an id typed in must be free, else the next is assigned
                new_id, *result = create_partner(ws, Partner(pid.strip(), name, typ, address, x, y), user=user())
            except JmdiqError as exc:
                show_error(exc, fields=field_labels())
            else:
                st.session_state["partner_form_gen"] = gen + 1
                saved(*result, record=new_id)
