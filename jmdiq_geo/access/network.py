"""A pedestrian network as a sparse graph, and points snapped onto it.

Lines (OSM ways, any segmentation, LineString or MultiLineString) are cut into their straight
segments; every distinct vertex becomes a node, so ways that share a vertex are joined there
(the Moabit extract's ways are not split at junctions) and ways that merely cross without a
shared vertex (bridges, tunnels) stay apart. Distances are metres in the workspace's metric CRS;
shortest paths are ``scipy.sparse.csgraph.dijkstra``.

Points (homes, services) are snapped to the nearest segment within ``max_snap_m``: the walk is
door → nearest point on the segment (straight) → along the segment to either end → network.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

#: vertices closer than this (metres) are the same node
NODE_TOLERANCE_M = 0.01


@dataclass
class Network:
    """Nodes, segments and the symmetric CSR adjacency of a walkable network."""
    xy: np.ndarray                    # (n_nodes, 2)
    u: np.ndarray                     # segment start node
    v: np.ndarray                     # segment end node
    length: np.ndarray                # segment length, m
    graph: sparse.csr_matrix          # n_nodes × n_nodes, symmetric
    component: np.ndarray             # component label per node
    main_component: int
    coverage: object = None           # polygon the network is meant to cover (or None)
    _tree: shapely.STRtree | None = field(default=None, repr=False)
    #: snaps of point sets already asked for (homes are snapped once for all categories)
    _snaps: dict = field(default_factory=dict, repr=False)
    _main: tuple | None = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def segments(self) -> np.ndarray:
        if self._tree is None:
            lines = shapely.linestrings(np.stack([self.xy[self.u], self.xy[self.v]], axis=1))
            self._tree = shapely.STRtree(lines)
        return self._tree.geometries

    def tree(self) -> shapely.STRtree:
        self.segments()
        return self._tree

    def main_tree(self) -> tuple[shapely.STRtree, np.ndarray]:
        """An R-tree of the segments of the largest connected part, and their segment numbers:
        homes and services are snapped to the network people can walk on, not to a fragment cut
        off at the edge of the extract (as r5py and most routers do)."""
        if self._main is None:
            idx = np.flatnonzero(self.component[self.u] == self.main_component)
            self._main = (shapely.STRtree(self.segments()[idx]), idx)
        return self._main

    def total_length_km(self) -> float:
        return float(self.length.sum() / 1000)


def network_from_lines(lines, *, coverage=None) -> Network:
    """Build a network from line geometries (GeoSeries/array in a metric CRS)."""
    geoms = np.asarray(getattr(lines, "values", lines), dtype=object)
    geoms = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
    coords, line_index = shapely.get_coordinates(shapely.get_parts(geoms), return_index=True)
    if len(coords) < 2:
        raise ValueError("network has no segments")
    same_line = line_index[1:] == line_index[:-1]
    start, end = coords[:-1][same_line], coords[1:][same_line]
    return network_from_segments(start, end, coverage=coverage)


def network_from_segments(start: np.ndarray, end: np.ndarray, *, coverage=None) -> Network:
    """Build a network from segment end points (two (n, 2) arrays)."""
    keys = np.round(np.concatenate([start, end]) / NODE_TOLERANCE_M).astype(np.int64)
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n = len(start)
    u, v = inverse[:n], inverse[n:]
    xy = unique.astype(float) * NODE_TOLERANCE_M
    length = np.hypot(*(xy[u] - xy[v]).T)
    keep = u != v
    u, v, length = u[keep], v[keep], length[keep]
    # one segment per node pair (the shortest): CSR construction would otherwise add duplicates
    a, b = np.minimum(u, v), np.maximum(u, v)
    order = np.lexsort((length, b, a))
    a, b, length = a[order], b[order], length[order]
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    u, v, length = a[first], b[first], length[first]
    graph = _adjacency(len(xy), u, v, length)
    n_comp, labels = connected_components(graph, directed=False)
    sizes = np.bincount(labels, minlength=n_comp)
    return Network(xy, u, v, length, graph, labels, int(np.argmax(sizes)), coverage)


def _adjacency(n: int, u, v, length) -> sparse.csr_matrix:
    # zero-length segments cannot occur (dropped above); csgraph treats explicit zeros as no edge
    rows = np.concatenate([u, v])
    cols = np.concatenate([v, u])
    data = np.concatenate([length, length])
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, n))


@dataclass
class Snapped:
    """Where points meet the network: segment end nodes and the walk to each of them."""
    ok: np.ndarray          # bool: within max_snap and on a network segment
    segment: np.ndarray     # segment index (−1 when not ok)
    node_a: np.ndarray      # segment start node
    node_b: np.ndarray
    off_a: np.ndarray       # door → segment → node_a, metres
    off_b: np.ndarray
    snap_m: np.ndarray      # door → segment (straight), metres
    along: np.ndarray       # position on the segment from node_a, metres


def snap(network: Network, xy: np.ndarray, *, max_snap_m: float) -> Snapped:
    """Snap points (n, 2) to the nearest segment of the network's largest connected part within
    ``max_snap_m`` metres (remembered per point set, so the homes are snapped once however many
    categories are run). Points farther away are not snapped (``ok`` False)."""
    xy = np.ascontiguousarray(xy, dtype=float).reshape(-1, 2)
    key = (hashlib.blake2b(xy.tobytes(), digest_size=16).digest(), float(max_snap_m))
    if key not in network._snaps:
        if len(network._snaps) > 8:
            network._snaps.clear()
        network._snaps[key] = _snap(network, xy, max_snap_m)
    return network._snaps[key]


def _snap(network: Network, xy: np.ndarray, max_snap_m: float) -> Snapped:
    n = len(xy)
    points = shapely.points(xy) if n else np.array([], dtype=object)
    seg = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.inf)
    if n:
        tree, segment_of = network.main_tree()

        def nearest(start: int, stop: int):
            idx, d = tree.query_nearest(points[start:stop], max_distance=max_snap_m, return_distance=True,
                                        all_matches=False)
            return idx[0] + start, segment_of[idx[1]], d
        # GEOS releases the GIL: large point sets are snapped on all cores
        workers = min(os.cpu_count() or 1, 8) if n > 20_000 else 1
        bounds = np.linspace(0, n, workers + 1).astype(int)
        with ThreadPoolExecutor(workers) as pool:
            for p_idx, s_idx, d in pool.map(lambda k: nearest(bounds[k], bounds[k + 1]), range(workers)):
                seg[p_idx] = s_idx
                dist[p_idx] = d
    ok = seg >= 0
    a = np.where(ok, network.u[np.maximum(seg, 0)], -1)
    b = np.where(ok, network.v[np.maximum(seg, 0)], -1)
    along = np.zeros(n)
    if ok.any():
        pa, pb = network.xy[a[ok]], network.xy[b[ok]]
        d = pb - pa
        seg_len = network.length[seg[ok]]
        t = np.clip(((xy[ok] - pa) * d).sum(axis=1) / seg_len ** 2, 0.0, 1.0)
        along[ok] = t * seg_len
    seg_len_all = np.where(ok, network.length[np.maximum(seg, 0)], 0.0)
    off_a = np.where(ok, dist + along, np.inf)
    off_b = np.where(ok, dist + seg_len_all - along, np.inf)
    return Snapped(ok, seg, a, b, off_a, off_b, np.where(ok, dist, np.inf), along)


def with_sources(network: Network, snapped: Snapped) -> tuple[sparse.csr_matrix, np.ndarray]:
    """The graph plus one extra node per snapped source point (connected to both ends of its
    segment with the walk from the door); returns the graph and the sources' node numbers
    (−1 for points not snapped)."""
    ok = np.flatnonzero(snapped.ok)
    n = network.n_nodes
    extra = n + np.arange(len(ok))
    rows = np.concatenate([extra, extra, snapped.node_a[ok], snapped.node_b[ok]])
    cols = np.concatenate([snapped.node_a[ok], snapped.node_b[ok], extra, extra])
    # a zero weight is "no edge" in csgraph: a door exactly on a node gets a millimetre
    w_a = np.maximum(snapped.off_a[ok], 1e-3)
    w_b = np.maximum(snapped.off_b[ok], 1e-3)
    data = np.concatenate([w_a, w_b, w_a, w_b])
    add = sparse.csr_matrix((data, (rows, cols)), shape=(n + len(ok), n + len(ok)))
    g = network.graph
    indptr = np.concatenate([g.indptr, np.full(len(ok), g.indptr[-1], dtype=g.indptr.dtype)])
    base = sparse.csr_matrix((g.data, g.indices, indptr), shape=(n + len(ok), n + len(ok)))
    nodes = np.full(len(snapped.ok), -1, dtype=np.int64)
    nodes[ok] = extra
    return (base + add).tocsr(), nodes
