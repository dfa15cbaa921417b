"""The compiled kernels against scipy's Dijkstra and shapely's nearest-segment query on random
networks (the references they replace for speed)."""
from __future__ import annotations

import os

import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from jmdiq_geo.analysis.access import kernels
from jmdiq_geo.analysis.access.compute import _searches, weighted_median
from jmdiq_geo.analysis.access.network import network_from_segments, snap


def random_network(seed: int, side: int = 25, drop: float = 0.25):
    """A jittered grid with a quarter of its streets removed (dead ends, islands)."""
    rng = np.random.default_rng(seed)
    ii, jj = np.divmod(np.arange(side * side), side)
    xy = np.column_stack([jj * 60.0, ii * 60.0]) + rng.uniform(-15, 15, (side * side, 2))
    node = np.arange(side * side).reshape(side, side)
    u = np.concatenate([node[:, :-1].ravel(), node[:-1, :].ravel(), node[:-1, :-1].ravel()])
    v = np.concatenate([node[:, 1:].ravel(), node[1:, :].ravel(), node[1:, 1:].ravel()])
    keep = rng.random(len(u)) > drop
    return network_from_segments(xy[u[keep]], xy[v[keep]]), rng


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_source_matches_scipy(seed):
    net, rng = random_network(seed)
    g = net.graph
    seeds = rng.choice(net.n_nodes, 12, replace=False)
    offsets = rng.uniform(0, 40, len(seeds))
    dist, label = kernels.nearest_source(g.indptr, g.indices, g.data, seeds, offsets, np.arange(len(seeds)))
    each = dijkstra(g, indices=seeds) + offsets[:, None]          # (seeds, nodes)
    want = each.min(axis=0)
    np.testing.assert_allclose(dist, want, rtol=1e-12)
    reached = np.isfinite(want)
    assert reached.sum() > net.n_nodes / 2
    # the label names a seed at exactly that distance (ties may pick either)
    np.testing.assert_allclose(each[label[reached], np.flatnonzero(reached)], want[reached], rtol=1e-12)
    assert (label[~reached] == -1).all()


@pytest.mark.parametrize("seed", [4, 5])
def test_catchment_pairs_match_brute_force(seed):
    net, rng = random_network(seed)
    extent = net.xy.max(axis=0)
    homes = snap(net, rng.uniform(0, extent, (400, 2)), max_snap_m=80)
    services = snap(net, rng.uniform(0, extent, (15, 2)), max_snap_m=80)
    oi, s_idx = np.flatnonzero(homes.ok), np.flatnonzero(services.ok)
    assert len(oi) > 300 and len(s_idx) > 10
    limit = 400.0
    _, _, got = _searches(net, homes, services, oi, s_idx, limit, lambda f, m: None)
    got = {(int(o), int(s)): d for o, s, d in zip(got["o"], got["s"], got["d"])}
    want = {}
    for j in s_idx:
        from_a, from_b = dijkstra(net.graph, indices=[services.node_a[j], services.node_b[j]])
        node = np.minimum(from_a + services.off_a[j], from_b + services.off_b[j])
        settled = node <= limit
        for i in oi:
            d = min(node[homes.node_a[i]] + homes.off_a[i] if settled[homes.node_a[i]] else np.inf,
                    node[homes.node_b[i]] + homes.off_b[i] if settled[homes.node_b[i]] else np.inf)
            if homes.segment[i] == services.segment[j]:
                direct = homes.snap_m[i] + abs(homes.along[i] - services.along[j]) + services.snap_m[j]
                if direct <= limit or np.isfinite(d):
                    d = min(d, direct)
            if np.isfinite(d):
                want[(int(i), int(j))] = d
    assert want, "no pairs within the limit: the test network is too sparse"
    assert got.keys() == want.keys()
    np.testing.assert_allclose([got[k] for k in want], [want[k] for k in want], rtol=1e-12)


@pytest.mark.parametrize("seed", [6, 7])
def test_nearest_segment_matches_shapely(seed):
    net, rng = random_network(seed, side=15)
    extent = net.xy.max(axis=0)
    # points inside, near and far outside the network's box
    pts = rng.uniform(-300, extent + 300, (2000, 2))
    max_d = 120.0
    seg, dist = net.grid().nearest(pts, max_d)
    main = np.flatnonzero(net.component[net.u] == net.main_component)
    lines = shapely.linestrings(np.stack([net.xy[net.u[main]], net.xy[net.v[main]]], axis=1))
    ref = shapely.distance(shapely.points(pts)[:, None], lines[None, :]).min(axis=1)
    found = seg >= 0
    np.testing.assert_array_equal(found, ref <= max_d)
    np.testing.assert_allclose(dist[found], ref[found], rtol=1e-9, atol=1e-9)
    # the segment returned is at that distance and on the main component
    assert (net.component[net.u[seg[found]]] == net.main_component).all()
    seg_lines = shapely.linestrings(np.stack([net.xy[net.u[seg[found]]], net.xy[net.v[seg[found]]]], axis=1))
    np.testing.assert_allclose(shapely.distance(shapely.points(pts[found]), seg_lines), ref[found], atol=1e-9)
    assert 0 < found.sum() < len(pts)
    # points without a location are not snapped (and do not stall the ring search)
    seg, dist = net.grid().nearest(np.array([[np.nan, 10.0], [np.inf, np.inf], [10.0, 10.0]]), max_d)
    assert list(seg[:2]) == [-1, -1] and np.isinf(dist[:2]).all() and seg[2] >= 0


def test_grouped_weighted_median_matches_definition():
    rng = np.random.default_rng(8)
    values, weights = rng.normal(size=301), rng.gamma(1.0, 1.0, 301)
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    want = values[order][np.searchsorted(cum, cum[-1] / 2)]
    assert weighted_median(values, weights) == want
    assert np.isnan(weighted_median(np.array([np.nan, 1.0]), np.array([1.0, 0.0])))


def test_long_diagonal_segment_enters_a_band_of_cells():
    """A long way enters the cells along it, not every cell of its bounding box; snapping to it
    stays exact."""
    a = np.array([[0.0, 0.0], [0.0, 0.0]] + [[x, 0.0] for x in range(0, 200, 20)])
    b = np.array([[20_000.0, 20_000.0], [20.0, 0.0]] + [[x + 20.0, 0.0] for x in range(0, 200, 20)])
    from jmdiq_geo.analysis.access.network import SegmentGrid
    grid = SegmentGrid(a, b, np.arange(len(a)))
    cells_along = 20_000 * np.sqrt(2) / grid.cell
    assert len(grid.items) < 6 * cells_along + 100                # a band, not (20 000 / cell)² cells
    rng = np.random.default_rng(9)
    t = rng.uniform(0, 1, 500)
    pts = np.column_stack([t * 20_000, t * 20_000]) + rng.normal(0, 30, (500, 2))
    seg, dist = grid.nearest(pts, 250.0)
    lines = shapely.linestrings(np.stack([a, b], axis=1))
    ref = shapely.distance(shapely.points(pts)[:, None], lines[None, :]).min(axis=1)
    np.testing.assert_allclose(dist, ref, atol=1e-9)


def test_equal_distances_pick_the_smallest_segment_number():
    # point (5, 5), cells of 10 m: segment 1 lies in the point's cell, segment 0 in the next ring,
    # both 5 m away
    ax, ay = np.array([0.0, 0.0]), np.array([10.0, 0.0])
    bx, by = np.array([10.0, 10.0]), np.array([10.0, 0.0])
    ptr, items = kernels.grid_index(ax, ay, bx, by, 0.0, 0.0, 10.0, 3, 3)
    seg, dist = kernels.nearest_segment(np.array([5.0]), np.array([5.0]), ax, ay, bx, by, ptr, items,
                                        0.0, 0.0, 10.0, 3, 3, 100.0)
    assert (seg[0], dist[0]) == (0, 5.0)


def test_an_interrupted_run_does_not_wait_for_queued_searches(monkeypatch):
    """The page reruns (Streamlit raises inside the progress callback): the searches still queued
    are dropped instead of run to the end."""
    import time

    import jmdiq_geo.analysis.access.compute as compute

    net, rng = random_network(10, side=30, drop=0.1)
    extent = net.xy.max(axis=0)
    homes = snap(net, rng.uniform(0, extent, (300, 2)), max_snap_m=80)
    services = snap(net, rng.uniform(0, extent, (400, 2)), max_snap_m=80)
    oi, s_idx = np.flatnonzero(homes.ok), np.flatnonzero(services.ok)
    calls = []
    real = kernels.catchment_pairs

    def slow(*args):
        calls.append(1)
        time.sleep(0.2)
        return real(*args)
    monkeypatch.setattr(compute.kernels, "catchment_pairs", slow)

    def say(fraction, message):
        if fraction > 0.1:                       # the first finished batch
            raise RuntimeError("rerun")
    with pytest.raises(RuntimeError, match="rerun"):
        _searches(net, homes, services, oi, s_idx, 400.0, say)
    n_batches = max(1, min(len(s_idx) // 16, 4 * min(os.cpu_count() or 1, 8)))
    assert n_batches >= 4 and len(calls) < n_batches
