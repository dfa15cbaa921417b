"""put_values: replaces what a frame brings per (level, indicator, period), keeps the rest, refuses
two rows for one value; periods as datetimes (cut to their day), dates or texts."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest


def _frame(period, values, *, indicator="ind_a", areas=("a1", "a2"), level="plr"):
    return pd.DataFrame({"level": level, "area_id": list(areas), "indicator_id": indicator, "period": period,
                         "value": values, "source_id": "src"})


def _stored(ws):
    return sorted(ws.cursor().execute(
        "SELECT level, area_id, indicator_id, period, value FROM indicator_values").fetchall())


def test_put_values_replaces_only_what_the_frame_brings(tiny_ws):
    tiny_ws.put_values(pd.concat([_frame(pd.Timestamp("2020-12-31"), [1.0, 2.0]),
                                  _frame(pd.Timestamp("2021-12-31"), [3.0, 4.0]),
                                  _frame(pd.Timestamp("2020-12-31"), [5.0, 6.0], indicator="ind_b")]))
    # a datetime with a time is its day; the area a2 is no longer listed: its value goes
    tiny_ws.put_values(_frame(pd.Timestamp("2020-12-31 13:30"), [9.0], areas=("a1",)))
    assert _stored(tiny_ws) == [
        ("plr", "a1", "ind_a", date(2020, 12, 31), 9.0), ("plr", "a1", "ind_a", date(2021, 12, 31), 3.0),
        ("plr", "a1", "ind_b", date(2020, 12, 31), 5.0), ("plr", "a2", "ind_a", date(2021, 12, 31), 4.0),
        ("plr", "a2", "ind_b", date(2020, 12, 31), 6.0)]
    tiny_ws.put_values(_frame("2021-12-31", [7.0, 8.0], level="bzr"))       # another level: kept apart
    tiny_ws.put_values(_frame(date(2021, 12, 31), [7.5, 8.5], level="bzr"))
    assert [r for r in _stored(tiny_ws) if r[0] == "bzr"] == [
        ("bzr", "a1", "ind_a", date(2021, 12, 31), 7.5), ("bzr", "a2", "ind_a", date(2021, 12, 31), 8.5)]


def test_put_values_refuses_two_rows_for_one_value(tiny_ws):
    frame = _frame([pd.Timestamp("2020-12-31 08:00"), pd.Timestamp("2020-12-31 18:00")], [1.0, 2.0],
                   areas=("a1", "a1"))
    with pytest.raises(ValueError, match="duplicate"):
        tiny_ws.put_values(frame)
    assert _stored(tiny_ws) == []
