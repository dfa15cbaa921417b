"""Labels by zoom, context drawing, the "no context" note and the kept view (render.map_context)."""
from __future__ import annotations

import math
from datetime import date

import geopandas as gpd
import pytest
import shapely

from jmdiq_geo.config import Settings
from jmdiq_geo.i18n import t
from jmdiq_geo.render.indicator_map import draw
from jmdiq_geo.render.map_context import (EQUATOR_M_PER_PX, LABEL_MIN_PX, context_display, label_groups,
                                          label_min_zoom)
from jmdiq_geo.services.maps import areas_within, describe_indicator_map, map_labels, zoom_targets
from tests.fixtures.files import WORK_CRS


def px(side_m: float, zoom: float, lat: float) -> float:
    return side_m / (EQUATOR_M_PER_PX * math.cos(math.radians(lat)) / 2 ** zoom)


@pytest.mark.parametrize("area_m2,lat", [(1.6e6, 52.5), (7.4e7, 52.5), (4e4, 49.4), (2.5e5, 0.0)])
def test_label_zoom_is_the_first_where_a_typical_area_is_wide_enough(area_m2, lat):
    zoom = label_min_zoom([area_m2 * 0.5, area_m2, area_m2 * 3], lat)
    side = math.sqrt(area_m2)                          # the median area's side
    assert px(side, zoom, lat) >= LABEL_MIN_PX
    assert px(side, zoom - 1, lat) < LABEL_MIN_PX or zoom == 8


def test_label_groups_take_turns_and_escape_names():
    small = gpd.GeoDataFrame({"area_id": ["1", "2"], "name": ["<img src=x onerror=alert(1)>", "Süd & Nord"]},
                             geometry=[shapely.box(390000, 5820000, 390100, 5820100),
                                       shapely.box(390100, 5820000, 390200, 5820100)], crs=WORK_CRS)
    big = gpd.GeoDataFrame({"area_id": ["A"], "name": ["Bezirk A"]},
                           geometry=[shapely.box(390000, 5820000, 390200, 5820100)], crs=WORK_CRS)
    groups = label_groups([(big, 12), (small, 15)])
    assert [(g["min"], g["max"], g["top"]) for g in groups] == [(12, 15, True), (15, 99, False)]
    names = [item[2] for item in groups[1]["items"]]
    assert names == ["&lt;img src=x onerror=alert(1)&gt;", "Süd &amp; Nord"]
    # a level whose names fit no earlier than the next one's is left out
    assert [g["min"] for g in label_groups([(big, 15), (small, 15)])] == [15]


def test_context_display_drops_tiny_ponds_and_merges_lines():
    layers = {"water": gpd.GeoDataFrame({"class": ["water", "water", "river"], "name": [None] * 3, "source_id": ["s"] * 3},
                                        geometry=[shapely.box(390000, 5820000, 390010, 5820010),       # 100 m²
                                                  shapely.box(390000, 5821000, 390200, 5821200),       # 4 ha
                                                  shapely.LineString([(390000, 5822000), (391000, 5822000)])],
                                        crs=WORK_CRS)}
    shown = context_display(layers)["water"]
    assert shown.crs == "EPSG:4326" and len(shown) == 2              # one polygon part, one line part
    kinds = sorted(shown.geometry.geom_type)
    assert kinds == ["MultiLineString", "MultiPolygon"]
    assert len(shapely.get_parts(shown.geometry[shown.geometry.geom_type == "MultiPolygon"].iloc[0])) == 1


def test_map_without_context_says_so_and_keeps_its_view(tiny_ws):
    from jmdiq_geo.io import imports as im
    from tests.fixtures.files import count_table

    path = count_table(tiny_ws.path.with_name("n.csv"), [("01000001", 400), ("01000002", 500),
                                                         ("01000003", 600), ("01000004", 700)])
    im.import_indicator_table(tiny_ws, path, im.TableSpec(level="plr", period="2024-12-31", key="PLR_ID",
                                                          columns={"Anzahl": "ew"}, define=True,
                                                          kinds={"Anzahl": "extensive"}),
                              im.Source("t", "T", licence="CC0"), max_bytes=10 ** 7)
    d = describe_indicator_map(tiny_ws, indicator_id="ew", period=date(2024, 12, 31), settings=Settings.from_env())
    assert d.context == {} and d.value_digits == 0
    assert [len(g["items"]) for g in d.labels] == [2, 4] or [len(g["items"]) for g in d.labels] == [4]
    html = draw(d, fit=(13.0, 52.5, 13.1, 52.6), view=("karte", "bzr/A")).get_root().render()
    assert t("map_no_context", "de") in html or t("map_no_context", "de").replace("„", "\\u201e") in html
    assert "jmdiq-view:karte" in html and '"bzr/A"' in html and "animate:false" in html
    # show only one parent: its areas, named by id from the parent ids
    inside = areas_within(tiny_ws, "plr", "bzr", "A")
    assert inside == set(tiny_ws.areas("plr").query("parent_id == 'A'")["area_id"])
    only = draw(d, only=inside).get_root().render()
    assert "Nord-Ost" in only and "Weißensee" not in only
    labels = map_labels(tiny_ws, "plr", areas=tiny_ws.areas("plr").query("parent_id == 'A'"), parent_ids=["A"])
    assert {i[2] for g in labels for i in g["items"]} <= {"Nord-Ost", "Süd-Straße", "Bezirk A"}
    targets = zoom_targets(tiny_ws, "de")
    assert len(targets) == 6 and targets["label"].iloc[0].startswith("Bezirksregion · ")
