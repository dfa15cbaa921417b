"""Summaries of micro-projects and the comparison of network years (pure functions)."""
from __future__ import annotations

import pandas as pd


def project_summary(projects: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """Count, budget planned/spent, share with youth participation and share continued, per
    ``by``: ``area_id``, ``field`` (a project counts for each of its fields of action) or ``year``."""
    frame = projects.copy()
    if frame.empty:
        return pd.DataFrame(columns=["n", "budget_planned", "budget_spent", "share_participation", "share_continued"])
    frame["participation"] = (frame["participation_planning"].fillna("").str.strip() != "") | \
                             (frame["participation_doing"].fillna("").str.strip() != "")
    frame["continued"] = frame["sustainability"].fillna("keine") != "keine"
    if by == "field":
        frame = frame.explode("fields_of_action").rename(columns={"fields_of_action": "field"})
    elif by == "year":
        frame["year"] = pd.to_datetime(frame["start"], errors="coerce").dt.year
    grouped = frame.groupby(by, dropna=False)
    return pd.DataFrame({"n": grouped.size(), "budget_planned": grouped["budget_planned"].sum(min_count=1),
                         "budget_spent": grouped["budget_spent"].sum(min_count=1),
                         "share_participation": grouped["participation"].mean(),
                         "share_continued": grouped["continued"].mean()})


def compare_years(ties: pd.DataFrame, year_a: int, year_b: int) -> pd.DataFrame:
    """Per partner: new, ended, strengthened, weakened or unchanged between two years (by
    intensity, then importance)."""
    a = ties[ties["year"] == year_a].set_index("partner_id")
    b = ties[ties["year"] == year_b].set_index("partner_id")
    rows = []
    for pid in sorted(set(a.index) | set(b.index)):
        if pid not in a.index:
            change = "new"
        elif pid not in b.index:
            change = "ended"
        else:
            da = (b.at[pid, "intensity"] - a.at[pid, "intensity"], b.at[pid, "importance"] - a.at[pid, "importance"])
            change = "strengthened" if da > (0, 0) else "weakened" if da < (0, 0) else "unchanged"
        rows.append({"partner_id": pid, "change": change,
                     "intensity_a": a["intensity"].get(pid), "intensity_b": b["intensity"].get(pid),
                     "importance_a": a["importance"].get(pid), "importance_b": b["importance"].get(pid)})
    return pd.DataFrame(rows, columns=["partner_id", "change", "intensity_a", "intensity_b", "importance_a",
                                       "importance_b"])
