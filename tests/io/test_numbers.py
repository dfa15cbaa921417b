"""The number parser on the column shapes importers hand it (text, typed text, mixed, numeric)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.io.numbers import parse_numeric


def parsed(values, dtype=object, **kwargs):
    out, problems = parse_numeric(pd.Series(values, dtype=dtype), column="c", file="f.csv", **kwargs)
    return out.tolist(), {p.code: p.params for p in problems}


@pytest.mark.parametrize("dtype", [object, "str"])
def test_text_columns_with_spaces_placeholders_and_parentheses(dtype):
    values, problems = parsed(["1 234,5", "1\u00a0000", " 7 ", "–", "k. A.", "(12)", ""], dtype=dtype, decimal=",")
    assert values[:3] == [1234.5, 1000.0, 7.0] and values[5] == 12.0
    assert np.isnan(values[3]) and np.isnan(values[4]) and np.isnan(values[6])
    assert problems["placeholders_missing"] == {"count": 2, "codes": "'k. A.' ×1, '–' ×1"}
    assert problems["parenthesised_values"] == {"count": 1}
    assert "not_numeric" not in problems


def test_cells_that_already_hold_numbers_are_kept_as_they_are():
    # a GeoJSON property with numbers and a stray text: 1.234 stays 1.234 even where the text
    # column's decimal comma would read "1.234" as a thousand
    values, problems = parsed([1.234, 3, "2,5", None], decimal=",")
    assert values[:3] == [1.234, 3.0, 2.5] and np.isnan(values[3]) and not problems


def test_numeric_dtype_passes_through():
    values, problems = parsed([1.5, np.nan, 4.0], dtype=float)
    assert values[0] == 1.5 and np.isnan(values[1]) and values[2] == 4.0 and not problems


def test_rows_of_values_that_are_no_numbers_are_named():
    values, problems = parsed(["1", "zwölf", "3", "1_000", "4 %"])
    assert values[0] == 1.0 and values[2] == 3.0
    # "1_000" is Python syntax, not a number format of any statistics office
    assert problems["not_numeric"] == {"count": 3, "rows": "2, 4, 5", "examples": "'zwölf', '1_000', '4 %'"}


def test_file_specific_missing_codes():
    values, problems = parsed(["-9999", "5"], missing_values={"-9999"})
    assert np.isnan(values[0]) and values[1] == 5.0
    assert problems["placeholders_missing"]["codes"] == "'-9999' ×1"


@pytest.mark.parametrize("text,decimal,expected", [
    ("4,5", ",", 4.5), ("1.500,50", ",", 1500.5), ("1500,50", ",", 1500.5), ("1.500", ",", 1500.0),
    ("1.500", ".", 1.5), ("4.5", ",", 4.5), ("1 500", ",", 1500.0), ("1,500.5", ",", 1500.5),
    ("abc", ",", None), ("", ",", None), ("–", ",", None),
])
def test_one_number_as_people_type_it(text, decimal, expected):
    """Form fields: Streamlit's number field drops the comma (4,5 → 45); ours reads it."""
    from jmdiq_geo.io.numbers import parse_number
    assert parse_number(text, decimal=decimal) == expected


def test_cells_that_are_neither_text_nor_numbers_are_reported_not_crashed():
    """A date or a list in a GeoJSON property used as places: a message naming the rows."""
    values, problems = parsed([pd.Timestamp("2024-01-01"), "5", [1, 2], None])
    assert values[1] == 5.0 and np.isnan(values[0]) and np.isnan(values[2])
    assert problems["not_numeric"]["rows"] == "1, 3"


@pytest.mark.parametrize("values,hint,expected", [
    (["12.345", "7.5"], ",", [12.345, 7.5]),          # a ';' file written with decimal points
    (["1.234", "12,5"], ".", [1234.0, 12.5]),         # a German tab export
    (["1.234", "5.678"], ",", [1234.0, 5678.0]),      # only thousands: the file's hint decides
    (["1.234,5", "3,25"], ".", [1234.5, 3.25]),
    (["1,234.5", "7.25"], ",", [1234.5, 7.25]),
])
def test_decimal_separator_decided_per_column(values, hint, expected):
    out, problems = parse_numeric(pd.Series(values), column="x", file="f.csv", decimal=hint)
    assert out.tolist() == expected and not problems


def test_infinite_is_not_a_number():
    out, problems = parse_numeric(pd.Series(["inf", "1"]), column="x", file="f.csv")
    assert problems[0].code == "not_numeric" and out.tolist()[1] == 1.0
