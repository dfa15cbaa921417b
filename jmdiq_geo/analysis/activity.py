"""The team's activity log (pure): per month the shares of working time by category, checked to
sum to 100 %, and summed per year for the structure data of "JMD i-mpuls".

How a year is summed: each recorded month is one observation of how the team's time was split.
When every recorded month of the year gives the team's working hours, a month weighs by its hours
(a month with 320 hours counts twice as much as one with 160) and the year's share of a category
is Σ(share × hours) / Σ hours. When any recorded month lacks its hours, every recorded month
weighs the same and the year's share is the plain mean of the months' shares. Months not recorded
are left out (never read as 0 %); the summary names how many months it rests on.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from jmdiq_geo.errors import Problem

#: a month is written ``YYYY-MM``
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: how far the shares may miss 100 % (rounding of typed decimals)
SUM_TOLERANCE = 0.05


@dataclass
class ActivityMonth:
    """One month of the team's activity log: category id → share of working time in %."""
    month: str
    shares: dict[str, float] = field(default_factory=dict)
    hours: float | None = None            # the team's working hours that month (optional; the year's weight)


def validate_month(m: ActivityMonth, categories: list[str]) -> list[Problem]:
    """Every wrong thing at once: the month, unknown or missing categories, shares outside
    0–100, a sum other than 100 %, hours that are not positive."""
    problems: list[Problem] = []
    if not MONTH.match(m.month or ""):
        problems.append(Problem("form_activity_month", {"value": m.month}, column="month"))
    unknown = sorted(set(m.shares) - set(categories))
    if unknown:
        problems.append(Problem("activity_unknown_category", {"ids": ", ".join(unknown),
                                                              "known": ", ".join(categories)}))
    total = 0.0
    for cat in categories:
        share = m.shares.get(cat)
        if share is None or (isinstance(share, float) and math.isnan(share)):
            share = 0.0
        if not 0 <= share <= 100:
            problems.append(Problem("form_activity_share_range", {"value": share}, column=cat))
        total += share
    if abs(total - 100) > SUM_TOLERANCE:
        problems.append(Problem("form_activity_sum", {"total": round(total, 2), "missing": round(100 - total, 2)}))
    if m.hours is not None and not m.hours > 0:
        problems.append(Problem("form_activity_hours", {"value": m.hours}, column="hours"))
    return problems


def year_summary(months: pd.DataFrame, categories: list[str]) -> tuple[pd.DataFrame, str, int]:
    """``months``: one row per recorded month of a year with a column per category (shares in %)
    and ``hours``. Returns (per category: ``share`` in %, ``share_whole`` in whole % summing to 100
    (largest remainder) and, weighted by hours, ``hours``), the weighting ("hours" or "equal")
    and the number of months."""
    n = len(months)
    columns = ["category", "share", "share_whole", "hours"]
    if n == 0:
        return pd.DataFrame({"category": categories, "share": [math.nan] * len(categories),
                             "share_whole": [pd.NA] * len(categories), "hours": [math.nan] * len(categories)},
                            columns=columns), "equal", 0
    shares = months[categories].astype(float).fillna(0.0)
    hours = pd.to_numeric(months["hours"], errors="coerce") if "hours" in months else pd.Series([math.nan] * n)
    by_hours = bool(hours.notna().all() and (hours > 0).all())
    weights = hours.to_numpy(float) if by_hours else [1.0] * n
    total_weight = float(sum(weights))
    share = [float(sum(w * s for w, s in zip(weights, shares[c]))) / total_weight for c in categories]
    per_category_hours = ([float(sum(h * s / 100 for h, s in zip(weights, shares[c]))) for c in categories]
                          if by_hours else [math.nan] * len(categories))
    return pd.DataFrame({"category": categories, "share": share, "share_whole": whole_percents(share),
                         "hours": per_category_hours}, columns=columns), ("hours" if by_hours else "equal"), n


def whole_percents(shares: list[float]) -> list[int]:
    """Shares (summing to 100) as whole percents that still sum to 100: round down, then give the
    missing points to the largest remainders (ties: the earlier category)."""
    floors = [math.floor(s + 1e-9) for s in shares]
    missing = round(sum(shares)) - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:max(missing, 0)]:
        floors[i] += 1
    return floors
