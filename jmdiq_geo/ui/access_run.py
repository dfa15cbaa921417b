"""Walking access: the category, level, persona and settings, and the run (its result:
``ui/access_results.py``)."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.analysis.access.compute import AccessSettings
from jmdiq_geo.errors import InputError, JmdiqError
from jmdiq_geo.i18n import language_label
from jmdiq_geo.render.access_maps import persona_summary
from jmdiq_geo.services.access import (access_for, demand_indicator, persona_from_form, persona_from_upload, personas,
                                       target_digest)
from jmdiq_geo.services.access_edits import categories
from jmdiq_geo.ui.access import access_cache, category_label, lang_options
from jmdiq_geo.ui.access_results import show_result
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.jobs import finished, start
from jmdiq_geo.ui.state import lang, settings as app_settings, tr, workspace
from jmdiq_geo.ui.widgets import decimal_input, level_picker

RESULT_KEY = "access_result"
JOB_KEY = "access_job"


def persona_picker():
    """The persona chosen (or None). Errors are shown, and stop the page."""
    presets = personas()
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
            langs = c2.multiselect(tr("persona_languages"), lang_options(), default=["ar"], key="acc_p_langs",
                                   format_func=lambda c: language_label(c, lang()))
            when = c3.text_input(tr("persona_when"), value="Mo-Fr 15:00-19:00", key="acc_p_when",
                                 help=tr("svc_hours_help"))
            d1, d2 = st.columns(2)
            free = d1.checkbox(tr("persona_free"), value=True, key="acc_p_free")
            wheel = d2.checkbox(tr("persona_wheelchair"), key="acc_p_wheel")
            return persona_from_form(name=tr("persona_mode_custom"), age=age, languages=langs, when=when,
                                     free_only=free, wheelchair=wheel)
        if choice == "upload":
            up = st.file_uploader(tr("persona_upload"), type=["toml"], key="acc_p_file")
            if up is None:
                return None
            return persona_from_upload(up.name, up.getvalue())
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


def _run(ws, category: str, *, request, persona, progress, **run) -> tuple:
    """(request, nominal run, effective run or None): a job (no Streamlit here). With a persona,
    the effective run computes (or finds) the nominal one first."""
    effective = access_for(ws, category, persona=persona, progress=progress, **run) if persona else None
    nominal = effective.nominal if effective else access_for(ws, category, progress=progress, **run)
    return request, nominal, effective


def access_section(version: float) -> None:
    ws = workspace()
    cats = categories(ws.services())
    if not cats:
        st.info(tr("svc_none_at_all"))
        return
    c1, c2 = st.columns([2, 1])
    category = c1.selectbox(tr("svc_category"), cats, format_func=category_label, key="acc_category")
    with c2:
        level = level_picker(ws, key="acc_level")
    persona = persona_picker()
    if persona is not None:
        st.caption(tr("persona_is", text=persona_summary(persona, lang())))
    settings = _settings_form()
    # everything a result depends on: a change of services or data marks the shown result stale
    demand = demand_indicator(ws, category)
    request = (category, level, persona.key() if persona else None, settings.as_dict(), ws.services_stamp(),
               target_digest(ws), target_digest(ws, demand) if demand else None)
    if st.button(tr("acc_run"), type="primary", key="acc_run"):
        # run beside the page (ui/jobs.py): other sessions go on, this page shows the progress
        start(JOB_KEY, "access run", _run, ws, category, request=request, persona=persona, settings=settings,
              level=level, cache=access_cache(), config=app_settings())
    job = finished(JOB_KEY, tr("acc_running"), steps="acc_step_")
    if job is not None:
        try:
            st.session_state[RESULT_KEY] = job.outcome()
        except JmdiqError as exc:
            show_error(exc)
            return
    stored = st.session_state.get(RESULT_KEY)
    if not stored:
        st.info(tr("acc_hint"))
        return
    if stored[0] != request:
        st.warning(tr("acc_stale"))
    show_result(stored[1], stored[2], version)

