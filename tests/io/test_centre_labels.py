"""``io.nationwide.CentreLabels``: the label-raster shortcut gives exactly what testing every
point against the outlines gives (shapely's STRtree), for lattice centres and for loose points,
inside, outside and near the boundaries."""
import numpy as np
import geopandas as gpd
import pandas as pd
import shapely
from hypothesis import given, settings, strategies as st

from jmdiq_geo.io.nationwide import CentreLabels


def _tree_labels(geoms, x, y):
    label = np.full(len(x), -1)
    p, a = shapely.STRtree(geoms).query(shapely.points(x, y), predicate="within")
    label[p] = a
    return label


def _outlines(seed: int) -> gpd.GeoSeries:
    """A few irregular polygons (one with a hole, one in two parts) over ~20 km, in metres."""
    rng = np.random.default_rng(seed)
    polys = []
    for cx, cy in [(3_000, 4_000), (9_000, 4_500), (15_000, 12_000), (5_500, 14_000)]:
        angles = np.sort(rng.uniform(0, 2 * np.pi, 12))
        radii = rng.uniform(1_500, 3_800, 12)
        polys.append(shapely.Polygon(np.c_[cx + radii * np.cos(angles), cy + radii * np.sin(angles)]).buffer(0))
    polys[1] = polys[1].difference(shapely.Point(9_000, 4_500).buffer(600))
    polys[2] = shapely.MultiPolygon([polys[2], shapely.box(18_700, 1_000, 19_900, 2_300)])
    # keep them disjoint, as Gemeinden are
    for i in range(1, len(polys)):
        polys[i] = polys[i].difference(shapely.union_all(polys[:i]))
    return gpd.GeoSeries(polys, crs="EPSG:3035")


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_loose_points_get_the_outline_they_lie_in(seed):
    outlines = _outlines(seed)
    rng = np.random.default_rng(seed + 1)
    x, y = rng.uniform(-500, 21_000, 4_000), rng.uniform(-500, 18_000, 4_000)
    got = CentreLabels(outlines).labels(x, y)
    assert (got == _tree_labels(np.asarray(outlines.array), x, y)).all()
    assert (got >= 0).any() and (got < 0).any()


def test_lattice_centres_and_sums_equal_the_point_by_point_sums():
    outlines = _outlines(7)
    labels = CentreLabels(outlines)
    for size in (1_000, 100, 250):              # a pixel-centre lattice, and two finer ones
        xs = np.arange(size / 2, 21_000, size)
        ys = np.arange(size / 2, 18_000, size)
        x, y = (a.ravel() for a in np.meshgrid(xs, ys))
        values = np.random.default_rng(size).integers(0, 50, len(x)).astype(float)
        values[::17] = np.nan
        cells = pd.DataFrame({"x": x, "y": y, "value": values})
        expected = np.zeros(len(outlines))
        known = ~np.isnan(values)
        tree = _tree_labels(np.asarray(outlines.array), x[known], y[known])
        np.add.at(expected, tree[tree >= 0], values[known][tree >= 0])
        assert np.array_equal(labels.sums(cells), expected)
        assert expected.sum() > 0
