"""Static maps for print: PNG and SVG at print resolution, a PDF page in A4 or A3.

A map to print is described once as a ``PrintMap`` (areas with their fill colours, the legend's
rows, title, Stichtag, sources with licences, outlines, optional context and points); the
builders take what the interactive maps are drawn from — ``from_description`` a
``services.maps.MapDescription`` (Karte, change map), ``from_categories`` the categories of an
index or hot-spot map, ``from_rows`` fills and legend rows computed elsewhere (access maps,
the quarter's areas) — and use the same colours, class bounds and number formats, so paper and
screen cannot disagree. ``render`` draws it with matplotlib (Agg; figures made without pyplot,
so it is safe in a download's worker thread): title, legend with class bounds and counts,
scale bar, north arrow, data date, sources and licences, district outlines and area labels
where they fit. Hidden areas (privacy rules applied before) are drawn as "no value".
"""
from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import patheffects, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Polygon as MplPolygon
from matplotlib.patches import Rectangle

from jmdiq_geo.i18n import format_date, format_number, t
from jmdiq_geo.render.maps import NO_VALUE_COLOUR, category_fill, diverging_colours, palette_colours

#: paper sizes in inches (width × height, portrait)
PAPER = {"A4": (8.27, 11.69), "A3": (11.69, 16.54)}
#: the canvas of PNG and SVG files: A4 landscape (at 300 dpi: 3508 × 2480 pixels)
IMAGE_PAPER = "A4"
PRINT_DPI = 300
FORMATS = ("png", "svg", "pdf")
#: context layers (``services.context.context_layers``): drawing order and style
CONTEXT_STYLE = {"parks": {"facecolor": "#b8d8a8", "edgecolor": "none", "alpha": 0.45, "linewidth": 0},
                 "water": {"facecolor": "#9cc3e6", "edgecolor": "#6fa3d0", "alpha": 0.9, "linewidth": 0.3},
                 "streets": {"color": "#ffffff", "linewidth": 0.9, "alpha": 0.9},
                 "rail": {"color": "#333333", "linewidth": 0.8, "alpha": 0.9, "linestyle": (0, (4, 2))}}
#: most areas labelled by name; on levels with more, only the outline areas (districts) are
LABEL_ALL_MAX = 80


@dataclass
class PrintMap:
    """Everything a printed map shows (geometry in the work CRS, metres)."""
    areas: gpd.GeoDataFrame                  # geometry, name
    fill: list[str]                          # one colour per area, in order
    legend_title: str
    legend_rows: list[tuple[str, str, int]]  # (colour, label, number of areas)
    title: str
    lang: str
    attributions: list[str]
    periods: list[date] = field(default_factory=list)   # the data date(s) (Stichtag)
    subtitle: str = ""
    outlines: gpd.GeoDataFrame | None = None            # geometry, optional name (labelled)
    context: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    #: (points, colour, label) drawn on top, each a legend row of its own
    points: list[tuple[gpd.GeoDataFrame, str, str]] = field(default_factory=list)
    programme_areas: gpd.GeoDataFrame | None = None
    highlight: gpd.GeoDataFrame | None = None           # e.g. the quarter, drawn as a thick line
    edges: bool = True                                  # thin white lines between areas (not for cells)
    note: str = ""                                      # one line under the legend (e.g. the city value)


# --------------------------------------------------------------------------- builders

def legend_rows_for_classes(classes, colours: list[str], *, digits: int, lang: str) -> list[tuple[str, str, int]]:
    """The class rows of a legend as the interactive maps write them (``render.maps.choropleth``)."""
    rows = [(colours[i], f"{format_number(lo, lang, digits=digits)} – {format_number(hi, lang, digits=digits)}", n)
            for i, (lo, hi, n) in enumerate(zip(classes.lower, classes.upper, classes.counts))]
    missing = int((classes.assignment.to_numpy() < 0).sum())
    if missing:
        rows.append((NO_VALUE_COLOUR, t("no_value", lang), missing))
    return rows


def from_description(d, *, outlines: gpd.GeoDataFrame | None = None, period_from: date | None = None,
                     subtitle: str = "", context: dict | None = None) -> PrintMap:
    """The print of a ``services.maps.MapDescription`` (same classes, colours and sources as
    ``render.indicator_map.draw``). ``outlines``: the top level's areas (work CRS, with names
    for labels)."""
    areas = d.layer.areas
    if d.official:
        colours = palette_colours(d.palette, len(d.official))
        pm = from_categories(areas, codes=areas["value"],
                             categories=[(code, label, c) for (code, label), c in zip(d.official, colours)],
                             title=d.title, lang=d.lang, attributions=d.attributions, outlines=outlines,
                             periods=[d.layer.period], subtitle=subtitle, context=context)
    else:
        colours = diverging_colours(d.classes) if d.diverging else palette_colours(d.palette, d.classes.k)
        cls = d.classes.assignment.reindex(areas.index).to_numpy()
        fill = [colours[c] if c >= 0 else NO_VALUE_COLOUR for c in cls]
        unit_txt = f" {d.unit}" if d.unit and d.unit not in ("Personen",) else ""
        # persons are whole (a change of a count too: the description's digits say 1 for it)
        digits = 0 if d.unit == "Personen" else d.value_digits
        city = d.layer.city_value
        note = "" if d.cells or city is None or not np.isfinite(city) else \
            f"{d.city_name or t('tt_city', d.lang)}: {format_number(city, d.lang, digits=digits)}{unit_txt}"
        pm = PrintMap(areas=areas, fill=fill, legend_title=d.title + (f" ({d.unit})" if d.unit else ""),
                      legend_rows=legend_rows_for_classes(d.classes, colours, digits=digits, lang=d.lang),
                      title=d.title, lang=d.lang, attributions=list(d.attributions),
                      periods=[p for p in (period_from, d.layer.period) if p is not None], subtitle=subtitle,
                      outlines=outlines, context=dict(context or {}), edges=not d.cells, note=note)
    ov = d.overlays
    if ov.programme_areas is not None and len(ov.programme_areas):
        pm.programme_areas = ov.programme_areas
    from jmdiq_geo.render.access_maps import CATEGORY_COLOURS
    from jmdiq_geo.render.indicator_map import PARTNER_COLOUR, PROJECT_COLOUR
    from jmdiq_geo.i18n import t_or
    for category, points in ov.services.items():
        if len(points):
            pm.points.append((points, CATEGORY_COLOURS.get(category, "#444444"), t_or(f"cat_{category}", category, d.lang)))
    for points, colour, key in ((ov.projects, PROJECT_COLOUR, "projects_projects"),
                                (ov.partners, PARTNER_COLOUR, "projects_tab_partners")):
        if points is not None and len(points):
            pm.points.append((points, colour, t(key, d.lang)))
    return pm


def from_categories(areas: gpd.GeoDataFrame, *, codes: pd.Series, categories: list[tuple[object, str, str]],
                    title: str, lang: str, attributions: list[str], outlines: gpd.GeoDataFrame | None = None,
                    periods: list[date] | None = None, subtitle: str = "", context: dict | None = None) -> PrintMap:
    """Areas coloured by category (index classes, hot-spot clusters), counted per category as in
    ``render.maps.category_map``."""
    _, fill, rows = category_fill(areas, codes, categories, lang)
    return PrintMap(areas=areas, fill=fill, legend_title=title, legend_rows=rows, title=title, lang=lang,
                    attributions=list(attributions), periods=list(periods or []), subtitle=subtitle,
                    outlines=outlines, context=dict(context or {}))


def map_outlines(ws, level: str) -> gpd.GeoDataFrame | None:
    """The outlines over a map of ``level`` with their names (for labels): the top level's areas
    below the top level, and the context outlines (Kreis, Land around a Gemeinde starter)."""
    parts = []
    top = ws.top_level()
    if top and top != level:
        upper = ws.areas(top)
        parts.append(upper[[c for c in ("name", "geometry") if c in upper]])
    context = ws.context_areas()
    if len(context):
        parts.append(context[["geometry"]].assign(name=None))
    if not parts:
        return None
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=ws.work_crs)


# --------------------------------------------------------------------------- drawing

def _polygon_patches(geoms) -> list[MplPolygon]:
    """One matplotlib patch per exterior ring (holes are few and small at print scale: drawn
    over by the neighbour that fills them), with the index of the area it belongs to."""
    patches, owners = [], []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            continue
        for poly in getattr(g, "geoms", [g]):
            if poly.geom_type != "Polygon":
                continue
            patches.append(MplPolygon(np.asarray(poly.exterior.coords)[:, :2], closed=True))
            owners.append(i)
    return patches, owners


def _lines(ax, geoms, **style) -> None:
    from matplotlib.collections import LineCollection

    segs = []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        b = g.boundary if g.geom_type in ("Polygon", "MultiPolygon") else g
        for part in getattr(b, "geoms", [b]):
            if part.geom_type in ("LineString", "LinearRing"):
                segs.append(np.asarray(part.coords)[:, :2])
    if segs:
        ax.add_collection(LineCollection(segs, **style))


def _fill(ax, geoms, *, facecolor, edgecolor="none", linewidth=0.0, alpha=1.0, zorder=1) -> None:
    patches, _ = _polygon_patches(geoms)
    if patches:
        ax.add_collection(PatchCollection(patches, facecolor=facecolor, edgecolor=edgecolor, linewidth=linewidth,
                                          alpha=alpha, zorder=zorder))


def _halo_text(ax, x, y, text, **kw) -> None:
    """Text with a white halo that stays text in PDF and SVG: the halo is a stroked copy below
    (path effects turn the text itself into outlines, which pdftotext and screen readers lose)."""
    ax.text(x, y, text, path_effects=[patheffects.Stroke(linewidth=kw.pop("halo", 2.4), foreground="white")],
            **{**kw, "zorder": kw.get("zorder", 15) - 0.5})
    ax.text(x, y, text, **kw)


def _nice_length(max_m: float) -> float:
    """The longest 1-2-5 step not above ``max_m`` metres."""
    exp = 10 ** np.floor(np.log10(max_m))
    for step in (5, 2, 1):
        if step * exp <= max_m:
            return step * exp
    return exp


def _scale_bar(ax, extent, width_in: float, lang: str) -> None:
    xmin, xmax, ymin, ymax = extent
    length = _nice_length((xmax - xmin) * 0.22)
    x0, y0 = xmin + (xmax - xmin) * 0.03, ymin + (ymax - ymin) * 0.035
    h = (ymax - ymin) * 0.008
    half = length / 2
    for i, colour in enumerate(("#222222", "#ffffff", "#222222", "#ffffff")):
        ax.add_patch(Rectangle((x0 + i * half / 2, y0), half / 2, h, facecolor=colour, edgecolor="#222222",
                               linewidth=0.6, zorder=20))
    text = (format_number(length / 1000, lang, digits=0 if length >= 1000 else 1) + " km") if length >= 500 \
        else format_number(length, lang, digits=0) + " m"
    _halo_text(ax, x0, y0 + h * 1.8, "0", fontsize=7, ha="center", va="bottom", zorder=21)
    _halo_text(ax, x0 + length, y0 + h * 1.8, text, fontsize=7, ha="center", va="bottom", zorder=21)


def _north_arrow(ax, extent) -> None:
    xmin, xmax, ymin, ymax = extent
    span = ymax - ymin
    x, y = xmax - (xmax - xmin) * 0.035, ymax - span * 0.06
    size = span * 0.06
    ax.add_patch(MplPolygon([[x, y], [x - size * 0.32, y - size], [x, y - size * 0.72]], closed=True,
                            facecolor="#222222", edgecolor="#222222", linewidth=0.6, zorder=20))
    ax.add_patch(MplPolygon([[x, y], [x + size * 0.32, y - size], [x, y - size * 0.72]], closed=True,
                            facecolor="#ffffff", edgecolor="#222222", linewidth=0.6, zorder=20))
    ax.text(x, y + span * 0.012, "N", fontsize=10, fontweight="bold", ha="center", va="bottom", zorder=21)


def _fit_extent(bounds, box_w: float, box_h: float, pad: float = 0.03) -> tuple[float, float, float, float]:
    """Data bounds widened to the axes' aspect (equal scale in x and y)."""
    minx, miny, maxx, maxy = bounds
    w, h = (maxx - minx) * (1 + 2 * pad), (maxy - miny) * (1 + 2 * pad)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if w / h > box_w / box_h:
        h = w * box_h / box_w
    else:
        w = h * box_w / box_h
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _labels(ax, frame: gpd.GeoDataFrame, m_per_pt: float, *, size: float, bold: bool, colour: str) -> None:
    """Names at each area's inner point, only where the name fits the area's width."""
    for name, geom in zip(frame["name"], frame.geometry):
        if not isinstance(name, str) or not name or geom is None or geom.is_empty:
            continue
        minx, miny, maxx, maxy = geom.bounds
        text_w = 0.58 * size * len(name) * m_per_pt
        fs = size
        if text_w > (maxx - minx) * 0.95:
            fs = size * (maxx - minx) * 0.95 / text_w
            if fs < 5.0:             # would not be legible: left out
                continue
        if fs * m_per_pt * 1.2 > (maxy - miny):
            continue
        p = geom.representative_point()
        _halo_text(ax, p.x, p.y, name, fontsize=fs, ha="center", va="center", color=colour, zorder=15,
                   fontweight="bold" if bold else "normal", clip_on=True)


def _draw_map(ax, pm: PrintMap, extent, m_per_pt: float) -> None:
    geoms = list(pm.areas.geometry)
    patches, owners = _polygon_patches(geoms)
    ax.add_collection(PatchCollection(patches, facecolor=[pm.fill[i] for i in owners],
                                      edgecolor="#ffffff" if pm.edges else "none",
                                      linewidth=0.25 if pm.edges else 0, zorder=2))
    for key in ("parks", "water"):
        frame = pm.context.get(key)
        if frame is not None and len(frame):
            _fill(ax, frame.geometry, zorder=3, **CONTEXT_STYLE[key])
    for key in ("streets", "rail"):
        frame = pm.context.get(key)
        if frame is not None and len(frame):
            _lines(ax, frame.geometry, zorder=4, **CONTEXT_STYLE[key])
    if pm.programme_areas is not None:
        _lines(ax, pm.programme_areas.geometry, color="#5e3c99", linewidth=1.4, linestyle=(0, (4, 2)), zorder=6)
    if pm.outlines is not None and len(pm.outlines):
        _lines(ax, pm.outlines.geometry, color="#333333", linewidth=0.9, zorder=7)
    if pm.highlight is not None and len(pm.highlight):
        _lines(ax, pm.highlight.geometry, color="#000000", linewidth=2.2, zorder=8)
    for points, colour, _ in pm.points:
        xy = np.array([(g.x, g.y) for g in points.geometry if g is not None and not g.is_empty])
        if len(xy):
            ax.scatter(xy[:, 0], xy[:, 1], s=9, c=colour, edgecolors="#222222", linewidths=0.3, zorder=9)
    # names: every area on levels with few areas, else the districts
    if len(pm.areas) <= LABEL_ALL_MAX and "name" in pm.areas:
        _labels(ax, pm.areas, m_per_pt, size=7, bold=False, colour="#222222")
    elif pm.outlines is not None and "name" in pm.outlines:
        _labels(ax, pm.outlines, m_per_pt, size=8.5, bold=True, colour="#111111")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
        spine.set_color("#666666")


def _draw_legend(ax, pm: PrintMap, width_in: float) -> None:
    """Title, one row per class (colour, bounds, number of areas), points, programme areas."""
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    chars = max(18, int(width_in * 72 / (0.55 * 8.5)))
    y = 1.0
    title = textwrap.wrap(pm.legend_title, chars)
    for line in title:
        ax.text(0, y, line, fontsize=8.5, fontweight="bold", va="top")
        y -= 0.035
    y -= 0.01
    rows = [(c, label, n, "box") for c, label, n in pm.legend_rows]
    rows += [(c, label, len(p), "dot") for p, c, label in pm.points]
    if pm.programme_areas is not None:
        rows.append(("#5e3c99", t("map_programme_areas", pm.lang), len(pm.programme_areas), "line"))
    box_w = 0.11
    for colour, label, n, kind in rows:
        if kind == "box":
            ax.add_patch(Rectangle((0, y - 0.025), box_w, 0.025, facecolor=colour, edgecolor="#777777",
                                   linewidth=0.5))
        elif kind == "dot":
            ax.scatter([box_w / 2], [y - 0.0125], s=14, c=colour, edgecolors="#222222", linewidths=0.4)
        else:
            ax.plot([0, box_w], [y - 0.0125] * 2, color=colour, linewidth=1.4, linestyle=(0, (4, 2)))
        ax.text(box_w + 0.04, y - 0.0125, f"{label}  ({format_number(n, pm.lang, digits=0)})", fontsize=7.5,
                va="center")
        y -= 0.037
    if pm.outlines is not None and len(pm.outlines):
        ax.plot([0, box_w], [y - 0.0125] * 2, color="#333333", linewidth=0.9)
        ax.text(box_w + 0.04, y - 0.0125, t("print_outlines", pm.lang), fontsize=7.5, va="center")
        y -= 0.037
    for key in ("water", "parks", "streets", "rail"):
        frame = pm.context.get(key)
        if frame is None or not len(frame):
            continue
        style = CONTEXT_STYLE[key]
        if key in ("water", "parks"):
            ax.add_patch(Rectangle((0, y - 0.025), box_w, 0.025, facecolor=style["facecolor"], edgecolor="none",
                                   alpha=style["alpha"]))
        else:
            ax.add_patch(Rectangle((0, y - 0.025), box_w, 0.025, facecolor="#dddddd", edgecolor="none"))
            ax.plot([0, box_w], [y - 0.0125] * 2, **{k: v for k, v in style.items()})
        ax.text(box_w + 0.04, y - 0.0125, t(f"print_context_{key}", pm.lang), fontsize=7.5, va="center")
        y -= 0.037
    if pm.note:
        y -= 0.01
        for line in textwrap.wrap(pm.note, chars + 6):
            ax.text(0, y, line, fontsize=7.5, va="top", color="#333333")
            y -= 0.03


def figure(pm: PrintMap, *, paper: str = "A4", orientation: str | None = None) -> Figure:
    """The whole sheet as a matplotlib figure (no pyplot)."""
    minx, miny, maxx, maxy = pm.areas.total_bounds
    if orientation is None:          # the sheet that holds the map larger
        orientation = "landscape" if (maxx - minx) >= (maxy - miny) * 0.9 else "portrait"
    w, h = PAPER[paper]
    if orientation == "landscape":
        w, h = h, w
    scale = w / (11.69 if orientation == "landscape" else 8.27)     # A3 = A4 × √2: same layout, larger
    fig = Figure(figsize=(w, h))
    FigureCanvasAgg(fig)
    margin = 0.45 * scale
    footer = 0.75 * scale
    header = 0.75 * scale
    lang = pm.lang
    # header: title, subtitle with the data date
    fig.text(margin / w, 1 - margin / h, pm.title, fontsize=16 * min(scale, 1.25), fontweight="bold", va="top")
    if pm.periods:
        key = "print_periods" if len(pm.periods) > 1 else "print_period"
        stichtag = t(key, lang, dates=" / ".join(format_date(p, lang) for p in pm.periods))
    else:
        stichtag = ""
    sub = " · ".join(x for x in (pm.subtitle, stichtag) if x)
    fig.text(margin / w, 1 - (margin + 0.33 * scale) / h, sub, fontsize=9.5 * min(scale, 1.25), va="top",
             color="#333333")
    if orientation == "landscape":
        legend_w = 2.6 * scale
        map_box = (margin, margin + footer, w - 2 * margin - legend_w - 0.2 * scale, h - margin * 2 - footer - header)
        legend_box = (w - margin - legend_w, margin + footer, legend_w, map_box[3])
    else:
        legend_h = 2.6 * scale
        map_box = (margin, margin + footer + legend_h, w - 2 * margin, h - 2 * margin - footer - header - legend_h)
        legend_box = (margin, margin + footer, (w - 2 * margin) * 0.6, legend_h - 0.15 * scale)
    ax = fig.add_axes([map_box[0] / w, map_box[1] / h, map_box[2] / w, map_box[3] / h])
    extent = _fit_extent((minx, miny, maxx, maxy), map_box[2], map_box[3])
    m_per_pt = (extent[1] - extent[0]) / (map_box[2] * 72)
    _draw_map(ax, pm, extent, m_per_pt)
    _scale_bar(ax, extent, map_box[2], lang)
    _north_arrow(ax, extent)
    lax = fig.add_axes([legend_box[0] / w, legend_box[1] / h, legend_box[2] / w, legend_box[3] / h])
    _draw_legend(lax, pm, legend_box[2])
    # footer: sources and licences, data date, made with
    chars = int((w - 2 * margin) * 72 / (0.5 * 7))
    sources = textwrap.wrap(t("print_sources", lang, sources=" · ".join(pm.attributions) or "–"), chars)[:4]
    made = t("print_made", lang, date=format_date(date.today(), lang))
    y = (margin + footer - 0.12 * scale) / h
    for line in sources + [made]:
        fig.text(margin / w, y, line, fontsize=7, va="top", color="#333333")
        y -= 0.15 / h
    return fig


def render(pm: PrintMap, fmt: str, *, paper: str = "A4", orientation: str | None = None,
           dpi: int = PRINT_DPI) -> bytes:
    """The map as ``png``, ``svg`` or ``pdf`` (one page of ``paper``; PNG and SVG on the A4 sheet
    unless another paper is given). Text in the PDF stays text (TrueType fonts embedded)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    with rc_context({"pdf.fonttype": 42, "svg.fonttype": "path", "font.family": "DejaVu Sans",
                     "pdf.compression": 6}):
        fig = figure(pm, paper=paper, orientation=orientation)
        buf = io.BytesIO()
        meta = {"png": {"Title": pm.title, "Software": "jmdiq-geo"}, "svg": {"Title": pm.title},
                "pdf": {"Title": pm.title, "Creator": "jmdiq-geo"}}[fmt]
        fig.savefig(buf, format=fmt, dpi=dpi if fmt == "png" else 72, metadata=meta, facecolor="white")
    return buf.getvalue()


def level_label(ws, level: str, lang: str) -> str:
    """What a level's areas are called (the level's plural label in the workspace), for the subtitle."""
    levels = ws.levels().set_index("level")
    if level not in levels.index:
        return level
    row = levels.loc[level]
    en = row.get("label_en")
    return en if lang == "en" and isinstance(en, str) and en else row["label_de"]


def indicator_print(ws, description, *, period_from: date | None = None,
                    context: dict[str, gpd.GeoDataFrame] | None = None,
                    outlines: gpd.GeoDataFrame | None | bool = True) -> PrintMap:
    """The print of an indicator (or change) map described by ``services.maps``: its level's
    name as subtitle, the districts outlined and named (``outlines``: given by a caller that
    keeps them, True to read them here), the context layers if given."""
    level = description.layer.level
    if outlines is True:
        outlines = map_outlines(ws, level)
    what = t("map_layer_grid", description.lang) if description.cells else level_label(ws, level, description.lang)
    subtitle = f"{description.city_name} · {what}" if description.city_name else what
    return from_description(description, outlines=outlines, period_from=period_from, subtitle=subtitle,
                            context=context)


def access_print(areas: gpd.GeoDataFrame, table: pd.DataFrame, *, measure: str, title: str, lang: str,
                 attributions: list[str], coverage=None, breaks_for: str | None = None, outlines=None,
                 periods: list[date] | None = None, subtitle: str = "", context: dict | None = None) -> PrintMap:
    """The print of ``render.access_maps.access_map`` (same classes and colours,
    ``access_classes``); the networked area outlined as on screen."""
    from jmdiq_geo.render.access_maps import access_classes

    fill, _, rows, legend_title = access_classes(areas, table, measure=measure, title=title, lang=lang,
                                                 breaks_for=breaks_for)
    pm = PrintMap(areas=areas.reset_index(drop=True), fill=fill, legend_title=legend_title, legend_rows=rows,
                  title=title, lang=lang, attributions=list(attributions), periods=list(periods or []),
                  subtitle=subtitle, outlines=outlines, context=dict(context or {}))
    if coverage is not None:
        pm.highlight = gpd.GeoDataFrame(geometry=[coverage], crs=areas.crs)
    return pm


def quarter_print(quarter: gpd.GeoDataFrame, *, areas: gpd.GeoDataFrame, weights: pd.DataFrame, title: str,
                  lang: str, attributions: list[str], outlines=None, context: dict | None = None) -> PrintMap:
    """The print of ``render.maps.quarter_map``: the areas the quarter touches, shaded by how
    they entered its numbers, the quarter outlined."""
    colours = {"full": "#1b9e77", "dasymetric": "#d95f02", "area": "#7570b3"}
    touched = areas[areas["area_id"].isin(weights["area_id"])].merge(weights, on="area_id")
    fill = [colours[x] for x in touched["method"]]
    rows = [(c, t(f"method_{k}", lang), int((touched["method"] == k).sum())) for k, c in colours.items()]
    pm = PrintMap(areas=touched, fill=fill, legend_title=t("check_map_legend", lang), legend_rows=rows, title=title,
                  lang=lang, attributions=list(attributions), outlines=outlines, context=dict(context or {}))
    pm.highlight = quarter
    return pm
