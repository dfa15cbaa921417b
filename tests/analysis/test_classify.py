"""Map classes (``jmdiq_geo.analysis.classify``): every value in one class, changes split at zero."""
import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.classify import classify
from tests.fixtures.asserts import assert_aligned


def test_classes_cover_all_values():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan], dtype=float)
    for scheme in ("quantiles", "equal_interval", "natural_breaks", "std_mean"):
        c = classify(values, scheme=scheme, k=5)
        assert sum(c.counts) == 10 and (c.assignment == -1).sum() == 1
        assert c.upper[-1] >= 10
        assert_aligned(c.assignment, values)


def test_change_classes_split_at_zero_and_colour_each_side():
    from jmdiq_geo.render.maps import diverging_colours
    change = pd.Series([-7.2, -3.0, -0.5, 0.4, 1.0, 2.6, 5.0, 9.0, 12.0, 15.0])
    classes = classify(change, scheme="quantiles", k=5, centre=0.0)
    assert 0.0 in classes.upper                                   # no class holds falls and rises
    assert all(hi <= 0 or lo >= 0 for lo, hi in zip(classes.lower, classes.upper))
    assert sum(classes.counts) == len(change)
    colours = diverging_colours(classes)
    assert len(set(colours)) == classes.k                          # every class its own colour
    assert classes.k == 5              # as many classes as asked for (the Karte's slider said 5, the legend 6)


@pytest.mark.parametrize("scheme", ["quantiles", "equal_interval", "natural_breaks"])
@pytest.mark.parametrize("k", [3, 5, 7])
def test_change_classes_keep_the_number_asked_for(scheme, k):
    rng = np.random.default_rng(k)
    change = pd.Series(rng.normal(1.0, 20.0, 300).round(0))
    classes = classify(change, scheme=scheme, k=k, centre=0.0)
    assert classes.k == k and 0.0 in classes.upper
    assert sum(classes.counts) == len(change)


@pytest.mark.parametrize("scheme", ["quantiles", "equal_interval", "natural_breaks", "std_mean", "manual"])
def test_assignment_is_per_input_area_and_within_its_class(scheme):
    """The class of every value sits under its own area label, in the input's order (the input
    is unsorted and labelled by area ids), and the value lies within that class's bounds."""
    values = pd.Series([30.0, np.nan, 5.0, 12.5, 80.0, 41.0, 5.0, 66.0],
                       index=pd.Index(["08", "03", "11", "01", "12", "05", "02", "07"], name="area_id"))
    c = classify(values, scheme=scheme, k=4, breaks=[10.0, 40.0, 60.0] if scheme == "manual" else None)
    assert_aligned(c.assignment, values)
    assert c.assignment["03"] == -1
    for area, value in values.dropna().items():
        i = c.assignment[area]
        assert 0 <= i < c.k
        assert c.lower[i] - 1e-9 <= value <= c.upper[i] + 1e-9, (area, value, c.lower[i], c.upper[i])
    assert list(c.counts) == [int((c.assignment == i).sum()) for i in range(c.k)]
