"""The area profile (Steckbrief) on the real Berlin workspace."""
import pandas as pd
import pytest

from jmdiq_geo.config import Settings
from jmdiq_geo.services.layers import indicator_layer
from jmdiq_geo.services.profile import area_profile

pytestmark = pytest.mark.realdata


def test_profile_with_shared_layers_equals_the_direct_one(berlin_ws):
    """The app hands its cached layers (whole levels) to every profile: same numbers, and each
    layer is built once however many areas are opened."""
    settings = Settings.from_env()
    built = []

    def layer(indicator_id, period, level):
        built.append((indicator_id, period, level))
        return indicator_layer(berlin_ws, indicator_id=indicator_id, period=period, level=level, settings=settings)
    cache = {}

    def cached(*key):
        if key not in cache:
            cache[key] = layer(*key)
        return cache[key]
    areas = berlin_ws.area_names("plr")["area_id"].tolist()[:3]
    for area in areas:
        shared = area_profile(berlin_ws, level="plr", area_id=area, settings=settings, layer=cached)
        direct = area_profile(berlin_ws, level="plr", area_id=area, settings=settings)
        pd.testing.assert_frame_equal(shared.indicators, direct.indicators)
        assert shared.attributions == direct.attributions
    assert built and len(built) == len(set(built))          # no layer built twice
    assert {lv for _, _, lv in built} == {"plr", "bezirk"}    # own level and the district level


def test_profile_names_the_class_in_the_page_language(berlin_ws):
    from jmdiq_geo.config import Settings
    from jmdiq_geo.services.profile import area_profile

    area = berlin_ws.area_names("plr").iloc[0]["area_id"]
    rows = area_profile(berlin_ws, level="plr", area_id=area, settings=Settings.from_env()).indicators
    status = rows[rows["indicator_id"] == "mss_status"].iloc[0]
    assert status["value_label_de"] in {"hoch", "mittel", "niedrig", "sehr niedrig"}
    assert status["value_label_en"] == {"hoch": "high", "mittel": "medium", "niedrig": "low",
                                        "sehr niedrig": "very low"}[status["value_label_de"]]
