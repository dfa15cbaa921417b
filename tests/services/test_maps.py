"""One map description, drawn alike by the app, the CLI and exports."""
import re
from datetime import date

import pytest

from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.config import Settings
from jmdiq_geo.render.indicator_map import draw
from jmdiq_geo.render.maps import standalone_html
from jmdiq_geo.services.layers import indicator_layer
from jmdiq_geo.services.maps import describe_indicator_map, load_overlays, official_classes

PERIOD = date(2024, 12, 31)


@pytest.mark.realdata
def test_description_holds_what_the_map_shows(berlin_ws):
    settings = Settings.from_env()
    d = describe_indicator_map(berlin_ws, indicator_id="jmd_zg_anteil", period=PERIOD, level="bzr",
                               settings=settings, lang="en", scheme="equal_interval", k=4)
    layer = indicator_layer(berlin_ws, indicator_id="jmd_zg_anteil", period=PERIOD, level="bzr", settings=settings)
    expected = classify(layer.areas["value"], scheme="equal_interval", k=4)
    assert d.classes.upper == expected.upper and d.classes.counts == expected.counts
    assert d.official == [] and d.unit == "%" and d.value_digits == 1 and not d.diverging
    assert d.outline_level == berlin_ws.top_level() and d.layer.level == "bzr"
    assert d.attributions == layer.attributions
    html = draw(d, outlines=berlin_ws.areas(d.outline_level)).get_root().render()
    assert d.title in html and all(a in html for a in d.attributions)


@pytest.mark.realdata
def test_change_and_official_classes_and_overlays(berlin_ws):
    settings = Settings.from_env()
    change = describe_indicator_map(berlin_ws, indicator_id="jmd_zg_anteil", period=PERIOD,
                                    period_from=date(2021, 12, 31), settings=settings)
    assert change.diverging and 0.0 in change.classes.upper and "2021" in change.title and "2024" in change.title
    definition = berlin_ws.indicators().set_index("indicator_id").loc["mss_status"].to_dict()
    codes = official_classes(definition)
    overlays = load_overlays(berlin_ws, service_categories=("jugendfreizeit",))
    mss = describe_indicator_map(berlin_ws, indicator_id="mss_status", period=berlin_ws.periods(
        indicator_id="mss_status")[-1], settings=settings, overlays=overlays)
    assert mss.classes is None and [c for c, _ in mss.official] == [c for c, _ in codes] and len(codes) >= 3
    # the overlay's source is named beside the layer's
    assert len(mss.attributions) > len(mss.layer.attributions)
    html = standalone_html(draw(mss))
    # nothing is loaded from anywhere: Leaflet and its plugins are inlined
    assert "<script src=" not in html and not re.findall(r'<link[^>]+href="https?://', html)
    assert all(label in html for _, label in mss.official)
