"""One indicator on one level and period, ready to map: values, ranks, city value, privacy.

Reads from the workspace and calls the pure analysis functions; the app and the CLI share it.
Values of higher levels are aggregated from the lowest level (counts summed, rates rebuilt
from numerator and denominator), never taken from averages.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd

from jmdiq_geo.analysis.aggregate import aggregate, city_value
from jmdiq_geo.analysis.privacy import complementary_suppression, hide_small_numerators, suppress
from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.store.workspace import Workspace


@dataclass
class IndicatorLayer:
    areas: gpd.GeoDataFrame         # area_id, name, value (shown), raw, reason, rank, n_ranked, geometry
    definition: dict
    level: str
    period: date
    city_value: float
    attributions: list[str]


def _groups(ws: Workspace, level: str) -> pd.Series:
    """lowest-level area id → id of its ancestor on ``level``."""
    chain = ws.levels_in_order()
    lowest = chain[0]
    ids = ws.area_names(lowest)
    current = pd.Series(ids["area_id"].to_numpy(), index=ids["area_id"].to_numpy())
    for lv in chain[1:chain.index(level) + 1]:
        below = chain[chain.index(lv) - 1]
        parents = ws.area_names(below).set_index("area_id")["parent_id"]
        current = current.map(parents)
    return current


def population_for(ws: Workspace, *, period: date, level: str, denominator: str | None) -> pd.Series | None:
    """Residents per area for the privacy rule at ``period``: the population indicator at that
    period, else at the nearest period within two years, else the indicator's denominator (a
    population of its own, e.g. the MSS residents), else the nearest population period at all.
    When both of the last two exist, an area takes the smaller of them: a census three years
    away and a weight of the rate's own period (Dortmund's residents estimated from a density)
    each may be off, and an area small by either is hidden."""
    pop_id = ws.meta().get("population_indicator")
    periods = ws.periods(indicator_id=pop_id, level=level) if pop_id else []
    if period in periods:
        return ws.values(pop_id, period=period, level=level)
    nearest = min(periods, key=lambda p: abs((p - period).days)) if periods else None
    if nearest is not None and abs((nearest - period).days) <= 731:
        return ws.values(pop_id, period=nearest, level=level)
    stale = ws.values(pop_id, period=nearest, level=level) if nearest is not None else None
    if denominator and period in ws.periods(indicator_id=denominator, level=level):
        own = ws.values(denominator, period=period, level=level)
        return own if stale is None else pd.concat([own, stale], axis=1).min(axis=1)
    return stale


#: the share of residents (or, without population figures, of areas) that must have a value for
#: a whole-city value: a table of a few quarters would otherwise give a "city" sum of them. The
#: MSS leaves out areas under 300 residents, which hold a tiny share and do not count against it.
CITY_MIN_COVERAGE = 0.9


def city_share(values: pd.Series, area_ids: pd.Series, population: pd.Series | None) -> float:
    """The share of the city's residents (else of its areas) living in areas with a value."""
    has = pd.Series(area_ids.isin(values.dropna().index).to_numpy(), index=area_ids.to_numpy())
    if population is not None:
        pop = population.reindex(has.index).fillna(0.0).clip(lower=0)
        if pop.sum() > 0:
            return float(pop[has].sum() / pop.sum())
    return float(has.mean()) if len(has) else 0.0


def whole_city_value(values: pd.Series, *, kind: str, denominator: pd.Series | None, area_ids: pd.Series,
                     population: pd.Series | None) -> float:
    """The city's value of ``values`` (lowest level), NaN where they cover too little of the
    city (``CITY_MIN_COVERAGE``): a sum or rate over a part of the city is no city value."""
    if city_share(values, area_ids, population) < CITY_MIN_COVERAGE:
        return float("nan")
    return city_value(values, kind=kind, denominator=denominator)


def indicator_layer(ws: Workspace, *, indicator_id: str, period: date, level: str | None = None,
                    settings: Settings) -> IndicatorLayer:
    """The layer of ``indicator_id`` at ``period`` on ``level`` (default: the lowest) under the
    privacy rules of ``settings``. Computed once per workspace generation and shared by every
    caller of the same workspace object (the app's sessions, a profile's 48 layers, the annual
    annex, the exports: ``store/generation.py``); each caller gets its own copy."""
    level = level or ws.lowest_level()
    key = ("indicator_layer", indicator_id, period, level, settings.min_residents, settings.small_count)
    layer = ws.shared(key, lambda: _indicator_layer(ws, indicator_id=indicator_id, period=period, level=level,
                                                    settings=settings))
    return IndicatorLayer(layer.areas.copy(), dict(layer.definition), layer.level, layer.period, layer.city_value,
                          list(layer.attributions))


def _indicator_layer(ws: Workspace, *, indicator_id: str, period: date, level: str, settings: Settings) -> IndicatorLayer:
    defs = ws.indicators().set_index("indicator_id")
    definition = {"indicator_id": indicator_id, **defs.loc[indicator_id].to_dict()}
    kind = definition["kind"]
    den_id = definition.get("denominator") or None
    lowest = ws.lowest_level()
    level = level or lowest
    coverage = None
    raw = ws.values(indicator_id, period=period, level=lowest)
    den = ws.values(den_id, period=period, level=lowest) if den_id else None
    pop = population_for(ws, period=period, level=lowest, denominator=den_id)
    aggregatable = kind == "extensive" or (kind == "intensive" and den is not None)
    city = whole_city_value(raw, kind=kind, denominator=den, area_ids=ws.area_names(lowest)["area_id"],
                            population=pop) if aggregatable else float("nan")
    if level != lowest:
        if not aggregatable:
            raise InputError(Problem("not_aggregatable", {"indicator": definition.get("label_de") or indicator_id}))
        groups = _groups(ws, level)
        aggregated = aggregate(raw, groups, kind=kind, denominator=den)
        raw, coverage = aggregated["value"], aggregated["coverage"]
        if pop is not None:
            pop = aggregate(pop, groups, kind="extensive")["value"]
    areas = ws.areas(level)
    raw = raw.reindex(areas["area_id"].to_numpy())
    shown, reason = suppress(raw, kind=kind, population=pop, min_residents=settings.min_residents,
                             small_count=settings.small_count)
    if aggregatable:
        # what the rules hide must not come back from what is shown beside it: a rate times its
        # shown denominator, or a published total (the parent's, the city's) minus shown parts
        den_here = den if level == lowest or den is None else aggregate(den, groups, kind="extensive")["value"]
        shown, reason = hide_small_numerators(shown, reason, kind=kind, denominator=den_here,
                                              small_count=settings.small_count)
        shown, reason = complementary_suppression(shown, reason, _published_totals(ws, level),
                                                  weight=pop if pop is not None else None)
    higher_worse = definition.get("polarity") != "higher_better"
    rank = shown.rank(ascending=not higher_worse, method="min")
    out = areas[["area_id", "name", "geometry"]].copy()
    out["raw"] = raw.to_numpy()
    out["value"] = shown.to_numpy()
    out["reason"] = reason.to_numpy()
    out["rank"] = rank.to_numpy()
    out["n_ranked"] = int(shown.notna().sum())
    # share of the members (or of the denominator, for rates) that had a value: < 1 means the
    # aggregate is incomplete, and the map says so
    out["coverage"] = coverage.reindex(areas["area_id"].to_numpy()).to_numpy() if coverage is not None else 1.0
    sources = [s for s in {definition.get("source_id"), *areas["source_id"].dropna().unique()} if s]
    sources += ws.value_sources([indicator_id], period=period)
    return IndicatorLayer(out, definition, level, period, city, ws.attributions(sorted(set(sources))))


def _published_totals(ws: Workspace, level: str) -> pd.Series:
    """Area id on ``level`` → the area whose total is shown above it (its parent; on the top
    level the whole city)."""
    names = ws.area_names(level)
    if level == ws.top_level():
        return pd.Series("city", index=names["area_id"].to_numpy())
    return pd.Series(names["parent_id"].to_numpy(), index=names["area_id"].to_numpy())


def value_periods(ws: Workspace, indicator_id: str) -> list[date]:
    return ws.periods(indicator_id=indicator_id, level=ws.lowest_level())


def index_values(ws: Workspace, definition, *, period: date) -> pd.DataFrame:
    """areas × indicators of ``definition`` at ``period`` on the definition's level (wide)."""
    long = ws.values_long(level=definition.level, indicator_ids=definition.indicator_ids())
    long = long[pd.to_datetime(long["period"]) == pd.Timestamp(period)]
    wide = long.pivot(index="area_id", columns="indicator_id", values="value")
    ids = ws.area_names(definition.level)["area_id"]
    return wide.reindex(index=ids.to_numpy(), columns=definition.indicator_ids())


def compute_index_for(ws: Workspace, definition, *, period: date):
    """Compute a composite index on the workspace's values (see ``analysis.index``)."""
    from jmdiq_geo.analysis.index import compute_index

    return compute_index(definition, index_values(ws, definition, period=period))


def change_layer(ws: Workspace, *, indicator_id: str, period_from: date, period_to: date, level: str | None = None,
                 relative: bool = False, settings: Settings) -> IndicatorLayer:
    """Change of an indicator between two periods per area: the difference (percentage points
    for rates) or, with ``relative``, the change in % of the earlier value. An area without a
    shown value in either period gets none (privacy rules apply to both periods)."""
    a = indicator_layer(ws, indicator_id=indicator_id, period=period_from, level=level, settings=settings)
    b = indicator_layer(ws, indicator_id=indicator_id, period=period_to, level=level, settings=settings)
    va, vb = a.areas["value"].to_numpy(float), b.areas["value"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(va != 0, 100 * (vb - va) / np.abs(va), np.nan) if relative else vb - va
        city = (100 * (b.city_value - a.city_value) / abs(a.city_value) if relative and a.city_value
                else b.city_value - a.city_value)
    out = b.areas[["area_id", "name", "geometry"]].copy()
    out["raw"] = change
    out["value"] = change
    reason = np.where(a.areas["reason"].notna(), a.areas["reason"], b.areas["reason"])
    out["reason"] = np.where(np.isfinite(change), None, np.where(pd.isna(reason), "missing", reason))
    shown = pd.Series(change, index=out.index)
    out["rank"] = shown.rank(ascending=a.definition.get("polarity") == "higher_better", method="min").to_numpy()
    out["n_ranked"] = int(np.isfinite(change).sum())
    definition = dict(b.definition)
    definition["unit"] = "%" if relative else ("%-Pkt." if definition.get("unit") == "%" else definition.get("unit"))
    definition["kind"] = "change"
    definition["aggregatable"] = True
    return IndicatorLayer(out, definition, b.level, period_to, float(city),
                          sorted(set(a.attributions) | set(b.attributions)))


def ancestor(ws: Workspace, area_id: str, *, level: str, up_to: str) -> str | None:
    """The id of ``area_id``'s ancestor on level ``up_to`` (following parent ids)."""
    levels = ws.levels_in_order()
    current = area_id
    for lv in levels[levels.index(level):levels.index(up_to)]:
        row = ws.area_names(lv).set_index("area_id")["parent_id"]
        current = row.get(current)
        if current is None:
            return None
    return current


def time_series(ws: Workspace, *, indicator_id: str, area_id: str, level: str, settings: Settings,
                layer=None) -> pd.DataFrame:
    """Values of one area, its district (top level) and the city for every period; the district
    only for an indicator that can be carried to larger areas (a count, a rate with its
    denominator). ``layer(indicator_id, period, level)``: the layers when the caller keeps them
    (a profile document shares them with its table)."""
    if layer is None:
        def layer(ind, period, lv):
            return indicator_layer(ws, indicator_id=ind, period=period, level=lv, settings=settings)
    if not value_periods(ws, indicator_id):
        return pd.DataFrame({"area": [], "city": []}, index=pd.Index([], name="period"))
    top = ws.top_level()
    definition = ws.indicators().set_index("indicator_id").loc[indicator_id]
    denominator = definition["denominator"]
    carried = definition["kind"] == "extensive" or (definition["kind"] == "intensive" and pd.notna(denominator)
                                                     and bool(denominator))
    district = ancestor(ws, area_id, level=level, up_to=top) if level != top and carried else None
    rows = []
    for period in value_periods(ws, indicator_id):
        mine = layer(indicator_id, period, level)
        value = mine.areas.set_index("area_id")["value"].get(area_id)
        row = {"period": period, "area": value, "city": mine.city_value}
        if district:
            upper = layer(indicator_id, period, top)
            row["district"] = upper.areas.set_index("area_id")["value"].get(district)
        rows.append(row)
    return pd.DataFrame(rows).set_index("period")
