"""One download widget for every map page: PNG, SVG, PDF A4, PDF A3 (``render.print_map``) and
the standalone HTML that opens offline (``render.maps.standalone_html``).

The file is made only when the button is clicked (``st.download_button`` with a callable), so a
page does not slow down for files nobody asked for: the page fetches the cached pieces (layer,
context, outlines), the print of an indicator map is described and drawn on the click.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Callable

import streamlit as st

from jmdiq_geo.render.maps import standalone_html
from jmdiq_geo.render.print_map import PrintMap, from_categories, indicator_print, level_label, map_outlines, render
from jmdiq_geo.ui.state import lang, settings, tr, workspace

#: format key → (file suffix, MIME type, paper)
FORMATS = {"pdf_a4": ("pdf", "application/pdf", "A4"), "pdf_a3": ("pdf", "application/pdf", "A3"),
           "png": ("png", "image/png", "A4"), "svg": ("svg", "image/svg+xml", "A4"),
           "html": ("html", "text/html", None)}


def _slug(text: str) -> str:
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:60] or "karte"


def cached_context(version: float) -> dict:
    """Streets, water, railways and parks of the workspace in the work CRS (``services.context``,
    the interactive maps' shared cache)."""
    from jmdiq_geo.ui.maps import context
    return context(version)[0]


def print_outlines(version: float, level: str):
    """The outlines over a map of ``level`` with their names, in the work CRS (for labels)."""
    return map_outlines(workspace(), level)


def map_export(key: str, *, name: str, build: Callable[[], PrintMap] | None = None,
               html: Callable[[], str] | None = None) -> None:
    """A format choice and one download button. ``build``: the map's print (made on click);
    ``html``: its standalone HTML (made on click)."""
    options = [f for f in FORMATS if (f == "html" and html) or (f != "html" and build)]
    c1, c2 = st.columns([1.4, 2.6])
    fmt = c1.selectbox(tr("export_format"), options, key=f"{key}_export_format",
                       format_func=lambda f: tr(f"export_fmt_{f}"), label_visibility="collapsed")
    suffix, mime, paper = FORMATS[fmt]

    def data() -> bytes:
        if fmt == "html":
            return html().encode("utf-8")
        return render(build(), suffix, paper=paper)
    c2.download_button(tr("export_download"), data, file_name=f"{_slug(name)}.{suffix}", mime=mime,
                       key=f"{key}_export_button", icon=":material/download:", on_click="ignore")


def description_export(key: str, version: float, description, *, period_from: date | None = None,
                       outlines=None, display=None) -> None:
    """The export of a map described by ``services.maps`` (indicator, change or grid map);
    ``outlines``/``display``: the page's cached display geometry for the HTML."""
    from jmdiq_geo.render.indicator_map import draw

    from jmdiq_geo.ui.maps import context, display_geometry_of, outlines as cached_outlines

    # the cached pieces are fetched here (the page's thread); the print is described on the click
    ws, (printed, shown) = workspace(), context(version)
    if outlines is None and not description.cells:
        outlines = cached_outlines(version, description.layer.level)
        display = display_geometry_of(version, description.layer.level)
    map_export(key, name=description.title,
               build=lambda: indicator_print(ws, description, period_from=period_from, context=printed,
                                             outlines=map_outlines(ws, description.layer.level)),
               html=lambda: standalone_html(draw(description, outlines=outlines, display=display, context=shown)))


def category_map_export(key: str, version: float, *, level: str, areas, codes, categories, title: str,
                        attributions: list[str], periods: list[date], html: Callable[[], str] | None = None) -> None:
    """The export of an index or hot-spot map (areas coloured by category)."""
    ws = workspace()
    printable = from_categories(areas, codes=codes, categories=categories, title=title, lang=lang(),
                                attributions=attributions, outlines=print_outlines(version, level), periods=periods,
                                subtitle=level_label(ws, level, lang()), context=cached_context(version))
    map_export(key, name=title, build=lambda: printable, html=html)
