"""Which services of a category fit a persona within X minutes' walk of an area or a drawn
quarter, and what each of the others lacks ("spricht kein Arabisch", "Alter 6–12",
"unbekannt: Öffnungszeiten").

The homes are those of walking access (``services.access.build_origins``: residential buildings,
grid cells, or the area's representative point), those of the area or inside the quarter; walking
times are the network's, off it straight line × the detour factor of the category's access run
(the run the Zugang page shows, found in the workspace or computed once). A service is listed
when at least one of the homes reaches it within the minutes; with it the shortest walk and the
share of the homes that reach it. Only homes are counted, never persons (no small counts).

A service of which an attribute the persona asks about is not recorded is "unbekannt", never
"passt"."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from jmdiq_geo.analysis.access.compute import AccessSettings, Progress, pair_times
from jmdiq_geo.analysis.attributes import COSTS, Persona, fit_details
from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.i18n import language_names, t
from jmdiq_geo.services.access import AccessCache, access_for, build_origins, load_network, to_services
from jmdiq_geo.store.workspace import Workspace

STATUS_ORDER = {"fits": 0, "unknown": 1, "lacks": 2}


@dataclass
class PersonaListing:
    """The services of ``category`` within ``within_min`` of ``where`` and how each fits."""
    table: pd.DataFrame        # service_id, name, address, minutes, share_homes, status, lacks, unknown
    category: str
    within_min: float
    where: str                 # the area's name or the quarter's label
    homes: int                 # homes (origins) in the area or quarter
    detour: float


def persona_listing(ws: Workspace, category: str, persona: Persona, *, within_min: float,
                    area_id: str | None = None, level: str | None = None, quarter=None, quarter_label: str = "",
                    settings: AccessSettings | None = None, cache: AccessCache | None = None,
                    config: Settings | None = None, progress: Progress | None = None) -> PersonaListing:
    """The services of ``category`` reachable within ``within_min`` minutes from the homes of
    area ``area_id`` (of ``level``, default the smallest) or inside ``quarter`` (a polygon in the
    work CRS), with their fit to ``persona`` (see module doc)."""
    settings = settings or AccessSettings()
    cache = cache if cache is not None else AccessCache()
    if not within_min or within_min <= 0 or within_min > 120:
        raise InputError(Problem("fit_bad_minutes", {"value": within_min}))
    known = sorted(set(ws.services()["category"]))
    if category not in known:
        raise InputError(Problem("access_unknown_category", {"category": category, "known": ", ".join(known) or "–"}))
    level = level or ws.lowest_level()
    if quarter is None:
        areas = ws.areas(level)
        if area_id is None or area_id not in set(areas["area_id"]):
            raise InputError(Problem("fit_unknown_area", {"area": area_id or "–", "level": level}))
        where = str(areas.set_index("area_id").at[area_id, "name"] or area_id)
    else:
        where = quarter_label or "–"
    say = progress or (lambda f, m: None)
    # the detour factor of the category's nominal run (the one the page shows; cached in the workspace)
    nominal = access_for(ws, category, settings=settings, level=level, cache=cache, config=config,
                         progress=lambda f, m: say(0.7 * f, m))
    detour = float(nominal.result.report["detour_factor"])
    info = build_origins(ws, level, settings, cache=cache)
    xy = info.origins.xy
    if quarter is None:
        inside = np.asarray(info.origins.area == area_id, dtype=bool)
    else:
        inside = shapely.contains_xy(quarter, xy[:, 0], xy[:, 1])
    if not inside.any():
        raise InputError(Problem("fit_no_homes", {"where": where}))
    services = ws.services(category=category)
    pairs = pair_times(load_network(ws, cache=cache), xy[inside], to_services(services), settings,
                       within_min=within_min, detour=detour, progress=lambda f, m: say(0.7 + 0.3 * f, m))
    n_homes = int(inside.sum())
    per = pairs.groupby("s").agg(minutes=("minutes", "min"), homes=("o", "nunique"))
    chosen = services.iloc[per.index.to_numpy()].reset_index(drop=True)
    detail = fit_details(chosen, persona, min_overlap_min=settings.min_overlap_min)
    table = pd.DataFrame({
        "service_id": chosen["service_id"].to_numpy(), "name": chosen["name"].to_numpy(),
        "address": chosen["address"].to_numpy(), "minutes": per["minutes"].to_numpy(float),
        "share_homes": per["homes"].to_numpy(float) / n_homes * 100, "status": detail["status"].to_numpy(),
        "lacks": detail["lacks"].to_numpy(), "unknown": detail["unknown"].to_numpy()})
    table = table.sort_values(["status", "minutes"], key=lambda c: c.map(STATUS_ORDER) if c.name == "status" else c,
                              kind="stable").reset_index(drop=True)
    say(1.0, "done")
    return PersonaListing(table, category, float(within_min), where, n_homes, detour)


# --------------------------------------------------------------------------- words
UNKNOWN_LABELS = {"age": "svc_age", "languages": "svc_languages", "opening_hours": "svc_opening_hours",
                  "cost": "svc_cost", "wheelchair": "svc_wheelchair"}


def lack_text(code: str, params: dict, lang: str) -> str:
    """What a service lacks, in words: "spricht kein Arabisch", "Alter 6–12" …"""
    if code == "languages":
        def name(code):
            return language_names().get(code, {}).get(lang, code)
        return t("fit_lack_languages", lang, languages=" / ".join(name(c) for c in params["wanted"]),
                 offered=", ".join(name(c) for c in params["offered"]) or "–")
    if code == "age":
        lo, hi = params["low"], params["high"]
        if lo is not None and hi is not None:
            return t("fit_lack_age", lang, low=f"{lo:g}", high=f"{hi:g}")
        return t("fit_lack_age_from", lang, low=f"{lo:g}") if lo is not None else t("fit_lack_age_to", lang,
                                                                                   high=f"{hi:g}")
    if code == "opening_hours":
        if params["minutes"] <= 0:
            return t("fit_lack_hours_closed", lang, when=params["when"], hours=params["hours"])
        return t("fit_lack_hours", lang, when=params["when"], hours=params["hours"],
                 minutes=f"{params['minutes']:.0f}")
    if code == "cost":
        cost = params["cost"]
        return t("fit_lack_cost", lang, cost=t(f"svc_cost_{cost}", lang) if cost in COSTS else str(cost))
    return t("fit_lack_wheelchair", lang)


def lacks_text(lacks: list, unknown: list, lang: str) -> str:
    """Everything a service lacks, then the attributes not recorded ("unbekannt: …")."""
    parts = [lack_text(code, params, lang) for code, params in lacks]
    if unknown:
        parts.append(t("fit_unknown", lang, attributes=", ".join(t(UNKNOWN_LABELS[u], lang) for u in unknown)))
    return "; ".join(parts)


def listing_table(listing: PersonaListing, lang: str) -> pd.DataFrame:
    """The listing as people read it (the app's table and the CLI's CSV)."""
    tb = listing.table
    return pd.DataFrame({
        t("fit_col_status", lang): [t(f"fit_status_{s}", lang) for s in tb["status"]],
        t("tt_service", lang): tb["name"], t("tt_address", lang): tb["address"],
        t("fit_col_minutes", lang): tb["minutes"].round(1),
        t("fit_col_share", lang): tb["share_homes"].round(0),
        t("fit_col_lacks", lang): [lacks_text(a, b, lang) for a, b in zip(tb["lacks"], tb["unknown"])],
        "ID": tb["service_id"]})
