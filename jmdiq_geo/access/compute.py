"""Walking access from origins (homes) to the services of one category.

For every origin: walking time to the nearest service, the number of services within each
threshold (cumulative opportunities) and, where services have capacities, the enhanced
two-step floating catchment ratio (E2SFCA, Luo & Qi 2009) of places per person of the target
group. Per area: the target group, its share beyond the largest threshold, the weighted median
time, counts and E2SFCA — weighted by the target group living at each origin, not by area.

Distances:
- *network*: origin and service both snapped to the same component of the pedestrian graph
  → shortest path (multi-source ``dijkstra(min_only=True)`` for the nearest service; one search
  per service, bounded by the catchment, for counts and E2SFCA);
- *estimate*: otherwise (no network there, a service outside the network, an origin on an
  island) → straight-line distance × a detour factor calibrated on the networked pairs.
Each origin and area says which of the two its nearest time came from.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from jmdiq_geo.access.network import Network, Snapped, snap, with_sources

Progress = Callable[[float, str], None]

#: detour factor used when no networked pairs exist to calibrate one (typical urban value)
DEFAULT_DETOUR = 1.3


@dataclass
class Settings:
    """What a run depends on besides its inputs (all part of the cache key)."""
    speed_kmh: float = 4.8
    thresholds_min: tuple[float, ...] = (10.0, 15.0)
    #: E2SFCA distance-decay zones (upper bounds, minutes) and weights (Luo & Qi 2009)
    zones_min: tuple[float, ...] = (5.0, 10.0, 15.0)
    zone_weights: tuple[float, ...] = (1.0, 0.68, 0.22)
    max_snap_m: float = 250.0
    #: pairs for the severance analysis: straight line at most this far apart
    severance_radius_m: float = 800.0
    #: services with unknown attributes: "keep" (benefit of the doubt) or "drop"
    unknown: str = "keep"
    #: opening hours must overlap the persona's time for at least this long
    min_overlap_min: float = 60.0
    #: grid whose cells stand for homes where no buildings are given
    fallback_grid: str | None = None

    @property
    def speed_m_min(self) -> float:
        return self.speed_kmh * 1000 / 60

    @property
    def cutoff_m(self) -> float:
        return max(max(self.thresholds_min), max(self.zones_min)) * self.speed_m_min

    def as_dict(self) -> dict:
        d = asdict(self)
        d["thresholds_min"] = list(self.thresholds_min)
        d["zones_min"] = list(self.zones_min)
        d["zone_weights"] = list(self.zone_weights)
        return d


@dataclass
class Origins:
    xy: np.ndarray                # (n, 2) work CRS
    weight: np.ndarray            # target-group persons at the origin
    area: np.ndarray              # area key (of the level the run reports on)
    kind: np.ndarray              # "building" | "grid" | "area"


@dataclass
class Services:
    xy: np.ndarray
    service_id: np.ndarray
    name: np.ndarray
    capacity: np.ndarray          # NaN = unknown


@dataclass
class AccessResult:
    origins: pd.DataFrame         # one row per origin
    areas: pd.DataFrame           # one row per area
    pairs: pd.DataFrame           # worst origin–service pairs by detour factor
    report: dict = field(default_factory=dict)


def run(network: Network | None, origins: Origins, services: Services, settings: Settings, *,
        detour: float | None = None, progress: Progress | None = None,
        severance: bool = True) -> AccessResult:
    """All measures for one category (``services``) from every origin."""
    say = progress or (lambda f, m: None)
    services.xy = np.asarray(services.xy, dtype=float).reshape(-1, 2)
    n_o, n_s = len(origins.xy), len(services.xy)
    cutoff = settings.cutoff_m
    say(0.02, "snap")
    o_snap = _snap_or_none(network, origins.xy, settings)
    s_snap = _snap_or_none(network, services.xy, settings)
    # snapping only ever reaches the network's connected part: snapped = on the network
    o_net = o_snap.ok if o_snap is not None else np.zeros(n_o, bool)
    s_net = s_snap.ok if s_snap is not None else np.zeros(n_s, bool)
    inside = _inside(network, origins.xy)
    # an origin inside the covered area that cannot reach the main network is "unreachable":
    # it still gets an estimate, and is counted
    unreachable = inside & ~o_net

    net_nearest = np.full(n_o, np.inf)
    net_nearest_s = np.full(n_o, -1)
    pairs = _dedupe_pairs(np.array([], int), np.array([], int), np.array([]))
    sev = []
    if s_net.any() and o_net.any():
        graph, nodes = with_sources(network, s_snap)
        s_idx = np.flatnonzero(s_net)
        s_nodes = nodes[s_idx]
        oi = np.flatnonzero(o_net)
        say(0.1, "nearest")
        # the graph is symmetric: directed=True gives the same distances without a transpose
        dist, _, src = dijkstra(graph, directed=True, indices=s_nodes, min_only=True, return_predecessors=True)
        node_to_service = np.full(graph.shape[0], -1)
        node_to_service[s_nodes] = s_idx
        da = dist[o_snap.node_a[oi]] + o_snap.off_a[oi]
        db = dist[o_snap.node_b[oi]] + o_snap.off_b[oi]
        via_b = db < da
        net_nearest[oi] = np.where(via_b, db, da)
        source = np.where(via_b, src[o_snap.node_b[oi]], src[o_snap.node_a[oi]])
        net_nearest_s[oi] = np.where(source >= 0, node_to_service[np.maximum(source, 0)], -1)
        _same_segment_nearest(o_snap, s_snap, oi, s_idx, net_nearest, net_nearest_s)
        # one bounded search per service (counts, E2SFCA, severance); only the nodes a search
        # reached are turned into origin pairs, through a node → origins index
        limit = max(cutoff, settings.severance_radius_m * 3) if severance else cutoff
        ends = [(_NodeIndex(o_snap.node_a[oi], graph.shape[0]), o_snap.off_a[oi]),
                (_NodeIndex(o_snap.node_b[oi], graph.shape[0]), o_snap.off_b[oi])]
        chunk = max(1, int(4e7 // max(graph.shape[0], 1)))
        found_o, found_s, found_d = [], [], []
        for start in range(0, len(s_idx), chunk):
            say(0.15 + 0.7 * start / len(s_idx), "catchments")
            rows = dijkstra(graph, directed=True, indices=s_nodes[start:start + chunk], limit=limit)
            flat = np.flatnonzero(rows <= limit)          # one pass over the block
            reached = rows.ravel()[flat]
            r, c = np.divmod(flat, rows.shape[1])
            del rows
            for index, offset in ends:
                k, o_local = index.expand(c)
                d = reached[k] + offset[o_local]
                keep = np.isfinite(d)          # a home hanging on a reached node: exact, even past the limit
                found_o.append(oi[o_local[keep]]); found_s.append(s_idx[start + r[k[keep]]]); found_d.append(d[keep])
        po, ps, pd_ = _same_segment_pairs(o_snap, s_snap, oi, s_idx, limit)
        found_o.append(po); found_s.append(ps); found_d.append(pd_)
        reach = _dedupe_pairs(np.concatenate(found_o), np.concatenate(found_s), np.concatenate(found_d))
        pairs = reach[reach["d"] <= cutoff].reset_index(drop=True)
        if severance:
            sev = [_severance_pairs(reach, s_idx, oi, origins.xy, services.xy, settings.severance_radius_m)]

    # detour factor from networked pairs (network ÷ straight line), before any estimate is used
    calibrated, n_cal = _calibrate(pairs, origins.xy, services.xy)
    factor = detour if detour is not None else (calibrated if calibrated is not None else DEFAULT_DETOUR)
    say(0.88, "estimate")
    # straight line × factor: every origin to services off the network, estimate origins to all
    est_nearest = np.full(n_o, np.inf)
    est_nearest_s = np.full(n_o, -1)
    est_pairs = []
    for o_mask, s_mask in ((~o_net, np.ones(n_s, bool)), (o_net, ~s_net)):
        if not (o_mask.any() and s_mask.any()):
            continue
        s_i = np.flatnonzero(s_mask)
        o_i = np.flatnonzero(o_mask)
        tree = cKDTree(services.xy[s_i])
        d, j = tree.query(origins.xy[o_i])
        better = d * factor < est_nearest[o_i]
        est_nearest[o_i[better]] = d[better] * factor
        est_nearest_s[o_i[better]] = s_i[j[better]]
        near = cKDTree(origins.xy[o_i]).sparse_distance_matrix(tree, cutoff / factor, output_type="coo_matrix")
        est_pairs.append((o_i[near.row], s_i[near.col], near.data * factor))
    if est_pairs:
        pairs = pd.concat([pairs] + [pd.DataFrame({"o": o_, "s": s_, "d": d_, "network": False})
                                     for o_, s_, d_ in est_pairs], ignore_index=True)

    use_est = est_nearest < net_nearest
    nearest = np.where(use_est, est_nearest, net_nearest)
    nearest_s = np.where(use_est, est_nearest_s, net_nearest_s)
    minutes = nearest / settings.speed_m_min
    say(0.92, "measures")
    frame = pd.DataFrame({
        "x": origins.xy[:, 0], "y": origins.xy[:, 1], "area": _categorical(origins.area),
        "kind": _categorical(origins.kind), "weight": origins.weight, "on_network": o_net,
        "unreachable": unreachable, "nearest_min": np.where(np.isfinite(minutes), minutes, np.nan),
        "nearest_id": _pick(services.service_id, nearest_s),
        "nearest_name": _pick(services.name, nearest_s),
        "method": pd.Categorical.from_codes(np.where(np.isfinite(nearest) & ~use_est, 0, 1),
                                            categories=["network", "estimate"]),
    })
    pmin = pairs["d"].to_numpy() / settings.speed_m_min
    for th in settings.thresholds_min:
        hit = pmin <= th
        frame[f"n_within_{_fmt(th)}"] = np.bincount(pairs["o"].to_numpy()[hit], minlength=n_o)
    frame["e2sfca"] = _e2sfca(pairs, pmin, origins.weight, services.capacity, settings)
    frame["detour"] = _nearest_detour(frame, origins.xy, services.xy, nearest_s, nearest, use_est)
    areas = aggregate(frame, settings)
    worst = _worst(sev, origins, services, settings) if sev else _empty_worst()
    report = {
        "origins": n_o, "origins_on_network": int(o_net.sum()), "origins_unreachable": int(unreachable.sum()),
        "services": n_s, "services_on_network": int(s_net.sum()),
        "services_off_network": services.name[~s_net].tolist() if network is not None else [],
        "services_off_network_ids": services.service_id[~s_net].tolist() if network is not None else [],
        "detour_factor": float(factor), "detour_calibrated": calibrated is not None and detour is None,
        "detour_pairs": int(n_cal), "has_capacity": bool(np.isfinite(services.capacity).any()),
    }
    say(1.0, "done")
    return AccessResult(frame, areas, worst, report)


def _pick(values: np.ndarray, idx: np.ndarray) -> pd.Categorical:
    """``values[idx]`` (None where idx < 0) as a categorical: 400,000 strings cost nothing."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return pd.Categorical.from_codes(np.where(idx >= 0, codes[np.maximum(idx, 0)] if len(codes) else -1, -1),
                                     categories=pd.Index(uniques, dtype=object))


def _categorical(values: np.ndarray) -> pd.Categorical:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype=object))


def _fmt(th: float) -> str:
    return f"{th:g}"


def _snap_or_none(network, xy, settings) -> Snapped | None:
    if network is None:
        return None
    return snap(network, xy, max_snap_m=settings.max_snap_m)


def _inside(network: Network | None, xy: np.ndarray) -> np.ndarray:
    if network is None or network.coverage is None or not len(xy):
        return np.zeros(len(xy), bool) if network is None else np.ones(len(xy), bool)
    import shapely
    return shapely.contains_xy(network.coverage, xy[:, 0], xy[:, 1])


class _NodeIndex:
    """Which origins hang on each node (as one end of their segment), CSR-style."""

    def __init__(self, nodes: np.ndarray, n_nodes: int):
        self.order = np.argsort(nodes, kind="stable")
        self.indptr = np.concatenate([[0], np.cumsum(np.bincount(nodes, minlength=n_nodes))])

    def expand(self, reached_nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each reached node, its origins: (position in ``reached_nodes``, origin position)."""
        start = self.indptr[reached_nodes]
        count = self.indptr[reached_nodes + 1] - start
        k = np.repeat(np.arange(len(reached_nodes)), count)
        within = np.arange(len(k)) - np.repeat(np.cumsum(count) - count, count)
        return k, self.order[start[k] + within]


def _shared_segments(o: Snapped, s: Snapped, oi, s_idx) -> list[tuple[int, int, float]]:
    """(origin, service, direct walk) for homes and services on the same segment, where the walk
    along the segment may be shorter than through its end nodes."""
    cand = oi[np.isin(o.segment[oi], s.segment[s_idx])]
    if not len(cand):
        return []
    seg_of: dict[int, list[int]] = {}
    for j in s_idx:
        seg_of.setdefault(int(s.segment[j]), []).append(int(j))
    return [(int(i), j, float(o.snap_m[i] + abs(o.along[i] - s.along[j]) + s.snap_m[j]))
            for i in cand for j in seg_of.get(int(o.segment[i]), ())]


def _same_segment_nearest(o: Snapped, s: Snapped, oi, s_idx, best, best_s) -> None:
    for i, j, d in _shared_segments(o, s, oi, s_idx):
        if d < best[i]:
            best[i], best_s[i] = d, j


def _same_segment_pairs(o: Snapped, s: Snapped, oi, s_idx, limit):
    rows = [r for r in _shared_segments(o, s, oi, s_idx) if r[2] <= limit]
    a = np.array(rows, dtype=float).reshape(-1, 3)
    return a[:, 0].astype(int), a[:, 1].astype(int), a[:, 2]


def _dedupe_pairs(o, s, d) -> pd.DataFrame:
    """One row per (origin, service): the shortest of the candidate distances."""
    o, s, d = o.astype(np.int64), s.astype(np.int64), d.astype(float)
    if len(o):
        width = int(s.max()) + 1
        key = o * width + s
        order = np.argsort(key, kind="stable")          # radix sort for integers
        k = key[order]
        starts = np.flatnonzero(np.concatenate([[True], k[1:] != k[:-1]]))
        d = np.minimum.reduceat(d[order], starts)
        o, s = np.divmod(k[starts], width)
    return pd.DataFrame({"o": o, "s": s, "d": d, "network": True})


def _calibrate(pairs: pd.DataFrame, oxy, sxy) -> tuple[float | None, int]:
    net = pairs[pairs["network"]]
    if net.empty:
        return None, 0
    straight = np.hypot(*(oxy[net["o"].to_numpy()] - sxy[net["s"].to_numpy()]).T)
    ok = straight >= 200
    if ok.sum() < 20:
        return None, int(ok.sum())
    ratio = net["d"].to_numpy()[ok] / straight[ok]
    return float(np.median(ratio)), int(ok.sum())


def _e2sfca(pairs: pd.DataFrame, pmin: np.ndarray, demand: np.ndarray, capacity: np.ndarray,
            settings: Settings) -> np.ndarray:
    """Places per 100 persons of the target group within the catchment (NaN without capacities)."""
    n_o = len(demand)
    cap_known = np.isfinite(capacity)
    if not cap_known.any() or pairs.empty:
        return np.full(n_o, np.nan) if not cap_known.any() else np.zeros(n_o)
    w = np.zeros(len(pmin))
    lower = 0.0
    for upper, weight in zip(settings.zones_min, settings.zone_weights):
        w[(pmin > lower) & (pmin <= upper)] = weight
        if lower == 0.0:
            w[pmin == 0.0] = weight
        lower = upper
    o = pairs["o"].to_numpy()
    s = pairs["s"].to_numpy()
    keep = cap_known[s] & (w > 0)
    o, s, w = o[keep], s[keep], w[keep]
    n_s = len(capacity)
    demand_s = np.bincount(s, weights=demand[o] * w, minlength=n_s)
    ratio = np.divide(np.nan_to_num(capacity), demand_s, out=np.zeros(n_s), where=demand_s > 0)
    return np.bincount(o, weights=ratio[s] * w, minlength=n_o) * 100


def _nearest_detour(frame, oxy, sxy, nearest_s, nearest, use_est) -> np.ndarray:
    ok = (nearest_s >= 0) & ~use_est & np.isfinite(nearest)
    out = np.full(len(frame), np.nan)
    straight = np.hypot(*(oxy[ok] - sxy[nearest_s[ok]]).T)
    good = straight >= 100
    idx = np.flatnonzero(ok)[good]
    out[idx] = nearest[idx] / straight[good]
    return out


def _severance_pairs(reach: pd.DataFrame, s_idx, oi, oxy, sxy, radius) -> pd.DataFrame:
    """Pairs close on the map (100 m ≤ straight line ≤ radius) with their network distance
    (inf = beyond the search limit)."""
    tree = cKDTree(oxy[oi])
    near = tree.query_ball_point(sxy[s_idx], radius)
    counts = np.array([len(n) for n in near])
    if not counts.sum():
        return pd.DataFrame(columns=["o", "s", "straight_m", "network_m"])
    o = oi[np.concatenate([np.asarray(n, dtype=int) for n in near])]
    s = np.repeat(s_idx, counts)
    straight = np.hypot(*(oxy[o] - sxy[s]).T)
    cand = pd.DataFrame({"o": o, "s": s, "straight_m": straight})
    cand = cand[cand["straight_m"] >= 100]
    net = reach[["o", "s", "d"]].rename(columns={"d": "network_m"})
    out = cand.merge(net, on=["o", "s"], how="left")
    out["network_m"] = out["network_m"].fillna(np.inf)
    return out


def _empty_worst() -> pd.DataFrame:
    return pd.DataFrame(columns=["origin", "area", "service_id", "service", "straight_m", "network_m", "detour",
                                 "x", "y", "sx", "sy"])


def _worst(sev, origins: Origins, services: Services, settings: Settings, top: int = 25) -> pd.DataFrame:
    frames = [f for f in sev if len(f)]
    if not frames:
        return _empty_worst()
    p = pd.concat(frames, ignore_index=True)
    limit = max(settings.cutoff_m, settings.severance_radius_m * 3)
    p["detour"] = p["network_m"].where(np.isfinite(p["network_m"]), limit) / p["straight_m"]
    # one row per origin (its worst pair), at most three per service, worst first
    p = p.sort_values("detour", ascending=False).drop_duplicates("o")
    p = p[p.groupby("s").cumcount() < 3].head(top)
    o, s = p["o"].to_numpy(), p["s"].to_numpy()
    return pd.DataFrame({
        "origin": o, "area": origins.area[o], "service_id": services.service_id[s], "service": services.name[s],
        "straight_m": p["straight_m"].to_numpy(), "network_m": p["network_m"].to_numpy(),
        "detour": p["detour"].to_numpy(), "x": origins.xy[o, 0], "y": origins.xy[o, 1],
        "sx": services.xy[s, 0], "sy": services.xy[s, 1]})


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The weighted median (finite values with positive weight only; NaN if none)."""
    result = _group_weighted_median(np.zeros(len(values), dtype=int), np.asarray(values, float),
                                    np.asarray(weights, float))
    return float(result.iloc[0]) if len(result) else float("nan")


def _group_weighted_median(area: np.ndarray, values: np.ndarray, weights: np.ndarray) -> pd.Series:
    """Weighted median of ``values`` per area (finite values with positive weight only)."""
    ok = np.isfinite(values) & (weights > 0)
    if not ok.any():
        return pd.Series(dtype=float)
    f = pd.DataFrame({"area": area[ok], "v": values[ok], "w": weights[ok]}).sort_values(["area", "v"])
    cum = f.groupby("area")["w"].cumsum()
    half = f.groupby("area")["w"].transform("sum") / 2
    return f[cum >= half].groupby("area")["v"].first()


def aggregate(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per area, weighted by the target group at each origin (vectorised per area)."""
    far = max(settings.thresholds_min)
    area = frame["area"].to_numpy(object)
    w = frame["weight"].to_numpy(float)
    t = frame["nearest_min"].to_numpy(float)
    work = pd.DataFrame({"area": area, "w": w, "far_w": np.where(~np.isfinite(t) | (t > far), w, 0.0),
                         "one": 1, "unreachable": frame["unreachable"].to_numpy(bool).astype(int)})
    thresholds = [f"n_within_{_fmt(th)}" for th in settings.thresholds_min]
    for col in thresholds + ["e2sfca"]:
        work[col + "_w"] = frame[col].to_numpy(float) * w
        work[col] = frame[col].to_numpy(float)
    g = work.groupby("area", sort=True)
    sums = g.sum(numeric_only=True)
    out = pd.DataFrame({"area": sums.index, "target_group": sums["w"].to_numpy(), "origins": sums["one"].to_numpy(),
                        "origins_unreachable": sums["unreachable"].to_numpy()})
    total = sums["w"].to_numpy()
    has = total > 0
    out["median_min"] = _group_weighted_median(area, t, w).reindex(sums.index).to_numpy()
    out["share_beyond"] = np.where(has, sums["far_w"].to_numpy() / np.where(has, total, 1) * 100, np.nan)
    means = g.mean(numeric_only=True)
    for col in thresholds:
        out[col] = np.where(has, sums[col + "_w"].to_numpy() / np.where(has, total, 1), means[col].to_numpy())
    e_nan = work.assign(nan=np.isnan(work["e2sfca"]).astype(int)).groupby("area", sort=True)["nan"].sum()
    out["e2sfca"] = np.where(has & (e_nan.to_numpy() == 0),
                             sums["e2sfca_w"].to_numpy() / np.where(has, total, 1), np.nan)
    d = frame["detour"].to_numpy(float)
    out["detour"] = _group_weighted_median(area, d, np.where(np.isfinite(d), np.maximum(w, 1e-9), 0)) \
        .reindex(sums.index).to_numpy()
    methods = frame.groupby("area", sort=True)["method"].agg(lambda m: m.iloc[0] if m.nunique() == 1 else "mixed")
    out["method"] = methods.reindex(sums.index).to_numpy()
    return out.reset_index(drop=True)


def difference(nominal: pd.DataFrame, effective: pd.DataFrame) -> pd.DataFrame:
    """Effective minus nominal per area: the part of the barrier that is not the walk."""
    m = nominal.merge(effective, on="area", suffixes=("_nominal", "_effective"))
    m["median_min_diff"] = m["median_min_effective"] - m["median_min_nominal"]
    m["share_beyond_diff"] = m["share_beyond_effective"] - m["share_beyond_nominal"]
    return m
