"""The team's activity log: shares per month must sum to 100 %, saved with versions and the audit
log, summed per year (weighted by hours, or equally) - the year's figures recomputed here
independently with plain arithmetic - and written as CSV."""
import io

import pandas as pd
import pytest

from jmdiq_geo.analysis.activity import ActivityMonth, whole_percents
from jmdiq_geo.errors import AccessDenied, ConflictError, InputError
from jmdiq_geo.i18n import format_problem
from jmdiq_geo.services.activity import (categories, get_month, months_table, save_month, year_csv, year_figures)
from jmdiq_geo.services.auth import Actor, act_as
from jmdiq_geo.services.projects import history

CATS = ["beratung", "case_management", "gruppenangebote", "netzwerk_sozialraum", "sonstige"]
MONTHS = {"2025-01": ((40, 20, 15, 20, 5), 160.0), "2025-02": ((35, 25, 15, 20, 5), 150.0),
          "2025-03": ((30.5, 24.5, 20, 20, 5), 170.0)}


def record(ws, months=MONTHS, hours=True):
    for month, (shares, h) in months.items():
        save_month(ws, ActivityMonth(month, dict(zip(CATS, shares)), h if hours else None), expected_version=None,
                   user="anna")


@pytest.mark.backend_free
def test_the_categories_are_data_in_the_catalogue_order():
    assert list(categories("de")) == CATS
    assert categories("de")["netzwerk_sozialraum"] == "Netzwerk- und Sozialraumarbeit"
    assert categories("en")["beratung"] == "Counselling"


def test_shares_must_sum_to_100_and_nothing_is_written_otherwise(tiny_ws):
    before = tiny_ws.snapshot()
    with pytest.raises(InputError) as err:
        save_month(tiny_ws, ActivityMonth("2025-04", dict(zip(CATS, (40, 20, 15, 10, 5)))), expected_version=None,
                   user="anna")
    problem = err.value.problems[0]
    assert problem.code == "form_activity_sum" and problem.params == {"total": 90.0, "missing": 10.0}
    text = format_problem(problem, "de")
    assert "90" in text and "100 %" in text and "nichts wurde gespeichert" in text
    assert tiny_ws.snapshot() == before
    # every wrong thing at once: a month that is none, a share over 100, an unknown category, negative hours
    with pytest.raises(InputError) as err:
        save_month(tiny_ws, ActivityMonth("2025-13", {"beratung": 120.0, "kaffee": 0.0}, -3), expected_version=None,
                   user="anna")
    codes = {p.code for p in err.value.problems}
    assert codes == {"form_activity_month", "form_activity_share_range", "activity_unknown_category",
                     "form_activity_sum", "form_activity_hours"}
    assert tiny_ws.snapshot() == before
    # 100 % within rounding is accepted
    version, _ = save_month(tiny_ws, ActivityMonth("2025-04", dict(zip(CATS, (33.33, 33.33, 33.34, 0, 0)))),
                            expected_version=None, user="anna")
    assert version == 1


def test_versions_refuse_a_stale_save_and_log_every_change(tiny_ws):
    record(tiny_ws)
    month, version = get_month(tiny_ws, "2025-02")
    assert version == 1 and month.shares["beratung"] == 35 and month.hours == 150
    changed = ActivityMonth("2025-02", dict(zip(CATS, (30, 30, 15, 20, 5))), 150)
    assert save_month(tiny_ws, changed, expected_version=1, user="anna")[0] == 2
    before = tiny_ws.snapshot()
    with pytest.raises(ConflictError):            # a second session still based on version 1
        save_month(tiny_ws, ActivityMonth("2025-02", dict(zip(CATS, (50, 10, 15, 20, 5))), 150), expected_version=1,
                   user="ben")
    with pytest.raises(ConflictError):            # a "new" month under a month that exists
        save_month(tiny_ws, changed, expected_version=None, user="ben")
    assert tiny_ws.snapshot() == before
    assert get_month(tiny_ws, "2025-02")[0].shares["beratung"] == 30
    log = history(tiny_ws, "activity", "2025-02")
    assert list(log["action"]) == ["create", "update"] and list(log["by"]) == ["anna", "anna"]


def test_a_viewer_may_not_record(tiny_ws):
    act_as(Actor("vera", "viewer", "test"))
    try:
        with pytest.raises(AccessDenied):
            record(tiny_ws)
    finally:
        act_as(None)
    assert months_table(tiny_ws, 2025).empty


def test_year_sums_weighted_by_hours_equal_an_independent_computation(tiny_ws):
    record(tiny_ws)
    save_month(tiny_ws, ActivityMonth("2024-12", dict(zip(CATS, (100, 0, 0, 0, 0))), 100), expected_version=None,
               user="anna")                       # another year: not counted
    figures = year_figures(tiny_ws, 2025, "de")
    table = figures["table"].set_index("category")
    assert figures["weighting"] == "hours" and figures["months"] == 3
    total_hours = sum(h for _, h in MONTHS.values())
    for i, cat in enumerate(CATS):
        expected = sum(shares[i] * h for shares, h in MONTHS.values()) / total_hours
        assert table.at[cat, "share"] == pytest.approx(expected)
        assert table.at[cat, "hours"] == pytest.approx(sum(shares[i] / 100 * h for shares, h in MONTHS.values()))
    assert table["share"].sum() == pytest.approx(100)
    assert sum(table["share_whole"]) == 100
    assert "Arbeitsstunden" in figures["how"] and "3" in figures["how"]


def test_year_sums_without_hours_weigh_every_month_the_same(tiny_ws):
    record(tiny_ws, hours=False)
    figures = year_figures(tiny_ws, 2025, "de")
    table = figures["table"].set_index("category")
    assert figures["weighting"] == "equal"
    for i, cat in enumerate(CATS):
        assert table.at[cat, "share"] == pytest.approx(sum(s[i] for s, _ in MONTHS.values()) / len(MONTHS))
    assert table["hours"].isna().all()
    assert "gleich gewichtet" in figures["how"]


@pytest.mark.backend_free
def test_whole_percents_keep_the_sum_of_100():
    shares = [100 / 3, 100 / 3, 100 / 3]
    assert whole_percents(shares) == [34, 33, 33]
    assert sum(whole_percents([12.6, 12.6, 74.8])) == 100


def test_csv_reads_back_to_the_year_figures(tiny_ws):
    record(tiny_ws)
    frame = pd.read_csv(io.BytesIO(year_csv(tiny_ws, 2025, "de")))
    figures = year_figures(tiny_ws, 2025, "de")["table"]
    assert list(frame["kategorie_id"]) == CATS
    assert list(frame["kategorie"])[3] == "Netzwerk- und Sozialraumarbeit"
    assert frame["anteil_prozent"].round(2).tolist() == figures["share"].round(2).tolist()
    assert frame["anteil_ganze_prozent"].sum() == 100
    assert set(frame["jahr"]) == {2025} and set(frame["monate"]) == {3} and set(frame["gewichtung"]) == {"hours"}


def test_months_table_lists_the_year_with_sums(tiny_ws):
    record(tiny_ws)
    table = months_table(tiny_ws, 2025)
    assert list(table["month"]) == ["2025-01", "2025-02", "2025-03"]
    assert table["total"].tolist() == pytest.approx([100, 100, 100])
    assert months_table(tiny_ws, 2023).empty
