"""Tables of an access run for people: per area (with names) and per origin, and the page's
downloads (CSV, GeoPackage, the report as JSON). The files are written by ``io/exports.py``
(``write_table`` is also importable from here, for the CLI)."""
from __future__ import annotations

import json

import pandas as pd

from jmdiq_geo.i18n import t, t_or
from jmdiq_geo.io.exports import table_bytes, write_table
from jmdiq_geo.services.access import Access
from jmdiq_geo.store.workspace import Workspace

__all__ = ["area_table", "crossing_labels", "origin_table", "pair_table", "report_bytes", "table_downloads",
           "write_table"]


def area_table(ws: Workspace, access: Access, *, lang: str = "de") -> pd.DataFrame:
    """One row per area; ``method`` says whether times come from the network or are estimates
    (straight line × detour factor)."""
    report = access.result.report
    areas = access.result.areas.copy()
    names = ws.area_names(report["level"]).set_index("area_id")["name"]
    areas.insert(1, "name", areas["area"].map(names))
    areas["method_label"] = areas["method"].map(lambda m: t(f"access_method_{m}", lang))
    areas["detour_factor_used"] = round(report["detour_factor"], 3)
    if report.get("has_capacity"):
        # whose places-per-100 the e2sfca column is (not always the target group: Kitas)
        areas["e2sfca_per_100_of"] = report.get("demand_indicator") or "–"
        areas["e2sfca_period"] = report.get("demand_period") or "–"
    return areas


def origin_table(ws: Workspace, access: Access) -> pd.DataFrame:
    """One row per home, without the homes of areas whose numbers are hidden (under 300
    residents, a small target group): their positions, weights and times would show what the
    area table hides."""
    origins = access.result.origins
    areas = access.result.areas
    if "suppressed" not in areas:
        return origins.copy()
    hidden = set(areas.loc[areas["suppressed"].astype(bool), "area"])
    return origins[~origins["area"].isin(hidden)].reset_index(drop=True)


def crossing_labels(crosses: pd.Series, lang: str) -> pd.Series:
    """The barriers a pair crosses for people: names as they are, an unnamed barrier's class
    (``rail``, ``motorway`` …) in words."""
    def words(text) -> str:
        if not isinstance(text, str) or not text:
            return ""
        return ", ".join(t_or(f"barrier_class_{part}", part, lang) for part in text.split(", "))
    return crosses.map(words)


def pair_table(ws: Workspace, access: Access, *, lang: str = "de") -> pd.DataFrame:
    """The worst pairs (home → service, largest detour first) with the barriers their straight
    line crosses (``crosses``: names from the barrier table, else the barrier's class in words);
    no coordinates of homes, only their area."""
    pairs = access.result.pairs
    names = ws.area_names(access.result.report["level"]).set_index("area_id")["name"]
    out = pd.DataFrame({"area": pairs["area"], "area_name": pairs["area"].map(names),
                        "service_id": pairs["service_id"], "service": pairs["service"],
                        "straight_m": pairs["straight_m"].round(0), "network_m": pairs["network_m"].round(0),
                        "detour": pairs["detour"].round(2),
                        "crosses": crossing_labels(pairs["crosses"], lang) if "crosses" in pairs else ""})
    return out.reset_index(drop=True)


def table_downloads(ws: Workspace, access: Access, *, lang: str) -> tuple[bytes, bytes]:
    """The area table as CSV (in German as German Excel opens it) and as GeoPackage with the
    areas' shapes; every row names the sources."""
    table = area_table(ws, access, lang=lang)
    shapes = ws.areas(access.result.report["level"]).set_index("area_id").geometry.reindex(table["area"]).to_numpy()
    attribution = ws.attributions()
    csv = table_bytes(table, ".csv", attribution=attribution, excel_de=lang == "de")
    gpkg = table_bytes(table, ".gpkg", attribution=attribution, geometry=shapes, crs=ws.work_crs)
    return csv, gpkg


def report_bytes(access: Access) -> bytes:
    """The run's report as JSON."""
    return json.dumps(access.result.report, ensure_ascii=False, indent=2, default=str).encode()
