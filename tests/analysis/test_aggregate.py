"""Re-aggregation conserves totals; rates are rebuilt from numerator and denominator."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.aggregate import aggregate, city_value
from jmdiq_geo.analysis.classify import classify
from jmdiq_geo.analysis.derived import DerivedDef, derive_values
from jmdiq_geo.analysis.privacy import suppress
from jmdiq_geo.config import Settings
from jmdiq_geo.services.layers import indicator_layer


def test_counts_summed_rates_rebuilt_not_averaged():
    values = pd.Series([10.0, 50.0, 20.0], index=["a", "b", "c"])        # rates in %
    den = pd.Series([100.0, 900.0, 50.0], index=["a", "b", "c"])
    groups = pd.Series(["X", "X", "Y"], index=["a", "b", "c"])
    out = aggregate(values, groups, kind="intensive", denominator=den)
    assert out.loc["X", "value"] == pytest.approx((10 * 100 + 50 * 900) / 1000)   # 46, not the mean 30
    counts = aggregate(den, groups, kind="extensive")
    assert counts["value"].sum() == den.sum()


def test_missing_values_reported_as_coverage():
    values = pd.Series([10.0, np.nan], index=["a", "b"])
    den = pd.Series([100.0, 300.0], index=["a", "b"])
    out = aggregate(values, pd.Series(["X", "X"], index=["a", "b"]), kind="intensive", denominator=den)
    assert out.loc["X", "value"] == 10.0 and out.loc["X", "coverage"] == pytest.approx(0.25)


def test_derived_sum_and_rate():
    long = pd.DataFrame({"area_id": ["a", "a", "a", "b", "b"], "indicator_id": ["x", "y", "z", "x", "z"],
                         "period": [date(2024, 12, 31)] * 5, "value": [2.0, 3.0, 10.0, 1.0, 0.0]})
    total = derive_values(long, DerivedDef("s", "S", sum=["x", "y"])).set_index("area_id")["value"]
    assert total["a"] == 5.0 and np.isnan(total["b"])          # b lacks y: no partial sums
    rate = derive_values(long, DerivedDef("r", "R", numerator="x", denominator="z")).set_index("area_id")["value"]
    assert rate["a"] == 20.0 and np.isnan(rate["b"])            # denominator 0 → no value


def test_privacy_rules():
    values = pd.Series([5.0, 2.0, 40.0], index=["a", "b", "c"])
    pop = pd.Series([1000.0, 1000.0, 120.0], index=["a", "b", "c"])
    shown, reason = suppress(values, kind="extensive", population=pop, min_residents=300, small_count=3)
    assert shown["a"] == 5.0 and np.isnan(shown["b"]) and np.isnan(shown["c"])
    assert reason.tolist() == [None, "small_count", "small_area"]


def test_classes_cover_all_values():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan], dtype=float)
    for scheme in ("quantiles", "equal_interval", "natural_breaks", "std_mean"):
        c = classify(values, scheme=scheme, k=5)
        assert sum(c.counts) == 10 and (c.assignment == -1).sum() == 1
        assert c.upper[-1] >= 10


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


@pytest.mark.realdata
def test_city_value_of_rate(berlin_ws):
    period = date(2024, 12, 31)
    zg = berlin_ws.values("jmd_zg", period=period, level="plr")
    base = berlin_ws.values("ew_15_27", period=period, level="plr")
    rate = berlin_ws.values("jmd_zg_anteil", period=period, level="plr")
    assert city_value(rate, kind="intensive", denominator=base) == pytest.approx(100 * zg.sum() / base.sum())


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


def test_change_classes_split_at_zero_and_colour_each_side():
    from jmdiq_geo.render.maps import diverging_colours
    change = pd.Series([-7.2, -3.0, -0.5, 0.4, 1.0, 2.6, 5.0, 9.0, 12.0, 15.0])
    classes = classify(change, scheme="quantiles", k=5, centre=0.0)
    assert 0.0 in classes.upper                                   # no class holds falls and rises
    assert all(hi <= 0 or lo >= 0 for lo, hi in zip(classes.lower, classes.upper))
    assert sum(classes.counts) == len(change)
    colours = diverging_colours(classes)
    assert len(set(colours)) == classes.k                          # every class its own colour
    plain = classify(change, scheme="quantiles", k=5)
    assert classes.k == plain.k + 1 or 0.0 in plain.upper
