"""Draw a ``MapDescription`` (``services.maps``) as a Leaflet map.

One drawing for the app, the CLI and exports. The caller may hand in the areas' display
geometry and the outlines when it has them cached (the app); otherwise they are made here.
"""
from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np

from jmdiq_geo.i18n import t
from jmdiq_geo.render.access_maps import add_service_clusters
from jmdiq_geo.render.map_context import add_context, add_labels, add_note, add_view_memory, context_display
from jmdiq_geo.render.maps import (add_points, add_programme_areas, category_map, choropleth, display_geometry,
                                   finish_layers, palette_colours)

#: colours of the project and partner markers (Okabe–Ito, colour-blind safe)
PROJECT_COLOUR = "#D55E00"
PARTNER_COLOUR = "#0072B2"


def draw(description, *, outlines: gpd.GeoDataFrame | None = None, display: gpd.GeoSeries | None = None,
         asset_base: str | None = "/app/static/vendor", context: dict | None = None,
         only: set[str] | None = None, fit: tuple[float, float, float, float] | None = None,
         view: tuple[str, str] | None = None) -> folium.Map:
    """The map of ``description``. ``outlines``: the top level's areas in the work CRS or already
    in display form; ``display``: the areas' simplified EPSG:4326 geometry, in layer order;
    ``context``: the description's context layers already in display form
    (``render.map_context.context_display``, cached by the app); ``only``: the ids of the areas
    drawn (e.g. one district's; the classes stay the city's); ``fit``: the bounds (lon/lat
    min x, min y, max x, max y) the map opens on; ``view``: (map key, token) to keep the
    user's view across redraws (``render.map_context.add_view_memory``)."""
    d = description
    areas = d.layer.areas
    if only is not None:
        keep = areas["area_id"].isin(only).to_numpy()
        areas = areas[keep]
        if display is not None:
            display = display[np.asarray(keep)]
    if outlines is not None and outlines.crs is not None and not outlines.crs.is_geographic:
        outlines = display_geometry(outlines[["geometry"]], tolerance_m=30.0)
    if d.official:
        # one colour and the label per class, in code order; a class has no rank
        colours = palette_colours(d.palette, len(d.official))
        categories = [(code, label, colour) for (code, label), colour in zip(d.official, colours)]
        m = category_map(areas.drop(columns="rank", errors="ignore"), codes=areas["value"], categories=categories,
                         title=d.title, lang=d.lang, attributions=d.attributions, outlines=outlines,
                         display=display, asset_base=asset_base)
    else:
        # grid cells: squares need no simplification, and borders would hide 100 m cells' colours
        m = choropleth(areas, classes=d.classes, palette=d.palette, title=d.title, unit=d.unit, lang=d.lang,
                       attributions=d.attributions, outlines=outlines,
                       city_value=None if d.cells else d.layer.city_value,
                       city_name=d.city_name, value_digits=d.value_digits, diverging=d.diverging,
                       display=display, asset_base=asset_base, tolerance_m=0.0 if d.cells else 15.0,
                       line_weight=0.0 if d.cells else 0.6, place_label=t("tt_cell", d.lang) if d.cells else None)
    shown = context_display(d.context) if context is None else context
    add_context(m, shown)
    if not shown and not d.cells:
        add_note(m, t("map_no_context", d.lang))
    groups = d.labels
    if only is not None and groups:           # the shown level's names: only of the areas drawn
        groups = [*groups[:-1], {**groups[-1], "items": [i for i in groups[-1]["items"] if i[3] in only]}]
    add_labels(m, groups)
    overlays = d.overlays
    if overlays.any():
        if overlays.projects is not None:
            add_points(m, overlays.projects, name=t("projects_projects", d.lang), colour=PROJECT_COLOUR, lang=d.lang)
        if overlays.partners is not None:
            add_points(m, overlays.partners, name=t("projects_tab_partners", d.lang), colour=PARTNER_COLOUR,
                       lang=d.lang)
        if overlays.programme_areas is not None:
            add_programme_areas(m, overlays.programme_areas, name=t("map_programme_areas", d.lang), lang=d.lang)
        for points in overlays.services.values():       # clustered, with the access attributes in a popup
            add_service_clusters(m, points, lang=d.lang)
        finish_layers(m, asset_base)
    if view is not None:
        add_view_memory(m, key=view[0], token=view[1], fit=fit)
    elif fit is not None:
        m.fit_bounds([[fit[1], fit[0]], [fit[3], fit[2]]])
    return m
