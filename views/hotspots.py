"""Hot Spots: local Moran's I cluster map of one indicator."""
import streamlit as st

from jmdiq_geo.i18n import format_date, format_number
from jmdiq_geo.services.layers import value_periods
from jmdiq_geo.ui.analysis_pages import hotspot_map
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.ui.feedback import show_error
from jmdiq_geo.ui.map_view import zoom_controls
from jmdiq_geo.ui.maps import readable, show_map
from jmdiq_geo.ui.state import lang, require_areas, tr, workspace_version
from jmdiq_geo.ui.widgets import indicator_picker, level_picker

st.title(tr("hotspot_title"))
st.write(tr("hotspot_intro"))
ws = require_areas()
c1, c2, c3, c4 = st.columns([2.6, 1.2, 1.2, 1])
with c1:
    indicator_id, _ = indicator_picker(ws, key="hs_indicator", kinds=("intensive", "extensive"))
with c2:
    level = level_picker(ws, key="hs_level")
periods = value_periods(ws, indicator_id)[::-1]
if not periods:
    st.info(tr("map_no_values"))
    st.stop()
period = c3.selectbox(tr("map_period"), periods, format_func=lambda p: format_date(p, lang()), key="hs_period")
significance = c4.selectbox(tr("hotspot_significance"), [0.05, 0.01, 0.1], key="hs_sig",
                            format_func=lambda p: f"p ≤ {format_number(p, lang(), digits=2)}")
try:
    m, shares, result = hotspot_map(workspace_version(), indicator_id, period, level, significance, lang())
except JmdiqError as exc:
    show_error(exc)
    st.stop()
st.caption(tr("hotspot_global", i=format_number(result.global_i, lang(), digits=3),
              p=format_number(result.global_p, lang(), digits=3)))
target, _ = zoom_controls(workspace_version(), key="hs", with_only=False)
readable(m, workspace_version(), level=level, key="hotspot_map", target=target)
show_map(m, key="hotspot_map")
st.dataframe(shares.assign(share=shares["share"].map(lambda v: format_number(100 * v, lang()) + " %")).rename(
    columns={"label": tr("hotspot_cluster"), "share": tr("index_share")}), hide_index=True, width="content")
st.caption(tr("hotspot_method"))
