"""A presentation (story) as one standalone HTML file: every slide, script, style and datum inlined.

Map slides are the Leaflet maps the pages draw (``render.indicator_map.draw`` / ``category_map``),
put into one document: Leaflet is inlined once, each map keeps its own element and script. All
slides are laid out full-screen on top of each other and only the current one is visible, so
every map knows its size when it is drawn. Netzwerkkarte slides are inline SVG, profile slides an
HTML table. Every text from outside (story title, captions, names, sources) is escaped here.
Navigation: arrow keys, Page Up/Down, space, Home/End, the buttons, and ``#n`` in the address.
"""
from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field

import folium
import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd

from jmdiq_geo.i18n import format_date, format_number, t
from jmdiq_geo.render.maps import feature_collection, inline_assets
from jmdiq_geo.render.network import network_figure

#: where the maps link Leaflet before it is inlined (any prefix works; it never reaches a browser)
ASSET_BASE = "/app/static/vendor"


@dataclass
class RenderedSlide:
    """One slide ready to be written: exactly one of ``map``, ``svg``, ``table_html`` is set."""
    kind: str
    title: str
    caption: str = ""
    attributions: list[str] = field(default_factory=list)
    map: folium.Map | None = None
    svg: str | None = None
    #: an HTML table built by ``profile_table`` (every cell escaped)
    table_html: str | None = None


def esc(value) -> str:
    return html_lib.escape("" if value is None else str(value), quote=True)


def caption_html(text: str) -> str:
    """A user's caption as HTML text: escaped, line breaks kept."""
    return "<br>".join(esc(line) for line in (text or "").splitlines())


def highlight(m: folium.Map, shapes: gpd.GeoDataFrame) -> None:
    """Outline the highlighted areas (EPSG:4326) on top, not clickable."""
    if shapes is None or shapes.empty:
        return
    folium.GeoJson(feature_collection(shapes.geometry, {}), name="highlight", interactive=False, control=False,
                   style_function=lambda f: {"fill": False, "color": "#111111", "weight": 4}).add_to(m)


def fit(m: folium.Map, bounds: list[float] | None) -> None:
    """Open the map at ``bounds`` = [west, south, east, north] (EPSG:4326)."""
    if bounds:
        w, s, e, n = bounds
        m.fit_bounds([[s, w], [n, e]])


def network_svg(partners: pd.DataFrame, ties: pd.DataFrame, *, year: int, title: str) -> str:
    """The Netzwerkkarte as inline SVG with its text as text (small, searchable)."""
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        data = network_figure(partners, ties, year=year, title=title, fmt="svg").decode("utf-8")
    return data[data.index("<svg"):]


def profile_table(rows: pd.DataFrame, *, lang: str, district_label: str, alone: bool = False) -> str:
    """The profile's key indicators (label, period, value, district, city, rank) as an escaped table.
    ``rows``: label, unit, period, value_text (or value), district, city, rank, n. ``alone``: the
    area is its level's only one, the whole: without the city value and the rank."""
    head = [t("story_col_indicator", lang), t("story_col_period", lang), t("story_col_value", lang),
            district_label, t("tt_city", lang), t("tt_rank", lang)]
    keep = 4 if alone else 6

    def num(v, digits=1):
        return format_number(v, lang, digits=digits) if v is not None and np.isfinite(v) else "–"
    body = []
    for r in rows.itertuples():
        digits = 0 if getattr(r, "kind", None) == "extensive" else 1
        value = r.value_text if isinstance(getattr(r, "value_text", None), str) else num(r.value, digits)
        unit = f" {r.unit}" if isinstance(r.unit, str) and r.unit and value != "–" else ""
        rank = t("rank_of", lang, rank=int(r.rank), n=int(r.n)) if r.rank is not None and np.isfinite(r.rank) else "–"
        cells = [r.label, format_date(r.period, lang), value + unit, num(r.district, digits), num(r.city, digits), rank]
        body.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells[:keep]) + "</tr>")
    return ('<table class="profile"><thead><tr>' + "".join(f"<th>{esc(h)}</th>" for h in head[:keep])
            + "</tr></thead><tbody>" + "".join(body) + "</tbody></table>")


_STYLE = """
html, body {margin:0; padding:0; width:100%; height:100%; overflow:hidden; font:15px/1.4 sans-serif; background:#fff}
section.slide {position:absolute; inset:0; display:flex; flex-direction:column; visibility:hidden}
section.slide.current {visibility:visible}
.slide header {padding:8px 16px 4px; border-bottom:1px solid #ddd}
.slide header h1 {font-size:20px; margin:0}
.slide header .story {color:#666; font-size:13px}
.slide .body {flex:1; position:relative; min-height:0; overflow:auto}
.slide .body .folium-map {position:absolute !important; inset:0}
.slide .body svg {display:block; margin:0 auto; max-height:100%; max-width:100%; height:auto}
.slide footer {padding:6px 16px 44px; border-top:1px solid #ddd; background:#fafafa}
.slide .caption {font-size:17px; white-space:normal}
.slide .sources {color:#555; font-size:12px; margin-top:4px}
table.profile {border-collapse:collapse; margin:16px auto; font-size:15px}
table.profile th, table.profile td {border-bottom:1px solid #ddd; padding:5px 10px; text-align:right}
table.profile th:first-child, table.profile td:first-child {text-align:left}
#nav {position:fixed; right:12px; bottom:8px; z-index:2000; display:flex; gap:8px; align-items:center;
      font-size:14px}
#nav button {font-size:16px; padding:4px 14px; cursor:pointer}
"""

_SCRIPT = """
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll('section.slide'));
  var counter = document.getElementById('counter');
  var current = 0;
  function show(i) {
    current = Math.max(0, Math.min(slides.length - 1, i));
    slides.forEach(function (s, k) { s.classList.toggle('current', k === current); });
    counter.textContent = (current + 1) + ' / ' + slides.length;
    var name = slides[current].getAttribute('data-map');
    if (name && window[name]) { window[name].invalidateSize(); }
    if (history.replaceState) { history.replaceState(null, '', '#' + (current + 1)); }
  }
  document.addEventListener('keydown', function (e) {
    var step = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, ' ': 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1}[e.key];
    if (e.key === 'Home') { show(0); } else if (e.key === 'End') { show(slides.length - 1); }
    else if (step) { show(current + step); } else { return; }
    e.preventDefault(); e.stopPropagation();
  }, true);
  document.getElementById('prev').addEventListener('click', function () { show(current - 1); });
  document.getElementById('next').addEventListener('click', function () { show(current + 1); });
  var start = parseInt((location.hash || '#1').slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
  window.jmdiqStory = {show: show, current: function () { return current; }, count: slides.length};
})();
"""


def story_html(title: str, slides: list[RenderedSlide], *, lang: str) -> str:
    """The story as one HTML document that opens offline (see the module)."""
    heads: list[str] = []
    scripts: list[str] = []
    sections: list[str] = []
    for n, slide in enumerate(slides, start=1):
        data_map = ""
        if slide.map is not None:
            root = slide.map.get_root()
            root.render()
            for child in root.header._children.values():
                part = child.render()
                if part not in heads:
                    heads.append(part)
            body = root.html.render()
            scripts.append(root.script.render())
            data_map = f' data-map="{esc(slide.map.get_name())}"'
        elif slide.svg is not None:
            body = slide.svg
        else:
            body = slide.table_html or ""
        sources = (f'<div class="sources">{esc(t("story_sources", lang))}: '
                   f'{" · ".join(esc(a) for a in slide.attributions)}</div>') if slide.attributions else ""
        sections.append(
            f'<section class="slide" id="slide-{n}" data-kind="{esc(slide.kind)}"{data_map}>'
            f'<header><div class="story">{esc(title)}</div><h1>{esc(slide.title)}</h1></header>'
            f'<div class="body">{body}</div>'
            f'<footer><div class="caption">{caption_html(slide.caption)}</div>{sources}</footer></section>')
    # folium sizes html/body itself; the story's own layout follows after its styles
    head = "\n".join(h for h in heads if not re.search(r"<meta|html, body", h))
    nav = (f'<div id="nav"><button id="prev" title="{esc(t("story_prev", lang))}">&#8592;</button>'
           f'<span id="counter">1 / {len(slides)}</span>'
           f'<button id="next" title="{esc(t("story_next", lang))}">&#8594;</button></div>')
    document = (f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
                f"{head}\n<style>{_STYLE}</style>\n</head>\n<body>\n" + "\n".join(sections) + nav
                + "\n<script>\n" + "\n".join(scripts) + "\n</script>\n<script>" + _SCRIPT
                + "</script>\n</body>\n</html>\n")
    return inline_assets(document, asset_base=ASSET_BASE)

