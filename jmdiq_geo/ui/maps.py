"""Map building for the pages: cached data, a fresh folium map per run.

(st_folium renames the map's elements while rendering, so a folium map must not be cached
and reused across runs; the layer data is cached instead.)
"""
from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.i18n import t
from jmdiq_geo.maplayer import indicator_layer
from jmdiq_geo.render.maps import choropleth
from jmdiq_geo.ui.state import settings, workspace


@st.cache_data(show_spinner=False, max_entries=64)
def _layer(version: float, *, level: str, indicator_id: str, period: date):
    ws = workspace()
    layer = indicator_layer(ws, indicator_id=indicator_id, period=period, level=level, settings=settings())
    outline_level = ws.levels().sort_values("rank")["level"].iloc[-1]
    outlines = ws.areas(outline_level)[["geometry"]] if outline_level != level else None
    return layer, outlines, ws.meta().get("city", "")


def indicator_map(version: float, *, level: str, indicator_id: str, period: date, scheme: str, k: int,
                  palette: str, lang: str):
    """(folium map, classes, value table, city value, title) for the map page."""
    layer, outlines, city = _layer(version, level=level, indicator_id=indicator_id, period=period)
    classes = classify(layer.areas["value"], scheme=scheme, k=k)
    definition = layer.definition
    title = definition["label_de"] if lang == "de" else (definition.get("label_en") or definition["label_de"])
    digits = 0 if definition["kind"] == "extensive" else 1
    m = choropleth(layer.areas, classes=classes, palette=palette, title=title, unit=definition.get("unit"),
                   lang=lang, attributions=layer.attributions, outlines=outlines, city_value=layer.city_value,
                   city_name=city or t("tt_city", lang), value_digits=digits)
    return m, classes, layer.areas.drop(columns="geometry"), layer.city_value, title


def show_map(m, *, key: str, height: int = 640):
    """Render a folium map; returns nothing the page has not asked for (no reruns on pan/zoom)."""
    return st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])
