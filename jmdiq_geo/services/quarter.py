"""A quarter from anything (areas, a programme area, a drawn or uploaded polygon), its numbers,
and its check against a rule set. Reads from the workspace, computes with ``analysis``."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.analysis.interpolate import Weights, area_weights, estimate, grid_cells
from jmdiq_geo.analysis.privacy import suppress
from jmdiq_geo.analysis.rules import Facts, RuleSet, Verdict, evaluate
from jmdiq_geo.config import Settings
from jmdiq_geo.crs import to_work_crs
from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.i18n import format_date, format_number, localized, t
from jmdiq_geo.io.readers import read_vector
from jmdiq_geo.io.validate import check_geometries
from jmdiq_geo.services.grids import (GridBasis, GridNumbers, grid_basis, grid_for_role, grid_numbers,
                                     has_area_statistics)
from jmdiq_geo.services.layers import population_for, value_periods, whole_city_value
from jmdiq_geo.services.roles import apply_roles
from jmdiq_geo.store.workspace import Workspace


@dataclass
class Quarter:
    geometry: object                 # polygonal, work CRS
    label: str
    kind: str                        # areas | programme | drawn | file
    area_ids: list[str] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)


@dataclass
class QuarterNumbers:
    weights: Weights
    values: pd.DataFrame             # indicator_id → value, kind, coverage, period
    population: float
    share_partial: float
    grid_id: str | None
    methods: dict[str, int]
    grid_label: str | None = None    # the weight grid as people know it (e.g. "Zensus 2022 …")
    #: residents and persons of foreign citizenship from the population grids (None without grids)
    grids: GridNumbers | None = None
    #: the quarter has fewer residents than the privacy rule allows: no value is shown
    too_small: bool = False


@dataclass
class CheckResult:
    quarter: Quarter
    numbers: QuarterNumbers
    verdict: Verdict
    attributions: list[str]
    #: the areas the quarter covers: area_id, name, method (full | dasymetric | area), share (of the
    #: area's residents counted in the quarter; 1 for a whole area)
    areas: list[dict] = field(default_factory=list)
    #: per criterion id: what the sheet names beside the reason (indicator, its Stichtag, the city
    #: value, how a rate was rebuilt and with which base)
    details: dict[str, dict] = field(default_factory=dict)


# --------------------------------------------------------------------------- quarters

def _finish(ws: Workspace, geom, label: str, kind: str, notices: list[Problem], area_ids=()) -> Quarter:
    if geom is None or geom.is_empty:
        raise InputError(Problem("quarter_empty"))
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise InputError(Problem("quarter_not_polygon", {"found": geom.geom_type}))
    areas = ws.areas(ws.lowest_level())
    if not len(areas.sindex.query(geom, predicate="intersects")):
        raise InputError(Problem("quarter_outside"))
    return Quarter(geom, label, kind, list(area_ids), notices)


def quarter_from_areas(ws: Workspace, *, level: str, area_ids: list[str]) -> Quarter:
    if not area_ids:
        raise InputError(Problem("quarter_empty"))
    areas = ws.areas(level).set_index("area_id")
    unknown = [a for a in area_ids if a not in areas.index]
    if unknown:
        raise InputError(Problem("quarter_unknown_areas", {"ids": ", ".join(unknown)}))
    chosen = areas.loc[area_ids]
    label = ", ".join(chosen["name"].tolist()[:4]) + (" …" if len(chosen) > 4 else "")
    return _finish(ws, shapely.union_all(chosen.geometry.array), label, "areas", [], area_ids)


def quarter_from_programme(ws: Workspace, pa_id: str) -> Quarter:
    pa = ws.programme_areas().set_index("pa_id")
    if pa_id not in pa.index:
        raise InputError(Problem("quarter_unknown_areas", {"ids": pa_id}))
    row = pa.loc[pa_id]
    return _finish(ws, row.geometry, f"{row['name']} ({row['programme']})", "programme", [])


def quarter_from_geojson(ws: Workspace, geojson: dict | str, *, crs: str = "EPSG:4326", label: str = "") -> Quarter:
    """A drawn polygon (GeoJSON geometry or feature, in ``crs``); self-intersections are repaired
    with a notice."""
    doc = json.loads(geojson) if isinstance(geojson, str) else geojson
    geometry = doc.get("geometry", doc) if doc.get("type") == "Feature" else doc
    geom = shapely.geometry.shape(geometry)
    gdf = gpd.GeoDataFrame(geometry=[geom], crs=crs)
    notices = []
    if not geom.is_valid:
        notices.append(Problem("quarter_repaired", {"reason": shapely.is_valid_reason(geom)}, severity="notice"))
    gdf, problems = check_geometries(gdf, expected="polygon", file=None, invalid="repair")
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(Problem("quarter_not_polygon", {"found": geom.geom_type}))
    gdf = to_work_crs(gdf, ws.work_crs)
    return _finish(ws, gdf.geometry.iloc[0], label or "gezeichnetes Quartier", "drawn", notices)


def quarter_from_file(ws: Workspace, path: Path | str, *, max_bytes: int, crs: str | None = None) -> Quarter:
    """The union of the polygons of an uploaded file."""
    path = Path(path)
    gdf = read_vector(path, crs=crs, max_bytes=max_bytes)
    gdf, problems = check_geometries(gdf, expected="polygon", file=path.name)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    gdf = to_work_crs(gdf, ws.work_crs, file=path.name)
    notices = [p for p in problems if p.severity != "error"]
    return _finish(ws, shapely.union_all(gdf.geometry.array), path.stem, "file", notices)


# --------------------------------------------------------------------------- numbers

def weight_grid(ws: Workspace) -> tuple[str | None, gpd.GeoDataFrame | None]:
    """The population grid used as dasymetric weights (residents per cell), in the work CRS: the
    grid with the role ``residents`` (``services.grids.grid_for_role``)."""
    chosen = grid_for_role(ws, "residents")
    if not chosen:
        return None, None
    meta = ws.grids().set_index("grid_id").loc[chosen]
    cells = grid_cells(ws.grid_cells(chosen).dropna(), cell_size_m=float(meta["cell_size_m"]), crs=meta["crs"])
    return chosen, to_work_crs(cells, ws.work_crs)


def quarter_numbers(ws: Workspace, quarter: Quarter, *, settings: Settings,
                    grid: tuple[str | None, gpd.GeoDataFrame | None] | None = None,
                    basis: GridBasis | None | bool = True) -> QuarterNumbers:
    """Every indicator for the quarter at its latest period (counts summed with weights, rates
    rebuilt from numerator and denominator), and residents and persons of foreign citizenship
    from the population grids where the workspace has them (``basis``: prepared by the caller,
    True to read it here, None for none).

    A workspace with areas and numbers of its own keeps its residents from them (the grid lines
    come as additional lines); one with grids only (a Gemeinde starter) takes its residents from
    the grids. Privacy: a quarter with fewer than ``settings.min_residents`` residents shows no
    value at all, counts under ``settings.small_count`` are hidden."""
    level = ws.lowest_level()
    areas = ws.areas(level)
    grid_id, cells = grid if grid is not None else weight_grid(ws)
    weights = area_weights(quarter.geometry, areas, grid=cells)
    defs = ws.indicators().set_index("indicator_id")
    values = period_estimates(ws, weights, defs).sort_values("period").groupby("indicator_id").last()
    pop_id = ws.meta().get("population_indicator")
    population = float(values.at[pop_id, "value"]) if pop_id in values.index else float("nan")
    if pop_id in values.index and not population > 0:
        raise InputError(Problem("quarter_no_residents"))
    basis = grid_basis(ws) if basis is True else basis
    from_grids = grid_numbers(quarter.geometry, work_crs=ws.work_crs, basis=basis, settings=settings) \
        if basis is not None else None
    # a workspace without areas with numbers of its own (a Gemeinde starter, whose one area holds
    # the grid's sums): the quarter's residents are the grid's, spread over the inhabited cells
    grid_residents = from_grids is not None and from_grids.residents_grid is not None \
        and (not np.isfinite(population) or not has_area_statistics(ws))
    if grid_residents:
        population = from_grids.line("residents").raw
    too_small = bool(np.isfinite(population) and population < settings.min_residents)
    values = _private(values, defs, population=population, settings=settings)
    pop_period = values.at[pop_id, "period"] if pop_id in values.index else None
    pop_values = ws.values(pop_id, period=pop_period, level=level) if pop_period else pd.Series(dtype=float)
    share_partial = float("nan") if grid_residents else weights.share_partial(pop_values)
    methods = weights.table["method"].value_counts().to_dict()
    grids = ws.grids().set_index("grid_id")
    label = grids.at[grid_id, "label"] if grid_id in grids.index else None
    return QuarterNumbers(weights, values, population, share_partial, grid_id, methods,
                          label if isinstance(label, str) and label else grid_id, from_grids, too_small)


def period_estimates(ws: Workspace, weights: Weights, defs: pd.DataFrame) -> pd.DataFrame:
    """Every indicator of the lowest level for the quarter of ``weights`` at every period
    (counts summed with weights, rates rebuilt from numerator and denominator): a table of
    indicator_id, value, kind, coverage, period (before the privacy rules)."""
    level = ws.lowest_level()
    long = ws.values_long(level=level)
    long = long[long["area_id"].isin(weights.table["area_id"].tolist())]
    rows = []
    for period, part in long.groupby("period"):
        wide = part.pivot(index="area_id", columns="indicator_id", values="value")
        est = estimate(weights, wide, defs)
        est["period"] = pd.Timestamp(period).date()
        rows.append(est.reset_index())
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["indicator_id", "value", "kind", "coverage", "period"])


def quarter_weights(ws: Workspace, quarter: Quarter) -> Weights:
    """The areas of the lowest level the quarter covers with their weights (the grid with the role
    ``residents`` as dasymetric weights), as ``quarter_numbers`` computes them."""
    return area_weights(quarter.geometry, ws.areas(ws.lowest_level()), grid=weight_grid(ws)[1])


def quarter_values_at(ws: Workspace, quarter: Quarter, periods: dict[str, list[date]], *, settings: Settings,
                      weights: Weights | None = None) -> tuple[pd.DataFrame, Weights]:
    """The quarter's values of each indicator at the periods asked for (indicator → periods), by
    the same estimation as the check (``quarter_numbers``), each period under the privacy rules
    with the quarter's residents of the nearest population period: a table of indicator_id,
    period, value (shown or NaN), raw, reason, coverage; and the weights (areas covered)."""
    weights = weights if weights is not None else quarter_weights(ws, quarter)
    defs = ws.indicators().set_index("indicator_id")
    est = period_estimates(ws, weights, defs)
    wanted = {(i, p) for i, ps in periods.items() for p in ps}
    pop_id = ws.meta().get("population_indicator")
    pops = est[est["indicator_id"] == pop_id].set_index("period")["value"] if pop_id else pd.Series(dtype=float)
    parts = []
    for period, part in est.groupby("period"):
        part = part[[(i, period) in wanted for i in part["indicator_id"]]]
        if part.empty:
            continue
        near = min(pops.index, key=lambda p: abs((p - period).days)) if len(pops) else None
        population = float(pops[near]) if near is not None else float("nan")
        shown = _private(part.set_index("indicator_id"), defs, population=population, settings=settings)
        parts.append(shown.reset_index())
    cols = ["indicator_id", "period", "value", "raw", "reason", "coverage"]
    return (pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)), weights


def _private(values: pd.DataFrame, defs: pd.DataFrame, *, population: float, settings: Settings) -> pd.DataFrame:
    """The quarter's values under the privacy rules (``analysis.privacy``): all hidden for a
    quarter under ``min_residents`` residents, counts under ``small_count`` hidden; ``raw``
    keeps what was computed, ``reason`` says why a value is hidden."""
    out = values.copy()
    out["raw"] = out["value"] if len(out) else pd.Series(dtype=float)
    out["reason"] = None
    known = pd.Series(population, index=out.index) if np.isfinite(population) else None
    for kind, part in out.groupby("kind"):
        shown, reason = suppress(part["value"].astype(float), kind=kind, population=known,
                                 min_residents=settings.min_residents, small_count=settings.small_count)
        out.loc[part.index, "value"] = shown
        out.loc[part.index, "reason"] = reason
    return out


# --------------------------------------------------------------------------- facts and check

def quarter_facts(ws: Workspace, quarter: Quarter, numbers: QuarterNumbers, settings: Settings) -> Facts:
    level = ws.lowest_level()
    defs = ws.indicators().set_index("indicator_id")
    w = numbers.weights.table.set_index("area_id")["weight"]
    pop_id = ws.meta().get("population_indicator")

    def value(ind):
        if ind not in numbers.values.index:
            return None, None
        row = numbers.values.loc[ind]
        return float(row["value"]), format_date(row["period"])

    def latest(ind) -> date | None:
        periods = value_periods(ws, ind) if ind in defs.index else []
        return periods[-1] if periods else None

    def city(ind):
        period = latest(ind)
        if period is None or defs.at[ind, "kind"] == "class":
            return None
        den = defs.at[ind, "denominator"]
        value = whole_city_value(ws.values(ind, period=period, level=level), kind=defs.at[ind, "kind"],
                                 denominator=ws.values(den, period=period, level=level) if den else None,
                                 area_ids=ws.area_names(level)["area_id"],
                                 population=population_for(ws, period=period, level=level, denominator=den or None))
        return None if np.isnan(value) else value

    def city_spread(ind):
        period = latest(ind)
        if period is None:
            return None, None
        raw = ws.values(ind, period=period, level=level).dropna()
        return (float(raw.mean()), float(raw.std(ddof=0))) if len(raw) > 1 else (None, None)

    def class_share(ind, classes):
        period = latest(ind)
        if period is None:
            return None
        codes = ws.values(ind, period=period, level=level).reindex(w.index)
        pop_periods = value_periods(ws, pop_id) if pop_id else []
        if not pop_periods:
            return None
        pop = ws.values(pop_id, period=min(pop_periods, key=lambda p: abs((p - period).days)), level=level)
        people = (w * pop.reindex(w.index)).fillna(0)
        known = people[codes.notna()].sum()
        if known <= 0:
            return None
        return float(people[codes.isin(classes)].sum() / known)

    def programme_share(programmes, include_former):
        pa = ws.programme_areas()
        if pa.empty:
            return None, []
        sel = pa[pa["programme"].isin(programmes)]
        if not include_former:
            today = pd.Timestamp.today()
            sel = sel[sel["until"].isna() | (pd.to_datetime(sel["until"]) >= today)]
        if sel.empty:
            return 0.0, []
        inter = sel.geometry.intersection(quarter.geometry).area
        covered = shapely.union_all(sel.geometry[inter > 0].intersection(quarter.geometry).array) \
            if (inter > 0).any() else None
        share = float(covered.area / quarter.geometry.area) if covered is not None else 0.0
        return share, sel.loc[inter > 0, "name"].tolist()

    def services_nearby(category, within_m):
        services = ws.services(category=category)
        if services.empty:
            return None, []
        zone = quarter.geometry.buffer(within_m) if within_m else quarter.geometry
        hit = services[services.geometry.within(zone)]
        return len(hit), hit["name"].fillna("–").tolist()

    def label(ind, lang):
        if ind not in defs.index:
            return ind
        return localized(defs.loc[ind], lang)

    def style(ind):
        if ind not in defs.index or defs.at[ind, "kind"] == "extensive":
            return 0, ""                                  # counts: whole persons, no unit
        unit = defs.at[ind, "unit"]
        return 1, (" %" if unit == "%" else f" {unit}" if unit else "")

    return Facts(value, city, city_spread, class_share, programme_share, services_nearby, label, style)


def check_quarter(ws: Workspace, quarter: Quarter, ruleset: RuleSet, *, settings: Settings,
                  numbers: QuarterNumbers | None = None) -> CheckResult:
    numbers = numbers or quarter_numbers(ws, quarter, settings=settings)
    facts = quarter_facts(ws, quarter, numbers, settings)
    verdict = evaluate(apply_roles(ws, ruleset), facts)
    return CheckResult(quarter, numbers, verdict, ws.attributions(), covered_areas(ws, numbers),
                       criterion_details(ws, verdict, numbers, facts))


def covered_areas(ws: Workspace, numbers: QuarterNumbers) -> list[dict]:
    """The smallest areas the quarter covers, whole ones first, with the share of each that
    entered the quarter's numbers."""
    return covered_by(ws, numbers.weights)


def covered_by(ws: Workspace, weights: Weights) -> list[dict]:
    """``covered_areas`` from the quarter's weights."""
    table = weights.table
    names = ws.area_names(ws.lowest_level()).set_index("area_id")["name"]
    order = {"full": 0, "dasymetric": 1, "area": 2}
    rows = [{"area_id": r["area_id"], "name": names.get(r["area_id"], r["area_id"]), "method": r["method"],
             "share": float(r["weight"])} for _, r in table.iterrows()]
    return sorted(rows, key=lambda r: (order.get(r["method"], 3), -r["share"], r["name"]))


def criterion_details(ws: Workspace, verdict: Verdict, numbers: QuarterNumbers, facts: Facts) -> dict[str, dict]:
    """Per criterion with an indicator: the indicator, the Stichtag of the values compared, the
    city value, whether the quarter's value is estimated (partly covered areas) or an exact sum,
    and for a rate the base it was rebuilt with — its own (a rate derived from two counts) or
    another (a published rate weighted by e.g. all residents)."""
    defs = ws.indicators().set_index("indicator_id")
    own_base = {b.get("indicator_id"): b.get("denominator") for b in ws.derived_definition_bodies()
                if b.get("numerator")}
    several = len(numbers.weights.table) > 1
    estimated = not numbers.share_partial == 0
    out = {}
    for o in verdict.outcomes:
        ind = o.criterion.indicator
        if not ind or ind not in defs.index:
            continue
        periods = value_periods(ws, ind)
        period = numbers.values.at[ind, "period"] if ind in numbers.values.index else \
            (periods[-1] if periods else None)
        kind = defs.at[ind, "kind"]
        den = defs.at[ind, "denominator"] if kind == "intensive" else None
        city = facts.city(ind) if o.criterion.type in ("compare_city", "indicator_min") else None
        unit = defs.at[ind, "unit"] if isinstance(defs.at[ind, "unit"], str) else ""
        detail = {"indicator": ind, "period": period, "city": city, "kind": kind, "unit": unit,
                  "estimated": estimated and kind != "class", "rebuilt": bool(den) and several}
        if den and several:
            detail["base"] = localized(defs.loc[den], "de") if den in defs.index else den
            detail["base_en"] = localized(defs.loc[den], "en") if den in defs.index else den
            detail["own_base"] = own_base.get(ind) == den
        out[o.criterion.id] = detail
    return out


def result_to_dict(result: CheckResult, *, lang: str = "de") -> dict:
    """The check as plain data (CLI ``--format json``, the PDF)."""
    v = result.verdict
    n = result.numbers

    def clean(x):
        if isinstance(x, (np.floating, float)):
            return None if not np.isfinite(x) else float(x)
        if isinstance(x, (np.integer,)):
            return int(x)
        if isinstance(x, date):
            return x.isoformat()
        if isinstance(x, dict):
            return {k: clean(y) for k, y in x.items()}
        if isinstance(x, list):
            return [clean(y) for y in x]
        return x
    return {
        "quarter": {"label": result.quarter.label, "kind": result.quarter.kind, "area_ids": result.quarter.area_ids,
                    "area_km2": round(result.quarter.geometry.area / 1e6, 3)},
        "ruleset": {"id": v.ruleset.id, "version": v.ruleset.version,
                    "label": localized(v.ruleset, lang),
                    "source": v.ruleset.source},
        "verdict": v.status,
        "reason": localized(v, lang, "reason"),
        "criteria": [{"id": o.criterion.id, "label": localized(o.criterion, lang), "status": o.status,
                      "numbers": clean(o.numbers), "reason": localized(o, lang, "reason")}
                     for o in v.outcomes],
        "population": None if n.too_small else clean(n.population),
        "share_population_from_partly_covered_areas": clean(n.share_partial),
        "weights": {"grid": n.grid_id, "grid_label": n.grid_label, "methods": clean(n.methods)},
        "too_small": n.too_small,
        "grids": clean(grid_report(n.grids, lang=lang)) if n.grids is not None else None,
        "sources": result.attributions,
        # whole areas only: the numbers are exact sums, nothing is estimated
        "estimated": not n.share_partial == 0,          # unknown (residents from the grids) counts as estimated
        "areas": clean(result.areas),
        "details": clean(result.details),
    }


def grid_report(numbers: GridNumbers, *, lang: str = "de") -> dict:
    """The quarter's numbers from the grids as plain data: one line per number (label, value
    shown or None, the text shown, why hidden), the grids used and the weighting, in words."""
    labels = {"residents": ("grid_line_residents", numbers.residents_label),
              "foreigners": ("grid_line_foreigners", numbers.foreigners_label),
              "foreigners_share": ("grid_line_foreigners_share", numbers.foreigners_label)}
    lines = []
    for line in numbers.lines:
        key, grid = labels[line.role]
        digits = 1 if line.role.endswith("share") else 0
        unit = " %" if line.role.endswith("share") else ""
        shown = np.isfinite(line.value)
        lines.append({"role": line.role, "label": t(key, lang), "grid": grid,
                      "value": float(line.value) if shown else None,
                      "text": format_number(line.value, lang, digits=digits) + unit if shown
                      else t(f"reason_{line.reason or 'missing'}", lang),
                      "hidden": line.reason})
    share = format_number(100 * numbers.share_inhabited, lang, digits=0) if np.isfinite(numbers.share_inhabited) \
        else "–"
    weighting = t(f"grid_weighting_{numbers.weighting}", lang, residents=numbers.residents_label or "–",
                  fine=numbers.foreigners_label or "–", share=share)
    if numbers.foreigners_grid:
        weighting += " " + t("grid_weighting_foreigners", lang, fine=numbers.foreigners_label)
    return {"lines": lines, "residents_grid": numbers.residents_grid, "foreigners_grid": numbers.foreigners_grid,
            "weighting": numbers.weighting, "share_inhabited": numbers.share_inhabited,
            "weighting_text": weighting}
