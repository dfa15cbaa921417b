"""A folium map prepared once for streamlit-folium's component, shown by any number of sessions.

``st_folium`` renders the folium map on every run of a page: branca compiles each element's
rendered script as a Jinja template (for a choropleth that is the whole GeoJSON), folium writes
the GeoJSON twice and walks every coordinate for the bounds, and the result is searched with
regular expressions and hashed. For the same map the result is the same text every time
(streamlit-folium gives the map's variables fixed names). ``prepare`` does that work once and
keeps the component's arguments; ``show`` hands them to the component as ``st_folium`` would,
so a cached map costs a page run only the sending. ``tests/ui/test_map_payload.py`` checks that
the arguments equal those of ``st_folium`` (streamlit-folium 0.27.4, pinned) for the same map.
"""
from __future__ import annotations

from dataclasses import dataclass

import branca
import folium
import folium.elements
import streamlit as st
import streamlit_folium as sf

#: what ``st_folium`` returns before the user touched the map, by returned object
_DEFAULTS = ("last_clicked", "last_object_clicked", "last_object_clicked_count", "last_object_clicked_tooltip",
             "last_object_clicked_popup", "all_drawings", "last_active_drawing", "bounds", "zoom",
             "last_circle_radius", "last_circle_polygon", "selected_layers", "selected_tags", "last_geocoder_result")


@dataclass(frozen=True)
class PreparedMap:
    """The component's arguments for one map and widget key (texts only: safe to share)."""
    args: tuple[tuple[str, object], ...]
    hash_key: str
    returned_objects: tuple[str, ...]


def _walk(fig):
    if isinstance(fig, branca.colormap.ColorMap):
        yield fig
    if isinstance(fig, folium.elements.JSCSSMixin):
        yield fig
    for child in getattr(fig, "_children", {}).values():
        yield from _walk(child)


def prepare(m: folium.Map, *, key: str, returned_objects: tuple[str, ...] = ()) -> PreparedMap:
    """Render ``m`` (a fresh folium map: rendering renames its elements) for the widget ``key``
    as ``st_folium(m, key=key, returned_objects=returned_objects)`` would."""
    m.get_root().render()
    m.render()
    html, header, leaflet = sf._get_html(m), sf._get_header(m), sf._get_map_string(m)
    (south, west), (north, east) = m.get_bounds()
    values = {"bounds": {"_southWest": {"lat": south, "lng": west}, "_northEast": {"lat": north, "lng": east}},
              "zoom": m.options.get("zoom")}
    defaults = {k: values.get(k) for k in _DEFAULTS if k in returned_objects}
    css, js = [], []
    for elem in _walk(m):
        if isinstance(elem, branca.colormap.ColorMap):
            # st_folium would load d3 from a CDN for it; the app is offline and its maps draw
            # their legends themselves
            raise ValueError("a branca colormap needs d3 from a CDN: not offline")
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    args = {"script": leaflet, "header": header, "html": html, "id": sf.get_full_id(m), "default": defaults,
            "css_links": list(dict.fromkeys(css)), "js_links": list(dict.fromkeys(js))}
    return PreparedMap(tuple(args.items()), sf.generate_js_hash(leaflet, key, False), tuple(returned_objects))


def show(prepared: PreparedMap, *, key: str, height: int):
    """The component of ``prepared`` (made for widget ``key``) with ``st_folium``'s other
    arguments as the pages use them; returns what the map sent back."""
    def on_change():
        st.session_state[key] = st.session_state.get(prepared.hash_key, {})
    return sf._component_func(**dict(prepared.args), key=prepared.hash_key, height=height, width=None,
                              returned_objects=list(prepared.returned_objects), zoom=None, center=None,
                              feature_group=None, return_on_hover=False, layer_control=None, pixelated=False,
                              on_change=on_change, wrap_longitude=False)
