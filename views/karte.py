"""Karte: an indicator (or its change) on any area level, with overlays; click opens a profile."""
import streamlit as st

from jmdiq_geo.analysis.classify import SCHEMES
from jmdiq_geo.i18n import format_date, format_number
from jmdiq_geo.services.layers import value_periods
from jmdiq_geo.render.maps import PALETTES
from jmdiq_geo.services.maps import official_classes, target_bounds
from jmdiq_geo.ui.grid_map import grid_map_section, layer_choice
from jmdiq_geo.ui.map_export import description_export
from jmdiq_geo.ui.map_view import overlay_controls, value_table, zoom_controls
from jmdiq_geo.ui.maps import areas_of, indicator_map, show_map, view_name
from jmdiq_geo.ui.state import lang, require_areas, tr, trm, workspace_version
from jmdiq_geo.ui.widgets import indicator_picker, level_picker, parse_breaks
from jmdiq_geo.ui.story import add_to_story

st.title(tr("map_title"))
ws = require_areas()
version = workspace_version()
if layer_choice(version) == "grid":       # the cells of a population grid
    grid_map_section(version)
    st.stop()

c1, c2, c3 = st.columns([3, 1.2, 1.2])
with c1:
    indicator_id, kind = indicator_picker(ws, key="map_indicator")
with c2:
    level = level_picker(ws, key="map_level", lowest_only=kind == "class")
periods = value_periods(ws, indicator_id)[::-1]
if not periods:
    st.info(tr("map_no_values"))
    st.stop()
period = c3.selectbox(tr("map_period"), periods, format_func=lambda p: format_date(p, lang()), key="map_period")

c4, c5, c6, c7 = st.columns([1.6, 1.4, 1, 1.2])
mode = c4.radio(tr("map_mode"), ["value", "change"], format_func=lambda m: tr(f"map_mode_{m}"), key="map_mode",
                disabled=kind == "class")
period_from, relative = None, False
if mode == "change" and kind != "class":
    earlier = [p for p in periods if p < period]
    if not earlier:
        st.info(tr("map_one_period"))
    else:
        period_from = c5.selectbox(tr("map_period_from"), earlier, format_func=lambda p: format_date(p, lang()),
                                   index=len(earlier) - 1, key="map_period_from")
        relative = c5.toggle(tr("map_relative"), key="map_relative")
# an indicator with official classes (MSS index) is drawn with them: nothing to classify
official = bool(official_classes(ws.indicators().set_index("indicator_id").loc[indicator_id].to_dict()))
scheme = c6.selectbox(tr("map_scheme"), SCHEMES, format_func=lambda s: tr(f"scheme_{s}"), key="map_scheme",
                      disabled=official)
k = c6.slider(tr("map_classes"), 3, 7, 5, key="map_k", disabled=scheme in ("std_mean", "manual") or official)
palette = c7.selectbox(tr("map_palette"), PALETTES, key="map_palette", disabled=period_from is not None)
breaks = None
if scheme == "manual" and not official:
    breaks = parse_breaks(st.text_input(tr("map_breaks"), key="map_breaks", value="10; 25; 50; 75"))
    if not breaks:
        st.warning(tr("map_breaks_bad"))
        st.stop()
overlays = overlay_controls(ws)
target, only = zoom_controls(version)
view = dict(level=level, indicator_id=indicator_id, period=period, scheme=scheme, k=k, palette=palette,
            period_from=period_from, relative=relative, breaks=breaks)
m, d = indicator_map(version, **view, lang=lang(), **overlays, target=target, only=only)
table = d.layer.areas
count = {k: format_number(v, lang(), digits=0) for k, v in (("n", table["value"].notna().sum()), ("total", len(table)))}
st.caption(trm("map_caption", title=d.title, period=format_date(period, lang()), whole=d.city_name,
               city=format_number(d.layer.city_value, lang(), digits=d.value_digits), **count))
clicked = show_map(m, key="indicator_map", clickable=True)
st.caption(tr("map_click_hint") + ("" if d.context else " " + tr("map_no_context")))
description_export("karte", version, d, period_from=period_from)
add_to_story({"kind": "change_map" if period_from else "indicator_map", **view, "title": d.title,
              "bounds": list(target_bounds(ws, *target)) if target else None},     # the "zoom to" extent …
             view_key=view_name("karte"))                                         # … or what is on screen
if clicked:
    name = table.set_index("area_id")["name"].get(clicked, clicked)
    st.session_state["profile_area"] = (level, clicked)
    st.page_link("views/steckbrief.py", label=tr("map_open_profile", name=name), icon=":material/description:")
with st.expander(tr("map_table"), key="map_table_open", on_change="rerun") as table_box:
    if table_box.open:               # the table is made only when opened (every run would pay for it)
        value_table(d, only=areas_of(version, level, target, only))
