"""The project page's tables for people: areas by name (not key), an empty budget and a year
without a tie as a missing number (the page shows "–", tests/ui/test_projects.py), never None."""
import pandas as pd

from jmdiq_geo.analysis.projects import Tie
from jmdiq_geo.services.projects import (area_labels, overview_table, records, save_project, save_tie, summary_table,
                                         year_changes)
from tests.fixtures.files import TINY_AREAS
from tests.fixtures.projects import add_partners, make_project


def test_projects_list_areas_by_name_and_no_none(tiny_ws):
    add_partners(tiny_ws)
    save_project(tiny_ws, make_project(budget_spent=None, status="laufend"), expected_version=None, user="anna")
    names = area_labels(tiny_ws)
    assert {a: n for a, n, _ in TINY_AREAS}.items() <= names.items()
    table = overview_table(records(tiny_ws, "project"), "de", names)
    assert table.at[0, "area_id"] == dict((a, n) for a, n, _ in TINY_AREAS)["01000002"] == "Süd-Straße"
    assert pd.isna(table.at[0, "budget_spent"]) and table["budget_spent"].dtype == float
    summary = summary_table(records(tiny_ws, "project"), "area_id", names)
    assert list(summary.index) == ["Süd-Straße"]


def test_network_comparison_has_numbers_not_none(tiny_ws):
    add_partners(tiny_ws)
    save_tie(tiny_ws, Tie("qm", 2025, 2, 3), expected_version=None, user="anna")
    save_tie(tiny_ws, Tie("schule", 2026, 1, 2), expected_version=None, user="anna")
    changes = year_changes(records(tiny_ws, "tie"), records(tiny_ws, "partner"), 2025, 2026).set_index("partner_id")
    assert changes.at["qm", "change"] == "ended" and changes.at["schule", "change"] == "new"
    assert pd.isna(changes.at["qm", "intensity_b"]) and changes.at["schule", "intensity_b"] == 1
