"""Interactive maps (folium/Leaflet) that draw without any network.

- Leaflet comes from the app itself (``asset_base``, Streamlit static serving) or is inlined
  into exported HTML (``inline_assets``); no CDN, no base-map tiles. Orientation comes from
  district outlines drawn from the workspace.
- Geometry is simplified for display with a topology-preserving coverage simplification at
  screen tolerance and coordinates are rounded, which keeps a 542-area map light.
- Every map carries its sources and licences in the attribution control.
"""
from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from matplotlib import colormaps
from matplotlib.colors import to_hex

from jmdiq_geo.analysis.classify import Classes
from jmdiq_geo.crs import DISPLAY_CRS, to_display_crs
from jmdiq_geo.i18n import format_number, t
from jmdiq_geo.render.safe import MapScript, SafeTooltip, html_text, sources_js

#: colour-blind-safe sequential palettes (ColorBrewer / matplotlib perceptual maps)
PALETTES = ("YlOrRd", "YlGnBu", "viridis", "cividis", "PuBu", "Greys")
NO_VALUE_COLOUR = "#e0e0e0"
#: the only front-end files a map needs, relative to the vendor folder
LEAFLET_JS = "leaflet/leaflet.js"
LEAFLET_CSS = "leaflet/leaflet.css"
VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def palette_colours(name: str, k: int) -> list[str]:
    cmap = colormaps[name]
    if k <= 1:
        return [to_hex(cmap(0.6))]
    return [to_hex(cmap(0.15 + 0.8 * i / (k - 1))) for i in range(k)]


def display_geometry(gdf: gpd.GeoDataFrame, *, tolerance_m: float = 15.0, decimals: int = 5) -> gpd.GeoDataFrame:
    """Simplify (shared edges stay shared) in the metric work CRS, then show in EPSG:4326 with
    coordinates rounded to ``decimals`` (5 ≈ 1 m)."""
    out = gdf.copy()
    if tolerance_m > 0 and len(out):
        out = out.set_geometry(gpd.GeoSeries(shapely.coverage_simplify(out.geometry.array, tolerance_m),
                                             index=out.index, crs=out.crs))
    out = to_display_crs(out)
    rounded = shapely.transform(out.geometry.array, lambda xy: np.round(xy, decimals))
    return out.set_geometry(gpd.GeoSeries(rounded, index=out.index, crs=out.crs))


def feature_collection(geometry: gpd.GeoSeries, properties: dict[str, list]) -> str:
    """GeoJSON text of geometries (already in EPSG:4326) and per-feature properties, built with
    shapely's vectorised writer (several times faster than GeoDataFrame.to_json)."""
    geoms = shapely.to_geojson(np.asarray(geometry.array))
    keys = list(properties)
    columns = [[_plain(v) for v in properties[k]] for k in keys]
    features = []
    for i, g in enumerate(geoms):
        props = json.dumps({k: col[i] for k, col in zip(keys, columns)}, ensure_ascii=False)
        features.append(f'{{"type":"Feature","properties":{props},"geometry":{g}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def _plain(value):
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


def _legend_js(title: str, rows: list[tuple[str, str, int]]) -> str:
    items = "".join(
        f'<div><i style="display:inline-block;width:16px;height:11px;margin-right:6px;'
        f'background:{colour};border:1px solid #777"></i>{html_lib.escape(label)} '
        f'<span style="color:#555">({count})</span></div>' for colour, label, count in rows)
    content = (f'<div style="font-weight:600;margin-bottom:3px;max-width:260px">{html_lib.escape(title)}</div>'
               + items)
    return ("var legend = L.control({position: 'bottomright'});"
            "legend.onAdd = function() { var d = L.DomUtil.create('div', 'jmdiq-legend');"
            "d.style.cssText = 'background:white;padding:6px 9px;font:12px/1.45 sans-serif;"
            "border:1px solid #999;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)';"
            f"d.innerHTML = {json.dumps(content, ensure_ascii=False)}; return d; }};"
            "legend.addTo(map);")


def _attribution_js(attributions: list[str]) -> str:
    return "map.attributionControl.setPrefix(false);" + sources_js("map", attributions)


#: room kept free for the legend in the bottom right corner when a map is fitted (pixels)
LEGEND_ROOM = (150, 130)


def base_map(bounds_gdf: gpd.GeoDataFrame, *, asset_base: str | None = "/app/static/vendor",
             legend: bool = False) -> folium.Map:
    """An empty map without tiles, fitted to ``bounds_gdf`` (display CRS). With ``legend`` the
    fit leaves the bottom right corner free, so the legend covers no area (e.g. Treptow-Köpenick)."""
    # maxZoom: without tile layers Leaflet knows none, and marker clusters need one
    # font_size: folium's default (1rem = 16 px) makes the layer switcher and the attribution
    # cover the map; 13 px is Leaflet's compact size, still readable in tooltips
    m = folium.Map(tiles=None, control_scale=False, zoom_control=True, prefer_canvas=False, zoom_snap=0.25,
                   maxZoom=19, font_size="13px")
    minx, miny, maxx, maxy = bounds_gdf.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]], padding_bottom_right=LEGEND_ROOM if legend else None)
    # the scale bar under the zoom buttons, metric only: at the bottom the sources (which wrap
    # over several lines when a map names four of them) covered it
    MapScript("L.control.scale({position: 'topleft', imperial: false}).addTo(map);").add_to(m)
    localise_assets(m, asset_base)
    return m


#: front-end files of folium plugins the app serves itself, by file name (others are dropped)
PLUGIN_ASSETS = {"leaflet.draw.js": "leaflet-draw/leaflet.draw.js", "leaflet.draw.css": "leaflet-draw/leaflet.draw.css",
                 "leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
                 "MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
                 "MarkerCluster.Default.css": "leaflet.markercluster/MarkerCluster.Default.css"}


def localise_assets(m: folium.Map, asset_base: str | None) -> None:
    """Point every element's JS/CSS at the app's own copies (no CDN). Leaflet and the plugins in
    ``PLUGIN_ASSETS`` are kept; what else folium links (jQuery, Bootstrap, icon fonts) these maps
    do not need."""
    base = (asset_base or "").rstrip("/")

    def local(links):
        out = []
        for name, url in links:
            file = url.rsplit("/", 1)[-1]
            if file in PLUGIN_ASSETS:
                out.append((name, f"{base}/{PLUGIN_ASSETS[file]}"))
            elif url.startswith(base + "/") and base:
                out.append((name, url))
        return out
    stack = [m]
    while stack:
        element = stack.pop()
        if element is m:
            element.default_js = [("leaflet", f"{base}/{LEAFLET_JS}")]
            element.default_css = [("leaflet_css", f"{base}/{LEAFLET_CSS}")]
        else:
            if hasattr(element, "default_js"):
                element.default_js = local(element.default_js)
            if hasattr(element, "default_css"):
                element.default_css = local(element.default_css)
        stack.extend(getattr(element, "_children", {}).values())


def drawing_map(areas: gpd.GeoDataFrame, *, lang: str, attributions: list[str], outlines=None,
                asset_base: str | None = "/app/static/vendor", with_draw: bool = True) -> folium.Map:
    """The smallest areas as a thin grey base with a polygon drawing tool (Leaflet.draw, served by the
    app) to draw a quarter."""
    from folium.plugins import Draw

    shown = display_geometry(areas)
    m = base_map(shown, asset_base=asset_base)
    folium.GeoJson(feature_collection(shown.geometry, {"name": areas["name"].tolist(),
                                                       "area_id": areas["area_id"].tolist()}),
                   name="areas", control=False,
                   style_function=lambda f: {"fillColor": "#f2f2ee", "color": "#999999", "weight": 0.6,
                                             "fillOpacity": 0.7},
                   tooltip=SafeTooltip(fields=["name", "area_id"],
                                                 aliases=[t("tt_area", lang), t("tt_id", lang)])).add_to(m)
    if outlines is not None:
        folium.GeoJson(feature_collection(outlines.geometry, {}), interactive=False, control=False,
                       style_function=lambda f: {"fill": False, "color": "#333333", "weight": 1.4}).add_to(m)
    if with_draw:
        Draw(draw_options={"polyline": False, "circlemarker": False, "marker": False, "circle": False,
                           "rectangle": True, "polygon": {"allowIntersection": True}},
             edit_options={"edit": True, "remove": True}).add_to(m)
    MapScript(_attribution_js(attributions)).add_to(m)
    localise_assets(m, asset_base)
    return m


def quarter_map(quarter_display: gpd.GeoDataFrame, areas: gpd.GeoDataFrame, *, weights: pd.DataFrame,
                lang: str, attributions: list[str], asset_base: str | None = "/app/static/vendor") -> folium.Map:
    """The quarter (outline) over the areas it touches, shaded by how they entered the numbers."""
    colours = {"full": "#1b9e77", "dasymetric": "#d95f02", "area": "#7570b3"}
    touched = areas[areas["area_id"].isin(weights["area_id"])].merge(weights, on="area_id")
    shown = display_geometry(touched)
    m = base_map(quarter_display, asset_base=asset_base, legend=True)
    folium.GeoJson(feature_collection(shown.geometry, {
        "name": touched["name"].tolist(), "area_id": touched["area_id"].tolist(),
        "method": [t(f"method_{x}", lang) for x in touched["method"]],
        "weight": [format_number(100 * w, lang, digits=0) + " %" for w in touched["weight"]],
        "fill": [colours[x] for x in touched["method"]]}),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#ffffff", "weight": 0.8,
                                  "fillOpacity": 0.45},
        tooltip=SafeTooltip(fields=["name", "area_id", "method", "weight"],
                                      aliases=[t("tt_area", lang), t("tt_id", lang), t("tt_method", lang),
                                               t("tt_weight", lang)])).add_to(m)
    folium.GeoJson(feature_collection(quarter_display.geometry, {}), interactive=False,
                   style_function=lambda f: {"fill": False, "color": "#000000", "weight": 3}).add_to(m)
    rows = [(c, t(f"method_{k}", lang), int((touched["method"] == k).sum())) for k, c in colours.items()]
    MapScript(_legend_js(t("check_map_legend", lang), rows)).add_to(m)
    MapScript(_attribution_js(attributions)).add_to(m)
    localise_assets(m, asset_base)
    return m


def choropleth(areas: gpd.GeoDataFrame, *, classes: Classes, palette: str, title: str, unit: str | None,
               lang: str, attributions: list[str], outlines: gpd.GeoDataFrame | None = None,
               city_value: float | None = None, city_name: str = "", value_digits: int = 1,
               asset_base: str | None = "/app/static/vendor", tolerance_m: float = 15.0,
               diverging: bool = False, display: gpd.GeoSeries | None = None, line_weight: float = 0.6,
               place_label: str | None = None) -> folium.Map:
    """Areas coloured by class, with tooltips (name, id, value, rank, city value), a legend with
    class bounds and counts, optional outlines (e.g. Bezirke) and the attribution.
    ``diverging`` uses a blue–red ramp centred on the classes (for changes). Grid cells:
    ``line_weight`` 0 (no borders), ``city_value`` None (no city row), ``place_label`` "Zelle"."""
    colours = (diverging_colours(classes) if diverging else palette_colours(palette, classes.k))
    cls = classes.assignment.reindex(areas.index).to_numpy()
    fill = [colours[c] if c >= 0 else NO_VALUE_COLOUR for c in cls]
    unit_txt = f" {unit}" if unit and unit not in ("Personen",) else ""
    rows = [(colours[i], f"{format_number(lo, lang, digits=value_digits)} – "
             f"{format_number(hi, lang, digits=value_digits)}", n)
            for i, (lo, hi, n) in enumerate(zip(classes.lower, classes.upper, classes.counts))]
    missing = int((cls < 0).sum())
    if missing:
        rows.append((NO_VALUE_COLOUR, t("no_value", lang), missing))
    values = areas["value"].to_numpy(dtype=float)
    reasons = areas["reason"].to_numpy() if "reason" in areas else [None] * len(areas)
    coverage = areas["coverage"].to_numpy(dtype=float) if "coverage" in areas else np.ones(len(areas))
    value_text = [(format_number(v, lang, digits=value_digits) + unit_txt
                   + (t("incomplete", lang, share=format_number(100 * c, lang, digits=0)) if c < 0.999 else ""))
                  if np.isfinite(v) else t(f"reason_{r or 'missing'}", lang)
                  for v, r, c in zip(values, reasons, coverage)]
    city_text = (format_number(city_value, lang, digits=value_digits) + unit_txt
                 if city_value is not None and np.isfinite(city_value) else "–")
    return area_map(areas, fill=fill, value_text=value_text, legend_rows=rows, title=title,
                    legend_title=title + (f" ({unit})" if unit else ""), lang=lang, attributions=attributions,
                    outlines=outlines, extra={"city_text": (city_name or t("tt_city", lang), city_text)}
                    if city_value is not None else None,
                    asset_base=asset_base, tolerance_m=tolerance_m, display=display, line_weight=line_weight,
                    place_label=place_label)


def category_fill(areas: gpd.GeoDataFrame, codes: pd.Series, categories: list[tuple[object, str, str]],
                  lang: str) -> tuple[list, list[str], list[tuple[str, str, int]]]:
    """Each area's code and colour, and the legend rows (colour, label, areas) with a "no value"
    row where codes are missing: one counting for the screen and the print."""
    colour_of = {code: colour for code, _, colour in categories}
    code_list = [None if pd.isna(c) else c for c in codes.reindex(areas.index)]
    fill = [colour_of.get(c, NO_VALUE_COLOUR) for c in code_list]
    rows = [(colour, label, sum(1 for c in code_list if c == code)) for code, label, colour in categories]
    missing = sum(1 for c in code_list if c not in colour_of)
    if missing:
        rows.append((NO_VALUE_COLOUR, t("no_value", lang), missing))
    return code_list, fill, rows


def category_map(areas: gpd.GeoDataFrame, *, codes: pd.Series, categories: list[tuple[object, str, str]],
                 title: str, lang: str, attributions: list[str], outlines: gpd.GeoDataFrame | None = None,
                 value_text: list[str] | None = None, asset_base: str | None = "/app/static/vendor",
                 tolerance_m: float = 15.0, display: gpd.GeoSeries | None = None) -> folium.Map:
    """Areas coloured by category (``categories`` = [(code, label, colour)]), e.g. index classes
    or hot-spot clusters; the legend counts areas per category."""
    label_of = {code: label for code, label, _ in categories}
    code_list, fill, rows = category_fill(areas, codes, categories, lang)
    texts = value_text or [label_of.get(c, t("no_value", lang)) for c in code_list]
    return area_map(areas, fill=fill, value_text=texts, legend_rows=rows, title=title, legend_title=title,
                    lang=lang, attributions=attributions, outlines=outlines, asset_base=asset_base,
                    tolerance_m=tolerance_m, display=display)


def diverging_colours(classes: Classes) -> list[str]:
    """Blue for decreases, red for increases (colour-blind safe), each side in evenly spaced
    steps from pale near zero to strong (spacing by magnitude made the classes near zero all but
    white); a class that holds both falls and rises is neutral grey."""
    cmap = colormaps["RdBu_r"]
    falls = [i for i, hi in enumerate(classes.upper) if hi <= 0]
    rises = [i for i, lo in enumerate(classes.lower) if lo >= 0 and i not in falls]
    out = ["#e0e0e0"] * classes.k
    steps = max(len(falls), len(rises), 1)     # one step width for both sides: a small fall is pale
    for side, sign in ((falls[::-1], -1), (rises, 1)):          # nearest zero first
        for step, i in enumerate(side):
            out[i] = to_hex(cmap(0.5 + sign * (0.12 + 0.36 * (step + 1) / steps)))
    return out


def _shortened(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def area_map(areas: gpd.GeoDataFrame, *, fill: list[str], value_text: list[str],
             legend_rows: list[tuple[str, str, int]], title: str, legend_title: str, lang: str,
             attributions: list[str], outlines: gpd.GeoDataFrame | None = None, extra: dict | None = None,
             asset_base: str | None = "/app/static/vendor", tolerance_m: float = 15.0,
             display: gpd.GeoSeries | None = None, line_weight: float = 0.6,
             place_label: str | None = None) -> folium.Map:
    """The shared drawing of an area map: polygons with given fills, tooltip, legend, outlines,
    attribution. ``extra`` adds tooltip rows: field → (label, one text for all areas).
    ``display``: the areas' display geometry (EPSG:4326), when the caller has it cached.
    ``place_label``: the tooltip's name for a place (default "Gebiet"; with it, no id row)."""
    shown = display_geometry(areas, tolerance_m=tolerance_m) if display is None else gpd.GeoDataFrame(
        geometry=display.to_numpy(), crs=display.crs)
    columns = {"name": areas["name"].to_numpy(), "area_id": areas["area_id"].to_numpy(), "value_text": value_text,
               "fill": fill}
    # the indicator's name in the tooltip and the layer switcher stays short (the legend has it
    # whole): a wide tooltip runs off the map, a wide switcher covers its top
    short = _shortened(title, 34)
    fields, aliases = ["name", "area_id", "value_text"], [t("tt_area", lang), t("tt_id", lang), short]
    if place_label:
        fields, aliases = ["name", "value_text"], [place_label, short]
    if "rank" in areas:                       # areas without a rank (e.g. official classes) show none
        n_ranked = int(np.isfinite(areas["rank"].to_numpy(dtype=float)).sum())
        columns["rank_text"] = [t("rank_of", lang, rank=int(r), n=n_ranked) if np.isfinite(r) else "–"
                                for r in areas["rank"].to_numpy(dtype=float)]
        fields.append("rank_text")
        aliases.append(t("tt_rank", lang))
    for key, (label, text) in (extra or {}).items():
        columns[key] = [text] * len(areas)
        fields.append(key)
        aliases.append(label)
    m = base_map(shown, asset_base=asset_base, legend=True)
    folium.GeoJson(
        feature_collection(shown.geometry, columns),
        name=html_text(_shortened(title, 44)),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#ffffff", "weight": line_weight,
                                  "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": 2.5, "color": "#222222"},
        tooltip=SafeTooltip(fields=fields, aliases=aliases, sticky=True),
    ).add_to(m)
    if outlines is not None and len(outlines):
        outline_shapes = (outlines if str(outlines.crs).upper() == DISPLAY_CRS
                          else display_geometry(outlines[["geometry"]], tolerance_m=max(tolerance_m, 15.0) * 2))
        folium.GeoJson(feature_collection(outline_shapes.geometry, {}), name="outlines", interactive=False,
                       control=False,
                       style_function=lambda f: {"fill": False, "color": "#333333", "weight": 1.6}).add_to(m)
    MapScript(_legend_js(legend_title, legend_rows)).add_to(m)
    MapScript(_attribution_js(attributions)).add_to(m)
    localise_assets(m, asset_base)
    return m


def add_programme_areas(m: folium.Map, areas: gpd.GeoDataFrame, *, name: str, lang: str) -> None:
    """Programme areas as hatched-looking outlines on top (toggle in the layer control)."""
    if areas.empty:
        return
    shown = display_geometry(areas[["name", "programme", "geometry"]], tolerance_m=4.0)
    folium.GeoJson(shown.to_json(drop_id=True), name=html_text(name),
                   style_function=lambda f: {"fill": False, "color": "#5e3c99", "weight": 3, "dashArray": "6 4"},
                   tooltip=SafeTooltip(fields=["name", "programme"],
                                                 aliases=[t("tt_area", lang), t("tt_programme", lang)])).add_to(m)


def add_points(m: folium.Map, points: gpd.GeoDataFrame, *, name: str, colour: str, lang: str) -> None:
    """Service locations as small circles (toggle in the layer control)."""
    if points.empty:
        return
    shown = to_display_crs(points[["name", "address", "geometry"]].fillna("–"))
    group = folium.FeatureGroup(name=html_text(f"{name} ({len(shown)})"))
    folium.GeoJson(shown.to_json(drop_id=True), name=name,
                   marker=folium.CircleMarker(radius=3.5, weight=1, color="#222222", fill=True, fill_color=colour,
                                              fill_opacity=0.9),
                   tooltip=SafeTooltip(fields=["name", "address"],
                                                 aliases=[t("tt_service", lang), t("tt_address", lang)])).add_to(group)
    group.add_to(m)


def finish_layers(m: folium.Map, asset_base: str | None = "/app/static/vendor") -> None:
    """Add the layer switcher once overlays are on the map."""
    folium.LayerControl(collapsed=False).add_to(m)
    localise_assets(m, asset_base)


def inline_assets(html: str, *, vendor_dir: Path = VENDOR_DIR, asset_base: str = "/app/static/vendor") -> str:
    """Replace links to the app's Leaflet copy with the files' content (a standalone HTML map)."""
    base = re.escape(asset_base.rstrip("/"))

    def js(match):
        return "<script>" + (vendor_dir / match.group(1)).read_text(encoding="utf-8") + "</script>"

    def css(match):
        return "<style>" + (vendor_dir / match.group(1)).read_text(encoding="utf-8") + "</style>"
    html = re.sub(rf'<script src="{base}/([^"]+)"></script>', js, html)
    return re.sub(rf'<link rel="stylesheet" href="{base}/([^"]+)"/>', css, html)


def standalone_html(m: folium.Map) -> str:
    """The map as one HTML file that opens offline."""
    return inline_assets(m.get_root().render())
