"""Karte: Planungsräume (or a higher level) coloured by one indicator."""
import streamlit as st

from jmdiq_geo.analysis.classify import SCHEMES
from jmdiq_geo.i18n import format_number
from jmdiq_geo.maplayer import value_periods
from jmdiq_geo.render.maps import PALETTES
from jmdiq_geo.ui.maps import indicator_map, show_map
from jmdiq_geo.ui.state import lang, tr, workspace, workspace_version

st.title(tr("map_title"))
ws = workspace()
if ws is None:
    st.warning(tr("overview_no_workspace"))
    st.stop()

indicators = ws.indicators()
levels = ws.levels().sort_values("rank")
label_col = "label_de" if lang() == "de" else "label_en"
default_ind = ws.meta().get("default_indicator") or indicators["indicator_id"].iloc[0]
ind_ids = indicators["indicator_id"].tolist()
labels = dict(zip(indicators["indicator_id"], indicators[label_col].fillna(indicators["label_de"])))
kinds = dict(zip(indicators["indicator_id"], indicators["kind"]))

c1, c2, c3 = st.columns([3, 1.2, 1.2])
indicator_id = c1.selectbox(tr("map_indicator"), ind_ids, index=ind_ids.index(default_ind) if default_ind in ind_ids else 0,
                            format_func=lambda i: labels[i], key="map_indicator")
level_ids = levels["level"].tolist() if kinds[indicator_id] != "class" else levels["level"].tolist()[:1]
level = c2.selectbox(tr("map_level"), level_ids, format_func=dict(zip(levels["level"], levels[label_col])).get,
                     key="map_level")
periods = value_periods(ws, indicator_id)
if not periods:
    st.info(tr("map_no_values"))
    st.stop()
period = c3.selectbox(tr("map_period"), periods[::-1], format_func=lambda p: p.strftime("%d.%m.%Y"), key="map_period")
c4, c5, c6 = st.columns([1.5, 1, 1.5])
scheme = c4.selectbox(tr("map_scheme"), [s for s in SCHEMES if s != "manual"],
                      format_func=lambda s: tr(f"scheme_{s}"), key="map_scheme")
k = c5.slider(tr("map_classes"), 3, 7, 5, key="map_k", disabled=scheme == "std_mean")
palette = c6.selectbox(tr("map_palette"), PALETTES, key="map_palette")

m, classes, table, city, title = indicator_map(workspace_version(), level=level, indicator_id=indicator_id,
                                               period=period, scheme=scheme, k=k, palette=palette, lang=lang())
st.caption(tr("map_caption", title=title, period=period.strftime("%d.%m.%Y"),
              city=format_number(city, lang()), n=int(table["value"].notna().sum()), total=len(table)))
show_map(m, key="indicator_map")
with st.expander(tr("map_table")):
    st.dataframe(table[["area_id", "name", "value", "rank"]].rename(columns={
        "area_id": tr("tt_id"), "name": tr("tt_area"), "value": title[:40], "rank": tr("tt_rank")}),
        hide_index=True, width="stretch")
