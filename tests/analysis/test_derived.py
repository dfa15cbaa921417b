"""Derived indicators (``jmdiq_geo.analysis.derived``): sums and rates of stored indicators, no
partial sums and no rate over a zero denominator."""
from datetime import date

import numpy as np
import pandas as pd

from jmdiq_geo.analysis.derived import DerivedDef, derive_values


def test_derived_sum_and_rate():
    long = pd.DataFrame({"area_id": ["a", "a", "a", "b", "b"], "indicator_id": ["x", "y", "z", "x", "z"],
                         "period": [date(2024, 12, 31)] * 5, "value": [2.0, 3.0, 10.0, 1.0, 0.0]})
    total = derive_values(long, DerivedDef("s", "S", sum=["x", "y"])).set_index("area_id")["value"]
    assert total["a"] == 5.0 and np.isnan(total["b"])          # b lacks y: no partial sums
    rate = derive_values(long, DerivedDef("r", "R", numerator="x", denominator="z")).set_index("area_id")["value"]
    assert rate["a"] == 20.0 and np.isnan(rate["b"])            # denominator 0 → no value
