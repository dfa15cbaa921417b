"""What makes an interactive map readable without a tile server: area names as labels at a
zoom where they fit, the context layers of the workspace (main streets, water, railways,
parks), a note where there are none, and the view kept while the page redraws the map.

- Labels: each level's names are shown from the zoom at which a typical area of it is wide
  enough on screen for a name (``label_min_zoom``), so the city view shows the districts' names
  and a quarter's view the small areas' names, never both piled up; where two names would
  overlap on screen, the larger area's is shown. Names are text, escaped
  (``render.safe.html_text``).
- Context: simplified for the screen, tiny ponds and parks left out, lines merged per class;
  streets shown only from ``STREETS_MIN_ZOOM`` (at city zoom they are clutter).
- View: the map remembers its centre and zoom in the browser tab's ``sessionStorage`` under a
  key of the page's map; a map drawn again (another indicator, a widget changed) with the same
  ``token`` (what the user zoomed to) opens where the user left it. A new token ("zoom to"
  another area) fits the map to that area. No rerun of the page on pan or zoom. The kept view
  also holds the bounds on screen ([west, south, east, north]): the "add to presentation" button
  (``ui/view_button``) reads them on click, so a slide records the extent the user looks at.
"""
from __future__ import annotations

import json
import math

import folium
import geopandas as gpd
import numpy as np
import shapely

from jmdiq_geo.crs import to_display_crs
from jmdiq_geo.render.safe import MapScript, html_text, sources_js

#: pixels a typical area must span on screen before its name is shown
LABEL_MIN_PX = 70
#: metres per pixel at zoom 0 on the equator (Web Mercator, 256 px tiles)
EQUATOR_M_PER_PX = 156543.03392
STREETS_MIN_ZOOM = 12
#: area (m²) below which a water or park polygon is not drawn
MIN_POLYGON_M2 = {"water": 5_000.0, "parks": 20_000.0}
#: water nearly white inside a blue shore line: a light blue fill was taken for a class of the
#: blue palettes (cold spots, falls in a change map)
STYLE = {"water": {"color": "#3f7fbf", "weight": 1.1, "fillColor": "#eef4fa", "fillOpacity": 0.92},
         "parks": {"color": "#4f9a4f", "weight": 0.8, "fillColor": "#b5dcb0", "fillOpacity": 0.35},
         "rail": {"color": "#555555", "weight": 1.6, "dashArray": "5 3", "fill": False},
         "streets": {"color": "#8c6d46", "weight": 1.4, "opacity": 0.8, "fill": False}}

_LABEL_CSS = (".jmdiq-label{background:none;border:none}"
              ".jmdiq-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
              "font:600 11px/1.1 sans-serif;color:#1a1a1a;pointer-events:none;"
              "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff}"
              ".jmdiq-label.top span{font-size:12px;color:#000}"
              # the source line over the labels: Leaflet's 80 % white let names show through it
              ".leaflet-container .leaflet-control-attribution{background:rgba(255,255,255,.95)}")


def label_min_zoom(areas_m2, latitude: float, *, min_px: int = LABEL_MIN_PX) -> int:
    """The smallest web-map zoom at which an area of the median size (``areas_m2``) spans
    ``min_px`` pixels (its side taken as √area) at ``latitude``; between 8 and 18."""
    sizes = np.asarray(areas_m2, dtype=float)
    sizes = sizes[np.isfinite(sizes) & (sizes > 0)]
    if not len(sizes):
        return 18
    side = math.sqrt(float(np.median(sizes)))
    zoom = math.log2(min_px * EQUATOR_M_PER_PX * math.cos(math.radians(latitude)) / side)
    return int(min(18, max(8, math.ceil(zoom))))


def label_points(areas: gpd.GeoDataFrame) -> list[list]:
    """[lat, lon, escaped name, area id] of each area, at a point inside it (work CRS in)."""
    points = to_display_crs(gpd.GeoDataFrame(geometry=areas.geometry.representative_point(), crs=areas.crs))
    names = areas["name"].fillna(areas["area_id"]).astype(str).to_numpy()
    return [[round(p.y, 5), round(p.x, 5), html_text(n), str(a)]
            for p, n, a in zip(points.geometry, names, areas["area_id"].to_numpy())]


def label_groups(levels: list[tuple[gpd.GeoDataFrame, int]]) -> list[dict]:
    """Label groups from (areas, min zoom) pairs ordered from the largest areas to the shown
    level: each group is shown from its own zoom up to the next group's."""
    groups = []
    for i, (areas, zoom) in enumerate(levels):
        upto = levels[i + 1][1] if i + 1 < len(levels) else 99
        if zoom >= upto:          # a level whose names fit no earlier than the next one's: skipped
            continue
        # the largest areas first: where two names would overlap, the larger area's is shown
        by_size = areas.iloc[np.argsort(-areas.geometry.area.to_numpy(), kind="stable")]
        groups.append({"min": zoom, "max": upto, "top": i < len(levels) - 1, "items": label_points(by_size)})
    return groups


def add_labels(m: folium.Map, groups: list[dict]) -> None:
    """The label groups on ``m``, each shown only in its zoom range (see ``label_groups``)."""
    if not groups:
        return
    MapScript(
        "var css=document.createElement('style');css.textContent=" + json.dumps(_LABEL_CSS)
        + ";document.head.appendChild(css);var groups=" + json.dumps(groups, ensure_ascii=False) + ";"
        "groups.forEach(function(g){g.layer=L.layerGroup(g.items.map(function(i){return L.marker([i[0],i[1]],"
        "{icon:L.divIcon({className:'jmdiq-label'+(g.top?' top':''),html:'<span>'+i[2]+'</span>',iconSize:null}),"
        "interactive:false,keyboard:false});}));});"
        "function declutter(){var spans=[];groups.forEach(function(g){if(map.hasLayer(g.layer)){g.layer.eachLayer("
        "function(k){var e=k.getElement();if(e&&e.firstChild){spans.push(e.firstChild);}});}});"
        "spans.forEach(function(s){s.style.visibility='visible';});var rects=spans.map(function(s){"
        "return s.getBoundingClientRect();}),kept=[];spans.forEach(function(s,i){var r=rects[i];"
        "var hit=kept.some(function(o){return r.left+3<o.right&&o.left+3<r.right&&r.top+3<o.bottom&&o.top+3<r.bottom;});"
        "if(hit){s.style.visibility='hidden';}else{kept.push(r);}});}"
        "function update(){var z=map.getZoom();groups.forEach(function(g){var on=z>=g.min&&z<g.max;"
        "if(on&&!map.hasLayer(g.layer)){g.layer.addTo(map);}if(!on&&map.hasLayer(g.layer)){map.removeLayer(g.layer);}});"
        "declutter();}"
        "map.on('zoomend',update);map.whenReady(update);").add_to(m)


def context_display(layers: dict[str, gpd.GeoDataFrame], *, tolerance_m: float = 12.0,
                    decimals: int = 4) -> dict[str, gpd.GeoDataFrame]:
    """The context layers (work CRS) as they are drawn: small polygons left out, simplified,
    lines merged per class, one multi-geometry per layer and kind of shape, in EPSG:4326 with
    ``decimals`` (4 ≈ 10 m: a pixel at quarter zoom)."""
    out = {}
    for layer, frame in layers.items():
        if frame.empty:
            continue
        geoms = frame.geometry
        area = shapely.area(geoms.array)
        polygon = np.isin(np.asarray(shapely.get_type_id(geoms.array)), [3, 6])
        keep = ~polygon | (area >= MIN_POLYGON_M2.get(layer, 0.0))
        part = frame[keep]
        lines = part[~polygon[keep]]
        shapes = list(part[polygon[keep]].geometry.simplify(tolerance_m, preserve_topology=True))
        if len(lines):
            for _, group in lines.groupby(lines["class"].fillna("").astype(str), sort=True):
                merged = shapely.line_merge(shapely.union_all(group.geometry.array))
                shapes.extend(shapely.get_parts(shapely.simplify(merged, tolerance_m)))
        shapes = [g for g in shapes if g is not None and not g.is_empty]
        if not shapes:
            continue
        # one multi-geometry per kind of shape: no per-feature overhead in the page
        kinds = np.asarray(shapely.get_type_id(shapes))
        polys = [g for g, k in zip(shapes, kinds) if k in (3, 6)]
        lines = [g for g, k in zip(shapes, kinds) if k in (1, 2, 5)]
        merged = [g for g in (shapely.multipolygons(shapely.get_parts(polys)) if polys else None,
                              shapely.multilinestrings(shapely.get_parts(lines)) if lines else None) if g is not None]
        shown = to_display_crs(gpd.GeoDataFrame(geometry=merged, crs=frame.crs))
        rounded = shapely.transform(shown.geometry.array, lambda xy: np.round(xy, decimals))
        out[layer] = gpd.GeoDataFrame(geometry=rounded, crs=shown.crs)
    return out


def add_context(m: folium.Map, shown: dict[str, gpd.GeoDataFrame]) -> None:
    """Context layers (``context_display``) on top of the areas: not interactive (area tooltips
    stay reachable), streets only from ``STREETS_MIN_ZOOM``."""
    from jmdiq_geo.render.maps import feature_collection

    for layer in ("parks", "water", "rail", "streets"):
        if layer not in shown:
            continue
        style = STYLE[layer]
        g = folium.GeoJson(feature_collection(shown[layer].geometry, {}), name=f"context-{layer}",
                           interactive=False, control=False, style_function=lambda f, s=style: s)
        g.add_to(m)
        if layer == "streets":
            MapScript("var layer=" + g.get_name() + ";function update(){var on=map.getZoom()>="
                       + str(STREETS_MIN_ZOOM) + ";if(on&&!map.hasLayer(layer)){layer.addTo(map);}"
                       "if(!on&&map.hasLayer(layer)){map.removeLayer(layer);}}"
                       "map.on('zoomend',update);map.whenReady(update);").add_to(m)


def add_note(m: folium.Map, text: str) -> None:
    """A small note in the top left corner, under the zoom buttons and the scale (e.g. "no
    context layers in this workspace"); at the bottom a long source line ran over it."""
    MapScript("var note=L.control({position:'topleft'});note.onAdd=function(){var d=L.DomUtil.create('div',"
               "'jmdiq-note');d.style.cssText='background:rgba(255,255,255,.85);padding:2px 6px;font:11px sans-serif;"
               "color:#444;border-radius:3px;max-width:260px';d.textContent=" + json.dumps(text, ensure_ascii=False)
               + ";return d;};note.addTo(map);").add_to(m)


def add_view_memory(m: folium.Map, *, key: str, token: str,
                    fit: tuple[float, float, float, float] | None = None) -> None:
    """Keep the view (centre, zoom) across redraws of the map ``key`` while ``token`` (what
    the user zoomed to) stays the same (see the module); a new token opens the map on ``fit``
    (lon/lat bounds; None: as the map was fitted). Without animation: an animated zoom would
    end after the view was restored and throw it away."""
    from jmdiq_geo.render.maps import LEGEND_ROOM

    fit_js = ("map.fitBounds([[%r,%r],[%r,%r]],{animate:false,paddingBottomRight:[%d,%d]});"
              % (fit[1], fit[0], fit[3], fit[2], *LEGEND_ROOM)) if fit is not None else ""
    MapScript("var key=" + json.dumps("jmdiq-view:" + key) + ",token=" + json.dumps(token) + ";"
            "var restored=false;try{var s=JSON.parse(window.sessionStorage.getItem(key)||'null');"
            "if(s&&s.token===token){map.setView([s.lat,s.lng],s.zoom,{animate:false});restored=true;}}catch(e){}"
            "if(!restored){" + fit_js + "}"
            "function save(){try{var c=map.getCenter(),b=map.getBounds();window.sessionStorage.setItem(key,"
            "JSON.stringify({token:token,lat:c.lat,lng:c.lng,zoom:map.getZoom(),"
            "bounds:[b.getWest(),b.getSouth(),b.getEast(),b.getNorth()]}));}catch(e){}}"
            "map.on('moveend',save);save();").add_to(m)


def make_readable(m: folium.Map, *, context: dict[str, gpd.GeoDataFrame], labels: list[dict],
                  note: str | None = None, attributions: list[str] = (), view: tuple[str, str] | None = None,
                  fit: tuple[float, float, float, float] | None = None) -> None:
    """Context, labels, the note where there is no context, the context's sources and the kept
    view on any area map (hot spots, index maps, access, quarter, locations …) drawn without a
    ``MapDescription``; ``fit``: the lon/lat bounds a new view token opens on ("zoom to")."""
    add_context(m, context)
    if not context and note:
        add_note(m, note)
    add_labels(m, labels)
    if attributions:
        MapScript(sources_js("map", attributions)).add_to(m)
    if view is not None:
        add_view_memory(m, key=view[0], token=view[1], fit=fit)
