"""Map building for the pages: cached data, a fresh folium map per run.

(st_folium renames the map's elements while rendering, so a folium map must not be cached
and reused across runs; the layer data is cached instead.)
"""
from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.i18n import class_label, localized, t
from jmdiq_geo.services.layers import change_layer, indicator_layer
from jmdiq_geo.services.projects import located_points
from jmdiq_geo.render.access_maps import add_service_clusters
from jmdiq_geo.render.maps import (add_points, add_programme_areas, category_map, choropleth, display_geometry,
                                   finish_layers, palette_colours)
from jmdiq_geo.ui.state import settings, workspace


@st.cache_data(show_spinner=False, max_entries=64)
def cached_layer(version: float, *, level: str, indicator_id: str, period: date, period_from: date | None = None,
                 relative: bool = False):
    ws = workspace()
    if period_from is not None:
        return change_layer(ws, indicator_id=indicator_id, period_from=period_from, period_to=period, level=level,
                            relative=relative, settings=settings())
    return indicator_layer(ws, indicator_id=indicator_id, period=period, level=level, settings=settings())


@st.cache_data(show_spinner=False, max_entries=8)
def display_geometry_of(version: float, level: str):
    """Simplified EPSG:4326 geometry of a level, in the order of ``ws.areas(level)``."""
    return display_geometry(workspace().areas(level)).geometry


@st.cache_data(show_spinner=False, max_entries=8)
def outlines(version: float, level: str):
    ws = workspace()
    top = ws.top_level()
    return display_geometry(ws.areas(top)[["geometry"]], tolerance_m=30.0) if top != level else None


@st.cache_data(show_spinner=False, max_entries=8)
def services(version: float, category: str):
    return workspace().services(category=category)


@st.cache_data(show_spinner=False, max_entries=4)
def programme_areas(version: float):
    return workspace().programme_areas()


def official_classes(definition: dict) -> list[tuple[float, str]]:
    """(code, key) of a class indicator's official classes in code order (keys that are no
    number cannot match a value and are left out); empty for anything else."""
    if definition.get("kind") != "class" or not definition.get("classes"):
        return []
    codes = []
    for key in definition["classes"]:
        try:
            codes.append((float(key), key))
        except (TypeError, ValueError):
            continue
    return sorted(codes)


def indicator_map(version: float, *, level: str, indicator_id: str, period: date, scheme: str, k: int,
                  palette: str, lang: str, period_from: date | None = None, relative: bool = False,
                  breaks: list[float] | None = None, show_programmes: bool = False,
                  service_categories: tuple[str, ...] = (), show_projects: bool = False):
    """(folium map, classes, layer) for the map page."""
    layer = cached_layer(version, level=level, indicator_id=indicator_id, period=period, period_from=period_from,
                         relative=relative)
    definition = layer.definition
    official = official_classes(definition) if period_from is None else []
    # official classes (e.g. the MSS status index) are drawn as they are; anything else is classified
    # changes: zero is a class bound, so no class mixes falls and rises
    classes = None if official else classify(layer.areas["value"], scheme=scheme, k=k, breaks=breaks,
                                             centre=0.0 if period_from is not None else None)
    title = localized(definition, lang)
    if period_from is not None:
        title = t("map_change_title", lang, title=title, a=period_from.year, b=period.year)
    digits = 0 if definition["kind"] == "extensive" else 1
    city = workspace().meta().get("city", "")
    # the overlays' sources are named too (every map names all of its sources)
    extra = set()
    for category in service_categories:
        extra |= set(services(version, category)["source_id"].dropna())
    if show_programmes:
        extra |= set(programme_areas(version)["source_id"].dropna())
    attributions = list(dict.fromkeys(layer.attributions + (workspace().attributions(sorted(extra)) if extra else [])))
    if official:
        # one colour and the label per class, in code order; a class has no rank
        colours = palette_colours(palette, len(official))
        categories = [(code, class_label(definition["classes"], key, lang), colour)
                      for (code, key), colour in zip(official, colours)]
        m = category_map(layer.areas.drop(columns="rank", errors="ignore"), codes=layer.areas["value"],
                         categories=categories, title=title, lang=lang, attributions=attributions,
                         outlines=outlines(version, level), display=display_geometry_of(version, level))
    else:
        m = choropleth(layer.areas, classes=classes, palette=palette, title=title, unit=definition.get("unit"),
                       lang=lang, attributions=attributions, outlines=outlines(version, level),
                       city_value=layer.city_value, city_name=city or t("tt_city", lang), value_digits=digits,
                       diverging=period_from is not None, display=display_geometry_of(version, level))
    if show_programmes or service_categories or show_projects:
        if show_projects:
            ws = workspace()
            add_points(m, located_points(ws, "project"), name=t("projects_projects", lang), colour="#D55E00",
                       lang=lang)
            add_points(m, located_points(ws, "partner"), name=t("projects_tab_partners", lang), colour="#0072B2",
                       lang=lang)
        if show_programmes:
            add_programme_areas(m, programme_areas(version), name=t("map_programme_areas", lang), lang=lang)
        for category in service_categories:       # clustered, with the access attributes in a popup
            add_service_clusters(m, services(version, category), lang=lang)
        finish_layers(m)
    return m, classes, layer, title


def show_map(m, *, key: str, height: int = 640, clickable: bool = False):
    """Render a folium map. With ``clickable``, return the clicked area's id (else None); pan and
    zoom never rerun the page."""
    state = st_folium(m, key=key, height=height, use_container_width=True,
                      returned_objects=["last_active_drawing"] if clickable else [])
    if clickable and state and state.get("last_active_drawing"):
        return (state["last_active_drawing"].get("properties") or {}).get("area_id")
    return None
