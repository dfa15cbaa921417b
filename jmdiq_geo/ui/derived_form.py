"""Form: a new indicator as a rate from two counts (e.g. target group per 100 residents 15–26)."""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.analysis.derived import DerivedDef
from jmdiq_geo.i18n import localized_column
from jmdiq_geo.services.definitions import save_derived
from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.state import lang, tr, workspace


def derived_form() -> None:
    ws = workspace()
    ind = ws.indicators()
    counts = ind[ind["kind"] == "extensive"]
    labels = dict(zip(counts["indicator_id"], localized_column(counts, lang())))
    ids = sorted(labels, key=lambda i: labels[i].lower())
    if not ids:                          # a rate needs counts to divide
        st.caption(tr("derived_needs_counts"))
        return
    population = ws.meta().get("population_indicator")     # the usual denominator
    with st.form("derived_form"):
        c1, c2 = st.columns(2)
        numerator = c1.selectbox(tr("derived_numerator"), ids, format_func=labels.get, key="derived_num")
        denominator = c2.selectbox(tr("derived_denominator"), ids, format_func=labels.get, key="derived_den",
                                   index=ids.index(population) if population in ids else 0)
        c3, c4, c5 = st.columns([1, 1.2, 2])
        factor = c3.selectbox(tr("derived_factor"), [100.0, 1000.0, 1.0], key="derived_factor",
                              format_func=lambda f: {100.0: "%", 1000.0: "‰", 1.0: "×1"}[f])
        new_id = c4.text_input(tr("derived_id"), key="derived_id", placeholder="anteil_xy")
        label = c5.text_input(tr("derived_label"), key="derived_label")
        submitted = st.form_submit_button(tr("derived_save"), type="primary")
    if submitted:
        unit = {100.0: "%", 1000.0: "‰", 1.0: None}[factor]
        d = DerivedDef(new_id.strip(), label_de=label.strip() or new_id, label_en=label.strip() or new_id,
                       unit=unit, numerator=numerator, denominator=denominator, factor=factor)
        with guard():
            counts_written = save_derived(ws, d)
            st.cache_data.clear()
            st.success(tr("derived_done", id=d.indicator_id, n=counts_written.get(d.indicator_id, 0)))
