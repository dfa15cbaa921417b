"""The project overview of *Mikroprojekte* (``jmdiq_geo.ui.projects.project_overview``) in
Streamlit's AppTest with the project register patched to a small plain table: the list with its
headings and German numbers and dates, the filters, the summary by area, field or year."""
import pandas as pd
import pytest

import jmdiq_geo.ui.projects as projects_ui
from jmdiq_geo.i18n import t
from tests.fixtures.apptest import run_section, shown_table, texts


def section():
    from jmdiq_geo.ui.projects import project_overview

    project_overview(1.0)


def register() -> pd.DataFrame:
    """Three projects as ``services.projects.records`` gives them."""
    return pd.DataFrame({
        "project_id": ["p1", "p2", "p3"], "title": ["Graffiti-Workshop", "Sprachcafé", "Sport im Park"],
        "area_id": ["01000002", "01000002", "01000003"], "status": ["abgeschlossen", "laufend", "geplant"],
        "start": ["2025-03-01", "2025-09-15", "2026-01-10"], "end": ["2025-06-30", "2026-03-31", None],
        "budget_planned": [1500.0, 12000.5, 800.0], "budget_spent": [1200.0, None, None],
        "predecessor": [None, "p1", None], "version": [3, 1, 1], "updated_by": ["anna", "ben", "anna"],
        "fields_of_action": [["Kultur"], ["Sprache", "Kultur"], ["Sport"]],
        "participation_planning": ["Jugendliche wählten das Motiv", "", None], "participation_doing": [None] * 3,
        "sustainability": ["Anschlussförderung", "keine", None]})


#: the workspace's area names (01000003 has none: its key is shown)
AREA_NAMES = {"01000002": "Süd-Straße", "01000001": "Nord-Ost"}


@pytest.fixture
def filtered(monkeypatch):
    """``records`` patched to the small register; the filters asked for recorded."""
    calls = []
    real = projects_ui.filter_projects
    monkeypatch.setattr(projects_ui, "workspace", lambda: "ws")
    monkeypatch.setattr(projects_ui, "records", lambda ws, entity: register() if entity == "project" else None)
    monkeypatch.setattr(projects_ui, "area_labels", lambda ws: AREA_NAMES)
    monkeypatch.setattr(projects_ui, "filter_projects", lambda frame, **kw: calls.append(kw) or real(frame, **kw))
    return calls


def test_overview_lists_every_project_with_german_numbers_and_dates(filtered):
    at = run_section(section)
    assert filtered == [{"year": None, "field": None, "status": None, "area": None}]
    overview = shown_table(at.dataframe[0])
    assert list(overview.columns)[:3] == [t("projects_id", "de"), t("projects_field_title", "de"),
                                          t("projects_area", "de")]
    assert overview[t("projects_field_title", "de")].tolist() == ["Graffiti-Workshop", "Sprachcafé", "Sport im Park"]
    assert overview[t("projects_start", "de")].tolist() == ["01.03.2025", "15.09.2025", "10.01.2026"]
    assert overview[t("projects_budget_planned", "de")].tolist() == ["1.500,00", "12.000,50", "800,00"]
    assert overview[t("col_version", "de")].tolist() == ["3", "1", "1"]
    # areas by name, not by key; a budget not spent yet is "–", never "None"
    assert overview[t("projects_area", "de")].tolist() == ["Süd-Straße", "Süd-Straße", "01000003"]
    assert overview[t("projects_budget_spent", "de")].tolist() == ["1.200,00", "–", "–"]
    assert overview[t("projects_predecessor", "de")].tolist() == ["–", "p1", "–"]
    # the filters offer the years and areas the projects have
    assert at.selectbox(key="projects_filter_year").options == ["–", "2025", "2026"]
    assert at.selectbox(key="projects_filter_area").options == ["–", "Süd-Straße", "01000003"]
    # the summary, by area first: counts and budgets per area, shares in %
    assert texts(at.markdown) == [f"**{t('projects_summary', 'de')}**"]
    summary = shown_table(at.dataframe[1])
    assert summary[t("projects_area", "de")].tolist() == ["Süd-Straße", "01000003"]
    assert summary[t("col_count", "de")].tolist() == ["2", "1"]
    assert summary[t("projects_budget_planned", "de")].tolist() == ["13.500,50", "800,00"]
    assert summary[t("projects_share_participation_pct", "de")].tolist() == ["50", "0"]


def test_filters_and_summary_by_year(filtered):
    at = run_section(section)
    at.selectbox(key="projects_filter_year").select(2025).run()
    assert not at.exception
    assert filtered[-1] == {"year": 2025, "field": None, "status": None, "area": None}
    assert shown_table(at.dataframe[0])[t("projects_id", "de")].tolist() == ["p1", "p2"]
    at.selectbox(key="projects_filter_field").select("Kultur").run()
    at.radio(key="projects_by").set_value("field").run()
    assert not at.exception
    assert filtered[-1] == {"year": 2025, "field": "Kultur", "status": None, "area": None}
    summary = shown_table(at.dataframe[1])
    # both 2025 projects count for Kultur, the Sprachcafé also for Sprache
    assert dict(zip(summary[t("projects_fields", "de")], summary[t("col_count", "de")])) == {"Kultur": "2",
                                                                                            "Sprache": "1"}
    at.radio(key="projects_by").set_value("year").run()
    summary = shown_table(at.dataframe[1])
    assert summary[t("projects_year", "de")].tolist() == ["2025"]          # a year, not "2.025,00"


def test_an_empty_register_says_so(monkeypatch):
    monkeypatch.setattr(projects_ui, "workspace", lambda: "ws")
    monkeypatch.setattr(projects_ui, "records", lambda ws, entity: register().iloc[0:0])
    at = run_section(section, lang="en")
    assert texts(at.info) == [t("projects_none", "en")] and not at.dataframe
