"""The annual report annex (Anhang zum Jahresbericht) for a year and a quarter: the Netzwerkkarte
of the year beside the previous year's with the changes marked, the micro-projects of the year
with budgets and Verstetigung, the indicator changes in the quarter, the team's activity-log year
summary for "JMD i-mpuls", and the sources with licences. The same figures as CSV tables.

The quarter is an area of the workspace (any level, ``area_id``), a drawn or uploaded quarter
(``quarter``: a ``services.quarter.Quarter``, as the Prüfen page makes it), or the whole city when
none is given. Nothing is saved: the annex is read from the workspace as it is.

A drawn quarter's values come from the estimation the quarter check uses
(``services.quarter.quarter_values_at``: the areas it covers with their shares); the annex lists
those areas and says "geschätzt" where a value includes partly covered areas. Its projects are
those located in it (or, without a location, whose area's inner point lies in it), its
Netzwerkkarte shows the partners located in it.

Which indicator change: for every indicator, the newest period up to the end of the year against
the newest period at least a year before it (else the period before it); both periods are named.
The values follow the privacy rules of ``services.layers.indicator_layer`` (hidden areas: "–");
the change is the difference of the two shown values, as ``services.layers.change_layer`` makes it.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from jmdiq_geo.config import Settings
from jmdiq_geo.errors import InputError, JmdiqError, Problem
from jmdiq_geo.i18n import format_number, localized, t
from jmdiq_geo.services.activity import year_figures
from jmdiq_geo.services.layers import ancestor, indicator_layer, value_periods
from jmdiq_geo.services.quarter import covered_by, quarter_values_at, quarter_weights
from jmdiq_geo.services.projects import area_labels, network_maps, records, tie_years
from jmdiq_geo.store.workspace import Workspace

PROJECT_COLUMNS = ["project_id", "title", "area", "status", "start", "end", "budget_planned", "budget_spent",
                   "sustainability", "sustainability_form"]


@dataclass
class Annex:
    year: int
    lang: str
    city: str
    area_id: str | None
    area_label: str                     # the quarter's name (or the city)
    area_level: str | None
    network_png: bytes | None           # the year beside the previous (or the year alone)
    network_years: tuple[int, ...]
    network_changes: pd.DataFrame | None
    projects: pd.DataFrame
    indicators: pd.DataFrame
    activity: dict
    sources: list[str]
    notes: list[str] = field(default_factory=list)
    #: a drawn or uploaded quarter: its kind (drawn | file | …), the areas it covers (area_id,
    #: name, method, share) and whether its values are estimated (partly covered areas)
    quarter_kind: str | None = None
    covered: list[dict] = field(default_factory=list)
    estimated: bool = False
    #: the participation sessions of the year over the quarter (``SessionSummary``: only places
    #: shown, with at least k people, inside the quarter)
    participation: list = field(default_factory=list)


def _area_level(ws: Workspace, area_id: str) -> str:
    for level in ws.levels_in_order():
        if area_id in set(ws.area_names(level)["area_id"]):
            return level
    raise InputError(Problem("annual_unknown_area", {"area": area_id}))


def _in_area(ws: Workspace, projects: pd.DataFrame, area_id: str, level: str) -> pd.Series:
    """A project belongs to the quarter when its area is the quarter or lies in it, or its
    location lies in the quarter's outline."""
    areas = ws.areas(level)
    outline = areas[areas["area_id"] == area_id].geometry.union_all()
    levels = ws.levels_in_order()

    def inside(row) -> bool:
        aid = row["area_id"]
        if isinstance(aid, str) and aid:
            if aid == area_id:
                return True
            for lv in levels[:levels.index(level)]:
                if aid in set(ws.area_names(lv)["area_id"]) and ancestor(ws, aid, level=lv, up_to=level) == area_id:
                    return True
        x, y = row.get("x"), row.get("y")
        if pd.notna(x) and pd.notna(y):
            import shapely
            return bool(outline.covers(shapely.Point(float(x), float(y))))
        return False
    return projects.apply(inside, axis=1) if not projects.empty else pd.Series([], dtype=bool)


def _in_geometry(ws: Workspace, frame: pd.DataFrame, geometry) -> pd.Series:
    """Records (projects) located in a drawn quarter's ``geometry``; one without a location
    belongs to it when its area's inner point lies in it."""
    import shapely

    inner: dict[str, object] = {}
    for level in ws.levels_in_order():
        areas = ws.areas(level)
        inner.update(dict(zip(areas["area_id"], areas.geometry.representative_point())))

    def inside(row) -> bool:
        x, y = row.get("x"), row.get("y")
        if pd.notna(x) and pd.notna(y):
            return bool(geometry.covers(shapely.Point(float(x), float(y))))
        point = inner.get(row["area_id"]) if isinstance(row["area_id"], str) else None
        return point is not None and bool(geometry.covers(point))
    return frame.apply(inside, axis=1) if not frame.empty else pd.Series([], dtype=bool)


def partners_in(ws: Workspace, geometry) -> tuple[set[str], int]:
    """(ids of the partners located in ``geometry``, number of partners without a location)."""
    import shapely

    partners = records(ws, "partner", include_archived=True)
    located = partners["x"].notna() & partners["y"].notna()
    points = shapely.points(partners.loc[located, "x"].astype(float), partners.loc[located, "y"].astype(float))
    ids = partners.loc[located, "partner_id"][shapely.covers(geometry, points)]
    return set(ids), int((~located).sum())


def projects_of_year(ws: Workspace, year: int, area_id: str | None = None, level: str | None = None,
                     geometry=None) -> pd.DataFrame:
    """The micro-projects running at some time in ``year`` (started by its end, not ended before
    its start; no start date: left out), in the quarter when one is given (an area, or a drawn
    quarter's ``geometry``), with budgets and Verstetigung; areas by name."""
    frame = records(ws, "project")
    if frame.empty:
        return pd.DataFrame(columns=PROJECT_COLUMNS)
    start = pd.to_datetime(frame["start"], errors="coerce")
    end = pd.to_datetime(frame["end"], errors="coerce")
    running = (start <= pd.Timestamp(year, 12, 31)) & (end.isna() | (end >= pd.Timestamp(year, 1, 1)))
    frame = frame[running.to_numpy()]
    if area_id is not None and not frame.empty:
        frame = frame[_in_area(ws, frame, area_id, level).to_numpy()]
    if geometry is not None and not frame.empty:
        frame = frame[_in_geometry(ws, frame, geometry).to_numpy()]
    names = area_labels(ws)
    out = frame.assign(area=frame["area_id"].map(lambda a: names.get(a, a) if isinstance(a, str) else None))
    for col in ("budget_planned", "budget_spent"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    return out[PROJECT_COLUMNS].sort_values(["start", "project_id"]).reset_index(drop=True)


def _periods(periods: list[date], year: int) -> tuple[date, date] | None:
    upto = [p for p in periods if p <= date(year, 12, 31)]
    if len(upto) < 2:
        return None
    to = upto[-1]
    a_year_before = [p for p in upto if (p.year, p.month, p.day) <= (to.year - 1, to.month, to.day)]
    return (a_year_before[-1] if a_year_before else upto[-2]), to


def indicator_changes(ws: Workspace, year: int, *, area_id: str | None, level: str | None, lang: str,
                      settings: Settings, quarter=None, weights=None) -> tuple[pd.DataFrame, list[str]]:
    """Per indicator with two periods up to ``year``: the quarter's value then and now and its
    change, and the city's change. The change is computed as ``services.layers.change_layer``
    does (the difference of the two shown values; an area hidden in either period has none), from
    the two period layers that also give the values - two layers per indicator, not four.

    With a drawn ``quarter`` its values are estimated as the quarter check does
    (``services.quarter.quarter_values_at``) and ``estimated`` says which include partly covered
    areas."""
    rows, attributions = [], set()
    spans = {}
    for d in ws.indicators().to_dict("records"):
        if d["kind"] == "class":
            continue
        span = _periods(value_periods(ws, d["indicator_id"]), year)
        if span is not None:
            spans[d["indicator_id"]] = span
    own, partial = None, False
    if quarter is not None:
        table, weights = quarter_values_at(ws, quarter, {i: list(s) for i, s in spans.items()}, settings=settings,
                                           weights=weights)
        own = {(r["indicator_id"], r["period"]): r["value"] for r in table.to_dict("records")}
        partial = bool((weights.table["method"] != "full").any())
    for d in ws.indicators().to_dict("records"):
        span = spans.get(d["indicator_id"])
        if span is None:
            continue
        try:
            a, b = (indicator_layer(ws, indicator_id=d["indicator_id"], period=p, level=level, settings=settings)
                    for p in span)
        except JmdiqError:
            continue
        attributions |= set(a.attributions) | set(b.attributions)
        va = a.areas.set_index("area_id")["value"].get(area_id) if area_id else None
        vb = b.areas.set_index("area_id")["value"].get(area_id) if area_id else None
        if own is not None:
            va, vb = (own.get((d["indicator_id"], p)) for p in span)
            va, vb = (None if v is None or pd.isna(v) else float(v) for v in (va, vb))
        rows.append({"indicator_id": d["indicator_id"], "indicator": localized(d, lang), "unit": d.get("unit") or "",
                     "kind": d["kind"],
                     "period_from": span[0], "period_to": span[1], "value_from": va, "value_to": vb,
                     "change": None if va is None or vb is None else vb - va,
                     "city_change": b.city_value - a.city_value,
                     "estimated": partial and (va is not None or vb is not None)})
    frame = pd.DataFrame(rows, columns=["indicator_id", "indicator", "unit", "kind", "period_from", "period_to", "value_from",
                                        "value_to", "change", "city_change", "estimated"])
    frame["estimated"] = frame["estimated"].astype(bool)
    for col in ("value_from", "value_to", "change", "city_change"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype(float)
    return frame, sorted(attributions)


def annual_annex(ws: Workspace, *, year: int, area_id: str | None = None, lang: str = "de",
                 settings: Settings | None = None, quarter=None) -> Annex:
    """Everything the annex shows, read from the workspace (nothing is saved). ``quarter``: a
    drawn or uploaded quarter (``services.quarter.Quarter``) instead of an area."""
    settings = settings or Settings.from_env()
    year = int(year)
    if quarter is not None and area_id is not None:
        raise InputError(Problem("annual_area_and_quarter"))
    level = _area_level(ws, area_id) if area_id else None
    city = ws.meta().get("city", "")
    label = area_labels(ws).get(area_id, area_id) if area_id else city
    if level is not None:
        label = f"{label} ({localized(ws.levels().set_index('level').loc[level], lang)} {area_id})"
    notes = []
    ties = records(ws, "tie")
    partner_ids = None
    if quarter is not None:
        kind, km2 = t(f"quarter_kind_{quarter.kind}", lang), format_number(quarter.geometry.area / 1e6, lang, digits=2)
        label = t("annual_quarter_label", lang, name=quarter.label, kind=kind, km2=km2) \
            if quarter.label and quarter.label != kind else t("annual_quarter_label_plain", lang, kind=kind, km2=km2)
        partner_ids, unlocated = partners_in(ws, quarter.geometry)
        ties = ties[ties["partner_id"].isin(partner_ids)]
        notes.append(t("annual_quarter_network", lang, n=len(partner_ids), unlocated=unlocated))
    years = tie_years(ties)
    png, changes, shown = None, None, ()
    if year in years:
        previous = year - 1 if year - 1 in years else None
        png, changes = network_maps(ws, year, previous, title=t("network_title", lang), lang=lang,
                                    partner_ids=partner_ids)
        shown = (previous, year) if previous else (year,)
        if previous is None:
            notes.append(t("annual_no_previous_ties", lang, year=year - 1))
    else:
        notes.append(t("annual_no_ties", lang, year=year))
    weights = quarter_weights(ws, quarter) if quarter is not None else None
    indicators, attributions = indicator_changes(ws, year, area_id=area_id, level=level, lang=lang, settings=settings,
                                                 quarter=quarter, weights=weights)
    covered = []
    if level is not None or quarter is not None:
        area_source = ws.areas(level or ws.lowest_level())
        attributions = sorted(set(attributions) | set(ws.attributions(
            area_source["source_id"].dropna().unique().tolist() or None)))
    if quarter is not None:
        covered = covered_by(ws, weights)
    from jmdiq_geo.services.participation_results import sessions_in
    outline = (quarter.geometry if quarter is not None else
               ws.areas(level).set_index("area_id").geometry.get(area_id) if level is not None else None)
    participation = sessions_in(ws, outline, start=date(year, 1, 1), end=date(year, 12, 31))
    sources = [t("annual_own_records", lang), *attributions, *(s.attribution for s in participation)]
    return Annex(year, lang, city, area_id, label, level, png, shown, changes,
                 projects_of_year(ws, year, area_id, level, geometry=quarter.geometry if quarter is not None else None),
                 indicators, year_figures(ws, year, lang), sources, notes,
                 quarter_kind=quarter.kind if quarter is not None else None, covered=covered,
                 estimated=bool(indicators["estimated"].any()) if len(indicators) else False,
                 participation=participation)


def annex_tables(annex: Annex) -> dict[str, pd.DataFrame]:
    """The annex's figures as tables (name → table), for CSV files."""
    lang = annex.lang
    activity = annex.activity["table"].assign(year=annex.year, weighting=annex.activity["weighting"],
                                              months=annex.activity["months"])
    changes = annex.network_changes if annex.network_changes is not None else pd.DataFrame(
        columns=["partner_id", "name", "change", "intensity_a", "intensity_b", "importance_a", "importance_b"])
    changes = changes.assign(change_label=changes["change"].map(lambda c: t(f"network_{c}", lang)))
    participation = pd.concat(
        [s.rows.assign(session=s.title, starts_at=s.starts_at, ends_at=s.ends_at, participants=s.participants or None,
                       k=s.k, unit=s.unit if s.unit == "areas" else f"{s.cell_size_m} m")
         for s in annex.participation] or [pd.DataFrame(columns=["category", "places", "participants_max", "pins"])],
        ignore_index=True)
    tables = {"netzwerk": changes, "mikroprojekte": annex.projects.assign(year=annex.year),
              "indikatoren": annex.indicators.assign(quarter=annex.area_label),
              "taetigkeiten": activity, "beteiligung": participation}
    if annex.covered:
        tables["quartier_gebiete"] = pd.DataFrame(annex.covered, columns=["area_id", "name", "method", "share"])
    return tables


def annex_csv(annex: Annex) -> dict[str, bytes]:
    """file name → CSV bytes (UTF-8, comma, dot decimals, ISO dates)."""
    out = {}
    suffix = f"_{annex.area_id}" if annex.area_id else ("_quartier" if annex.quarter_kind else "")
    for name, table in annex_tables(annex).items():
        buf = io.StringIO()
        table.to_csv(buf, index=False)
        out[f"anhang_{annex.year}{suffix}_{name}.csv"] = buf.getvalue().encode("utf-8")
    return out


def annex_pdf(annex: Annex) -> bytes:
    from jmdiq_geo.render.annual import annex_pdf as render
    return render(annex)


def annex_zip(annex: Annex) -> bytes:
    """The CSV tables in one ZIP (for a single download in the app)."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in annex_csv(annex).items():
            z.writestr(name, data)
    return buf.getvalue()
