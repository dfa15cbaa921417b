"""Walking access from origins (homes) to the services of one category.

For every origin: walking time to the nearest service, the number of services within each
threshold (cumulative opportunities) and, where services have capacities, the enhanced
two-step floating catchment ratio (E2SFCA, Luo & Qi 2009) of places per person of the target
group. Per area: the target group, its share beyond the largest threshold, the weighted median
time, counts and E2SFCA — weighted by the target group living at each origin, not by area.

Distances:
- *network*: origin and service both snapped to the same component of the pedestrian graph
  → shortest path (one multi-source Dijkstra for the nearest service; one search per service,
  bounded by the catchment, for counts and E2SFCA — compiled kernels in ``kernels.py``);
- *estimate*: otherwise (no network there, a service outside the network, an origin on an
  island) → straight-line distance × a detour factor calibrated on the networked pairs.
Each origin and area says which of the two its nearest time came from.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from jmdiq_geo.analysis.access import kernels
from jmdiq_geo.analysis.access.network import Network, Snapped, cores, snap

Progress = Callable[[float, str], None]

#: detour factor used when no networked pairs exist to calibrate one (typical urban value)
DEFAULT_DETOUR = 1.3


@dataclass
class AccessSettings:
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
    _categoricals: dict = field(default_factory=dict, repr=False)

    def categorical(self, name: str) -> pd.Categorical:
        """``area`` or ``kind`` as a categorical, built once (the origins serve every category)."""
        if name not in self._categoricals:
            self._categoricals[name] = _categorical(getattr(self, name))
        return self._categoricals[name]


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


def run(network: Network | None, origins: Origins, services: Services, settings: AccessSettings, *,
        detour: float | None = None, progress: Progress | None = None,
        severance: bool = True, demand: np.ndarray | None = None) -> AccessResult:
    """All measures for one category (``services``) from every origin. ``demand`` (persons per
    origin) is whom E2SFCA divides the places by; by default the origins' weights (the target
    group)."""
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
    pairs = pd.DataFrame({"o": np.array([], np.int64), "s": np.array([], np.int64), "d": np.array([]),
                          "network": np.array([], bool)})
    sev = []
    if s_net.any() and o_net.any():
        s_idx = np.flatnonzero(s_net)
        oi = np.flatnonzero(o_net)
        limit = max(cutoff, settings.severance_radius_m * 3) if severance else cutoff
        near, near_s, reach = _searches(network, o_snap, s_snap, oi, s_idx, limit, say)
        net_nearest[oi], net_nearest_s[oi] = near, near_s
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
        "x": origins.xy[:, 0], "y": origins.xy[:, 1], "area": origins.categorical("area"),
        "kind": origins.categorical("kind"), "weight": origins.weight, "on_network": o_net,
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
    frame["e2sfca"] = _e2sfca(pairs, pmin, origins.weight if demand is None else np.asarray(demand, float),
                              services.capacity, settings)
    if demand is not None:
        frame["demand"] = np.asarray(demand, float)        # the areas' E2SFCA is weighted by it
    frame["detour"] = _nearest_detour(origins.xy, services.xy, nearest_s, nearest, use_est)
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


def pair_times(network: Network | None, origins_xy: np.ndarray, services: Services, settings: AccessSettings, *,
               within_min: float, detour: float, progress: Progress | None = None) -> pd.DataFrame:
    """Every (origin, service) pair within ``within_min`` minutes' walk: ``o``, ``s`` (row
    numbers), ``minutes`` and ``network`` (False: straight line × ``detour``, the way ``run``
    estimates pairs off the network) — for a few origins (an area's, a quarter's) to all
    services of a category."""
    say = progress or (lambda f, m: None)
    oxy = np.asarray(origins_xy, dtype=float).reshape(-1, 2)
    sxy = np.asarray(services.xy, dtype=float).reshape(-1, 2)
    limit = within_min * settings.speed_m_min
    o_snap = _snap_or_none(network, oxy, settings)
    s_snap = _snap_or_none(network, sxy, settings)
    o_net = o_snap.ok if o_snap is not None else np.zeros(len(oxy), bool)
    s_net = s_snap.ok if s_snap is not None else np.zeros(len(sxy), bool)
    parts = []
    if s_net.any() and o_net.any():
        _, _, reach = _searches(network, o_snap, s_snap, np.flatnonzero(o_net), np.flatnonzero(s_net), limit, say)
        parts.append(reach[reach["d"] <= limit])
    for o_mask, s_mask in ((~o_net, np.ones(len(sxy), bool)), (o_net, ~s_net)):
        if not (o_mask.any() and s_mask.any()):
            continue
        o_i, s_i = np.flatnonzero(o_mask), np.flatnonzero(s_mask)
        near = cKDTree(oxy[o_i]).sparse_distance_matrix(cKDTree(sxy[s_i]), limit / detour, output_type="coo_matrix")
        parts.append(pd.DataFrame({"o": o_i[near.row], "s": s_i[near.col], "d": near.data * detour,
                                   "network": False}))
    say(1.0, "done")
    pairs = pd.concat(parts, ignore_index=True) if parts else \
        pd.DataFrame({"o": np.array([], np.int64), "s": np.array([], np.int64), "d": np.array([]),
                      "network": np.array([], bool)})
    pairs["minutes"] = pairs["d"].to_numpy(float) / settings.speed_m_min
    return pairs.drop(columns="d")


def _pick(values: np.ndarray, idx: np.ndarray) -> pd.Categorical:
    """``values[idx]`` (None where idx < 0) as a categorical: 400,000 strings cost nothing."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    return pd.Categorical.from_codes(np.where(idx >= 0, codes[np.maximum(idx, 0)] if len(codes) else -1, -1),
                                     categories=pd.Index(uniques, dtype=object))


def _categorical(values: np.ndarray) -> pd.Categorical:
    """Categories in sorted order (``aggregate`` needs the areas in key order: built once here,
    per cached origins, not per category)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=True)
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


def _searches(network: Network, o: Snapped, s: Snapped, oi, s_idx, limit: float, say: Progress):
    """All searches of a category on the network, spread over the cores (the kernels release
    the GIL): the nearest service of origins ``oi`` (one multi-source search; every service
    starts at both ends of its segment; on a shared segment straight along it) and one search
    per service bounded by ``limit``, turned into exact (origin, service, metres) pairs — through
    either end of both segments, or straight along a shared segment. Returns (metres, service)
    for ``oi`` and the pairs."""
    g = network.graph
    homes = o.by_node(network.n_nodes, network.n_edges)

    def nearest():
        seeds = np.concatenate([s.node_a[s_idx], s.node_b[s_idx]])
        dist, label = kernels.nearest_source(g.indptr, g.indices, g.data, seeds,
                                             np.concatenate([s.off_a[s_idx], s.off_b[s_idx]]),
                                             np.concatenate([s_idx, s_idx]))
        da = dist[o.node_a[oi]] + o.off_a[oi]
        db = dist[o.node_b[oi]] + o.off_b[oi]
        via_b = db < da
        best, best_s = np.where(via_b, db, da), np.where(via_b, label[o.node_b[oi]], label[o.node_a[oi]])
        # a home on a service's own segment may walk straight along it
        svc = s.by_node(network.n_nodes, network.n_edges)
        kernels.same_segment_nearest(oi, o.segment, o.along, o.snap_m, svc.seg_ptr, svc.point[svc.seg_loc], s.along,
                                     s.snap_m, best, best_s)
        return best, best_s

    def catchments(services):
        return kernels.catchment_pairs(g.indptr, g.indices, g.data, services, s.node_a, s.off_a, s.node_b, s.off_b,
                                       s.segment, s.along, s.snap_m, float(limit), *homes.kernel_args())
    workers = cores()
    # services dealt out in small interleaved batches, so the cores finish together
    n_parts = max(1, min(len(s_idx) // 16, 4 * workers))
    batches = [np.ascontiguousarray(s_idx[k::n_parts]) for k in range(n_parts)]
    say(0.1, "catchments")
    with ThreadPoolExecutor(workers) as pool:
        near = pool.submit(nearest)
        parts = [pool.submit(catchments, b) for b in batches]
        try:
            for done, _ in enumerate(as_completed(parts)):
                say(0.1 + 0.75 * (done + 1) / len(parts), "catchments")
        except BaseException:         # e.g. the page reran: do not wait for the queued batches
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        (near_d, near_s), parts = near.result(), [f.result() for f in parts]
    reach = pd.DataFrame({"o": homes.point[np.concatenate([p[0] for p in parts])],
                          "s": np.concatenate([p[1] for p in parts]),
                          "d": np.concatenate([p[2] for p in parts]), "network": True})
    return near_d, near_s, reach


def _calibrate(pairs: pd.DataFrame, oxy, sxy) -> tuple[float | None, int]:
    """Median network ÷ straight-line distance over the networked pairs ≥ 200 m apart."""
    net = pairs["network"].to_numpy(bool)
    ratio = kernels.detour_ratios(pairs["o"].to_numpy(np.int64)[net], pairs["s"].to_numpy(np.int64)[net],
                                  pairs["d"].to_numpy(float)[net], *_columns(oxy), *_columns(sxy), 200.0)
    if len(ratio) < 20:
        return None, len(ratio)
    return float(np.median(ratio)), len(ratio)


def _columns(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.ascontiguousarray(xy[:, 0], dtype=float), np.ascontiguousarray(xy[:, 1], dtype=float)


def _e2sfca(pairs: pd.DataFrame, pmin: np.ndarray, demand: np.ndarray, capacity: np.ndarray,
            settings: AccessSettings) -> np.ndarray:
    """Places per 100 persons of the demand group within the catchment (NaN without capacities)."""
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


def _nearest_detour(oxy, sxy, nearest_s, nearest, use_est) -> np.ndarray:
    """Detour factor of each origin's walk to its nearest service (network ≥ 100 m apart only)."""
    return kernels.nearest_detour(*_columns(oxy), *_columns(sxy), np.ascontiguousarray(nearest_s, dtype=np.int64),
                                  np.ascontiguousarray(nearest, dtype=float), np.ascontiguousarray(use_est, dtype=bool),
                                  100.0)


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


def _worst(sev, origins: Origins, services: Services, settings: AccessSettings, top: int = 25) -> pd.DataFrame:
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
    return float(_group_weighted_median(np.zeros(len(values), dtype=np.int64), 1, np.asarray(values, float),
                                        np.asarray(weights, float))[0])


def _group_weighted_median(codes: np.ndarray, n_groups: int, values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted median of ``values`` per group code 0…n_groups−1 (finite values with positive
    weight only; NaN for a group without any)."""
    ok = np.isfinite(values) & (weights > 0) & (codes >= 0)
    return kernels.group_weighted_median(codes[ok].astype(np.int64), values[ok], weights[ok], int(n_groups))


def aggregate(frame: pd.DataFrame, settings: AccessSettings) -> pd.DataFrame:
    """Per area (sorted by key), weighted by the target group at each origin."""
    far = max(settings.thresholds_min)
    area = pd.Categorical(frame["area"])
    if not area.categories.is_monotonic_increasing:                    # (run() builds them sorted)
        area = area.reorder_categories(area.categories.sort_values())
    keys = np.asarray(area.categories, dtype=object)                   # the areas in key order
    codes = area.codes
    has_area = codes >= 0
    codes_in = codes[has_area]
    present = np.bincount(codes_in, minlength=len(keys)) > 0
    n = len(keys)

    def per_area(values) -> np.ndarray:
        return np.bincount(codes_in, weights=np.asarray(values, float)[has_area], minlength=n)[present]

    w = np.nan_to_num(frame["weight"].to_numpy(float))
    t = frame["nearest_min"].to_numpy(float)
    total = per_area(w)
    count = per_area(np.ones(len(w)))
    has = total > 0
    safe = np.where(has, total, 1)
    out = pd.DataFrame({"area": keys[present], "target_group": total,
                        "origins": count.astype(np.int64),
                        "origins_unreachable": per_area(frame["unreachable"].to_numpy(bool)).astype(np.int64)})
    d = frame["detour"].to_numpy(float)
    # the two weighted medians (times, detours) side by side on the cores (the kernel drops the GIL)
    with ThreadPoolExecutor(2) as pool:
        detour_median = pool.submit(_group_weighted_median, codes, n, d,
                                    np.where(np.isfinite(d), np.maximum(w, 1e-9), 0))
        out["median_min"] = _group_weighted_median(codes, n, t, w)[present]
        detours = detour_median.result()[present]
    far_w = np.where(~np.isfinite(t) | (t > far), w, 0.0)
    out["share_beyond"] = np.where(has, per_area(far_w) / safe * 100, np.nan)
    for th in settings.thresholds_min:
        col = f"n_within_{_fmt(th)}"
        v = frame[col].to_numpy(float)
        out[col] = np.where(has, per_area(v * w) / safe, per_area(v) / count)
    e = frame["e2sfca"].to_numpy(float)
    e_nan = per_area(np.isnan(e))
    # places per person as the demand group experiences it: weighted by that group where given
    dw = frame["demand"].to_numpy(float) if "demand" in frame else w
    d_total = per_area(dw)
    out["e2sfca"] = np.where((d_total > 0) & (e_nan == 0), per_area(np.nan_to_num(e) * dw) / np.where(
        d_total > 0, d_total, 1), np.nan)
    if "demand" in frame:
        out["demand_group"] = d_total          # persons of the demand group (e.g. children under 6)
    out["detour"] = detours
    # the method of an area's nearest times: "network", "estimate", or "mixed"
    estimated = per_area(np.asarray(frame["method"]) == "estimate")
    out["method"] = np.where(estimated == 0, "network", np.where(estimated == count, "estimate", "mixed"))
    return out


def difference(nominal: pd.DataFrame, effective: pd.DataFrame) -> pd.DataFrame:
    """Effective minus nominal per area: the part of the barrier that is not the walk."""
    m = nominal.merge(effective, on="area", suffixes=("_nominal", "_effective"))
    m["median_min_diff"] = m["median_min_effective"] - m["median_min_nominal"]
    m["share_beyond_diff"] = m["share_beyond_effective"] - m["share_beyond_nominal"]
    return m


def warm_up() -> float:
    """Compile the numba kernels (once per install; numba caches them on disk) by running one
    tiny access computation; returns the seconds it took. ``scripts/setup.sh`` calls it so the
    first run in the app does not wait for the compiler."""
    import time

    import shapely

    from jmdiq_geo.analysis.access.network import network_from_lines

    start = time.perf_counter()
    net = network_from_lines([shapely.LineString([(0, 0), (100, 0), (200, 0)]),
                              shapely.LineString([(100, 0), (100, 100)])])
    homes = Origins(np.array([[10.0, 5.0], [150.0, 3.0]]), np.array([1.0, 2.0]), np.array(["a", "b"], dtype=object),
                    np.array(["building", "building"], dtype=object))
    services = Services(np.array([[100.0, 90.0]]), np.array(["s"], dtype=object), np.array(["S"], dtype=object),
                        np.array([10.0]))
    run(net, homes, services, AccessSettings())
    return time.perf_counter() - start
