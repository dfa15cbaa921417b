"""Maps of services and walking access (no Streamlit; drawn offline like every map here).

- ``services_map``: the target group per area underneath, services by category on top in
  clusters (Leaflet.markercluster served by the app) with a popup of the access attributes.
- ``access_map``: one access measure per area; estimated areas (straight line × detour
  factor) are named so in the tooltip and legend, the networked area is outlined.
- ``detour_map``: homes coloured by detour factor, railways and water, the worst pairs.
"""
from __future__ import annotations

import html as html_lib

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.plugins import FastMarkerCluster

from jmdiq_geo.analysis.attributes import parse_languages
from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.crs import DISPLAY_CRS, to_display_crs, transform_xy
from jmdiq_geo.i18n import format_number, language_label, t, t_or
from jmdiq_geo.render.maps import (NO_VALUE_COLOUR, _attribution_js, _legend_js, area_map, base_map,
                                   diverging_colours, feature_collection, finish_layers, localise_assets,
                                   palette_colours)
from jmdiq_geo.render.safe import MapScript, SafeTooltip, html_text

#: Okabe–Ito colours for service categories (colour-vision safe), by category
CATEGORY_COLOURS = {"jugendfreizeit": "#D55E00", "schule": "#0072B2", "kita": "#E69F00", "bibliothek": "#56B4E9",
                    "nachbarschaft": "#009E73", "sport": "#CC79A7", "beratung": "#7F3C8D", "gesundheit": "#999999",
                    "religion": "#F0E442", "spielplatz": "#11A579", "arbeit": "#000000"}

#: measures of an access run that can be mapped: column → (catalogue key, digits, higher is worse)
MEASURES = {"share_beyond": ("access_m_share_beyond", 0, True), "median_min": ("access_m_median_min", 1, True),
            "n_within": ("access_m_n_within", 1, False), "e2sfca": ("access_m_e2sfca", 1, False),
            "detour": ("access_m_detour", 2, True)}


#: fixed class breaks where a measure has a meaning of its own (percent, minutes); else quantiles
BREAKS = {"share_beyond": [5, 25, 50, 75], "median_min": [5, 10, 15, 20], "detour": [1.3, 1.6, 2.0, 3.0],
          "share_beyond_diff": [1, 10, 25, 50], "median_min_diff": [0.5, 2, 5, 10]}


def measure_spec(column: str) -> tuple[str, int, bool]:
    """(catalogue key, digits, higher is worse) of a result column (``n_within_<minutes>``…)."""
    return MEASURES.get("n_within" if column.startswith("n_within_") else column, ("access_m_share_beyond", 1, True))


def measure_label(column: str, lang: str, *, far: float, short: bool = False, group: str | None = None) -> str:
    """The label of a result column; ``group`` names E2SFCA's demand group where it is not the
    target group (e.g. children under 6 for Kitas)."""
    th = column.rsplit("_", 1)[-1] if column.startswith("n_within_") else f"{far:g}"
    key = measure_spec(column)[0]
    if group and column == "e2sfca" and not short:
        return t("access_m_e2sfca_group", lang, group=group)
    return t(key.replace("access_m_", "access_s_") if short else key, lang, th=th)


def _popup(row, lang: str) -> str:
    def line(key, value):
        if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
            value = t("access_not_recorded", lang)
        return f"<tr><th style='text-align:left;padding-right:6px'>{html_lib.escape(t(key, lang))}</th>" \
               f"<td>{html_lib.escape(str(value))}</td></tr>"
    langs, _ = parse_languages(row.get("languages"))
    age = "–".join(format_number(v, lang, digits=0) if v is not None and not pd.isna(v) else "…"
                   for v in (row.get("age_min"), row.get("age_max"))) \
        if not (pd.isna(row.get("age_min")) and pd.isna(row.get("age_max"))) else None
    bf = row.get("barrier_free")
    cost = row.get("cost")
    rows = [line("svc_category", t_or(f"cat_{row['category']}", row["category"], lang)),
            line("tt_address", row.get("address")),
            line("svc_languages", ", ".join(language_label(c, lang) for c in langs) if langs else None),
            line("svc_opening_hours", row.get("opening_hours")),
            line("svc_cost", t_or(f"svc_cost_{cost}", cost, lang) if cost and not pd.isna(cost) else None),
            line("svc_age", age),
            line("svc_wheelchair", None if bf is None or pd.isna(bf) else t("ui_yes" if bf else "ui_no", lang)),
            line("svc_capacity", format_number(row["capacity"], lang, digits=0)
                 if row.get("capacity") is not None and not pd.isna(row.get("capacity")) else None),
            line("svc_origin", t("svc_origin_user" if row.get("edited") else "svc_origin_import", lang)),
            *([line("svc_source", row.get("source_title"))] if "source_title" in row else [])]
    return (f"<b>{html_lib.escape(str(row.get('name') or '–'))}</b>"
            f"<table style='font-size:12px'>{''.join(rows)}</table>")


_CLUSTER_CALLBACK = """
function (row) {
    var m = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: 6, color: '#222', weight: 1, fillColor: row[3], fillOpacity: 0.95});
    m.bindPopup(row[2], {maxWidth: 320});
    m.bindTooltip(row[4]);
    return m;
};
"""


def _cluster_icon(colour: str) -> str:
    """A cluster in its category's colour with the count (the plugin's default colours by size)."""
    return ("function (cluster) { var n = cluster.getChildCount(); var d = 22 + Math.min(18, Math.log(n) * 5);"
            " return L.divIcon({html: '<div style=\"background:" + colour + ";opacity:.88;color:#fff;"
            "border:2px solid #fff;border-radius:50%;width:' + d + 'px;height:' + d + 'px;line-height:' + (d - 4) +"
            " 'px;text-align:center;font:600 11px sans-serif;text-shadow:0 0 2px #000\">' + n + '</div>',"
            " className: 'jmdiq-cluster', iconSize: L.point(d, d)}); }")


def add_service_clusters(m: folium.Map, services: gpd.GeoDataFrame, *, lang: str) -> None:
    """One clustered layer per category (toggle in the layer control), popups with attributes."""
    if services.empty:
        return
    shown = to_display_crs(services)
    for category, part in shown.groupby("category", sort=True):
        colour = CATEGORY_COLOURS.get(category, "#444444")
        data = [[round(g.y, 6), round(g.x, 6), _popup(r, lang), colour, html_text(r.get("name") or "–")]
                for g, r in zip(part.geometry, part.drop(columns="geometry").to_dict("records"))]
        label = t_or(f"cat_{category}", category, lang)
        FastMarkerCluster(data, callback=_CLUSTER_CALLBACK, name=html_text(f"{label} ({len(data)})"),
                          options={"maxClusterRadius": 45, "disableClusteringAtZoom": 16},
                          icon_create_function=_cluster_icon(colour)).add_to(m)


def services_map(areas: gpd.GeoDataFrame, values: pd.Series, services: gpd.GeoDataFrame, *, title: str, lang: str,
                 attributions: list[str], display: gpd.GeoSeries | None = None,
                 asset_base: str | None = "/app/static/vendor") -> folium.Map:
    """Target group per area (quantile classes) with clustered services on top."""
    classes = classify(values.reindex(areas["area_id"]).reset_index(drop=True), scheme="quantiles", k=5)
    colours = palette_colours("PuBu", classes.k)
    cls = classes.assignment.to_numpy()
    fill = [colours[c] if c >= 0 else NO_VALUE_COLOUR for c in cls]
    vals = values.reindex(areas["area_id"]).to_numpy(float)
    text = [format_number(v, lang, digits=0) if np.isfinite(v) else t("no_value", lang) for v in vals]
    rows = [(colours[i], f"{format_number(lo, lang, digits=0)} – {format_number(hi, lang, digits=0)}", n)
            for i, (lo, hi, n) in enumerate(zip(classes.lower, classes.upper, classes.counts))]
    m = area_map(areas.reset_index(drop=True), fill=fill, value_text=text, legend_rows=rows, title=title,
                 legend_title=title, lang=lang, attributions=attributions, display=display, asset_base=asset_base)
    add_service_clusters(m, services, lang=lang)
    finish_layers(m, asset_base)
    return m


def access_classes(areas: gpd.GeoDataFrame, table: pd.DataFrame, *, measure: str, title: str, lang: str,
                   diverging: bool = False, unit: str = "", breaks_for: str | None = None):
    """(fill per area, tooltip text per area, legend rows, legend title) of ``access_map`` — also
    what its print (``render.print_map``) is drawn with."""
    digits = measure_spec(breaks_for or measure)[1]
    merged = areas[["area_id"]].merge(table, left_on="area_id", right_on="area", how="left")
    values = merged[measure].astype(float)
    breaks = BREAKS.get(breaks_for or measure)
    classes = classify(values, scheme="manual", breaks=breaks) if breaks else classify(values, scheme="quantiles", k=5)
    higher_worse = measure_spec(breaks_for or measure)[2]
    if diverging:
        colours = diverging_colours(classes)
    elif classes.k == 1:      # one value everywhere (e.g. no added barrier): the palette's lightest colour
        colours = palette_colours("YlOrRd" if higher_worse else "YlGnBu", 5)[:1]
    else:
        colours = palette_colours("YlOrRd" if higher_worse else "YlGnBu", classes.k)
    cls = classes.assignment.to_numpy()
    fill = [colours[c] if c >= 0 else NO_VALUE_COLOUR for c in cls]
    estimate = merged["method"].fillna("").to_numpy() == "estimate"     # mixed areas say so in the tooltip
    text = [(format_number(v, lang, digits=digits) + (f" {unit}" if unit else "")
             + (" · " + t(f"access_method_{mth}", lang) if mth in ("estimate", "mixed") else ""))
            if np.isfinite(v) else t("no_value", lang)
            for v, mth in zip(values.to_numpy(), merged["method"].fillna("").to_numpy())]
    rows = [(colours[i], f"{format_number(lo, lang, digits=digits)} – {format_number(hi, lang, digits=digits)}", n)
            for i, (lo, hi, n) in enumerate(zip(classes.lower, classes.upper, classes.counts))]
    missing = int((cls < 0).sum())
    if missing:
        rows.append((NO_VALUE_COLOUR, t("no_value", lang), missing))
    n_est = int(estimate.sum())
    legend_title = title + (f" — {t('access_legend_estimates', lang, n=n_est)}" if n_est else "")
    return fill, text, rows, legend_title


def access_map(areas: gpd.GeoDataFrame, table: pd.DataFrame, *, measure: str, title: str, lang: str,
               attributions: list[str], coverage=None, diverging: bool = False, unit: str = "",
               display: gpd.GeoSeries | None = None, services: gpd.GeoDataFrame | None = None,
               breaks_for: str | None = None, asset_base: str | None = "/app/static/vendor") -> folium.Map:
    """One measure per area (``breaks_for``: the measure whose fixed class breaks apply). ``table`` has ``area``, the measure and ``method``; estimated
    areas say so in the tooltip and the legend."""
    fill, text, rows, legend_title = access_classes(areas, table, measure=measure, title=title, lang=lang,
                                                    diverging=diverging, unit=unit, breaks_for=breaks_for)
    m = area_map(areas.reset_index(drop=True), fill=fill, value_text=text, legend_rows=rows, title=title,
                 legend_title=legend_title, lang=lang, attributions=attributions, display=display,
                 asset_base=asset_base)
    if coverage is not None:
        shown = to_display_crs(gpd.GeoDataFrame(geometry=[coverage], crs=areas.crs))
        folium.GeoJson(feature_collection(shown.geometry, {"label": [t("access_network_area", lang)]}),
                       name=t("access_network_area", lang),
                       style_function=lambda f: {"fill": False, "color": "#000000", "weight": 3, "dashArray": "8 5"},
                       tooltip=SafeTooltip(fields=["label"], labels=False)).add_to(m)
    if services is not None and len(services):
        add_service_clusters(m, services, lang=lang)
    finish_layers(m, asset_base)
    return m


def detour_map(origins: pd.DataFrame, pairs: pd.DataFrame, barriers: gpd.GeoDataFrame, *, crs: str, lang: str,
               attributions: list[str], coverage=None, asset_base: str | None = "/app/static/vendor") -> folium.Map:
    """Homes on the network coloured by the detour factor to their nearest service, physical
    barriers, and the worst pairs as red lines (home → service)."""
    net = origins[origins["on_network"] & origins["detour"].notna()]
    homes = to_display_crs(gpd.GeoDataFrame(geometry=gpd.points_from_xy(net["x"], net["y"]), crs=crs))
    frame = to_display_crs(gpd.GeoDataFrame(geometry=[coverage], crs=crs)) if coverage is not None else homes
    # the view fits the homes: a town's extract may carry main roads far beyond it
    m = base_map(homes if len(net) else frame, asset_base=asset_base, legend=True)
    if coverage is not None:
        folium.GeoJson(feature_collection(frame.geometry, {}), name=t("access_network_area", lang), control=False,
                       interactive=False,
                       style_function=lambda f: {"fill": False, "color": "#000", "weight": 2, "dashArray": "8 5"}).add_to(m)
    if len(barriers):
        shown = to_display_crs(barriers[["kind", "class", "name", "geometry"]].fillna("–"))
        for kind, colour in (("water", "#2b83ba"), ("rail", "#444444"), ("road", "#7b3294")):
            part = shown[shown["kind"] == kind]
            if len(part):
                folium.GeoJson(feature_collection(part.geometry, {"name": part["name"].tolist(),
                                                                  "class": part["class"].tolist()}),
                               name=t(f"access_barrier_{kind}", lang),
                               style_function=lambda f, c=colour: {"color": c, "weight": 3, "fillColor": c,
                                                                   "fillOpacity": 0.35},
                               tooltip=SafeTooltip(fields=["name", "class"], labels=False)).add_to(m)
    cut_off = origins[origins["unreachable"]]
    if len(cut_off):
        lon, lat = transform_xy(cut_off["x"].to_numpy(), cut_off["y"].to_numpy(), from_crs=crs, to_crs=DISPLAY_CRS)
        label = t("acc_unreachable", lang)
        folium.GeoJson(feature_collection(gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=DISPLAY_CRS),
                                          {"label": [label] * len(cut_off)}),
                       name=f"{label} ({len(cut_off)})",
                       marker=folium.CircleMarker(radius=5, weight=2, color="#000000", fill=True,
                                                  fill_color="#ffffff", fill_opacity=1),
                       tooltip=SafeTooltip(fields=["label"], labels=False)).add_to(m)
    bins = [1.0, 1.3, 1.6, 2.0, 3.0, np.inf]
    colours = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]
    rows = []
    if len(net):
        lon, lat = transform_xy(net["x"].to_numpy(), net["y"].to_numpy(), from_crs=crs, to_crs=DISPLAY_CRS)
        idx = np.clip(np.digitize(net["detour"].to_numpy(), bins) - 1, 0, len(colours) - 1)
        pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=DISPLAY_CRS)
        labels = [format_number(d, lang, digits=2) for d in net["detour"]]
        folium.GeoJson(feature_collection(pts, {"fill": [colours[i] for i in idx], "detour": labels,
                                                "service": net["nearest_name"].astype(object).fillna("–").tolist()}),
                       name=t("access_m_detour", lang),
                       marker=folium.CircleMarker(radius=3, weight=0.5, color="#333", fill=True, fill_opacity=0.9),
                       style_function=lambda f: {"fillColor": f["properties"]["fill"]},
                       tooltip=SafeTooltip(fields=["detour", "service"],
                                                     aliases=[t("access_m_detour", lang), t("tt_service", lang)])
                       ).add_to(m)
        counts = np.bincount(idx, minlength=len(colours))
        rows = [(c, f"{format_number(lo, lang, digits=1)} – " + (format_number(hi, lang, digits=1)
                                                                  if np.isfinite(hi) else "…"), int(n))
                for c, lo, hi, n in zip(colours, bins[:-1], bins[1:], counts)]
    if len(pairs):
        a = transform_xy(pairs["x"].to_numpy(), pairs["y"].to_numpy(), from_crs=crs, to_crs=DISPLAY_CRS)
        b = transform_xy(pairs["sx"].to_numpy(), pairs["sy"].to_numpy(), from_crs=crs, to_crs=DISPLAY_CRS)
        group = folium.FeatureGroup(name=t("access_worst_pairs", lang))
        for i in range(len(pairs)):
            tip = t("access_pair_tip", lang, service=str(pairs["service"].iloc[i]),
                    straight=format_number(pairs["straight_m"].iloc[i], lang, digits=0),
                    network=format_number(pairs["network_m"].iloc[i], lang, digits=0)
                    if np.isfinite(pairs["network_m"].iloc[i]) else "> " + format_number(
                        pairs["straight_m"].iloc[i] * pairs["detour"].iloc[i], lang, digits=0))
            folium.PolyLine([[a[1][i], a[0][i]], [b[1][i], b[0][i]]], color="#b2182b", weight=3,
                            tooltip=html_text(tip)).add_to(group)
        group.add_to(m)
    MapScript(_legend_js(t("access_m_detour", lang), rows)).add_to(m)
    MapScript(_attribution_js(attributions)).add_to(m)
    localise_assets(m, asset_base)
    finish_layers(m, asset_base)
    return m


def persona_summary(persona, lang: str) -> str:
    """One line naming what a persona asks for."""
    parts = []
    if persona.age is not None:
        parts.append(t("persona_age_is", lang, age=format_number(persona.age, lang, digits=0)))
    if persona.languages:
        parts.append(", ".join(language_label(c, lang) for c in persona.languages))
    if persona.when:
        parts.append(persona.when)
    if persona.free_only:
        parts.append(t("persona_free", lang))
    if persona.wheelchair:
        parts.append(t("persona_wheelchair", lang))
    return " · ".join(parts) or "–"
