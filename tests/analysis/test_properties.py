"""Property-based tests (issue 16) of interpolation and the composite index.

- Interpolation: over a partition of a city into random rectangles (the areas) and a second,
  independent partition into random rectangles (the quarters), the quarters' estimated counts
  add up to the areas' counts - with surface shares and with a population grid. Tolerance: an
  area covered to at least ``FULL_SHARE`` (99.9 %) counts as whole (weight 1), so up to 0.1 % of
  an area's count can be counted twice; nothing else is lost or gained.
- The index: its result does not depend on the order of the rows (areas).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import geopandas as gpd
import shapely
from hypothesis import given
from hypothesis import strategies as st

from jmdiq_geo.analysis.index import ClassDef, Component, IndexDef, WeightedIndicator, compute_index
from jmdiq_geo.analysis.interpolate import FULL_SHARE, area_weights, estimate
from tests.fixtures.properties import property_settings

CRS = "EPSG:25833"
WIDTH, HEIGHT = 1000, 800


def cuts(size: int):
    """Sorted inner cut positions of [0, size] (whole metres, at least 1 m apart)."""
    return st.sets(st.integers(1, size - 1), max_size=5).map(lambda s: [0, *sorted(s), size])


def rectangles(xs, ys) -> list:
    return [shapely.box(x0, y0, x1, y1) for x0, x1 in zip(xs, xs[1:]) for y0, y1 in zip(ys, ys[1:])]


@property_settings(40)
@given(area_x=cuts(WIDTH), area_y=cuts(HEIGHT), quarter_x=cuts(WIDTH), quarter_y=cuts(HEIGHT),
       counts=st.lists(st.integers(0, 10_000), min_size=36, max_size=36),
       grid_pop=st.one_of(st.none(), st.lists(st.integers(0, 500), min_size=80, max_size=80)))
def test_quarters_of_a_partition_conserve_the_total(area_x, area_y, quarter_x, quarter_y, counts, grid_pop):
    boxes = rectangles(area_x, area_y)
    ids = [f"a{i}" for i in range(len(boxes))]
    areas = gpd.GeoDataFrame({"area_id": ids}, geometry=boxes, crs=CRS)
    values = pd.DataFrame({"n": [float(c) for c in counts[:len(ids)]]}, index=ids)
    definitions = pd.DataFrame({"kind": ["extensive"], "denominator": [None]}, index=["n"])
    grid = None
    if grid_pop is not None:               # 10 × 8 cells of 100 m covering the whole city
        cells = rectangles(list(range(0, WIDTH + 1, 100)), list(range(0, HEIGHT + 1, 100)))
        grid = gpd.GeoDataFrame({"value": [float(v) for v in grid_pop]}, geometry=cells, crs=CRS)
    total = 0.0
    for quarter in rectangles(quarter_x, quarter_y):
        weights = area_weights(quarter, areas, grid=grid)
        if len(weights.table):
            total += estimate(weights, values, definitions).at["n", "value"]
    expected = float(values["n"].sum())     # independent: the areas' own sum
    assert total >= expected - 1e-6 * max(expected, 1)
    assert total <= expected + (1 - FULL_SHARE) * expected + 1e-6 * max(expected, 1)


@property_settings(40)
@given(data=st.data(), n=st.integers(3, 25), method=st.sampled_from(["zscore", "percentile", "minmax"]))
def test_index_does_not_depend_on_row_order(data, n, method):
    values = pd.DataFrame({
        ind: data.draw(st.lists(st.one_of(st.integers(0, 50).map(float), st.just(np.nan)), min_size=n, max_size=n))
        for ind in ("a", "b", "pop")}, index=[f"area{i:02d}" for i in range(n)])
    definition = IndexDef("p", "P", "plr", [Component(
        "c", "C", [WeightedIndicator("a", 1.0), WeightedIndicator("b", 2.0, "higher_better")],
        [ClassDef(1, "niedrig", upper=-0.5), ClassDef(2, "mittel", upper=0.5), ClassDef(3, "hoch")],
        standardise=method)], min_population=10.0, population_indicator="pop")
    order = data.draw(st.permutations(list(values.index)))
    result = compute_index(definition, values).table
    shuffled = compute_index(definition, values.loc[order]).table
    assert list(shuffled.index) == order    # each row stays with its area, in the input's order
    back = shuffled.loc[values.index]
    pd.testing.assert_series_equal(back["considered"], result["considered"])
    np.testing.assert_allclose(back["c_score"].to_numpy(float), result["c_score"].to_numpy(float),
                               rtol=1e-9, atol=1e-9)
    # a class may differ only where the score lies on a threshold (within rounding)
    differ = back["c_code"].astype("float").fillna(-1) != result["c_code"].astype("float").fillna(-1)
    assert all(min(abs(result.at[a, "c_score"] - t) for t in (-0.5, 0.5)) < 1e-9 for a in result.index[differ])
