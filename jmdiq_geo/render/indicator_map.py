"""Draw a ``MapDescription`` (``services.maps``) as a Leaflet map.

One drawing for the app, the CLI and exports. The caller may hand in the areas' display
geometry and the outlines when it has them cached (the app); otherwise they are made here.
"""
from __future__ import annotations

import folium
import geopandas as gpd

from jmdiq_geo.i18n import t
from jmdiq_geo.render.access_maps import add_service_clusters
from jmdiq_geo.render.maps import (add_points, add_programme_areas, category_map, choropleth, display_geometry,
                                   finish_layers, palette_colours)

#: colours of the project and partner markers (Okabe–Ito, colour-blind safe)
PROJECT_COLOUR = "#D55E00"
PARTNER_COLOUR = "#0072B2"


def draw(description, *, outlines: gpd.GeoDataFrame | None = None, display: gpd.GeoSeries | None = None,
         asset_base: str | None = "/app/static/vendor") -> folium.Map:
    """The map of ``description``. ``outlines``: the top level's areas in the work CRS or already
    in display form; ``display``: the areas' simplified EPSG:4326 geometry, in layer order."""
    d = description
    areas = d.layer.areas
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
    return m
