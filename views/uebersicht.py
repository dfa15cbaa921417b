"""Übersicht: what the workspace holds; without one, start a new one (or the demo)."""
import streamlit as st

from jmdiq_geo.i18n import format_date, format_editions, localized_column, number_styler
from jmdiq_geo.ui.new_workspace import follow_build, start_section
from jmdiq_geo.ui.state import lang, tr, workspace

st.title(tr("overview_title"))
st.write(tr("overview_intro"))
if follow_build():              # this session's new workspace is being built (beside the page)
    st.stop()
ws = workspace()
if ws is None:
    start_section()
    st.stop()

summary = ws.summary()
meta = summary["meta"]
c1, c2, c3, c4 = st.columns(4)
c1.metric(tr("overview_city"), meta.get("city", "–"))
c2.metric(tr("overview_indicators"), summary["indicators"])
c3.metric(tr("overview_services"), int(summary["services"]["n"].sum()) if len(summary["services"]) else 0)
c4.metric(tr("overview_programme_areas"), summary["programme_areas"])

levels, periods = summary["levels"], summary["periods"]
if levels.empty or not levels["n"].sum():
    # a new workspace: its levels come from the boundaries imported next
    st.info(tr("overview_next_boundaries"), icon=":material/upload_file:")
else:
    st.subheader(tr("overview_levels"))
    st.table(number_styler(
        levels.assign(label=localized_column(levels, lang()),
                      editions=levels["editions"].map(lambda e: format_editions(e, lang())))[["label", "n", "editions"]]
        .rename(columns={"label": tr("col_level"), "n": tr("col_areas"), "editions": tr("col_editions")}),
        lang(), digits=0))
if not periods.empty:
    st.subheader(tr("overview_periods"))
    periods = periods.assign(period=periods["period"].map(lambda p: format_date(p, lang())))
    st.table(number_styler(periods.rename(columns={"period": tr("col_period"), "indicators": tr("col_indicators"),
                                                   "n_values": tr("col_values")}), lang(), digits=0))
elif not levels.empty:
    st.info(tr("overview_next_indicators"), icon=":material/upload_file:")
st.caption(tr("overview_crs", crs=meta["work_crs"]) if meta.get("work_crs") else tr("overview_crs_pending"))
