"""Compiled inner loops of walking access (numba).

Why not ``scipy.sparse.csgraph`` for these: a bounded ``dijkstra(indices=..., limit=...)`` still
allocates and returns a dense row of *all* nodes per source, so one search per service costs
O(services × nodes) however small the catchment is (≈ 80 % of a city-size run went into writing
and scanning those rows), and GEOS's R-tree nearest query costs ~20 µs per point. The kernels
here do the same searches over only the nodes a catchment reaches and turn them straight into
(home, service, metres) pairs. They are checked against ``scipy.sparse.csgraph.dijkstra`` and
``shapely`` on random networks in the tests.

All kernels release the GIL (``nogil``): the callers split work between threads.
"""
from __future__ import annotations

import numpy as np
from numba import njit

INF = np.inf


# ------------------------------------------------------------------------------------- 4-ary heap
# Keys and node numbers in two arrays; stale entries are skipped by the searches (lazy deletion).


@njit(nogil=True, cache=True)
def _push(hk, hv, size, key, val):
    """Add (key, val) to the heap of ``size`` entries; returns the new size (arrays are sized
    by the caller to the number of possible pushes)."""
    i = size
    while i > 0:
        p = (i - 1) >> 2
        if hk[p] <= key:
            break
        hk[i] = hk[p]
        hv[i] = hv[p]
        i = p
    hk[i] = key
    hv[i] = val
    return size + 1


@njit(nogil=True, cache=True)
def _pop(hk, hv, size):
    """Remove the root (read by the caller before); returns the new size."""
    size -= 1
    key = hk[size]
    val = hv[size]
    i = 0
    while True:
        c = 4 * i + 1
        if c >= size:
            break
        m = c
        mk = hk[c]
        for q in range(c + 1, min(c + 4, size)):
            if hk[q] < mk:
                mk = hk[q]
                m = q
        if key <= mk:
            break
        hk[i] = mk
        hv[i] = hv[m]
        i = m
    hk[i] = key
    hv[i] = val
    return size


# ---------------------------------------------------------------------------------------- searches


@njit(nogil=True, cache=True)
def nearest_source(indptr, indices, data, seed_node, seed_dist, seed_label):
    """Multi-source Dijkstra: for every node the distance to the nearest seed and that seed's
    label. Seeds start at their node with a distance (a door's walk to the segment end)."""
    n = len(indptr) - 1
    dist = np.full(n, INF)
    label = np.full(n, -1, dtype=np.int64)
    hk = np.empty(len(indices) + len(seed_node) + 1)
    hv = np.empty(len(indices) + len(seed_node) + 1, dtype=np.int64)
    size = 0
    for k in range(len(seed_node)):
        v = seed_node[k]
        if seed_dist[k] < dist[v]:
            dist[v] = seed_dist[k]
            label[v] = seed_label[k]
            size = _push(hk, hv, size, seed_dist[k], v)
    while size > 0:
        d = hk[0]
        v = hv[0]
        size = _pop(hk, hv, size)
        if d > dist[v]:
            continue
        for e in range(indptr[v], indptr[v + 1]):
            w = indices[e]
            nd = d + data[e]
            if nd < dist[w]:
                dist[w] = nd
                label[w] = label[v]
                size = _push(hk, hv, size, nd, w)
    return dist, label


@njit(nogil=True, cache=True)
def _grown(a, size):
    """``a`` copied into a new array of ``size`` elements (same dtype)."""
    out = np.empty(size, dtype=a.dtype)
    out[:len(a)] = a
    return out


@njit(nogil=True, cache=True)
def catchment_pairs(indptr, indices, data, services, s_node_a, s_off_a, s_node_b, s_off_b, s_seg, s_along,
                    s_snap, limit, a_ptr, a_home, b_ptr, b_home, seg_ptr, seg_home, h_off_a, h_off_b, h_along,
                    h_snap, h_node_a, h_node_b):
    """One search per service (bounded by ``limit`` metres) turned into (home, service, metres).

    A service starts at both ends of its segment; a home is reached through either end of its
    own segment (``a_ptr/a_home``: the homes whose segment starts at a node, CSR by node;
    ``b_…`` likewise for segment ends; ``h_node_a/b``: each home's two nodes) or, on the
    service's own segment, directly along it. Every home hanging on a node settled within the
    limit is returned with its exact distance (which may be a little beyond the limit), once per
    service (the shortest): after each search, a home is emitted from its start node, or from
    its end node when the start node was not reached.
    """
    n = len(indptr) - 1
    dist = np.full(n, INF)
    direct = np.full(len(h_off_a), INF)         # straight along the service's own segment
    touched = np.empty(n, dtype=np.int64)
    hk = np.empty(len(indices) + 3)
    hv = np.empty(len(indices) + 3, dtype=np.int64)
    out_o = np.empty(1 << 16, dtype=np.int64)
    out_s = np.empty(1 << 16, dtype=np.int64)
    out_d = np.empty(1 << 16)
    n_out = 0
    for j in services:
        n_t = 0
        size = 0
        for v, d0 in ((s_node_a[j], s_off_a[j]), (s_node_b[j], s_off_b[j])):
            if d0 <= limit and d0 < dist[v]:
                if dist[v] == INF:
                    touched[n_t] = v
                    n_t += 1
                dist[v] = d0
                size = _push(hk, hv, size, d0, v)
        while size > 0:
            d = hk[0]
            v = hv[0]
            size = _pop(hk, hv, size)
            if d > dist[v]:
                continue
            for e in range(indptr[v], indptr[v + 1]):
                w = indices[e]
                nd = d + data[e]
                if nd <= limit and nd < dist[w]:
                    if dist[w] == INF:
                        touched[n_t] = w
                        n_t += 1
                    dist[w] = nd
                    size = _push(hk, hv, size, nd, w)
        # every node with a distance now was settled within the limit; room for every home that
        # hangs on one of them (the most this search can emit)
        sg = s_seg[j]
        room = n_out + seg_ptr[sg + 1] - seg_ptr[sg]
        for q in range(n_t):
            v = touched[q]
            room += a_ptr[v + 1] - a_ptr[v] + b_ptr[v + 1] - b_ptr[v]
        if room > len(out_o):
            grow = max(room, 2 * len(out_o))
            out_o, out_s, out_d = _grown(out_o, grow), _grown(out_s, grow), _grown(out_d, grow)
        for k in range(seg_ptr[sg], seg_ptr[sg + 1]):
            h = seg_home[k]
            direct[h] = h_snap[h] + abs(h_along[h] - s_along[j]) + s_snap[j]
        for q in range(n_t):
            v = touched[q]
            dv = dist[v]
            for k in range(a_ptr[v], a_ptr[v + 1]):
                h = a_home[k]
                out_o[n_out] = h
                out_s[n_out] = j
                out_d[n_out] = min(dv + h_off_a[h], dist[h_node_b[h]] + h_off_b[h], direct[h])
                n_out += 1
            for k in range(b_ptr[v], b_ptr[v + 1]):
                h = b_home[k]
                if dist[h_node_a[h]] == INF:         # else emitted from its start node
                    out_o[n_out] = h
                    out_s[n_out] = j
                    out_d[n_out] = min(dv + h_off_b[h], direct[h])
                    n_out += 1
        for k in range(seg_ptr[sg], seg_ptr[sg + 1]):
            h = seg_home[k]
            # neither end reached (a segment longer than the limit): the straight walk alone
            if dist[h_node_a[h]] == INF and dist[h_node_b[h]] == INF and direct[h] <= limit:
                out_o[n_out] = h
                out_s[n_out] = j
                out_d[n_out] = direct[h]
                n_out += 1
            direct[h] = INF
        for k in range(n_t):
            dist[touched[k]] = INF
    return out_o[:n_out].copy(), out_s[:n_out].copy(), out_d[:n_out].copy()


# ---------------------------------------------------------------------------------------- snapping


@njit(nogil=True, cache=True)
def grid_index(ax, ay, bx, by, x0, y0, cell, nx, ny):
    """Bucket segments into the square cells they pass through (CSR by cell). A segment is cut
    into pieces no longer than a cell, and each piece enters the cells its bounding box touches
    (a long diagonal way enters a band of cells, not its whole bounding box)."""
    m = len(ax)
    counts = np.zeros(nx * ny + 1, dtype=np.int64)
    items = np.empty(0, dtype=np.int64)
    fill = np.empty(0, dtype=np.int64)
    last = np.empty(4, dtype=np.int64)            # cells of the previous piece: entered once
    now = np.empty(4, dtype=np.int64)
    for pass_ in range(2):
        if pass_ == 1:
            for c in range(nx * ny):
                counts[c + 1] += counts[c]
            items = np.empty(counts[nx * ny], dtype=np.int64)
            fill = counts[:-1].copy()
        for s in range(m):
            length = np.sqrt((bx[s] - ax[s]) ** 2 + (by[s] - ay[s]) ** 2)
            pieces = max(1, int(np.ceil(length / cell)))
            n_last = 0
            for q in range(pieces):
                t0 = q / pieces
                t1 = (q + 1) / pieces
                px0 = ax[s] + t0 * (bx[s] - ax[s])
                px1 = ax[s] + t1 * (bx[s] - ax[s])
                py0 = ay[s] + t0 * (by[s] - ay[s])
                py1 = ay[s] + t1 * (by[s] - ay[s])
                i0 = max(int((min(px0, px1) - x0) // cell), 0)
                i1 = min(int((max(px0, px1) - x0) // cell), nx - 1)
                j0 = max(int((min(py0, py1) - y0) // cell), 0)
                j1 = min(int((max(py0, py1) - y0) // cell), ny - 1)
                n_now = 0
                for j in range(j0, j1 + 1):
                    for i in range(i0, i1 + 1):
                        c = j * nx + i
                        if n_now < 4:
                            now[n_now] = c
                            n_now += 1
                        seen = False
                        for k in range(n_last):
                            if last[k] == c:
                                seen = True
                        if seen:
                            continue
                        if pass_ == 0:
                            counts[c + 1] += 1
                        else:
                            items[fill[c]] = s
                            fill[c] += 1
                for k in range(n_now):
                    last[k] = now[k]
                n_last = n_now
    return counts, items


@njit(nogil=True, cache=True)
def _seg_dist(px, py, ax, ay, bx, by):
    dx = bx - ax
    dy = by - ay
    ll = dx * dx + dy * dy
    t = 0.0
    if ll > 0:
        t = ((px - ax) * dx + (py - ay) * dy) / ll
        t = min(1.0, max(0.0, t))
    qx = ax + t * dx - px
    qy = ay + t * dy - py
    return np.sqrt(qx * qx + qy * qy)


@njit(nogil=True, cache=True)
def nearest_segment(px, py, ax, ay, bx, by, ptr, items, x0, y0, cell, nx, ny, max_d):
    """For every point the nearest segment (smallest index among equals) within ``max_d``, and
    its distance; −1 and inf where none is that close. Rings of cells are searched outwards
    until no unseen cell can hold a nearer segment."""
    n = len(px)
    seg = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, INF)
    gx1 = x0 + nx * cell
    gy1 = y0 + ny * cell
    for p in range(n):
        x = px[p]
        y = py[p]
        if not (np.isfinite(x) and np.isfinite(y)):
            continue                                # no location, no segment
        # distance from the point to the grid's rectangle: nothing is nearer than that
        ox = max(x0 - x, 0.0, x - gx1)
        oy = max(y0 - y, 0.0, y - gy1)
        if np.sqrt(ox * ox + oy * oy) > max_d:
            continue
        ci = int((x - x0) // cell)
        cj = int((y - y0) // cell)
        best = INF
        best_s = -1
        r = 0
        while True:
            for j in range(cj - r, cj + r + 1):
                if j < 0 or j >= ny:
                    continue
                ring_row = j == cj - r or j == cj + r
                step = 1 if ring_row else 2 * r
                i = ci - r
                while i <= ci + r:
                    if 0 <= i < nx:
                        c = j * nx + i
                        for k in range(ptr[c], ptr[c + 1]):
                            s = items[k]
                            d = _seg_dist(x, y, ax[s], ay[s], bx[s], by[s])
                            if d < best or (d == best and s < best_s):
                                best = d
                                best_s = s
                    if step == 0:
                        break
                    i += step
            # every segment not seen yet lies outside the (2r+1)² block of cells around the point
            bound = min(x - (x0 + (ci - r) * cell), x0 + (ci + r + 1) * cell - x,
                        y - (y0 + (cj - r) * cell), y0 + (cj + r + 1) * cell - y)
            # strictly nearer than anything unseen (an equal one there may have a smaller index)
            if best < bound or bound > max_d:
                break
            r += 1
        if best <= max_d:
            seg[p] = best_s
            dist[p] = best
    return seg, dist


# ------------------------------------------------------------------------------------- aggregation


@njit(nogil=True, cache=True)
def group_weighted_median(codes, values, weights, n_groups):
    """Weighted median of ``values`` per group code (0 … n_groups − 1): the smallest value at
    which the group's running weight, in value order, reaches half its total (NaN for groups
    without rows). Rows are bucketed by group (counting sort), then each group is sorted."""
    ptr = np.zeros(n_groups + 1, dtype=np.int64)
    for k in range(len(codes)):
        ptr[codes[k] + 1] += 1
    for g in range(n_groups):
        ptr[g + 1] += ptr[g]
    fill = ptr[:-1].copy()
    v = np.empty(len(codes))
    w = np.empty(len(codes))
    for k in range(len(codes)):
        c = codes[k]
        v[fill[c]] = values[k]
        w[fill[c]] = weights[k]
        fill[c] += 1
    out = np.full(n_groups, np.nan)
    for g in range(n_groups):
        lo, hi = ptr[g], ptr[g + 1]
        if lo == hi:
            continue
        order = np.argsort(v[lo:hi])
        total = 0.0
        for k in range(lo, hi):
            total += w[lo + order[k - lo]]
        cum = 0.0
        for k in range(hi - lo):
            cum += w[lo + order[k]]
            if cum >= total / 2 * (1 - 1e-12):       # "reaches half", not lost to rounding
                out[g] = v[lo + order[k]]
                break
    return out


@njit(nogil=True, cache=True)
def detour_ratios(o, s, d, ox, oy, sx, sy, min_straight):
    """Network ÷ straight-line distance of the pairs at least ``min_straight`` metres apart."""
    out = np.empty(len(o))
    n = 0
    for k in range(len(o)):
        dx = ox[o[k]] - sx[s[k]]
        dy = oy[o[k]] - sy[s[k]]
        straight = np.sqrt(dx * dx + dy * dy)
        if straight >= min_straight:
            out[n] = d[k] / straight
            n += 1
    return out[:n].copy()


@njit(nogil=True, cache=True)
def same_segment_nearest(homes, h_seg, h_along, h_snap, seg_ptr, seg_svc, s_along, s_snap, best, best_s):
    """Homes and services on the same segment: the walk straight along it may beat the way
    through its end nodes. Updates ``best``/``best_s`` (aligned with ``homes``) in place."""
    for k in range(len(homes)):
        h = homes[k]
        sg = h_seg[h]
        for q in range(seg_ptr[sg], seg_ptr[sg + 1]):
            j = seg_svc[q]
            c = h_snap[h] + abs(h_along[h] - s_along[j]) + s_snap[j]
            if c < best[k]:
                best[k] = c
                best_s[k] = j


@njit(nogil=True, cache=True)
def nearest_detour(ox, oy, sx, sy, nearest_s, nearest, use_est, min_straight):
    """Per origin: network ÷ straight-line distance to its nearest service, where that distance
    came from the network and the service is at least ``min_straight`` metres away (else NaN)."""
    out = np.full(len(ox), np.nan)
    for i in range(len(ox)):
        j = nearest_s[i]
        if j < 0 or use_est[i] or not np.isfinite(nearest[i]):
            continue
        straight = np.sqrt((ox[i] - sx[j]) ** 2 + (oy[i] - sy[j]) ** 2)
        if straight >= min_straight:
            out[i] = nearest[i] / straight
    return out
