"""The team's activity log: per month the shares of working time by category (counselling, case
management, group work, network and social-space work, other), saved with optimistic versions and
the audit log like the project register, and summed per year for "JMD i-mpuls" (how the months
are weighted: ``analysis.activity``). Organisation-level figures only, never personal data."""
from __future__ import annotations

import io

import pandas as pd

from jmdiq_geo.analysis.activity import ActivityMonth, validate_month, year_summary
from jmdiq_geo.errors import InputError, Problem, raise_if_errors
from jmdiq_geo.i18n import t
from jmdiq_geo.io.activity import activity_catalogue
from jmdiq_geo.services.auth import authorize
from jmdiq_geo.store.workspace import Workspace


def categories(lang: str = "de") -> dict[str, str]:
    """Category id → label in ``lang`` (the order of the form and the tables)."""
    return {c["id"]: c.get(lang) or c["de"] for c in activity_catalogue()["category"]}


def catalogue_title(lang: str = "de") -> str:
    meta = activity_catalogue().get("meta", {})
    return meta.get(f"title_{lang}") or meta.get("title_de", "")


def save_month(ws: Workspace, month: ActivityMonth, *, expected_version: int | None, user: str) -> tuple[int, list[Problem]]:
    """Check (every problem at once; the shares must sum to 100 %) and save one month; returns the
    new version and notices. A save based on an old version is refused (``ConflictError``)."""
    authorize("edit_projects")
    shares = {k: float(v) for k, v in month.shares.items() if v is not None}
    month = ActivityMonth(month.month, shares, None if month.hours is None else float(month.hours))
    notices = raise_if_errors(validate_month(month, list(categories())), InputError)
    body = {"month": month.month, "shares": {c: shares.get(c, 0.0) for c in categories()}, "hours": month.hours}
    return ws.save_record("activity", month.month, body, expected_version=expected_version, user=user), notices


def get_month(ws: Workspace, month: str) -> tuple[ActivityMonth, int] | None:
    """(month, version) or None."""
    row = ws.record_row("activity", month)
    if row is None or row[2]:
        return None
    body = row[0]
    return ActivityMonth(body["month"], dict(body.get("shares") or {}), body.get("hours")), row[1]


def months_table(ws: Workspace, year: int) -> pd.DataFrame:
    """The recorded months of ``year``: month, a column per category id (%), hours, sum, version,
    who changed it last."""
    cats = list(categories())
    rows = []
    for r in ws.record_rows("activity"):
        if not str(r["month"]).startswith(f"{int(year):04d}-"):
            continue
        shares = r.get("shares") or {}
        rows.append({"month": r["month"], **{c: float(shares.get(c, 0.0)) for c in cats}, "hours": r.get("hours"),
                     "total": float(sum(float(shares.get(c, 0.0)) for c in cats)), "version": r["version"],
                     "updated_by": r["updated_by"]})
    frame = pd.DataFrame(rows, columns=["month", *cats, "hours", "total", "version", "updated_by"])
    frame["hours"] = pd.to_numeric(frame["hours"], errors="coerce")
    return frame.sort_values("month").reset_index(drop=True)


def activity_years(ws: Workspace) -> list[int]:
    return sorted({int(str(r["month"])[:4]) for r in ws.record_rows("activity")})


def year_figures(ws: Workspace, year: int, lang: str = "de") -> dict:
    """The year's summary for i-mpuls: ``table`` (category id, label, share in %, whole %, hours),
    ``weighting`` ("hours"/"equal"), ``months`` (how many recorded) and a sentence saying how."""
    cats = categories(lang)
    table, weighting, n = year_summary(months_table(ws, year), list(cats))
    table.insert(1, "label", table["category"].map(cats))
    return {"year": int(year), "table": table, "weighting": weighting, "months": n,
            "how": t(f"activity_weighting_{weighting}", lang, n=n, year=int(year)),
            "title": catalogue_title(lang)}


def year_csv(ws: Workspace, year: int, lang: str = "de") -> bytes:
    """The year's summary as CSV (UTF-8, comma, dot decimals; one row per category)."""
    figures = year_figures(ws, year, lang)
    table = figures["table"].rename(columns={"category": "kategorie_id", "label": "kategorie",
                                             "share": "anteil_prozent", "share_whole": "anteil_ganze_prozent",
                                             "hours": "stunden"})
    table.insert(0, "jahr", int(year))
    table["gewichtung"] = figures["weighting"]
    table["monate"] = figures["months"]
    buf = io.StringIO()
    table.to_csv(buf, index=False, float_format="%.2f")
    return buf.getvalue().encode("utf-8")
