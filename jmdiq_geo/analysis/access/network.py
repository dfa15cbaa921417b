"""A pedestrian network as a sparse graph, and points snapped onto it.

Lines (OSM ways, any segmentation, LineString or MultiLineString) are cut into their straight
segments; every distinct vertex becomes a node, so ways that share a vertex are joined there
(the Moabit extract's ways are not split at junctions) and ways that merely cross without a
shared vertex (bridges, tunnels) stay apart. Distances are metres in the workspace's metric CRS;
the graph is a symmetric ``scipy.sparse`` CSR matrix (components: ``scipy.sparse.csgraph``; the
searches over it: ``jmdiq_geo.analysis.access.kernels``).

Points (homes, services) are snapped to the nearest segment within ``max_snap_m``: the walk is
door → nearest point on the segment (straight) → along the segment to either end → network.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from jmdiq_geo.analysis.access import kernels

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
    #: snaps of point sets already asked for (homes are snapped once for all categories)
    _snaps: dict = field(default_factory=dict, repr=False)
    _grid: "SegmentGrid | None" = field(default=None, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.xy)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def grid(self) -> "SegmentGrid":
        """The snapping index: the segments of the largest connected part bucketed into square
        cells — homes and services are snapped to the network people can walk on, not to a
        fragment cut off at the edge of the extract (as r5py and most routers do)."""
        if self._grid is None:
            idx = np.flatnonzero(self.component[self.u] == self.main_component)
            self._grid = SegmentGrid(self.xy[self.u[idx]], self.xy[self.v[idx]], idx)
        return self._grid

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


class SegmentGrid:
    """Segments bucketed into square cells (the cells each bounding box touches) for the
    nearest-segment search of ``kernels.nearest_segment``."""

    #: at most this many cells (a sparse extract over a large area gets larger cells)
    MAX_CELLS = 4_000_000

    def __init__(self, a: np.ndarray, b: np.ndarray, segment_of: np.ndarray):

        self.segment_of = segment_of
        self.ax, self.ay, self.bx, self.by = (np.ascontiguousarray(c, dtype=float)
                                              for c in (a[:, 0], a[:, 1], b[:, 0], b[:, 1]))
        lo = np.minimum(a, b).min(axis=0) if len(a) else np.zeros(2)
        hi = np.maximum(a, b).max(axis=0) if len(a) else np.ones(2)
        length = np.hypot(*(b - a).T) if len(a) else np.ones(1)
        # half the median segment length (bounded): few candidates per cell, a small index
        cell = float(np.clip(np.median(length) / 2, 5.0, 500.0))
        span = np.maximum(hi - lo, 1.0)
        cell = max(cell, float(np.sqrt(span[0] * span[1] / self.MAX_CELLS)))
        self.x0, self.y0, self.cell = float(lo[0]), float(lo[1]), cell
        self.nx, self.ny = int(span[0] // cell) + 1, int(span[1] // cell) + 1
        self.ptr, self.items = kernels.grid_index(self.ax, self.ay, self.bx, self.by, self.x0, self.y0, cell,
                                                  self.nx, self.ny)

    def nearest(self, xy: np.ndarray, max_d: float) -> tuple[np.ndarray, np.ndarray]:
        """(network segment number or −1, distance) for every point; large sets on all cores."""

        n = len(xy)
        seg = np.full(n, -1, dtype=np.int64)
        dist = np.full(n, np.inf)
        if not n or not len(self.ax):
            return seg, dist
        px, py = np.ascontiguousarray(xy[:, 0], dtype=float), np.ascontiguousarray(xy[:, 1], dtype=float)

        def part(bounds):
            lo, hi = bounds
            return kernels.nearest_segment(px[lo:hi], py[lo:hi], self.ax, self.ay, self.bx, self.by, self.ptr,
                                           self.items, self.x0, self.y0, self.cell, self.nx, self.ny, float(max_d))
        parts = _split(n, 50_000)
        with ThreadPoolExecutor(len(parts)) as pool:
            for (lo, hi), (s, d) in zip(parts, pool.map(part, parts)):
                ok = s >= 0
                seg[lo:hi] = np.where(ok, self.segment_of[np.maximum(s, 0)], -1)
                dist[lo:hi] = d
        return seg, dist


def cores() -> int:
    """How many threads the compiled searches use (they release the GIL)."""
    return min(os.cpu_count() or 1, 8)


def _split(n: int, min_size: int) -> list[tuple[int, int]]:
    """``n`` items in one slice per core (one slice when there are fewer than ``min_size``)."""
    workers = cores() if n >= min_size else 1
    bounds = np.linspace(0, n, workers + 1).astype(int)
    return [(int(bounds[k]), int(bounds[k + 1])) for k in range(workers)]


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
    _by_node: "ByNode | None" = field(default=None, repr=False)

    def by_node(self, n_nodes: int, n_segments: int) -> "ByNode":
        """The snapped points for the catchment kernel, built once per point set (the homes serve
        every category): renumbered in the order of their segment's start node, so that what a
        search reaches lies close together in memory (see ``ByNode``)."""
        if self._by_node is None:
            idx = np.flatnonzero(self.ok)
            point = idx[np.argsort(self.node_a[idx], kind="stable")]       # local number → point
            local = np.arange(len(point))
            self._by_node = ByNode(*_group(self.node_a[point], n_nodes, local),
                                   *_group(self.node_b[point], n_nodes, local),
                                   *_group(self.segment[point], n_segments, local),
                                   *(np.ascontiguousarray(a[point], dtype=float)
                                     for a in (self.off_a, self.off_b, self.along, self.snap_m)),
                                   np.ascontiguousarray(self.node_a[point], dtype=np.int64),
                                   np.ascontiguousarray(self.node_b[point], dtype=np.int64), point)
        return self._by_node


class ByNode(NamedTuple):
    """Snapped points in local numbering (by their segment's start node), grouped CSR-style by
    start node, end node and segment (pointer, local numbers), with what the catchment kernel
    reads per point; ``point`` maps a local number back to the point. The first twelve fields are
    ``kernels.catchment_pairs``'s last arguments, in order."""
    a_ptr: np.ndarray
    a_loc: np.ndarray
    b_ptr: np.ndarray
    b_loc: np.ndarray
    seg_ptr: np.ndarray
    seg_loc: np.ndarray
    off_a: np.ndarray
    off_b: np.ndarray
    along: np.ndarray
    snap_m: np.ndarray
    node_a: np.ndarray
    node_b: np.ndarray
    point: np.ndarray

    def kernel_args(self) -> tuple[np.ndarray, ...]:
        return tuple(self)[:12]


def _group(keys: np.ndarray, n: int, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CSR grouping: ``members`` by ``keys`` (0 ≤ key < n) → (pointer, members in key order)."""
    order = np.argsort(keys, kind="stable")
    return np.concatenate([[0], np.cumsum(np.bincount(keys, minlength=n))]), np.ascontiguousarray(members[order])


def snap(network: Network, xy: np.ndarray, *, max_snap_m: float) -> Snapped:
    """Snap points (n, 2) to the nearest segment of the network's largest connected part within
    ``max_snap_m`` metres (remembered per point set, so the homes are snapped once however many
    categories are run). Points farther away are not snapped (``ok`` False)."""
    xy = np.ascontiguousarray(xy, dtype=float).reshape(-1, 2)
    key = (hashlib.blake2b(xy.tobytes(), digest_size=16).digest(), float(max_snap_m))
    found = network._snaps.get(key)
    if found is None:                 # two sessions may snap at once: keep our own result
        found = _snap(network, xy, max_snap_m)
        if len(network._snaps) > 8:
            network._snaps.clear()
        network._snaps[key] = found
    return found


def _snap(network: Network, xy: np.ndarray, max_snap_m: float) -> Snapped:
    n = len(xy)
    seg, dist = network.grid().nearest(xy, max_snap_m)
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
