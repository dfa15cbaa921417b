"""Übersicht: what the workspace holds."""
import streamlit as st

from jmdiq_geo.i18n import localized_column
from jmdiq_geo.ui import actions
from jmdiq_geo.ui.feedback import guard
from jmdiq_geo.ui.state import lang, tr, workspace

st.title(tr("overview_title"))
st.write(tr("overview_intro"))
ws = workspace()
if ws is None:
    st.warning(tr("overview_no_workspace"))
    if st.button(tr("overview_build_demo"), type="primary"):
        with guard(), st.spinner(tr("overview_building")):
            actions.build_demo()
            st.rerun()
    st.stop()

summary = ws.summary()
meta = summary["meta"]
c1, c2, c3, c4 = st.columns(4)
c1.metric(tr("overview_city"), meta.get("city", "–"))
c2.metric(tr("overview_indicators"), summary["indicators"])
c3.metric(tr("overview_services"), int(summary["services"]["n"].sum()) if len(summary["services"]) else 0)
c4.metric(tr("overview_programme_areas"), summary["programme_areas"])

st.subheader(tr("overview_levels"))
levels = summary["levels"]
st.table(
    levels.assign(label=localized_column(levels, lang()))[["label", "n", "editions"]]
    .rename(columns={"label": tr("col_level"), "n": tr("col_areas"), "editions": tr("col_editions")})
    .set_index(tr("col_level")))
st.subheader(tr("overview_periods"))
st.table(summary["periods"].rename(columns={"period": tr("col_period"), "indicators": tr("col_indicators"),
                                            "n_values": tr("col_values")}).set_index(tr("col_period")))
st.caption(tr("overview_crs", crs=meta.get("work_crs", "–")))
