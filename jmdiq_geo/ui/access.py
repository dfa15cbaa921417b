"""Page parts of *Einrichtungen und Zugang*: the service map, staff edits of services, and
walking access with personas (nominal, effective, barrier map, detour factors)."""
from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from jmdiq_geo.analysis.attributes import (CATEGORIES, COSTS, make_persona, parse_cost, parse_languages,
                                          parse_opening_hours)
from jmdiq_geo.errors import InputError
from jmdiq_geo.i18n import language_label, language_names
from jmdiq_geo.io.catalogues import load_persona, preset_personas
from jmdiq_geo.analysis.access.compute import AccessSettings
from jmdiq_geo.services.access_export import area_table, write_table
from jmdiq_geo.services.access import (access_for, compare, demand_indicator, load_network,
                                     target_digest)
from jmdiq_geo.errors import JmdiqError, Problem
from jmdiq_geo.i18n import format_date, format_number, localized, readable, t_or
from jmdiq_geo.render.access_maps import (access_map, detour_map, measure_label, persona_summary,
                                          services_map)
from jmdiq_geo.render.maps import standalone_html
from jmdiq_geo.store.workspace import SERVICE_FIELDS
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.maps import display_geometry_of, show_map
from jmdiq_geo.ui.projects import location_picker
from jmdiq_geo.ui.state import lang, tr, workspace
from jmdiq_geo.services.forms import read_number
from jmdiq_geo.ui.widgets import decimal_input, level_picker, number_table

USER_KEY = "access_user"
RESULT_KEY = "access_result"


def _cat(c: str) -> str:
    return t_or(f"cat_{c}", c, lang())


def _categories(services) -> list[str]:
    """The categories present in ``services``, the staff's taxonomy first."""
    present = set(services["category"])
    return [c for c in CATEGORIES if c in present] + sorted(present - set(CATEGORIES))


def _lang_options() -> list[str]:
    return list(language_names())


# --------------------------------------------------------------------------- services map
def services_section(version: float) -> None:
    ws = workspace()
    services = ws.services()
    cats = _categories(services)
    if not cats:
        st.info(tr("svc_none_at_all"))
        return
    c1, c2, c3, c4 = st.columns([3, 2, 1.2, 1.2])
    chosen = c1.multiselect(tr("svc_categories"), cats, default=[c for c in ("jugendfreizeit",) if c in cats],
                            format_func=_cat, key="svc_map_categories", placeholder=tr("ui_choose"))
    langs = c2.multiselect(tr("svc_filter_languages"), _lang_options(), key="svc_map_langs",
                           format_func=lambda c: language_label(c, lang()), placeholder=tr("ui_choose"))
    wheelchair = c3.checkbox(tr("svc_filter_wheelchair"), key="svc_map_wheelchair")
    free = c4.checkbox(tr("svc_filter_free"), key="svc_map_free")
    services = services[services["category"].isin(chosen)]
    if langs or wheelchair or free:
        from jmdiq_geo.analysis.attributes import Persona, fits
        f = fits(services, Persona(languages=langs, wheelchair=wheelchair, free_only=free), unknown="drop")
        services = services[f["fits"].to_numpy()]
        st.caption(tr("svc_filter_caption", n=len(services)))
    level = ws.lowest_level()
    areas = ws.areas(level)
    target = ws.meta().get("target_group_indicator") or ""
    values = pd.Series(dtype=float)
    title = tr("svc_target_group")
    if target in ws.indicator_ids():
        periods = ws.periods(indicator_id=target, level=level)
        if periods:
            values = ws.values(target, period=periods[-1], level=level)
            title = tr("svc_target_group_period", period=format_date(periods[-1], lang()))
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
        tr("tt_service"): services["name"], tr("svc_category"): services["category"].map(_cat),
        tr("svc_languages"): services["languages"], tr("svc_opening_hours"): services["opening_hours"],
        tr("svc_cost"): services["cost"].map(lambda c: tr(f"svc_cost_{c}") if c in COSTS else c),
        tr("svc_age"): [_age(a, b) for a, b in zip(services["age_min"],
                                                                                   services["age_max"])],
        tr("svc_wheelchair"): services["barrier_free"], tr("svc_capacity"): services["capacity"],
        tr("svc_edited"): services["edited"], "ID": services["service_id"]})


def _age(lo, hi) -> str:
    if pd.isna(lo) and pd.isna(hi):
        return ""
    return f"{'' if pd.isna(lo) else int(lo)}–{'' if pd.isna(hi) else int(hi)}"


# --------------------------------------------------------------------------- staff edits
def _attribute_form(prefix: str, current: dict) -> dict | None:
    """The attribute fields; returns the values when they are valid (messages otherwise)."""
    c1, c2 = st.columns(2)
    cats = list(CATEGORIES)
    if current.get("category") and current["category"] not in cats:
        cats.append(current["category"])
    category = c1.selectbox(tr("svc_category"), cats, index=cats.index(current.get("category") or cats[0]),
                            format_func=_cat, key=f"{prefix}_category")
    name = c2.text_input(tr("tt_service"), value=_txt(current.get("name")), key=f"{prefix}_name")
    address = c1.text_input(tr("tt_address"), value=_txt(current.get("address")), key=f"{prefix}_address")
    languages = c2.text_input(tr("svc_languages"), value=_txt(current.get("languages")), key=f"{prefix}_languages",
                              help=tr("svc_languages_help"))
    hours = c1.text_input(tr("svc_opening_hours"), value=_txt(current.get("opening_hours")), key=f"{prefix}_hours",
                          help=tr("svc_hours_help"))
    cost_options = ["", *COSTS]
    cost_now = _txt(current.get("cost")) if _txt(current.get("cost")) in COSTS else ""
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
    problems = []
    if not name.strip():
        problems.append(Problem("svc_name_missing", column=tr("tt_service")))
    _, unknown = parse_languages(languages)
    for word in unknown:
        problems.append(Problem("persona_unknown_language", {"value": word}, column=tr("svc_languages")))
    try:
        parse_opening_hours(hours)
    except ValueError as e:
        # the parser's own text is English; the position it names is enough
        where = re.search(r"(\d+):(\d+)", str(e))
        problems.append(Problem("svc_bad_hours", {"value": hours, "detail": tr("svc_hours_at", pos=where.group(2))
                                                  if where else "–"}, column=tr("svc_opening_hours")))
    numbers = {}
    for field, text in (("age_min", age_min), ("age_max", age_max), ("capacity", capacity)):
        value = read_number(text, lang()) if text.strip() else None
        if text.strip() and (value is None or value < 0 or value != round(value)):
            # ages and places are whole numbers: 3,5 places would be rounded silently otherwise
            problems.append(Problem("svc_bad_number", {"value": text}, column=tr(f"svc_{field}")))
        numbers[field] = value
    if numbers["age_min"] is not None and numbers["age_max"] is not None and numbers["age_min"] > numbers["age_max"]:
        problems.append(Problem("svc_age_range", {"low": int(numbers["age_min"]), "high": int(numbers["age_max"])},
                                column=tr("svc_age_max")))
    if problems:
        return {"_problems": problems}
    codes, _ = parse_languages(languages)
    return {"category": category, "name": name.strip(), "address": address.strip() or None,
            "languages": ", ".join(codes) if codes else None, "opening_hours": hours.strip() or None,
            "cost": parse_cost(cost) if cost else None,
            "barrier_free": None if not wheelchair else wheelchair == "yes", **numbers}


def _txt(v) -> str:
    """Text for an input field: missing values (None, NaN, NA) are empty, never "nan"."""
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def _forget_form(prefix: str) -> None:
    """Drop a form's widget values so it shows the stored record again after a save or revert."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix + "_")]:
        del st.session_state[key]


def _num_text(v) -> str:
    return "" if v is None or pd.isna(v) else format_number(float(v), "en", digits=0).replace(",", "")


def edit_section(version: float) -> None:
    ws = workspace()
    st.sidebar.text_input(tr("projects_user"), key=USER_KEY)
    flash = st.session_state.pop("svc_flash", None)
    if flash:
        st.success(flash)
    mode = st.radio(tr("svc_edit_mode"), ["edit", "add"], horizontal=True, key="svc_edit_mode",
                    format_func=lambda m: tr(f"svc_edit_mode_{m}"))
    user = st.session_state.get(USER_KEY) or None
    if mode == "add":
        st.write(tr("svc_add_intro"))
        x, y = location_picker(version, key="svc_location")
        values = _attribute_form("svc_new", {"category": "beratung"})
        if st.button(tr("svc_save_new"), type="primary", key="svc_save_new"):
            if x is None:
                show_error(JmdiqError(Problem("svc_location_missing")))
            elif "_problems" in values:
                show_error(JmdiqError(values["_problems"]))
            else:
                ws.add_service(values, x=x, y=y, user=user)
                st.session_state["svc_flash"] = tr("svc_saved_new", name=values["name"])
                st.rerun()
        return
    services = ws.services(include_hidden=True)
    cats = _categories(services)
    if not cats:
        st.info(tr("svc_none"))
        return
    c1, c2 = st.columns([1, 2])
    cat = c1.selectbox(tr("svc_category"), cats, format_func=_cat, key="svc_edit_cat")
    part = services[services["category"] == cat].sort_values("name")
    labels = {r.service_id: " · ".join(x for x in (_txt(r.name) or "–", _txt(r.address)) if x)
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
    st.caption(tr("svc_edit_note_user" if sid.startswith("user:") else "svc_edit_note_import"))
    values = _attribute_form(f"svc_edit_{sid}", row)
    b1, b2, b3 = st.columns(3)
    if b1.button(tr("svc_save"), type="primary", key="svc_save"):
        if "_problems" in values:
            show_error(JmdiqError(values["_problems"]))
        else:
            changes = {k: v for k, v in values.items() if k in SERVICE_FIELDS and not _same(row.get(k), v)}
            if changes:
                ws.edit_service(sid, changes, user=user)
            _forget_form(f"svc_edit_{sid}")
            st.session_state["svc_flash"] = tr("svc_saved", name=values["name"], n=len(changes))
            st.rerun()
    if row.get("edited") and not sid.startswith("user:") and b2.button(tr("svc_revert"), key="svc_revert"):
        ws.revert_service(sid)
        _forget_form(f"svc_edit_{sid}")
        st.session_state["svc_flash"] = tr("svc_reverted")
        st.rerun()
    if not row.get("hidden") and b3.button(tr("svc_remove"), key="svc_remove"):
        ws.remove_service(sid, user=user)
        _forget_form(f"svc_edit_{sid}")
        st.session_state["svc_flash"] = tr("svc_removed")
        st.rerun()
    edited = services[services["edited"] | services["hidden"]]
    with st.expander(tr("svc_edits_list", n=len(edited))):
        st.dataframe(readable(_service_table(edited), lang()), hide_index=True, width="stretch")


def _same(a, b) -> bool:
    if (a is None or (not isinstance(a, (str, bool)) and pd.isna(a))) and b is None:
        return True
    return a == b


# --------------------------------------------------------------------------- access
def _persona_picker():
    """(persona or None, label). Errors are shown, and stop the page."""
    presets = preset_personas()
    choice = st.radio(tr("persona_choice"), ["none", "preset", "custom", "upload"], horizontal=True,
                      key="acc_persona_mode", format_func=lambda c: tr(f"persona_mode_{c}"))
    try:
        if choice == "preset":
            name = st.selectbox(tr("persona_preset"), list(presets), key="acc_persona_preset",
                                format_func=lambda k: presets[k].label(lang()) or k)
            return presets[name]
        if choice == "custom":
            c1, c2, c3 = st.columns([1, 2, 2])
            age = c1.text_input(tr("persona_age"), value="16", key="acc_p_age")
            langs = c2.multiselect(tr("persona_languages"), _lang_options(), default=["ar"], key="acc_p_langs",
                                   format_func=lambda c: language_label(c, lang()))
            when = c3.text_input(tr("persona_when"), value="Mo-Fr 15:00-19:00", key="acc_p_when",
                                 help=tr("svc_hours_help"))
            d1, d2 = st.columns(2)
            free = d1.checkbox(tr("persona_free"), value=True, key="acc_p_free")
            wheel = d2.checkbox(tr("persona_wheelchair"), key="acc_p_wheel")
            return make_persona({"name": tr("persona_mode_custom"), "age": age or None, "languages": langs,
                                 "when": when, "free_only": free, "wheelchair": wheel})
        if choice == "upload":
            up = st.file_uploader(tr("persona_upload"), type=["toml"], key="acc_p_file")
            if up is None:
                return None
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / up.name
                path.write_bytes(up.getvalue())
                return load_persona(path)
    except InputError as exc:
        show_error(exc)
        st.stop()
    return None


def _settings_form() -> AccessSettings:
    with st.expander(tr("acc_settings")):
        c1, c2, c3, c4 = st.columns(4)
        speed, ok = decimal_input(tr("acc_speed"), 4.8, key="acc_speed", min_value=2.0, max_value=7.0, digits=1,
                                  container=c1, required=True)
        t1 = c2.number_input(tr("acc_threshold_1"), 1, 60, 10, key="acc_t1")
        t2 = c3.number_input(tr("acc_threshold_2"), 1, 60, 15, key="acc_t2")
        unknown = c4.radio(tr("acc_unknown"), ["keep", "drop"], key="acc_unknown",
                           format_func=lambda u: tr(f"acc_unknown_{u}"))
        overlap = c1.number_input(tr("acc_overlap"), 0, 600, 60, 15, key="acc_overlap")
        st.caption(tr("acc_settings_note"))
    if not ok or speed is None:
        st.error(tr("acc_settings_invalid"))        # the expander may be closed: say it outside too
        st.stop()                                    # nothing runs on a wrong speed
    lo, hi = sorted((float(t1), float(t2)))
    return AccessSettings(speed_kmh=float(speed), thresholds_min=(lo, hi) if lo != hi else (hi,), unknown=unknown,
                          min_overlap_min=float(overlap))


def access_section(version: float) -> None:
    ws = workspace()
    cats = _categories(ws.services())
    if not cats:
        st.info(tr("svc_none_at_all"))
        return
    c1, c2 = st.columns([2, 1])
    category = c1.selectbox(tr("svc_category"), cats, format_func=_cat, key="acc_category")
    with c2:
        level = level_picker(ws, key="acc_level")
    persona = _persona_picker()
    if persona is not None:
        st.caption(tr("persona_is", text=persona_summary(persona, lang())))
    settings = _settings_form()
    # everything a result depends on: a change of services or data marks the shown result stale
    demand = demand_indicator(ws, category)
    request = (category, level, persona.key() if persona else None, settings.as_dict(), ws.services_stamp(),
               target_digest(ws), target_digest(ws, demand) if demand else None)
    if st.button(tr("acc_run"), type="primary", key="acc_run"):
        bar = st.progress(0.0, text=tr("acc_running"))

        def progress(fraction, message):
            bar.progress(min(max(fraction, 0.0), 1.0), text=tr("acc_running") + f" ({tr('acc_step_' + message)})")
        try:
            # with a persona, the effective run computes (or finds) the nominal one first
            effective = access_for(ws, category, persona=persona, settings=settings, level=level,
                                   progress=progress) if persona else None
            nominal = effective.nominal if effective else access_for(ws, category, settings=settings, level=level,
                                                                      progress=progress)
        except JmdiqError as exc:
            bar.empty()
            show_error(exc)
            return
        bar.empty()
        st.session_state[RESULT_KEY] = (request, nominal, effective)
    stored = st.session_state.get(RESULT_KEY)
    if not stored:
        st.info(tr("acc_hint"))
        return
    if stored[0] != request:
        st.warning(tr("acc_stale"))
    _show_result(stored[1], stored[2], version)


def _headline(nominal, effective) -> None:
    """One sentence a working group can quote."""
    def pct(v):
        return format_number(v, lang(), digits=0) if v is not None else "–"
    r = nominal.result.report
    far = format_number(max(r["thresholds"]), lang(), digits=0)
    text = tr("acc_headline", share=pct(r.get("share_beyond_all")), minutes=far, category=_cat(r["category"]),
              network_share=pct(r.get("share_beyond_network")))
    if effective is not None:
        text += " " + tr("acc_headline_effective", share=pct(effective.result.report.get("share_beyond_all")))
    st.markdown(f"**{text}**")
    if effective is not None:
        r_eff = effective.result.report
        unknown, total = r_eff.get("services_unknown_any", 0), r["services"]
        if total and unknown >= total / 2:
            # the persona can tell little apart where the attributes it asks about are missing
            st.warning(tr("acc_persona_little_known", unknown=unknown, total=total), icon=":material/help:")


def _report_lines(access) -> None:
    r = access.result.report
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(tr("acc_origins"), format_number(r["origins"], lang(), digits=0),
              help=tr("acc_origins_help", network=r["origins_on_network"]))
    c2.metric(tr("acc_unreachable"), format_number(r["origins_unreachable"], lang(), digits=0),
              help=tr("acc_unreachable_help"))
    c3.metric(tr("acc_services"), f"{r['services_on_network']} / {r['services']}", help=tr("acc_services_help"))
    c4.metric(tr("acc_detour"), format_number(r["detour_factor"], lang(), digits=2),
              help=tr("acc_detour_calibrated" if r["detour_calibrated"] else "acc_detour_default",
                      n=r["detour_pairs"]))


def _show_result(nominal, effective, version: float) -> None:
    ws = workspace()
    report = nominal.result.report
    st.subheader(tr("acc_result_title", category=_cat(report["category"])))
    _report_lines(nominal)
    defs = ws.indicators().set_index("indicator_id")
    target = report.get("target_indicator")
    if target in defs.index:
        label = localized(defs.loc[target], lang())
        st.caption(tr("acc_target", indicator=label, period=format_date(report.get("target_period"), lang())))
    else:
        st.caption(tr("acc_target_none"))
    demand = report.get("demand_indicator")
    group = None
    if demand and demand != target and demand in defs.index:       # e.g. Kitas: children under 6
        group = localized(defs.loc[demand], lang())
        if report["has_capacity"]:
            st.caption(tr("acc_demand", indicator=group))
    _headline(nominal, effective)
    views = ["nominal", "effective", "barrier", "detour"] if effective else ["nominal", "detour"]
    view = st.radio(tr("acc_view"), views, horizontal=True, key="acc_view",
                    format_func=lambda v: tr(f"acc_view_{v}"))
    level = report["level"]
    areas = ws.areas(level)
    coverage = ws.network_coverage()
    sources = sorted(set(areas["source_id"].dropna()) | set(nominal.services["source_id"].dropna())
                     | set(ws.networks()["source_id"]) | set(ws.origins()["source_id"].dropna())
                     | (set(ws.barriers()["source_id"].dropna()) if view == "detour" else set()))
    attributions = ws.attributions(sources)
    if view == "detour":
        st.write(tr("acc_detour_intro"))
        m = detour_map(nominal.result.origins, nominal.result.pairs, ws.barriers(within=coverage),
                       crs=ws.work_crs, lang=lang(), attributions=attributions, coverage=coverage)
        _map_download(m, f"umwege_{report['category']}")
        show_map(m, key="acc_detour_map", height=600)
        pairs = nominal.result.pairs
        st.markdown(f"**{tr('access_worst_pairs')}**")
        names = ws.area_names(nominal.result.report["level"]).set_index("area_id")["name"]
        st.dataframe(number_table(pd.DataFrame({
            tr("tt_area"): pairs["area"].map(names).fillna(pairs["area"]), tr("tt_service"): pairs["service"],
            tr("acc_straight"): pairs["straight_m"], tr("acc_network"): pairs["network_m"],
            tr("access_m_detour"): pairs["detour"], tr("acc_crosses"): pairs.get("crosses", "")}),
            {tr("acc_straight"): 0, tr("acc_network"): 0}), hide_index=True, width="stretch")
        return
    far = max(report["thresholds"])
    options = ["share_beyond", "median_min"] + [f"n_within_{th:g}" for th in report["thresholds"]] \
        + (["e2sfca"] if report["has_capacity"] else [])
    measure = st.selectbox(tr("acc_measure"), options, key="acc_measure",
                           format_func=lambda m: measure_label(m, lang(), far=far, group=group))
    if view == "barrier":
        r_eff = effective.result.report
        if r_eff["services_excluded"] == 0:
            st.info(tr("acc_no_difference", kept=r_eff["services_kept_unknown"]))
        table = compare(nominal, effective)
        table["method"] = table["method_nominal"]
        col = "share_beyond_diff" if measure == "share_beyond" else (
            "median_min_diff" if measure == "median_min" else None)
        if col is None:
            table[f"{measure}_diff"] = table[f"{measure}_effective"] - table[f"{measure}_nominal"]
            col = f"{measure}_diff"
        table["value"] = table[col]
        title = tr("acc_barrier_title", measure=measure_label(measure, lang(), far=far, group=group))
        m = access_map(areas, table, measure="value", title=title, lang=lang(), attributions=attributions,
                       coverage=coverage, breaks_for=col, display=display_geometry_of(version, level))
        table["name"] = table["area"].map(ws.area_names(level).set_index("area_id")["name"])
        shown = table[["name", col, f"{measure}_nominal", f"{measure}_effective", "area"]]
    else:
        access = nominal if view == "nominal" else effective
        table = area_table(ws, access, lang=lang())
        title = measure_label(measure, lang(), far=far, group=group) + " — " + tr(f"acc_view_{view}")
        m = access_map(areas, table, measure=measure, title=title, lang=lang(), attributions=attributions,
                       coverage=coverage, display=display_geometry_of(version, level), services=access.services)
        # beside places per child, the children (Kitas), not the JMD target group
        persons = "demand_group" if measure == "e2sfca" and group and "demand_group" in table else "target_group"
        shown = table[["name", measure, persons, "method_label", "area"]]
    left, right = st.columns([3, 2])
    with left:
        _map_download(m, f"erreichbarkeit_{report['category']}_{view}")
        show_map(m, key=f"acc_map_{view}", height=620)
    with right:
        shown = shown.sort_values(shown.columns[1], ascending=False, na_position="last")
        labels = _column_labels(list(shown.columns), far) | {"demand_group": tr("acc_demand_group")}
        st.dataframe(number_table(shown.rename(columns=labels),
                                  {labels[c]: 0 for c in ("target_group", "demand_group") if c in shown}),
                     hide_index=True, width="stretch", height=620,
                     column_config={tr("acc_demand_group"): st.column_config.Column(help=group)})
    st.caption(tr("acc_estimate_note", factor=format_number(report["detour_factor"], lang(), digits=2)))
    _details(nominal, effective)


def _column_labels(columns: list[str], far: float) -> dict:
    labels = {"area": tr("tt_id"), "name": tr("tt_area"), "target_group": tr("acc_target_group"),
              "method_label": tr("acc_method"), "method": tr("acc_method")}
    for c in columns:
        for suffix, extra in (("_nominal", tr("acc_short_nominal")), ("_effective", tr("acc_short_effective")),
                              ("_diff", tr("acc_diff"))):
            if c.endswith(suffix):
                labels[c] = measure_label(c[: -len(suffix)], lang(), far=far, short=True) + " · " + extra
        if c not in labels and c not in ("area", "name"):
            labels[c] = measure_label(c, lang(), far=far, short=True)
    return labels


def _map_download(m, name: str) -> None:
    """The map as one offline HTML file (Leaflet and the plugins inlined), for the working group.
    Rendered before st_folium shows the map (it renames the map's elements while rendering)."""
    st.download_button(tr("acc_download_map"), standalone_html(m).encode("utf-8"), file_name=f"{name}.html",
                       mime="text/html", key=f"dl_{name}")


def _details(nominal, effective) -> None:
    ws = workspace()
    r = nominal.result.report
    off = r.get("services_off_network") or []
    if off and r["services_on_network"] > 0:
        with st.expander(tr("acc_off_network", n=len(off))):
            st.write(tr("acc_off_network_intro"))
            st.dataframe(pd.DataFrame({tr("tt_service"): off}), hide_index=True, width="stretch")
    if effective is not None and effective.fit is not None:
        fit = effective.fit.merge(ws.services(category=r["category"])[["service_id", "name"]], on="service_id")
        out = fit[~fit["fits"]]
        with st.expander(tr("acc_excluded", n=len(out), kept=effective.result.report["services_kept_unknown"])):
            st.dataframe(pd.DataFrame({
                tr("tt_service"): out["name"],
                tr("acc_reasons"): out["reasons"].map(lambda rs: ", ".join(tr(f"acc_reason_{x}") for x in rs)),
                tr("acc_unknown_attrs"): out["unknown"].map(lambda rs: ", ".join(tr(f"acc_reason_{x}") for x in rs)),
            }), hide_index=True, width="stretch")
    c1, c2, c3 = st.columns(3)
    for col, access, label in ((c1, nominal, "nominal"), (c2, effective, "effective")):
        if access is None:
            continue
        table = area_table(ws, access, lang=lang())
        shapes = ws.areas(r["level"]).set_index("area_id").geometry.reindex(table["area"]).to_numpy()
        with tempfile.TemporaryDirectory() as tmp:
            path = write_table(table, Path(tmp) / "access.csv", attribution=ws.attributions(),
                               excel_de=lang() == "de")
            col.download_button(tr("acc_download", view=tr(f"acc_view_{label}")), path.read_bytes(),
                                file_name=f"erreichbarkeit_{r['category']}_{label}.csv", mime="text/csv",
                                key=f"acc_dl_{label}")
            gpkg = write_table(table, Path(tmp) / "access.gpkg", attribution=ws.attributions(), geometry=shapes,
                               crs=ws.work_crs)
            col.download_button(tr("acc_download_gpkg", view=tr(f"acc_view_{label}")), gpkg.read_bytes(),
                                file_name=f"erreichbarkeit_{r['category']}_{label}.gpkg",
                                mime="application/geopackage+sqlite3", key=f"acc_dl_gpkg_{label}")
    c3.download_button(tr("acc_download_report"), json.dumps(nominal.result.report, ensure_ascii=False, indent=2, default=str).encode(),
                       file_name=f"erreichbarkeit_{r['category']}_bericht.json", mime="application/json",
                       key="acc_dl_report")


def network_note() -> None:
    ws = workspace()
    nets = ws.networks()
    if nets.empty:
        st.info(tr("acc_no_network"))
    else:
        net = load_network(ws)
        share = net.length[net.component[net.u] == net.main_component].sum() / net.length.sum() * 100
        st.caption(tr("acc_network_info", label=", ".join(nets["label"]), km=format_number(nets["length_km"].sum(),
                                                                                            lang(), digits=1),
                      share=format_number(share, lang(), digits=1)))
