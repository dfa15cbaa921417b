"""Summaries of micro-projects and the comparison of network years
(``jmdiq_geo.analysis.project_summary``) on plain tables worked out by hand."""
import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.project_summary import compare_years, project_summary


@pytest.fixture
def projects() -> pd.DataFrame:
    return pd.DataFrame({
        "area_id": ["a", "a", "b", None],
        "fields_of_action": [["Kultur"], ["Kultur", "Sprache"], ["Sport"], []],
        "start": ["2025-03-01", "2025-09-01", "2026-01-10", "kein Datum"],
        "budget_planned": [1000.0, 500.0, np.nan, 200.0], "budget_spent": [900.0, np.nan, np.nan, np.nan],
        "participation_planning": ["Jugendliche planten mit", "", None, "  "],
        "participation_doing": [None, "Jugendliche leiteten an", None, None],
        "sustainability": ["Anschlussförderung", "keine", None, "Verein gegründet"]})


def test_summary_by_area(projects):
    out = project_summary(projects, by="area_id")
    assert out.loc["a"].to_dict() == {"n": 2, "budget_planned": 1500.0, "budget_spent": 900.0,
                                      "share_participation": 1.0, "share_continued": 0.5}
    assert np.isnan(out.loc["b", "budget_planned"])                       # nothing planned is no 0
    assert out["n"].sum() == len(projects)                                # the project without area too


def test_a_project_counts_for_each_of_its_fields(projects):
    out = project_summary(projects, by="field")
    assert out.loc["Kultur", "n"] == 2 and out.loc["Sprache", "n"] == 1 and out.loc["Sport", "n"] == 1
    assert out.loc["Kultur", "budget_planned"] == 1500.0


def test_summary_by_start_year(projects):
    out = project_summary(projects, by="year")
    assert out.loc[2025, "n"] == 2 and out.loc[2026, "n"] == 1
    assert out.loc[2026, "share_participation"] == 0.0 and out.loc[2026, "share_continued"] == 0.0
    assert out["n"].sum() == 4                                             # the undated one under no year


def test_no_projects_no_rows():
    empty = project_summary(pd.DataFrame(columns=["area_id"]), by="area_id")
    assert empty.empty and list(empty.columns) == ["n", "budget_planned", "budget_spent", "share_participation",
                                                   "share_continued"]


def test_compare_years_names_each_change():
    ties = pd.DataFrame({"partner_id": ["a", "a", "b", "b", "c", "c", "d", "e"],
                         "year": [2025, 2026, 2025, 2026, 2025, 2026, 2025, 2026],
                         "intensity": [1, 2, 3, 2, 2, 2, 1, 3], "importance": [2, 2, 2, 3, 2, 2, 1, 1]})
    out = compare_years(ties, 2025, 2026).set_index("partner_id")
    assert out["change"].to_dict() == {"a": "strengthened", "b": "weakened", "c": "unchanged", "d": "ended",
                                       "e": "new"}
    assert out.loc["a", ["intensity_a", "intensity_b"]].tolist() == [1, 2]
    assert pd.isna(out.loc["e", "intensity_a"]) and pd.isna(out.loc["d", "importance_b"])
