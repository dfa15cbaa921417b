"""The Quartiersprofil as a document: what ``render.profile_pdf`` prints for one area or two
side by side, gathered from the same services as the Steckbrief (``services.profile``,
``services.layers.time_series``), so the paper and the page show the same numbers; and lists of
the areas below a parent area (the smallest areas of a district with their classes)."""
from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from jmdiq_geo.config import Settings
from jmdiq_geo.errors import Problem, raise_if_errors
from jmdiq_geo.i18n import class_label, localized
from jmdiq_geo.render.print_map import level_label
from jmdiq_geo.render.profile_pdf import locator_png, profile_pdf
from jmdiq_geo.services.layers import indicator_layer, time_series, value_periods
from jmdiq_geo.services.profile import Profile, area_profile
from jmdiq_geo.services.projects import records
from jmdiq_geo.services.roles import indicator_roles
from jmdiq_geo.store.workspace import Workspace

#: trend charts in a profile at most (the key indicators that have more than one period)
MAX_TRENDS = 6


@dataclass
class ProfileDoc:
    """One area's profile with what the document adds: trend series, projects, network."""
    profile: Profile
    level_label: str
    #: indicator id → DataFrame (period index; columns area, district?, city) for the trend charts
    series: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: the indicators that are the target group (roles target_group, target_group_share)
    target_ids: list[str] = field(default_factory=list)
    projects: pd.DataFrame = field(default_factory=pd.DataFrame)     # title, status, start, end, budget_planned
    partners: int = 0
    ties: pd.DataFrame = field(default_factory=pd.DataFrame)         # year, ties (of the partners in the area)
    #: walking access from the area's homes, per category with a stored run of its level (the
    #: Zugang page's last nominal run): category, median_min, share_beyond, n_within_<min>…, computed
    access: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the participation sessions over the area, each only with its places shown (>= k people)
    #: inside the area (``services.participation_results.SessionSummary``)
    participation: list = field(default_factory=list)


def memo_layers(ws: Workspace, settings: Settings):
    """``layer(indicator_id, period, level)`` computing each layer once (a profile's table, its
    trend charts and a second area share them)."""
    kept = {}

    def layer(ind, period, lv):
        if (ind, period, lv) not in kept:
            kept[(ind, period, lv)] = indicator_layer(ws, indicator_id=ind, period=period, level=lv,
                                                      settings=settings)
        return kept[(ind, period, lv)]
    return layer


def profile_doc(ws: Workspace, *, level: str, area_id: str, settings: Settings, lang: str = "de",
                layer=None, series=None) -> ProfileDoc:
    """Everything the document shows of one area. ``layer`` / ``series`` may be the app's cached
    functions (``layer(indicator, period, level)``, ``series(indicator, level, area_id)``)."""
    layer = layer or memo_layers(ws, settings)
    p = area_profile(ws, level=level, area_id=area_id, settings=settings, layer=layer)
    series = series or (lambda ind, lv, aid: time_series(ws, indicator_id=ind, area_id=aid, level=lv,
                                                         settings=settings, layer=layer))
    trends = {}
    for _, row in p.indicators.iterrows():
        if len(trends) >= MAX_TRENDS:
            break
        if row["kind"] == "class" or len(value_periods(ws, row["indicator_id"])) < 2:
            continue
        trends[row["indicator_id"]] = series(row["indicator_id"], level, area_id)
    roles = indicator_roles(ws)
    target_ids = [roles[r] for r in ("target_group", "target_group_share") if r in roles]
    geom = ws.areas(level).set_index("area_id").loc[area_id].geometry
    projects = records(ws, "project")
    if len(projects):
        located = gpd.GeoSeries(gpd.points_from_xy(projects["x"], projects["y"]), crs=ws.work_crs)
        inside = (projects["area_id"] == area_id).to_numpy() | located.within(geom).to_numpy()
        projects = projects[inside][["title", "status", "start", "end", "budget_planned", "budget_spent"]]
    partners = records(ws, "partner")
    ties = records(ws, "tie")
    n_partners = 0
    tie_years = pd.DataFrame(columns=["year", "ties"])
    if len(partners):
        here = partners[partners["x"].notna()]
        pts = gpd.GeoSeries(gpd.points_from_xy(here["x"], here["y"]), crs=ws.work_crs)
        ids = set(here.loc[pts.within(geom).to_numpy(), "partner_id"])
        n_partners = len(ids)
        if len(ties) and ids:
            mine = ties[ties["partner_id"].isin(ids)]
            tie_years = mine.groupby("year").size().rename("ties").reset_index()
    from jmdiq_geo.services.participation_results import sessions_in
    return ProfileDoc(p, level_label(ws, level, lang), trends, target_ids, projects, n_partners, tie_years,
                      access_rows(ws, level=level, area_id=area_id), sessions_in(ws, geom))


def access_rows(ws: Workspace, *, level: str, area_id: str) -> pd.DataFrame:
    """The area's row of every stored nominal walking-access run of its level (values already
    under the privacy rules of the run), with the date the run was computed."""
    rows = []
    for run in ws.nominal_access_runs():
        if run["report"].get("level") != level:
            continue
        areas = run["areas"]
        hit = areas[areas["area"].astype(str) == str(area_id)]
        if hit.empty:
            continue
        row = hit.iloc[0]
        within = {c: row[c] for c in areas.columns if c.startswith("n_within_")}
        rows.append({"category": run["category"], "median_min": row.get("median_min"),
                     "share_beyond": row.get("share_beyond"), "far_min": max(run["report"].get("thresholds") or [0]),
                     **within, "computed": pd.Timestamp(run["created_at"]).date()})
    return pd.DataFrame(rows)


def profile_report_pdf(ws: Workspace, *, level: str | None, area_ids: list[str], settings: Settings,
                       lang: str = "de", context: dict | None = None, layer=None, series=None) -> tuple[bytes, list[str]]:
    """(PDF, the areas' names): the profile of one area, or of two side by side."""
    level = level or ws.lowest_level()
    problems = []
    if level not in ws.levels_in_order():
        problems.append(Problem("level_unknown", {"level": level, "known": ", ".join(ws.levels_in_order())}))
    else:
        known = set(ws.area_names(level)["area_id"])
        problems += [Problem("area_unknown", {"area": a, "level": level}) for a in area_ids if a not in known]
    raise_if_errors(problems)
    layer = layer or memo_layers(ws, settings)
    docs = [profile_doc(ws, level=level, area_id=a, settings=settings, lang=lang, layer=layer, series=series)
            for a in area_ids]
    areas = ws.areas(level)
    top = ws.top_level()
    districts = ws.areas(top) if top != level else None
    png = locator_png(areas, [a for a in area_ids], districts=districts, context=context)
    attributions = sorted(set().union(*[d.profile.attributions for d in docs])
                          | set(ws.attributions(sorted(set(areas["source_id"].dropna()))))
                          | {s.attribution for d in docs for s in d.participation})
    city = ws.meta().get("city", "")
    return profile_pdf(docs, lang=lang, locator=png, city=city, attributions=attributions), \
        [d.profile.name for d in docs]


def children_table(ws: Workspace, *, parent_level: str, parent_id: str, settings: Settings, lang: str = "de",
                   indicator_ids: list[str] | None = None, layer=None) -> pd.DataFrame:
    """The areas of the level just below ``parent_level`` inside ``parent_id`` (by the hierarchy),
    with the profile's key indicators at their latest period as the app shows them (privacy rules
    applied; official classes by their label, e.g. MSS "mittel")."""
    levels = ws.levels_in_order()
    i = levels.index(parent_level)
    if i == 0:
        return pd.DataFrame()
    child = levels[i - 1]
    names = ws.area_names(child)
    inside = names[names["parent_id"] == parent_id][["area_id", "name"]].reset_index(drop=True)
    from jmdiq_geo.services.profile import profile_indicator_ids
    layer = layer or memo_layers(ws, settings)
    defs = ws.indicators().set_index("indicator_id")
    out = inside.copy()
    digits = {}
    for ind in indicator_ids or profile_indicator_ids(ws):
        periods = value_periods(ws, ind)
        if not periods:
            continue
        kind = defs.at[ind, "kind"]
        if kind == "intensive" and not defs.at[ind, "denominator"] and child != levels[0]:
            continue
        if kind == "class" and child != levels[0]:
            continue
        shown = layer(ind, periods[-1], child)
        values = shown.areas.set_index("area_id")["value"].reindex(out["area_id"])
        label = localized(defs.loc[ind], lang)
        if kind == "class":
            classes = defs.at[ind, "classes"] or {}
            out[label] = [class_label(classes, int(v), lang) if np.isfinite(v) else None for v in values]
        else:
            out[label] = values.to_numpy()
            digits[label] = 0 if kind == "extensive" else 1
    out.attrs["digits"] = digits            # counts without decimals, rates with one
    return out
