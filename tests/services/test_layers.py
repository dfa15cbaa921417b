"""Indicator layers (``jmdiq_geo.services.layers``): totals conserved across levels, city values only
from (nearly) the whole city, rates without a denominator, incomplete aggregates flagged, time
series."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError
from jmdiq_geo.io import imports as im
from jmdiq_geo.services.layers import indicator_layer, time_series
from tests.fixtures.files import MAX_BYTES, TINY_AREAS, count_table

PERIOD = date(2024, 12, 31)


def _table(tmp_path, rows):
    return count_table(tmp_path / "t.csv", rows)


@pytest.mark.realdata
def test_population_totals_conserved_across_levels(berlin_ws):
    settings = Settings.from_env()
    period = date(2024, 12, 31)
    totals = {}
    for level in ("plr", "bzr", "pgr", "bezirk"):
        layer = indicator_layer(berlin_ws, indicator_id="ew", period=period, level=level, settings=settings)
        totals[level] = layer.areas["raw"].sum()
    assert len(set(totals.values())) == 1 and totals["plr"] == 3_897_145
    share = indicator_layer(berlin_ws, indicator_id="ew_mh_anteil", period=period, level="bezirk",
                            settings=settings)
    mh = berlin_ws.values("ew_mh", period=period, level="plr").sum()
    assert share.city_value == pytest.approx(100 * mh / 3_897_145)


@pytest.mark.backend_free
def test_no_city_value_from_a_part_of_the_city():
    """A table of a few quarters gives no "city" sum of them; areas left out because they are
    nearly empty (the MSS leaves out areas under 300 residents) do not count against it."""
    from jmdiq_geo.services.layers import CITY_MIN_COVERAGE, city_share
    areas = pd.Series(["a", "b", "c", "d"])
    pop = pd.Series([5000.0, 4000.0, 1000.0, 100.0], index=["a", "b", "c", "d"])
    few = pd.Series([10.0], index=["a"])
    assert city_share(few, areas, pop) == pytest.approx(5000 / 10100)
    assert city_share(few, areas, pop) < CITY_MIN_COVERAGE
    nearly_all = pd.Series([1.0, 2.0, 3.0], index=["a", "b", "c"])        # only the 100 residents of d miss
    assert city_share(nearly_all, areas, pop) == pytest.approx(10000 / 10100)
    assert city_share(nearly_all, areas, pop) >= CITY_MIN_COVERAGE
    assert city_share(few, areas, None) == 0.25                            # without residents: by areas


@pytest.mark.realdata
def test_city_values_of_the_berlin_data_are_kept(berlin_ws):
    settings = Settings.from_env()
    for indicator, period in (("jmd_zg_anteil", date(2024, 12, 31)), ("mss_s1", date(2020, 12, 31))):
        layer = indicator_layer(berlin_ws, indicator_id=indicator, period=period, level="plr", settings=settings)
        assert np.isfinite(layer.city_value), indicator


def test_rate_without_denominator(tiny_ws, tmp_path):
    spec = im.TableSpec(level="plr", period=PERIOD.isoformat(), columns={"Anzahl": "quote"}, key="PLR_ID",
                        indicators=[im.IndicatorDef("quote", "Quote", kind="intensive")])
    im.import_indicator_table(tiny_ws, _table(tmp_path, [(a, 5) for a, _, _ in TINY_AREAS]), spec,
                              im.Source("t", "T"), max_bytes=MAX_BYTES)
    settings = Settings.from_env().with_(min_residents=0)
    layer = indicator_layer(tiny_ws, indicator_id="quote", period=PERIOD, level="plr", settings=settings)
    assert layer.areas["value"].tolist() == [5.0] * 4 and pd.isna(layer.city_value)
    with pytest.raises(InputError) as err:
        indicator_layer(tiny_ws, indicator_id="quote", period=PERIOD, level="bzr", settings=settings)
    assert err.value.problems[0].code == "not_aggregatable"
    assert time_series(tiny_ws, indicator_id="nothing", area_id="x", level="plr", settings=settings).empty
    # its trend has the area and no district (it cannot be carried up there), not an error
    series = time_series(tiny_ws, indicator_id="quote", area_id="01000001", level="plr", settings=settings)
    assert series["area"].tolist() == [5.0] and "district" not in series


def test_privacy_takes_the_smaller_of_a_distant_census_and_the_rate_weight(tiny_ws, tmp_path):
    """Residents counted three years before a rate's period and a weight of the rate's own year
    (which may overstate, as a density × area does): an area small by either is hidden."""
    src = im.Source("t", "T")
    ids = [a for a, _, _ in TINY_AREAS]
    im.import_indicator_table(tiny_ws, _table(tmp_path, zip(ids, [250, 900, 1000, 1000])), im.TableSpec(
        level="plr", period="2021-12-31", columns={"Anzahl": "ew"}, key="PLR_ID",
        indicators=[im.IndicatorDef("ew", "Einwohner", kind="extensive")]), src, max_bytes=MAX_BYTES)
    im.import_indicator_table(tiny_ws, _table(tmp_path, zip(ids, [800, 200, 900, 1000])), im.TableSpec(
        level="plr", period=PERIOD.isoformat(), columns={"Anzahl": "gewicht"}, key="PLR_ID",
        indicators=[im.IndicatorDef("gewicht", "Gewicht", kind="extensive")]), src, max_bytes=MAX_BYTES)
    im.import_indicator_table(tiny_ws, _table(tmp_path, zip(ids, [5, 6, 7, 8])), im.TableSpec(
        level="plr", period=PERIOD.isoformat(), columns={"Anzahl": "quote"}, key="PLR_ID",
        indicators=[im.IndicatorDef("quote", "Quote", kind="intensive", denominator="gewicht")]), src,
        max_bytes=MAX_BYTES)
    with tiny_ws.transaction():
        tiny_ws.set_meta(population_indicator="ew")
    layer = indicator_layer(tiny_ws, indicator_id="quote", period=PERIOD, level="plr", settings=Settings.from_env())
    reasons = layer.areas.set_index("area_id")["reason"]
    assert reasons.tolist()[:2] == ["small_area", "small_area"] and reasons.iloc[2:].isna().all()
    # a population within two years is taken as it is (the weight is not asked)
    im.import_indicator_table(tiny_ws, _table(tmp_path, zip(ids, [1000, 1000, 1000, 250])), im.TableSpec(
        level="plr", period="2023-12-31", columns={"Anzahl": "ew"}, key="PLR_ID"), src, max_bytes=MAX_BYTES)
    layer = indicator_layer(tiny_ws, indicator_id="quote", period=PERIOD, level="plr", settings=Settings.from_env())
    hidden = layer.areas.set_index("area_id")["reason"]
    assert pd.isna(hidden[ids[1]]) and hidden[ids[3]] == "small_area"


@pytest.mark.realdata
def test_incomplete_aggregates_are_flagged(berlin_ws):
    from jmdiq_geo.analysis.classify import classify
    from jmdiq_geo.render.maps import choropleth

    layer = indicator_layer(berlin_ws, indicator_id="mss_ew", period=date(2020, 12, 31), level="bezirk",
                            settings=Settings.from_env())
    areas = layer.areas.set_index("area_id")
    assert areas.loc["03", "coverage"] < 1 and (areas.drop("03")["coverage"] == 1).all()   # Pankow lacks one PLR
    html = choropleth(layer.areas, classes=classify(layer.areas["value"]), palette="YlOrRd", title="EW",
                      unit=None, lang="de", attributions=[]).get_root().render()
    assert "unvollst" in html and "Werte f" in html     # (non-ASCII is escaped in the GeoJSON)


def test_layers_are_shared_until_a_write_and_then_read_again(tiny_ws, tmp_path):
    """The layer is computed once per workspace generation (``store/generation.py``) and shared:
    a second call computes nothing, a caller changing its copy changes nobody else's, and the
    next call after an import shows the imported numbers."""
    spec = im.TableSpec(level="plr", period=PERIOD.isoformat(), columns={"Anzahl": "n"}, key="PLR_ID",
                        indicators=[im.IndicatorDef("n", "Anzahl", kind="extensive")])
    settings = Settings.from_env().with_(min_residents=0, small_count=0)
    first = [(a, 10 * (i + 1)) for i, (a, _, _) in enumerate(TINY_AREAS)]
    im.import_indicator_table(tiny_ws, _table(tmp_path, first), spec, im.Source("t", "T"), max_bytes=MAX_BYTES)
    layer = indicator_layer(tiny_ws, indicator_id="n", period=PERIOD, level="bzr", settings=settings)
    assert layer.areas.set_index("area_id")["value"].to_dict() == {"A": 30.0, "B": 70.0}
    misses = tiny_ws.shared_results.misses
    layer.areas["value"] = -1.0                                        # the caller's own copy
    again = indicator_layer(tiny_ws, indicator_id="n", period=PERIOD, level="bzr", settings=settings)
    assert tiny_ws.shared_results.misses == misses                     # shared, not computed again
    assert again.areas.set_index("area_id")["value"].to_dict() == {"A": 30.0, "B": 70.0}
    stricter = indicator_layer(tiny_ws, indicator_id="n", period=PERIOD, level="bzr",
                               settings=settings.with_(small_count=50))
    assert stricter.areas["value"].isna().all()                         # other thresholds: their own layer
    second = [(a, 100 + i) for i, (a, _, _) in enumerate(TINY_AREAS)]
    im.import_indicator_table(tiny_ws, _table(tmp_path, second), spec, im.Source("t", "T"), max_bytes=MAX_BYTES)
    after = indicator_layer(tiny_ws, indicator_id="n", period=PERIOD, level="bzr", settings=settings)
    plain = tiny_ws.values("n", period=PERIOD, level="plr")           # the stored numbers, summed by hand
    assert plain.to_dict() == dict(second)
    assert after.areas.set_index("area_id")["value"].to_dict() == {"A": 100.0 + 101.0, "B": 102.0 + 103.0}
