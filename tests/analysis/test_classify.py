"""Map classes (``jmdiq_geo.analysis.classify``): every value in one class, changes split at zero."""
import numpy as np
import pandas as pd

from jmdiq_geo.analysis.classify import classify


def test_classes_cover_all_values():
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan], dtype=float)
    for scheme in ("quantiles", "equal_interval", "natural_breaks", "std_mean"):
        c = classify(values, scheme=scheme, k=5)
        assert sum(c.counts) == 10 and (c.assignment == -1).sum() == 1
        assert c.upper[-1] >= 10


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
