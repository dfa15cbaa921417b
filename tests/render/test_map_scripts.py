"""The maps' own scripts (legend, source line, scale) carry user text as data: a title, class
label or source name with template syntax in it stays that text (a Jinja template would
evaluate it, which would run anything the text asks for), and HTML in it is escaped."""
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
    assert "49" not in html.replace("4326", "").replace("49.4", "")     # {{ 7*7 }} not evaluated
    assert "{{ 7*7 }}" in html and "{% if true %}" in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
