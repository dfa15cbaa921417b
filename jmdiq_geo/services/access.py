"""Walking access for a workspace: network, homes, target group, services, persona → result.

Origins are the homes the workspace holds (residential buildings, weighted by footprint ×
storeys); in the smallest areas without any — or whose buildings lie in fewer than half of the
area's inhabited grid cells (an OSM extract with a few mapped houses) — the cells of a population
grid (the workspace's ``access_fallback_grid``), and where neither exists the area's
representative point. The target
group of each smallest area (``target_group_indicator``, latest period) is spread over its
origins by those weights — so every result is weighted by people of the target group.

Runs are cached in the workspace under a key of everything they depend on (category, persona,
settings, level, the import log and the category's services including staff edits); a changed
service or setting makes a new key, and the stale run of that category and persona is dropped.
What a run builds in memory (the walking network, the homes) is kept in an ``AccessCache`` the
caller owns: the app one for all sessions, the CLI and tests one per call unless they pass one.

Privacy (METHOD.md): the thresholds are the ``config.Settings``' (``min_residents``,
``small_count``) and the rule is ``analysis.privacy.suppress``'s.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.analysis.attributes import Persona, fits, make_persona
from jmdiq_geo.analysis.access.compute import AccessResult, AccessSettings, Origins, Progress, Services, difference, run
from jmdiq_geo.analysis.access.network import Network, network_from_segments
from jmdiq_geo.analysis.privacy import REASON_SMALL_AREA, REASON_SMALL_COUNT, suppress
from jmdiq_geo.config import Settings
from jmdiq_geo.crs import require_same_crs, transform_xy
from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.io.catalogues import load_persona, preset_personas
from jmdiq_geo.io.exports import as_file
from jmdiq_geo.store.workspace import Workspace


@dataclass
class AccessCache:
    """What access runs build in memory and reuse: the walking network per workspace state, and
    the homes per workspace state, target group, level and fallback grid (the network also keeps
    the snaps of the point sets asked for). Owned by the caller: the app keeps one for all
    sessions, the CLI one per command; ``access_for`` without one uses a fresh one per call.
    A full store (more than ``max_…`` entries) is emptied before the next entry is added."""
    max_networks: int = 3               # one graph per workspace state is enough
    max_origins: int = 8
    networks: dict[tuple[str, str], Network | None] = field(default_factory=dict)
    origins: dict[tuple, "OriginInfo"] = field(default_factory=dict)

    def network(self, key: tuple[str, str], build: Callable[[], Network | None]) -> Network | None:
        return self._get(self.networks, self.max_networks, key, build)

    def origin_info(self, key: tuple, build: Callable[[], "OriginInfo"]) -> "OriginInfo":
        return self._get(self.origins, self.max_origins, key, build)

    def clear(self) -> None:
        self.networks.clear()
        self.origins.clear()

    @staticmethod
    def _get(store: dict, limit: int, key, build):
        if key not in store:
            if len(store) > limit:
                store.clear()
            store[key] = build()
        return store[key]


def load_network(ws: Workspace, *, cache: AccessCache | None = None) -> Network | None:
    """All stored networks as one graph (kept in ``cache`` per workspace file and import state)."""
    def build() -> Network | None:
        seg = ws.network_segments()
        if seg.empty:
            return None
        return network_from_segments(seg[["x1", "y1"]].to_numpy(), seg[["x2", "y2"]].to_numpy(),
                                     coverage=ws.network_coverage())
    return (cache or AccessCache()).network((str(ws.location), ws.data_stamp()), build)


def network_summary(ws: Workspace, *, cache: AccessCache | None = None) -> dict | None:
    """The stored networks' labels, length (km) and the share (%) of it in the largest connected
    part; None without a network."""
    nets = ws.networks()
    if nets.empty:
        return None
    net = load_network(ws, cache=cache)
    share = net.length[net.component[net.u] == net.main_component].sum() / net.length.sum() * 100
    return {"labels": nets["label"].tolist(), "km": float(nets["length_km"].sum()), "share": share}


def _assign(points_xy: np.ndarray, areas: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    """Area key for each point (work CRS ``crs``; None outside every area)."""
    out = np.full(len(points_xy), None, dtype=object)
    if not len(points_xy):
        return out
    points = shapely.points(points_xy)
    require_same_crs(gpd.GeoSeries(points, crs=crs), areas)
    tree = shapely.STRtree(areas.geometry.array)
    p_idx, a_idx = tree.query(points, predicate="intersects")
    keys = areas["area_id"].to_numpy()
    first = np.unique(p_idx, return_index=True)[1]
    out[p_idx[first]] = keys[a_idx[first]]
    return out


@dataclass
class OriginInfo:
    origins: Origins
    target_indicator: str | None
    period: str | None
    dropped_outside: int
    #: per home: its area of the smallest level and its share of that area (buildings by floor
    #: area, cells by value): how any count per area is spread over the homes
    base_area: np.ndarray | None = None
    share: np.ndarray | None = None
    #: buildings not used: their area has too few of them (``MIN_BUILDING_CELL_SHARE``)
    buildings_set_aside: int = 0

    def spread(self, per_area: pd.Series) -> np.ndarray:
        """A count per area of the smallest level (e.g. children under 6) spread over the homes."""
        return pd.Series(self.base_area).map(per_area).fillna(0.0).to_numpy(float) * self.share


def target_digest(ws: Workspace, indicator: str | None = None) -> str:
    """A fingerprint of the target group's values (or ``indicator``'s): a derived indicator saved
    in the app changes them without an import."""
    return _digest(latest_values(ws, indicator) if indicator else _target_latest(ws))


def _target_latest(ws: Workspace) -> tuple[str, pd.Series] | None:
    return latest_values(ws, ws.meta().get("target_group_indicator") or "")


def _digest(latest: tuple[str, pd.Series] | None) -> str:
    if latest is None:
        return "-"
    return hashlib.sha256(pd.util.hash_pandas_object(latest[1].sort_index()).values.tobytes()).hexdigest()[:16]


def latest_values(ws: Workspace, indicator: str) -> tuple[str, pd.Series] | None:
    """(period, values per area of the smallest level) of ``indicator``'s newest period."""
    level = ws.lowest_level()
    if not indicator or indicator not in ws.indicator_ids():
        return None
    periods = ws.periods(indicator_id=indicator, level=level)
    if not periods:
        return None
    return str(periods[-1]), ws.values(indicator, period=periods[-1], level=level).astype(float)


def demand_indicator(ws: Workspace, category: str) -> str | None:
    """Whose demand E2SFCA divides a category's places by, when not the target group (manifest
    ``[city] access_demand``; e.g. Kitas: children under 6). Without values of it in the
    workspace, the target group stands in."""
    try:
        demand = json.loads(ws.meta().get("access_demand") or "{}")
    except json.JSONDecodeError:
        return None
    return demand.get(category) if isinstance(demand, dict) else None


def build_origins(ws: Workspace, level: str, settings: AccessSettings,
                  target_latest: tuple[str, pd.Series] | None = None, *,
                  cache: AccessCache | None = None) -> OriginInfo:
    """Homes with the target group living there (see module doc); kept in ``cache`` per
    workspace state. ``target_latest``: the target group's newest values when the caller has
    read them already."""
    target_latest = target_latest if target_latest is not None else _target_latest(ws)
    key = (str(ws.location), ws.data_stamp(), _digest(target_latest), level, settings.fallback_grid)
    return (cache or AccessCache()).origin_info(key, lambda: _build_origins(ws, level, settings, target_latest))


def _build_origins(ws: Workspace, level: str, settings: AccessSettings,
                   target_latest: tuple[str, pd.Series] | None) -> OriginInfo:
    base_level = ws.lowest_level()
    base = ws.areas(base_level)
    meta = ws.meta()
    target = meta.get("target_group_indicator") or None
    period, pop = target_latest or (None, pd.Series(dtype=float))
    stored = ws.origins()
    xy = stored[["x", "y"]].to_numpy(float)
    basis = stored["basis"].to_numpy(float)
    kind = stored["kind"].to_numpy(object)
    home_area = _assign(xy, base, ws.work_crs)
    dropped = int(pd.isna(home_area).sum())
    keep = ~pd.isna(home_area)
    xy, basis, kind, home_area = xy[keep], basis[keep], kind[keep], home_area[keep]
    grid_id = settings.fallback_grid or meta.get("access_fallback_grid") or None
    set_aside = 0
    if grid_id and grid_id in set(ws.grids()["grid_id"]):
        g = ws.grids().set_index("grid_id").loc[grid_id]
        cells = ws.grid_cells(grid_id).dropna()
        cells = cells[cells["value"] > 0]
        gx, gy = transform_xy(cells["x"].to_numpy(), cells["y"].to_numpy(), from_crs=g["crs"], to_crs=ws.work_crs)
        gxy = np.column_stack([gx, gy])
        g_area = _assign(gxy, base, ws.work_crs)
        thin = _thin_building_areas(xy, home_area, cells, g_area, g, ws.work_crs)
        if thin:
            use_b = ~np.isin(home_area.astype(str), list(thin))
            set_aside = int((~use_b).sum())
            xy, basis, kind, home_area = xy[use_b], basis[use_b], kind[use_b], home_area[use_b]
    covered = set(home_area)
    if grid_id and grid_id in set(ws.grids()["grid_id"]):
        use = ~pd.isna(g_area) & ~np.isin(g_area.astype(str), list(covered))
        xy = np.concatenate([xy, gxy[use]])
        basis = np.concatenate([basis, cells["value"].to_numpy(float)[use]])
        kind = np.concatenate([kind, np.full(use.sum(), "grid", dtype=object)])
        home_area = np.concatenate([home_area, g_area[use]])
        covered |= set(g_area[use])
    missing = base[~base["area_id"].isin(covered)]
    if len(missing):
        rp = missing.geometry.representative_point()
        xy = np.concatenate([xy, np.column_stack([rp.x, rp.y])])
        basis = np.concatenate([basis, np.ones(len(missing))])
        kind = np.concatenate([kind, np.full(len(missing), "area", dtype=object)])
        home_area = np.concatenate([home_area, missing["area_id"].to_numpy(object)])
    # spread each area's target group over its origins by their weights
    frame = pd.DataFrame({"area": home_area, "basis": basis})
    share = frame["basis"] / frame.groupby("area")["basis"].transform("sum")
    # without a target group every home counts once (the report says so: target_indicator None)
    persons = frame["area"].map(pop).fillna(0.0).to_numpy() * share.fillna(0).to_numpy() if len(pop) \
        else np.ones(len(frame))
    if level == base_level:
        area = home_area
    else:
        area = _assign(xy, ws.areas(level), ws.work_crs)
    return OriginInfo(Origins(xy, persons, area, kind), target, period, dropped,
                      np.asarray(home_area, dtype=object), share.fillna(0).to_numpy(float), set_aside)


#: an area's buildings stand for its homes when they lie in at least this share of its inhabited
#: cells of the fallback grid (an OSM extract with a handful of mapped houses in a whole town
#: would otherwise make those few houses the town's only homes)
MIN_BUILDING_CELL_SHARE = 0.5


def _thin_building_areas(xy: np.ndarray, home_area: np.ndarray, cells: pd.DataFrame, cell_area: np.ndarray,
                         grid: pd.Series, work_crs: str) -> set:
    """Areas of the smallest level whose buildings lie in fewer than ``MIN_BUILDING_CELL_SHARE``
    of the area's inhabited grid cells: there the grid cells stand for the homes."""
    if not len(xy) or not len(cells):
        return set()
    size = float(grid["cell_size_m"])
    cx, cy = cells["x"].to_numpy(float), cells["y"].to_numpy(float)
    ref = np.array([cx[0], cy[0]])                       # a cell centre: the lattice of the grid
    bx, by = transform_xy(xy[:, 0], xy[:, 1], from_crs=work_crs, to_crs=grid["crs"])
    cell_key = pd.MultiIndex.from_arrays([np.round((cx - ref[0]) / size).astype(np.int64),
                                          np.round((cy - ref[1]) / size).astype(np.int64)])
    b_key = pd.MultiIndex.from_arrays([np.round((bx - ref[0]) / size).astype(np.int64),
                                       np.round((by - ref[1]) / size).astype(np.int64)])
    frame = pd.DataFrame({"area": cell_area, "hit": cell_key.isin(b_key)}).dropna(subset=["area"])
    share = frame.groupby("area")["hit"].mean()
    with_buildings = set(home_area)
    return {a for a, v in share.items() if a in with_buildings and v < MIN_BUILDING_CELL_SHARE}


def to_services(gdf: gpd.GeoDataFrame) -> Services:
    xy = np.column_stack([gdf.geometry.x.to_numpy(), gdf.geometry.y.to_numpy()]) if len(gdf) else np.zeros((0, 2))
    cap = pd.to_numeric(gdf["capacity"], errors="coerce").to_numpy(float) if len(gdf) else np.zeros(0)
    return Services(xy, gdf["service_id"].to_numpy(object), gdf["name"].fillna("–").to_numpy(object), cap)


def run_key(ws: Workspace, category: str, persona: Persona | None, settings: AccessSettings, level: str,
            services: gpd.GeoDataFrame, detour: float | None = None,
            demand: tuple[str, str] | None = None, target: str | None = None,
            privacy: tuple[int, int] | None = None) -> str:
    """The cache key of a run; ``demand`` is (indicator, digest of its values) when E2SFCA's
    demand group is not the target group; ``target`` the digest of the target group's values
    (read here when not given); ``privacy`` (min_residents, small_count) when not the defaults
    (the keys of runs with the defaults stay those of runs cached before)."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(
        pd.DataFrame(services.drop(columns="geometry")).astype(str), index=False).values.tobytes()
        + b"".join(shapely.to_wkb(services.geometry.array)) if len(services) else b"").hexdigest()
    body = {"category": category, "persona": persona.key() if persona and not persona.is_empty() else None,
            "settings": settings.as_dict(), "level": level, "stamp": ws.data_stamp(), "services": digest,
            "target": target if target is not None else target_digest(ws), "detour": detour, "version": 6,
            "demand": list(demand) if demand else None}
    if privacy is not None and privacy != (Settings.min_residents, Settings.small_count):
        body["privacy"] = list(privacy)
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Access:
    """A run with what the page and the CLI show beside the numbers."""
    result: AccessResult
    services: gpd.GeoDataFrame      # the services the run used (after the persona filter)
    fit: pd.DataFrame | None        # per service: fits, reasons, unknown (persona runs)
    cached: bool
    nominal: "Access | None" = None  # the run without persona an effective run was compared with


def access_for(ws: Workspace, category: str, *, persona: Persona | None = None, settings: AccessSettings | None = None,
               level: str | None = None, progress: Progress | None = None, use_cache: bool = True,
               cache: AccessCache | None = None, config: Settings | None = None) -> Access:
    """Nominal access (no persona) or effective access (with one). An effective run uses the
    nominal run's detour factor, so that the difference between the two is only the services
    that do not fit, never a change in how distances off the network are estimated.

    ``use_cache``: look for the run in the workspace's stored runs; ``cache``: where the network
    and the homes built in memory are kept (a fresh one when not given); ``config``: the
    ``Settings`` whose privacy thresholds apply (their defaults when not given)."""
    if not category:
        raise InputError(Problem("access_unknown_category", {"category": "–", "known": "–"}))
    settings = settings or AccessSettings()
    cache = cache if cache is not None else AccessCache()
    privacy = (config.min_residents, config.small_count) if config is not None else \
        (Settings.min_residents, Settings.small_count)
    level = level or ws.lowest_level()
    services = ws.services(category=category)
    fit = nominal = None
    detour = None
    if persona is not None and not persona.is_empty():
        fit = fits(services, persona, unknown=settings.unknown, min_overlap_min=settings.min_overlap_min)
        services = services[fit["fits"].to_numpy()] if len(services) else services
        nominal = access_for(ws, category, settings=settings, level=level, use_cache=use_cache,
                             progress=(lambda f, m: progress(0.5 * f, m)) if progress else None, cache=cache,
                             config=config)
        detour = float(nominal.result.report["detour_factor"])
        if progress:
            inner = progress
            progress = lambda f, m: inner(0.5 + 0.5 * f, m)  # noqa: E731
    demand_ind = demand_indicator(ws, category)
    demand_latest = latest_values(ws, demand_ind) if demand_ind else None        # (period, values per area)
    demand_ind = demand_ind if demand_latest is not None else None
    # the target group's values, read once for the cache key and the homes
    target_latest = _target_latest(ws)
    key = run_key(ws, category, persona, settings, level, services, detour,
                  (demand_ind, _digest(demand_latest)) if demand_ind else None, target=_digest(target_latest),
                  privacy=privacy)
    persona_key = json.dumps(persona.key(), sort_keys=True) if persona is not None and not persona.is_empty() else None
    if use_cache:
        hit = ws.access_run(key)
        if hit is not None:
            return Access(AccessResult(hit["origins"], hit["areas"], hit["pairs"], hit["report"]), services, fit, True,
                          nominal)
    say = progress or (lambda f, m: None)
    say(0.0, "network")
    network = load_network(ws, cache=cache)
    info = build_origins(ws, level, settings, target_latest, cache=cache)
    demand_period, demand = (demand_latest[0], info.spread(demand_latest[1])) if demand_latest else (info.period, None)
    result = run(network, info.origins, to_services(services), settings, progress=lambda f, m: say(0.05 + 0.9 * f, m),
                 severance=network is not None, detour=detour, demand=demand)
    result.areas = suppress_small(result.areas, residents=_residents(ws, level, info.period),
                                  min_residents=privacy[0], small_count=privacy[1])
    result.report.update(headline(result.origins, far=max(settings.thresholds_min)))
    result.pairs = crossings(ws, result.pairs)
    result.report.update({"category": category, "level": level, "thresholds": list(settings.thresholds_min),
                          "speed_kmh": settings.speed_kmh, "target_indicator": info.target_indicator,
                          "demand_indicator": demand_ind or info.target_indicator, "demand_period": demand_period,
                          "target_period": info.period, "origins_outside_areas": info.dropped_outside,
                          "origin_kinds": {str(k): int(n) for k, n in
                                           pd.Series(info.origins.kind).value_counts().items()},
                          "buildings_set_aside": info.buildings_set_aside,
                          "persona": persona.key() if persona_key else None,
                          "services_excluded": int((~fit["fits"]).sum()) if fit is not None else 0,
                          "services_kept_unknown": int((fit["fits"] & fit["unknown"].map(bool)).sum())
                          if fit is not None else 0,
                          # services of which an attribute the persona asks about is not recorded
                          "services_unknown_any": int(fit["unknown"].map(bool).sum()) if fit is not None else 0})
    ws.put_access_run(key, category=category, persona=persona_key, origins=result.origins, areas=result.areas,
                      pairs=result.pairs, report=result.report)
    say(1.0, "done")
    return Access(result, services, fit, False, nominal)


def headline(origins: pd.DataFrame, *, far: float) -> dict:
    """The share of the target group beyond ``far`` minutes: everywhere, and where the times
    come from the network (the rest is estimated)."""
    out = {}
    for name, part in (("all", origins), ("network", origins[origins["method"] == "network"])):
        w = part["weight"].to_numpy(float)
        t = part["nearest_min"].to_numpy(float)
        total = w.sum()
        out[f"share_beyond_{name}"] = float(w[~np.isfinite(t) | (t > far)].sum() / total * 100) if total > 0 else None
        out[f"target_{name}"] = float(total)
    return out


def crossings(ws: Workspace, pairs: pd.DataFrame) -> pd.DataFrame:
    """Name the barriers (railways, rivers …) the straight line of each pair crosses."""
    out = pairs.copy()
    out["crosses"] = ""
    if out.empty:
        return out
    lines = shapely.linestrings(np.stack([out[["x", "y"]].to_numpy(float), out[["sx", "sy"]].to_numpy(float)], axis=1))
    barriers = ws.barriers(within=shapely.union_all(lines).envelope)
    if barriers.empty:
        return out
    require_same_crs(gpd.GeoSeries(lines, crs=ws.work_crs), barriers)      # the pairs are in the work CRS
    tree = shapely.STRtree(barriers.geometry.array)
    p_idx, b_idx = tree.query(lines, predicate="intersects")
    label = (barriers["name"].fillna(barriers["class"]).astype(str)).to_numpy()
    names: dict[int, list[str]] = {}
    for p, b in zip(p_idx, b_idx):
        if label[b] not in names.setdefault(int(p), []):
            names[int(p)].append(label[b])
    out["crosses"] = [", ".join(names.get(i, [])) for i in range(len(out))]
    return out


def _residents(ws: Workspace, level: str, period: str | None) -> pd.Series | None:
    """Residents per area of ``level`` for the 300-residents rule (the map's rule, at the target
    group's period)."""
    from datetime import date

    from jmdiq_geo.services.layers import population_for
    at = date.fromisoformat(period) if period else date.today()
    return population_for(ws, period=at, level=level, denominator=None)


MEASURE_COLUMNS = ("median_min", "share_beyond", "e2sfca", "detour")


def suppress_small(areas: pd.DataFrame, *, residents: pd.Series | None = None,
                   min_residents: int = Settings.min_residents, small_count: int = Settings.small_count) -> pd.DataFrame:
    """METHOD.md privacy (``analysis.privacy.suppress``): an area with fewer than ``small_count``
    persons of the target group, or fewer than ``min_residents`` residents, shows no count and no
    measure; nor does an area where nobody of the target group lives (nothing to measure)."""
    out = areas.copy()
    out["target_group"] = out["target_group"].round(0)
    hide = _hidden(out["target_group"], out["area"], residents, min_residents, small_count)
    measures = [c for c in out.columns if c in MEASURE_COLUMNS or c.startswith("n_within_")]
    out.loc[hide, ["target_group", *measures]] = np.nan
    if "demand_group" in out:
        # E2SFCA's own group (e.g. children under 6): the same rule for its count and its value
        out["demand_group"] = out["demand_group"].round(0)
        few = hide | _hidden(out["demand_group"], out["area"], None, min_residents, small_count)
        out.loc[few, ["demand_group", "e2sfca"]] = np.nan
    out["suppressed"] = hide
    return out


def _hidden(counts: pd.Series, areas: pd.Series, residents: pd.Series | None, min_residents: int,
            small_count: int) -> np.ndarray:
    """Per area: hidden by the privacy rule (small area, small count), or nobody counted."""
    by_area = pd.Series(counts.to_numpy(float), index=areas.to_numpy())
    _, reason = suppress(by_area, kind="extensive", population=residents, min_residents=min_residents,
                         small_count=small_count)
    return (reason.isin([REASON_SMALL_AREA, REASON_SMALL_COUNT]) | (by_area <= 0)).to_numpy(bool)


def compare(nominal: Access, effective: Access) -> pd.DataFrame:
    """Per area: nominal, effective and their difference (the non-physical barrier)."""
    return difference(nominal.result.areas, effective.result.areas)


def excluded_services(ws: Workspace, effective: Access) -> pd.DataFrame:
    """The services a persona run left out: name, reasons, attributes not recorded."""
    fit = effective.fit.merge(ws.services(category=effective.result.report["category"])[["service_id", "name"]],
                              on="service_id")
    return fit[~fit["fits"]]


def barrier_table(nominal: Access, effective: Access, measure: str) -> tuple[pd.DataFrame, str]:
    """Per area: ``measure`` nominal, effective and their difference (the column named second),
    the difference also as ``value`` for the map."""
    table = compare(nominal, effective)
    table["method"] = table["method_nominal"]
    col = "share_beyond_diff" if measure == "share_beyond" else (
        "median_min_diff" if measure == "median_min" else None)
    if col is None:
        table[f"{measure}_diff"] = table[f"{measure}_effective"] - table[f"{measure}_nominal"]
        col = f"{measure}_diff"
    table["value"] = table[col]
    return table, col


# --------------------------------------------------------------------------- personas
def personas() -> dict[str, Persona]:
    """The preset personas (``data/personas/``, file stem → persona)."""
    return preset_personas()


def persona_from_form(*, name: str, age: str | None, languages: list[str], when: str, free_only: bool,
                      wheelchair: bool) -> Persona:
    """A persona typed into the page's form; every problem at once (``InputError``)."""
    return make_persona({"name": name, "age": age or None, "languages": languages, "when": when,
                         "free_only": free_only, "wheelchair": wheelchair})


def persona_from_upload(name: str, data: bytes) -> Persona:
    """A persona from an uploaded TOML file (``InputError`` naming the file when it is wrong)."""
    with as_file(name, data) as path:
        return load_persona(path)
