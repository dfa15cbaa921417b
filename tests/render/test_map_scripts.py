"""User text is text wherever it is drawn: in the web maps a title, class label or source name
with template syntax stays that text (a Jinja template would evaluate it, which would run
anything the text asks for) and HTML in it is escaped; in matplotlib's charts and print maps
``$…$`` is not mathematics."""
from __future__ import annotations

import geopandas as gpd
import shapely

from jmdiq_geo.render.map_context import make_readable
from jmdiq_geo.render.maps import area_map, standalone_html

HOSTILE = "{{ 7*7 }}{% if true %}wahr{% endif %}<script>alert(1)</script>"


def tiny_map(*, title: str, attributions: list[str], label: str = "1 – 2"):
    areas = gpd.GeoDataFrame({"area_id": ["a"], "name": ["Nord"]},
                             geometry=[shapely.box(8.68, 49.40, 8.70, 49.41)], crs="EPSG:4326")
    return area_map(areas, fill=["#ff0000"], value_text=["1,0"], legend_rows=[("#ff0000", label, 1)],
                    title=title, legend_title=title, lang="de", attributions=attributions)


def test_template_syntax_in_titles_labels_and_sources_stays_text():
    m = tiny_map(title=HOSTILE, attributions=[HOSTILE], label=HOSTILE)
    make_readable(m, context={}, labels=[], attributions=[HOSTILE + " Kontext"])
    html = m.get_root().render()
    assert "49wahr" not in html                          # evaluated, HOSTILE would read "49wahr<script>…"
    assert "{{ 7*7 }}" in html and "{% if true %}" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_dollar_signs_in_names_are_text_in_charts_and_print_maps():
    """matplotlib's mathtext is off: a name with ``$^$`` draws (it raised), ``$5 und $10`` keeps
    its dollars (SVG text is the name as it is)."""
    import pandas as pd

    from jmdiq_geo.render.network import network_figure

    partners = pd.DataFrame({"partner_id": ["a", "b"], "name": ["Treff $^$ Nord", "Kosten $5 und $10"],
                             "type": ["Schule", "Verein"]})
    ties = pd.DataFrame({"partner_id": ["a", "b"], "year": [2026, 2026], "intensity": [2, 3], "importance": [1, 2]})
    svg = network_figure(partners, ties, year=2026, title="Netz $\\foo$", fmt="svg").decode()
    assert "Treff $^$ Nord" in svg and "Kosten $5 und $10" in svg and "Netz $\\foo$ 2026" in svg
