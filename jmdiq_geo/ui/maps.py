"""Map building for the pages: cached data, a fresh folium map per run.

(st_folium renames the map's elements while rendering, so a folium map must not be cached
and reused across runs; the layer data is cached instead, and the Karte's map as the component's
arguments, ``ui/map_payload.py``. The geometry caches are ``cache_resource``: one object shared
by every session, never copied or unpickled per run — whoever uses them reads, never changes.)
"""
from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit_folium import st_folium

from jmdiq_geo.render.indicator_map import draw
from jmdiq_geo.render.map_context import context_display, make_readable
from jmdiq_geo.render.maps import display_geometry
from jmdiq_geo.services.context import context_layers, context_sources
from jmdiq_geo.services.layers import change_layer, indicator_layer
from jmdiq_geo.services.maps import (Overlays, areas_within, describe_indicator_map, map_labels, outline_shapes,
                                     target_bounds)
from jmdiq_geo.services.projects import located_points
from jmdiq_geo.i18n import t
from jmdiq_geo.ui.map_payload import PreparedMap, prepare, show
from jmdiq_geo.ui.state import lang, settings, workspace


@st.cache_data(show_spinner=False, max_entries=64)
def cached_layer(version: float, *, level: str, indicator_id: str, period: date, period_from: date | None = None,
                 relative: bool = False):
    ws = workspace()
    if period_from is not None:
        return change_layer(ws, indicator_id=indicator_id, period_from=period_from, period_to=period, level=level,
                            relative=relative, settings=settings())
    return indicator_layer(ws, indicator_id=indicator_id, period=period, level=level, settings=settings())


@st.cache_resource(show_spinner=False, max_entries=8)
def display_geometry_of(version: float, level: str):
    """Simplified EPSG:4326 geometry of a level, in the order of ``ws.areas(level)``."""
    return display_geometry(workspace().areas(level)).geometry


@st.cache_resource(show_spinner=False, max_entries=8)
def outlines(version: float, level: str):
    """The top level's outlines over a lower level, and the context outlines (Kreis, Land)."""
    shapes = outline_shapes(workspace(), level)
    return display_geometry(shapes, tolerance_m=30.0) if shapes is not None else None


@st.cache_resource(show_spinner=False, max_entries=2)
def context(version: float):
    """(the context layers in the work CRS, the same as drawn in EPSG:4326)."""
    layers = context_layers(workspace())
    return layers, context_display(layers)


@st.cache_data(show_spinner=False, max_entries=16)
def labels(version: float, level: str, target: tuple[str, str] | None = None):
    """The label groups of a map of ``level``; with ``target`` (show only): its areas' names."""
    ws = workspace()
    if target is None:
        return map_labels(ws, level)
    areas = ws.areas(level)
    ids = areas_within(ws, level, *target)
    top = ws.top_level()
    parents = list(areas_within(ws, top, *target)) if target[0] != top else [target[1]]
    return map_labels(ws, level, areas=areas[areas["area_id"].isin(ids)], parent_ids=parents)


@st.cache_data(show_spinner=False, max_entries=16)
def zoom_view(version: float, level: str, target: tuple[str, str] | None, only: bool):
    """(bounds to open on, ids of the areas drawn or None) for "zoom to" ``target``."""
    if target is None:
        return None, None
    ws = workspace()
    return target_bounds(ws, *target), (areas_within(ws, level, *target) if only else None)


@st.cache_data(show_spinner=False, max_entries=8)
def services(version: float, category: str):
    return workspace().services(category=category)


@st.cache_data(show_spinner=False, max_entries=4)
def programme_areas(version: float):
    return workspace().programme_areas()


@st.cache_resource(show_spinner=False, max_entries=32)
def indicator_map(version: float, *, level: str, indicator_id: str, period: date, scheme: str, k: int,
                  palette: str, lang: str, period_from: date | None = None, relative: bool = False,
                  breaks: list[float] | None = None, show_programmes: bool = False,
                  service_categories: tuple[str, ...] = (), show_projects: bool = False,
                  target: tuple[str, str] | None = None, only: bool = False, view_key: str = "karte",
                  map_key: str = "indicator_map"):
    """(the map prepared for the widget ``map_key``, description) for the map page, made once
    per workspace version and choice for every session (``ui/map_payload.py``; both are
    shared: read, never change them). The map is described by the services floor (as for
    the CLI and exports) from the cached layer, overlays, context and labels, and drawn with
    the cached display geometry. ``target`` (level, area id): "zoom to" that area; with
    ``only`` the map shows only the areas inside it. The view is kept across redraws as long
    as the target stays the same."""
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
                                         overlays=overlays, layer=layer, context=context(version)[0],
                                         labels=labels(version, level, target if only else None))
    fit, ids = zoom_view(version, level, target, only)
    m = draw(description, outlines=outlines(version, level), display=display_geometry_of(version, level),
             context=context(version)[1], only=ids, fit=fit,
             view=(view_name(view_key), "/".join(target) + ("/only" if only else "") if target else ""))
    return prepare(m, key=map_key, returned_objects=("last_active_drawing",)), description


def show_map(m, *, key: str, height: int = 640, clickable: bool = False):
    """Render a folium map (or one prepared by ``indicator_map`` for widget ``key``). With ``clickable``, return the clicked area's id (else None); pan and
    zoom never rerun the page."""
    if isinstance(m, PreparedMap):
        state = show(m, key=key, height=height)
    else:
        state = st_folium(m, key=key, height=height, use_container_width=True,
                          returned_objects=["last_active_drawing"] if clickable else [])
    if clickable and state and state.get("last_active_drawing"):
        return (state["last_active_drawing"].get("properties") or {}).get("area_id")
    return None


def areas_of(version: float, level: str, target: tuple[str, str] | None, only: bool) -> set[str] | None:
    """The ids of the areas a "show only" map draws (None: all)."""
    return zoom_view(version, level, target, only)[1]


def readable(m, version: float, *, level: str | None, key: str, target: tuple[str, str] | None = None,
             token: str = "", with_context: bool = True) -> None:
    """Context layers, area names by zoom and the kept view on a map drawn by a page itself
    (hot spots, index maps, access, quarter check, locations); ``level``: the level whose names
    are shown (None: none); ``target`` (level, area id): "zoom to" that area (``ui.map_view.
    zoom_controls``); ``token``: what else makes a new view (e.g. another quarter); without
    ``with_context`` where the map draws its own (the detour map's barriers: water, railways)."""
    layers, shown = context(version) if with_context else ({}, {})
    ids = context_sources(layers)
    fit = zoom_view(version, level, target, False)[0] if target else None
    make_readable(m, context=shown, labels=labels(version, level) if level else [],
                  note=t("map_no_context", lang()) if with_context else None,
                  attributions=workspace().attributions(ids) if ids else [],
                  view=(view_name(key), "/".join([*(target or ()), token]).strip("/")), fit=fit)


def view_name(key: str) -> str:
    """The name a map's view is kept under in the browser tab: the page's map and the workspace
    (another workspace opened in the same tab starts on its own extent)."""
    return f"{key}:{workspace().label}"
