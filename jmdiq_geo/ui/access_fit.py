"""Zugang, section "which services fit": a category, a persona, minutes and an area or a drawn
quarter → the services within reach, each with what it lacks (``services.persona_fit``)."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.i18n import format_number, readable
from jmdiq_geo.render.access_maps import persona_summary
from jmdiq_geo.services.access_edits import categories
from jmdiq_geo.services.persona_fit import listing_table, persona_listing
from jmdiq_geo.ui.access import access_cache, category_label
from jmdiq_geo.ui.access_run import persona_picker
from jmdiq_geo.ui.check import choose_quarter
from jmdiq_geo.ui.feedback import show_error, show_notices
from jmdiq_geo.ui.state import lang, settings as app_settings, tr, workspace

RESULT_KEY = "fit_result"


def fit_section(version: float) -> None:
    ws = workspace()
    cats = categories(ws.services())
    if not cats:
        st.info(tr("svc_none_at_all"))
        return
    st.write(tr("fit_intro"))
    c1, c2 = st.columns([2, 1])
    category = c1.selectbox(tr("svc_category"), cats, format_func=category_label, key="fit_category")
    within = c2.number_input(tr("fit_within"), 1, 120, 15, key="fit_within")
    persona = persona_picker()
    if persona is not None:
        st.caption(tr("persona_is", text=persona_summary(persona, lang())))
    source = st.radio(tr("fit_from"), ["areas", "drawn", "file"], horizontal=True, key="fit_source",
                      format_func=lambda s: tr(f"check_source_{s}"))
    try:
        quarter = choose_quarter(version, source)
    except JmdiqError as exc:
        show_error(exc)
        return
    if quarter is None or persona is None:
        st.info(tr("fit_hint"))
        return
    show_notices(quarter.notices)
    request = (category, float(within), persona.key(), quarter.geometry.wkb_hex, ws.services_stamp())
    if st.button(tr("fit_run"), type="primary", key="fit_run"):
        bar = st.progress(0.0, text=tr("acc_running"))

        def progress(fraction, message):
            bar.progress(min(max(fraction, 0.0), 1.0), text=tr("acc_running") + f" ({tr('acc_step_' + message)})")
        try:
            listing = persona_listing(ws, category, persona, within_min=float(within), quarter=quarter.geometry,
                                      quarter_label=quarter.label, cache=access_cache(), config=app_settings(),
                                      progress=progress)
        except JmdiqError as exc:
            bar.empty()
            show_error(exc)
            return
        bar.empty()
        st.session_state[RESULT_KEY] = (request, listing)
    stored = st.session_state.get(RESULT_KEY)
    if not stored:
        return
    if stored[0] != request:
        st.warning(tr("acc_stale"))
    listing = stored[1]
    counts = listing.table["status"].value_counts()
    st.subheader(tr("fit_result", category=category_label(listing.category), within=f"{listing.within_min:g}",
                    where=listing.where))
    st.caption(tr("fit_counts", fits=int(counts.get("fits", 0)), unknown=int(counts.get("unknown", 0)),
                  lacks=int(counts.get("lacks", 0)), homes=listing.homes,
                  detour=format_number(listing.detour, lang(), digits=2)))
    if listing.table.empty:
        st.info(tr("fit_none"))
        return
    st.dataframe(readable(listing_table(listing, lang()), lang()), hide_index=True, width="stretch")
    st.caption(tr("fit_note"))
