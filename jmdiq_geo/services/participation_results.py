"""Participation results beside everything else (issue 18): in the Quartiersprofil, the
presentation and the annual annex "like any other layer, with the session, date range and number
of participants", and set against the target group and the stored walking-access runs ("where
young people say something is missing" against "where the walk to a youth centre is long").

Only ever the k-anonymous aggregate of ``services.participation``: the places (cells or areas, the
session's one aggregation) shown because at least k different participants pinned a category
there. Everything here is read from those places - sums over shown places, never a count of
places or people that the staff's results would not show (see ``services.participation``).

The report functions need the right ``view`` (the profile, the annex and a story are read by
viewers too: they show what anybody may see); the comparison is the staff's (``participation``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import geopandas as gpd
import pandas as pd

from jmdiq_geo.config import Settings
from jmdiq_geo.services.auth import authorize
from jmdiq_geo.services.participation import Session, _load, _results, get_session, results
from jmdiq_geo.store.workspace import Workspace


@dataclass
class SessionSummary:
    """One session's shown results inside a place (an area, a quarter, the city)."""
    session_id: str
    title: str
    starts_at: datetime
    ends_at: datetime
    participants: int               # in the whole session; 0 when fewer than k
    k: int
    unit: str                       # grid | areas
    cell_size_m: int
    categories: list[dict]
    #: per category with a shown place inside: category, places, participants_max, pins
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the shown places inside (place, category, participants, pins, geometry; work CRS)
    places: gpd.GeoDataFrame | None = None
    attribution: str = ""


def summarise(ws: Workspace, session: Session, within=None) -> SessionSummary:
    """A session's shown places (inside ``within``, a polygon in the work CRS: a place counts
    when its centre lies inside) summed per category."""
    res = _results(ws, session)
    places = res.places
    if within is not None and len(places):
        places = places[places.geometry.representative_point().within(within).to_numpy()]
    rows = (places.groupby("category", sort=False)
            .agg(places=("place", "size"), participants_max=("participants", "max"), pins=("pins", "sum"))
            .reset_index()) if len(places) else pd.DataFrame(columns=["category", "places", "participants_max", "pins"])
    order = {c["id"]: i for i, c in enumerate(session.categories)}
    rows = rows.sort_values("category", key=lambda s: s.map(order)).reset_index(drop=True)
    return SessionSummary(session.session_id, session.title, session.starts_at, session.ends_at, res.participants,
                          session.k, session.unit, session.cell_size_m, session.categories, rows, places,
                          res.attributions[0])


def sessions_in(ws: Workspace, geometry=None, *, start: date | None = None, end: date | None = None
                ) -> list[SessionSummary]:
    """The sessions whose quarter overlaps ``geometry`` (work CRS; None: any) and whose time
    window overlaps ``start``–``end`` (when given), oldest first, each summarised inside
    ``geometry``."""
    authorize("view")
    out = []
    table = ws.participation_sessions()
    for sid in table.sort_values(["starts_at", "session_id"])["session_id"]:
        s = _load(ws, sid)
        if geometry is not None and not s.quarter.intersects(geometry.buffer(-1.0)):
            continue                # not the neighbours it only touches
        if start is not None and s.ends_at.date() < start or end is not None and s.starts_at.date() > end:
            continue
        out.append(summarise(ws, s, geometry))
    return out


def sessions_in_area(ws: Workspace, level: str, area_id: str) -> list[SessionSummary]:
    """``sessions_in`` for one area of the workspace (the Steckbrief): read when asked, not kept
    under the data generation, which a participant's pin does not raise."""
    return sessions_in(ws, ws.areas(level).set_index("area_id").loc[area_id].geometry)


def attributions(summaries: list[SessionSummary]) -> list[str]:
    return [s.attribution for s in summaries]


# --------------------------------------------------------------------------- set against context

def context_table(ws: Workspace, session_id: str, category: str, *, settings: Settings,
                  lang: str = "de") -> tuple[pd.DataFrame, list[str]]:
    """Per shown place of ``category``: its participants and pins beside the target group and the
    stored walking-access runs, both read at the place's centre (a cell: the area holding its
    centre). Columns: place, area, participants, pins, target (the target-group indicator's newest
    value, privacy rules applied; absent when the workspace maps none), and per stored nominal run
    ``median_min:<category>`` and ``share_beyond:<category>``. Returns (table, notes): the notes name
    the indicator and period and each run's level, threshold and date."""
    from jmdiq_geo.i18n import localized, t_or
    from jmdiq_geo.services.layers import indicator_layer, value_periods
    from jmdiq_geo.services.roles import indicator_roles

    session = get_session(ws, session_id)
    res = results(ws, session_id)
    places = res.places[res.places["category"] == category].reset_index(drop=True)
    centres = gpd.GeoDataFrame({"place": places["place"]}, geometry=places.geometry.representative_point(),
                               crs=ws.work_crs)
    out = pd.DataFrame({"place": places["place"], "participants": places["participants"], "pins": places["pins"]})
    lowest = ws.lowest_level()
    out["area"] = _area_at(ws, centres, lowest, "name")
    notes = []
    indicator = indicator_roles(ws).get("target_group")
    periods = value_periods(ws, indicator) if indicator else []
    if periods:
        layer = indicator_layer(ws, indicator_id=indicator, period=max(periods), level=lowest, settings=settings)
        values = layer.areas.set_index("area_id")["value"]
        out["target"] = _area_at(ws, centres, lowest, "area_id").map(values).astype(float).to_numpy()
        notes.append(f"{localized(layer.definition, lang)} ({max(periods):%Y})")
    for run in ws.nominal_access_runs():
        level = run["report"].get("level")
        if level not in ws.levels_in_order():
            continue
        table = run["areas"].assign(area=run["areas"]["area"].astype(str)).set_index("area")
        ids = _area_at(ws, centres, level, "area_id").astype(str)
        for measure in ("median_min", "share_beyond"):
            if measure in table:
                out[f"{measure}:{run['category']}"] = ids.map(table[measure]).astype(float).to_numpy()
        far = max(run["report"].get("thresholds") or [0])
        notes.append(f"{t_or('cat_' + run['category'], run['category'], lang)}: {level}, > {far:g} min, "
                     f"{pd.Timestamp(run['created_at']):%d.%m.%Y}")
    return out.sort_values(["participants", "place"], ascending=[False, True]).reset_index(drop=True), notes


def _area_at(ws: Workspace, centres: gpd.GeoDataFrame, level: str, column: str) -> pd.Series:
    """Per centre, ``column`` of the area of ``level`` holding it (None outside every area)."""
    if centres.empty:
        return pd.Series([], dtype=object)
    areas = ws.areas(level)[["area_id", "name", "geometry"]]
    joined = gpd.sjoin(centres, areas, how="left", predicate="within")
    return joined.groupby(level=0)[column].first().reindex(centres.index)
