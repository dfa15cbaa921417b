"""Map building for the pages: cached data, a fresh folium map per run.

(st_folium renames the map's elements while rendering, so a folium map must not be cached
and reused across runs; the layer data is cached instead.)
"""
from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.render.indicator_map import draw
from jmdiq_geo.render.maps import display_geometry
from jmdiq_geo.services.layers import change_layer, indicator_layer
from jmdiq_geo.services.maps import Overlays, describe_indicator_map, outline_shapes
from jmdiq_geo.services.projects import located_points
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
    """The top level's outlines over a lower level, and the context outlines (Kreis, Land)."""
    shapes = outline_shapes(workspace(), level)
    return display_geometry(shapes, tolerance_m=30.0) if shapes is not None else None


@st.cache_data(show_spinner=False, max_entries=8)
def services(version: float, category: str):
    return workspace().services(category=category)


@st.cache_data(show_spinner=False, max_entries=4)
def programme_areas(version: float):
    return workspace().programme_areas()


def indicator_map(version: float, *, level: str, indicator_id: str, period: date, scheme: str, k: int,
                  palette: str, lang: str, period_from: date | None = None, relative: bool = False,
                  breaks: list[float] | None = None, show_programmes: bool = False,
                  service_categories: tuple[str, ...] = (), show_projects: bool = False):
    """(folium map, classes, layer, title) for the map page: the map is described by the
    services floor (as for the CLI and exports) from the cached layer and overlays, and drawn
    with the cached display geometry."""
    layer = cached_layer(version, level=level, indicator_id=indicator_id, period=period, period_from=period_from,
                         relative=relative)
    ws = workspace()
    overlays = Overlays(programme_areas=programme_areas(version) if show_programmes else None,
                        services={c: services(version, c) for c in service_categories},
                        projects=located_points(ws, "project") if show_projects else None,
                        partners=located_points(ws, "partner") if show_projects else None)
    description = describe_indicator_map(ws, indicator_id=indicator_id, period=period, level=level,
                                         settings=settings(), lang=lang, scheme=scheme, k=k, palette=palette,
                                         period_from=period_from, relative=relative, breaks=breaks,
                                         overlays=overlays, layer=layer)
    m = draw(description, outlines=outlines(version, level), display=display_geometry_of(version, level))
    return m, description.classes, layer, description.title


def show_map(m, *, key: str, height: int = 640, clickable: bool = False):
    """Render a folium map. With ``clickable``, return the clicked area's id (else None); pan and
    zoom never rerun the page."""
    state = st_folium(m, key=key, height=height, use_container_width=True,
                      returned_objects=["last_active_drawing"] if clickable else [])
    if clickable and state and state.get("last_active_drawing"):
        return (state["last_active_drawing"].get("properties") or {}).get("area_id")
    return None
