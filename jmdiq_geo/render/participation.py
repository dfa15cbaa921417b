"""Maps of participation (issue 18): the phone map of a quarter's outline (no tiles, the app's own
Leaflet) and the staff's map of the results (cells or areas shown only where k participants
pinned, beside services and a target-group layer)."""
from __future__ import annotations

import json

import folium
import geopandas as gpd

from jmdiq_geo.crs import to_display_crs
from jmdiq_geo.i18n import format_number, t
from jmdiq_geo.render.maps import (_attribution_js, _legend_js, add_points, base_map, display_geometry,
                                   feature_collection, finish_layers, localise_assets)
from jmdiq_geo.render.safe import MapScript, SafeTooltip, html_text


def participant_map(outline_geojson: str, bounds: tuple[float, float, float, float], *,
                    own_pins: list[tuple[float, float, str]] = (), attributions: list[str] = (), asset_base: str | None = "/app/static/vendor"
                    ) -> folium.Map:
    """The quarter's outline on a plain background; ``own_pins`` (lat, lon, colour) are the pins
    this phone set in this visit (kept in its session, never read back from the workspace)."""
    m = folium.Map(tiles=None, zoom_control=True, zoom_snap=0.25, maxZoom=19, font_size="13px")
    minx, miny, maxx, maxy = bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    doc = json.dumps({"type": "Feature", "properties": {}, "geometry": json.loads(outline_geojson)})
    folium.GeoJson(doc, interactive=False, control=False,
                   style_function=lambda f: {"fillColor": "#fdf6e3", "fillOpacity": 0.9, "color": "#333333",
                                             "weight": 3}).add_to(m)
    for lat, lon, colour in own_pins:
        folium.CircleMarker([lat, lon], radius=9, weight=2, color="#222222", fill=True, fill_color=colour,
                            fill_opacity=0.95, interactive=False).add_to(m)
    MapScript(_attribution_js(list(attributions))).add_to(m)
    localise_assets(m, asset_base)
    return m


def results_map(places: gpd.GeoDataFrame, quarter: gpd.GeoDataFrame, *, colour: str, title: str, lang: str,
                attributions: list[str], services: dict[str, gpd.GeoDataFrame] | None = None,
                target: gpd.GeoDataFrame | None = None, target_title: str = "",
                asset_base: str | None = "/app/static/vendor") -> folium.Map:
    """The shown places of one category (work CRS; only those with at least k participants),
    shaded by participants, over the quarter's outline, with optional service points and a
    target-group layer (``target``: areas or cells with a ``value`` column, work CRS)."""
    shown_quarter = display_geometry(quarter, tolerance_m=2.0)
    m = base_map(shown_quarter, asset_base=asset_base, legend=True)
    if target is not None and len(target):
        shown_target = to_display_crs(target[["value", "geometry"]])
        top = float(shown_target["value"].max() or 1.0)
        group = folium.FeatureGroup(name=html_text(target_title))
        folium.GeoJson(feature_collection(shown_target.geometry, {"value": shown_target["value"].round(0).tolist()}),
                       style_function=lambda f: {"fillColor": "#6baed6", "color": "#4a90c2", "weight": 0.5,
                                                 "fillOpacity": 0.05 + 0.3 * float(f["properties"]["value"] or 0) / top},
                       tooltip=SafeTooltip(fields=["value"], aliases=[target_title])).add_to(group)
        group.add_to(m)
    folium.GeoJson(feature_collection(shown_quarter.geometry, {}), interactive=False, control=False,
                   style_function=lambda f: {"fill": False, "color": "#333333", "weight": 2}).add_to(m)
    rows = []
    if len(places):
        shown = to_display_crs(places[["place", "participants", "pins", "geometry"]])
        top = max(int(shown["participants"].max()), 1)
        group = folium.FeatureGroup(name=html_text(title))
        folium.GeoJson(
            feature_collection(shown.geometry, {"place": shown["place"].tolist(),
                                                "participants": shown["participants"].tolist(),
                                                "pins": shown["pins"].tolist()}),
            style_function=lambda f: {"fillColor": colour, "color": "#222222", "weight": 1,
                                      "fillOpacity": 0.35 + 0.5 * f["properties"]["participants"] / top},
            tooltip=SafeTooltip(fields=["participants", "pins"],
                                aliases=[t("part_participants", lang), t("part_pins", lang)])).add_to(group)
        group.add_to(m)
        rows.append((colour, title, len(shown)))
    for i, (name, points) in enumerate((services or {}).items()):
        add_points(m, points, name=name, colour=["#000000", "#555555", "#999999"][i % 3], lang=lang)
    MapScript(_legend_js(t("part_map_legend", lang), rows)).add_to(m)
    MapScript(_attribution_js(attributions)).add_to(m)
    finish_layers(m, asset_base)
    return m


def unit_text(unit: str, cell_size_m: int, lang: str) -> str:
    return t("part_unit_grid", lang, size=cell_size_m) if unit == "grid" else t("part_unit_areas", lang)


def session_line(summary, lang: str) -> str:
    """„Title“, dates: N participants, counted per cell/area, places from k (a report's line)."""
    from jmdiq_geo.i18n import format_date
    n = (format_number(summary.participants, lang, digits=0) if summary.participants
         else t("part_report_few", lang, k=summary.k))
    return t("part_report_session", lang, title=summary.title, start=format_date(summary.starts_at.date(), lang),
             end=format_date(summary.ends_at.date(), lang), n=n, unit=unit_text(summary.unit, summary.cell_size_m, lang),
             k=summary.k)


def summary_rows(summary, lang: str) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of a session's shown places per category in a report (``SessionSummary``)."""
    labels = {c["id"]: c.get(lang) or c["de"] for c in summary.categories}
    header = [t("part_col_category", lang), t("part_report_places", lang, k=summary.k),
              t("part_report_max", lang), t("part_col_pins", lang)]
    rows = [[labels.get(r.category, r.category), format_number(r.places, lang, digits=0),
             format_number(r.participants_max, lang, digits=0), format_number(r.pins, lang, digits=0)]
            for r in summary.rows.itertuples()]
    return header, rows


def slide_title(summary, category_label: str, lang: str) -> str:
    """A participation slide's title: category, session, dates, participants, how counted."""
    from jmdiq_geo.i18n import format_date
    n = (format_number(summary.participants, lang, digits=0) if summary.participants
         else t("part_report_few", lang, k=summary.k))
    return t("part_slide_title", lang, category=category_label, title=summary.title,
             start=format_date(summary.starts_at.date(), lang), end=format_date(summary.ends_at.date(), lang), n=n,
             unit=unit_text(summary.unit, summary.cell_size_m, lang), k=summary.k)
