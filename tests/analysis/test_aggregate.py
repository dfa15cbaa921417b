"""Re-aggregation (``jmdiq_geo.analysis.aggregate``) conserves totals; rates are rebuilt from
numerator and denominator, also for the city as a whole."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.aggregate import aggregate, city_value


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


@pytest.mark.realdata
def test_city_value_of_rate(berlin_ws):
    period = date(2024, 12, 31)
    zg = berlin_ws.values("jmd_zg", period=period, level="plr")
    base = berlin_ws.values("ew_15_27", period=period, level="plr")
    rate = berlin_ws.values("jmd_zg_anteil", period=period, level="plr")
    assert city_value(rate, kind="intensive", denominator=base) == pytest.approx(100 * zg.sum() / base.sum())
