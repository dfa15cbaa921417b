"""Area profile (Steckbrief): key indicators against district and city, hierarchy, programme
areas, services inside and nearby. Reads from the workspace, computes with the same layers as
the map, so numbers agree everywhere."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import numpy as np
import pandas as pd

from jmdiq_geo.config import Settings
from jmdiq_geo.i18n import class_label
from jmdiq_geo.services.layers import IndicatorLayer, ancestor, indicator_layer, value_periods
from jmdiq_geo.analysis.roles import PROFILE_ROLES
from jmdiq_geo.services.roles import indicator_roles
from jmdiq_geo.store.workspace import Workspace

#: used when the manifest names no profile indicators
NEARBY_M = 500.0


#: (indicator_id, period, level) → the indicator's layer on that level
LayerFn = Callable[[str, date, str], IndicatorLayer]


@dataclass
class Profile:
    level: str
    area_id: str
    name: str
    area_km2: float
    hierarchy: list[tuple[str, str, str]]        # (level, id, name) from the parent upwards
    indicators: pd.DataFrame                     # indicator_id, label_de/en, unit, period, value, district, city, rank, n
    programmes: pd.DataFrame                     # name, programme, since, until, share_of_area
    services: pd.DataFrame                       # category, inside, nearby
    youth_centres: pd.DataFrame                  # name, address, capacity, inside (bool)
    attributions: list[str] = field(default_factory=list)
    #: what the top level is called in this city, by language (Bezirk, Stadtbezirk …): the
    #: profile's "district" column
    district_label: dict[str, str] = field(default_factory=dict)
    #: the whole as the workspace names itself (Berlin, Heidelberg, Deutschland): the "city"
    #: column and line ("" where it has no name)
    city_name: str = ""
    #: the area is its level's only one (a Gemeinde starter's Gemeinde): it is the whole, so the
    #: profiles show no city value and no rank beside its own value
    alone: bool = False


def profile_indicator_ids(ws: Workspace) -> list[str]:
    """The Steckbrief's key indicators: the workspace's own list, else the indicators that play
    the profile's roles (residents, target group, shares, status …) in this city, else the
    city's default indicator, else (a new city that has named none of these yet) every indicator
    it holds (by id)."""
    configured = ws.meta().get("profile_indicators")
    if configured:
        ids = configured.split(",")
    else:
        roles = indicator_roles(ws)
        ids = list(dict.fromkeys(roles[r] for r in PROFILE_ROLES if r in roles))
        ids = ids or [i for i in [ws.meta().get("default_indicator")] if i]
    known = ws.indicator_ids()
    if not ids:
        return ws.indicators()["indicator_id"].tolist()
    return [i for i in ids if i in known]


def area_profile(ws: Workspace, *, level: str, area_id: str, settings: Settings,
                 indicator_ids: list[str] | None = None, layer: LayerFn | None = None) -> Profile:
    """Everything the profile page shows for one area. ``layer(indicator_id, period, level)``
    supplies the indicator layers (the app passes its cached ones: the ranks and the city value
    need the whole level, which is the same for every area)."""
    if layer is None:
        def layer(indicator_id, period, lv):
            return indicator_layer(ws, indicator_id=indicator_id, period=period, level=lv, settings=settings)
    areas = ws.areas(level)
    row = areas.set_index("area_id").loc[area_id]
    geom = row.geometry
    levels = ws.levels_in_order()
    hierarchy = []
    for upper in levels[levels.index(level) + 1:]:
        aid = ancestor(ws, area_id, level=level, up_to=upper)
        if aid:
            names = ws.area_names(upper).set_index("area_id")["name"]
            hierarchy.append((upper, aid, names.get(aid, aid)))
    top = levels[-1]
    district = hierarchy[-1][1] if hierarchy and hierarchy[-1][0] == top else None
    defs = ws.indicators().set_index("indicator_id")
    rows, attributions = [], set()
    for ind in indicator_ids or profile_indicator_ids(ws):
        periods = value_periods(ws, ind)
        if not periods:
            continue
        period = periods[-1]
        kind = defs.loc[ind, "kind"]
        aggregatable = kind == "extensive" or (kind == "intensive" and defs.loc[ind, "denominator"])
        if not aggregatable and level != levels[0]:
            continue
        mine_layer = layer(ind, period, level)
        attributions |= set(mine_layer.attributions)
        mine = mine_layer.areas.set_index("area_id").loc[area_id]
        dist_value = np.nan
        if district and aggregatable and level != top:
            upper = layer(ind, period, top)
            dist_value = upper.areas.set_index("area_id")["value"].get(district, np.nan)
        classes = defs.loc[ind, "classes"] or {}
        code = int(mine["value"]) if kind == "class" and np.isfinite(mine["value"]) else None
        rows.append({"indicator_id": ind, "label_de": defs.loc[ind, "label_de"],
                     "label_en": defs.loc[ind, "label_en"] or defs.loc[ind, "label_de"],
                     "unit": defs.loc[ind, "unit"], "kind": kind, "period": period, "value": mine["value"],
                     "value_label_de": class_label(classes, code, "de") if code is not None else None,
                     "value_label_en": class_label(classes, code, "en") if code is not None else None,
                     "reason": mine["reason"], "district": dist_value,
                     "city": mine_layer.city_value, "rank": mine["rank"] if kind != "class" else np.nan,
                     "n": int(mine["n_ranked"])})
    programmes = _programmes(ws, geom)
    services, youth = _services(ws, geom)
    top_row = ws.levels().set_index("level").loc[top]
    label_en = top_row["label_en"]
    district_label = {"de": top_row["label_de"],
                      "en": label_en if isinstance(label_en, str) and label_en else top_row["label_de"]}
    return Profile(level, area_id, row["name"], float(geom.area) / 1e6, hierarchy, pd.DataFrame(rows), programmes,
                   services, youth, sorted(attributions), district_label, ws.meta().get("city") or "",
                   alone=len(areas) == 1)


def _programmes(ws: Workspace, geom) -> pd.DataFrame:
    pa = ws.programme_areas()
    if pa.empty:
        return pd.DataFrame(columns=["name", "programme", "since", "until", "share_of_area"])
    share = pa.geometry.intersection(geom).area / geom.area
    out = pa.assign(share_of_area=share.to_numpy())
    return out.loc[out["share_of_area"] > 0.001, ["name", "programme", "since", "until", "share_of_area"]]


def _services(ws: Workspace, geom) -> tuple[pd.DataFrame, pd.DataFrame]:
    services = ws.services()
    if services.empty:
        return pd.DataFrame(columns=["category", "inside", "nearby"]), pd.DataFrame()
    inside = services.geometry.within(geom)
    nearby = services.geometry.distance(geom) <= NEARBY_M
    counts = pd.DataFrame({"category": services["category"], "inside": inside, "nearby": nearby & ~inside})
    table = counts.groupby("category")[["inside", "nearby"]].sum().reset_index()
    youth = services[(services["category"] == "jugendfreizeit") & nearby]
    youth = pd.DataFrame({"name": youth["name"], "address": youth["address"], "capacity": youth["capacity"],
                          "inside": inside[youth.index]})
    return table, youth.sort_values(["inside", "name"], ascending=[False, True])


def area_choices(ws: Workspace, level: str) -> pd.DataFrame:
    """area_id and "Name (id)" labels for a search box."""
    names = ws.area_names(level)
    return names.assign(label=names["name"] + " (" + names["area_id"] + ")")[["area_id", "label"]]
