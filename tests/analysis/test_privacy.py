"""The privacy rules (``jmdiq_geo.analysis.privacy``): no values for small areas, no small counts."""
import numpy as np
import pandas as pd

from jmdiq_geo.analysis.privacy import suppress
from tests.fixtures.asserts import assert_aligned


def test_privacy_rules():
    values = pd.Series([5.0, 2.0, 40.0], index=["a", "b", "c"])
    pop = pd.Series([1000.0, 1000.0, 120.0], index=["a", "b", "c"])
    shown, reason = suppress(values, kind="extensive", population=pop, min_residents=300, small_count=3)
    assert shown["a"] == 5.0 and np.isnan(shown["b"]) and np.isnan(shown["c"])
    assert reason.tolist() == [None, "small_count", "small_area"]
    assert_aligned(shown, values)
    assert_aligned(reason, values)


def test_suppress_keeps_the_areas_of_its_input_whatever_the_population_holds():
    """The population may list the areas in another order, lack some and hold others: the result
    is one value and one reason per input area, in the input's order, under the input's labels."""
    values = pd.Series([40.0, np.nan, 2.0, 7.0, 0.0], index=pd.Index(["e", "a", "d", "b", "c"], name="area_id"))
    pop = pd.Series({"a": 500.0, "b": 100.0, "c": 800.0, "d": 900.0, "zz": 50.0})        # no "e", an extra "zz"
    for kind in ("extensive", "intensive"):
        shown, reason = suppress(values, kind=kind, population=pop, min_residents=300, small_count=3)
        assert_aligned(shown, values)
        assert_aligned(reason, values)
        # b has 100 < 300 residents; e has no population (kept); d's 2 is a small count only as a count
        small_count = kind == "extensive"
        assert reason.to_dict() == {"e": None, "a": "missing", "d": "small_count" if small_count else None,
                                    "b": "small_area", "c": None}
        kept = reason.isna()
        pd.testing.assert_series_equal(shown[kept], values[kept])
        assert shown[~kept].isna().all()
