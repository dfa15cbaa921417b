"""The privacy rules (``jmdiq_geo.analysis.privacy``): no values for small areas, no small counts."""
import numpy as np
import pandas as pd

from jmdiq_geo.analysis.privacy import suppress


def test_privacy_rules():
    values = pd.Series([5.0, 2.0, 40.0], index=["a", "b", "c"])
    pop = pd.Series([1000.0, 1000.0, 120.0], index=["a", "b", "c"])
    shown, reason = suppress(values, kind="extensive", population=pop, min_residents=300, small_count=3)
    assert shown["a"] == 5.0 and np.isnan(shown["b"]) and np.isnan(shown["c"])
    assert reason.tolist() == [None, "small_count", "small_area"]
