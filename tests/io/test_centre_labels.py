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


def test_outlines_along_the_pixel_lines_and_through_their_corners():
    """Edges that lie on the label raster's pixel lines, and vertices on its corners: the pixels
    on both sides count as touched, so every point still gets the outline it lies in."""
    km = 1_000.0
    outlines = gpd.GeoSeries([
        shapely.box(0, 0, 3 * km, 2 * km),                                   # on the pixel lines
        shapely.box(3 * km, 0, 5 * km, 2 * km),                              # sharing an edge with it
        shapely.Polygon([(0, 2 * km), (2 * km, 4 * km), (4 * km, 2 * km)]),  # through pixel corners
        shapely.box(5 * km, 3 * km, 7 * km, 5 * km).difference(shapely.box(5.5 * km, 3.5 * km, 6 * km, 4 * km)),
    ], crs="EPSG:3035")
    rng = np.random.default_rng(3)
    for x, y in [
        (a.ravel() for a in np.meshgrid(np.arange(50, 7_500, 100.0), np.arange(50, 5_500, 100.0))),
        (rng.uniform(-100, 7_600, 5_000), rng.uniform(-100, 5_600, 5_000)),
    ]:
        got = CentreLabels(outlines).labels(x, y)
        assert (got == _tree_labels(np.asarray(outlines.array), x, y)).all()
        assert set(got) == {-1, 0, 1, 2, 3}


def test_overlapping_outlines_the_later_one_wins():
    """Outlines that overlap (not a tiling): a point in two takes the later one, in the raster's
    spans and in the points tested one by one alike (no point on a boundary: there the raster
    takes a side, testing a point takes none)."""
    outlines = gpd.GeoSeries([shapely.box(0, 0, 4_000, 4_000), shapely.Point(3_000, 3_000).buffer(1_700),
                              shapely.box(700, 2_600, 2_300, 6_000)], crs="EPSG:3035")
    geoms = np.asarray(outlines.array)
    for size in (1_000, 100):                       # pixel centres, and a finer lattice
        xs = np.arange(size / 2, 6_000, size)
        x, y = (a.ravel() for a in np.meshgrid(xs, xs))
        inside = np.stack([shapely.contains_xy(g, x, y) for g in geoms])
        expected = np.where(inside.any(axis=0), len(geoms) - 1 - np.argmax(inside[::-1], axis=0), -1)
        got = CentreLabels(outlines).labels(x, y)
        assert (got == expected).all()
        assert {0, 1, 2} <= set(got)


# --------------------------------------------------------------------------- the touched pixels' points

#: an origin like Germany's in EPSG:3035: the label raster's pixel lines lie on whole kilometres
ORIGIN = np.array([4_321_000.0, 2_987_000.0])
#: a coordinate: on a 250 m lattice (pixel lines, corners and centres) or anywhere
_coord = st.one_of(st.integers(0, 36).map(lambda k: k * 250.0), st.floats(0, 9_000, allow_nan=False))
_hull = st.lists(st.tuples(_coord, _coord), min_size=3, max_size=7).map(
    lambda v: shapely.transform(shapely.MultiPoint(v).convex_hull.buffer(0), lambda c: c + ORIGIN))


@st.composite
def _outline(draw):
    """A polygon: one hull, or the union of two (not convex, or a multipolygon when they are
    apart), with a hull cut out or a hole of its own shrunk copy."""
    shape = draw(_hull)
    if draw(st.booleans()):
        shape = shape.union(draw(_hull))
    cut = draw(st.sampled_from(["none", "hull", "hole"]))
    if cut == "hull":
        shape = shape.difference(draw(_hull))
    elif cut == "hole" and not shape.is_empty:
        shape = shape.difference(shapely.affinity.scale(shape, 0.4, 0.4))
    # (an outline is polygons: a cut can leave a sliver line of a degenerate hull)
    parts = [p for p in shapely.get_parts(shape) if isinstance(p, shapely.Polygon) and not p.is_empty]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0] if parts else shapely.Polygon()


def _highest_containing(geoms, x, y):
    """Per point the highest index of the outlines that contain it (−1: none), outline by outline."""
    inside = np.stack([shapely.contains_xy(g, x, y) for g in geoms])
    return np.where(inside.any(axis=0), len(geoms) - 1 - np.argmax(inside[::-1], axis=0), -1)


@settings(max_examples=150, deadline=None)
@given(outlines=st.lists(_outline(), min_size=1, max_size=6), seed=st.integers(0, 2**32 - 1))
def test_points_of_touched_pixels_get_what_the_tree_gives(outlines, seed):
    """Overlapping outlines (the later one wins), holes, multipolygons; points on their vertices
    and edges (on the boundary: in no outline), on the pixel lines and corners, and anywhere: the
    label (raster, or the candidates of a touched pixel) is the STRtree's (``_by_tree``) and the
    highest outline that contains the point."""
    geoms = np.asarray(outlines, dtype=object)
    rng = np.random.default_rng(seed)
    coords = shapely.get_coordinates(geoms)
    ends = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(geoms)))
    mid = rng.uniform(0, 1, (max(len(ends) - 1, 0), 1))
    points = np.concatenate([
        coords,                                                   # vertices
        (ends[:-1] + ends[1:]) / 2,                               # on the edges (lattice) or next to them
        ends[:-1] + mid * (ends[1:] - ends[:-1]),                 # along the edges
        ORIGIN + rng.integers(-1, 38, (300, 2)) * 250.0,          # pixel corners, lines, centres
        ORIGIN + np.c_[rng.integers(-1, 10, 300) * 1_000.0, rng.uniform(-200, 9_200, 300)],   # on the pixel lines
        ORIGIN + np.c_[rng.uniform(-200, 9_200, 300), rng.integers(-1, 10, 300) * 1_000.0],
        ORIGIN + rng.uniform(-200, 9_200, (1_000, 2)),            # anywhere
    ])
    x, y = points[:, 0], points[:, 1]
    labels = CentreLabels(gpd.GeoSeries(geoms, crs="EPSG:3035"))
    got = labels.labels(x, y)
    assert (got == labels._by_tree(shapely.points(x, y))).all()
    assert (got == _highest_containing(geoms, x, y)).all()
    x0, top, size, _, touched, _ = labels._rasters_for(x, y)
    assert touched[((top - y) // size).astype(int), ((x - x0) // size).astype(int)].sum() >= len(coords)


def test_candidates_of_a_pixel_include_an_outline_that_covers_it_whole():
    """A touched pixel inside a big outline whose boundary is far away: the big one is a candidate
    through its span over the pixel's centre (the pixel's boundary belongs to a small, earlier
    outline), so points beside the small one still get the big one, and points in both the later."""
    km = 1_000.0
    outlines = gpd.GeoSeries([shapely.box(2.2 * km, 2.2 * km, 2.6 * km, 2.6 * km),      # small, inside a pixel
                              shapely.box(0, 0, 6 * km, 6 * km),                          # big, later
                              shapely.box(3.3 * km, 3.3 * km, 3.7 * km, 3.7 * km)],       # small, later still
                             crs="EPSG:3035")
    geoms = np.asarray(outlines.array)
    xs = np.arange(2_005.0, 4_000.0, 10.0)
    x, y = (a.ravel() for a in np.meshgrid(xs, xs))
    got = CentreLabels(outlines).labels(x, y)
    assert (got == _highest_containing(geoms, x, y)).all()
    assert set(got) == {1, 2}
