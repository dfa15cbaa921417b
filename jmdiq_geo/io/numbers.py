"""Parse numeric columns the way German statistical tables write them.

Handles decimal comma and point, thousands separators (``1.234,5``, ``1,234.5``, ``1 234``),
the placeholders of official statistics (``–`` nothing, ``.`` secret/unknown, ``x`` not
applicable, ``…`` not yet available, ``/`` too uncertain) and values in parentheses (``(12)``:
limited reliability). Placeholders become missing values with a notice; anything else that is
not a number is an error naming the column, the rows and the values.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jmdiq_geo.errors import Problem

#: Placeholders that mean "no value here" in German official statistics and common exports.
PLACEHOLDERS = frozenset({"–", "—", "-", ".", "..", "x", "X", "…", "...", "/", "k.A.", "k. A.", "n.a.",
                          "N/A", "NA", "nan", "NaN", "#NV", "#N/A"})
# RE2 patterns (pyarrow.compute), applied to the text with every space removed
_SPACES = r"[\s\x{00a0}\x{2009}\x{202f}']"
_THOUSANDS_DOT = r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$"
_THOUSANDS_COMMA = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"
_PAREN = r"^\((.*)\)$"
_COMMA_DECIMAL = r"^[+-]?\d+,\d+$"
_DOT_DECIMAL = r"^[+-]?\d+\.\d+$"
_FULL_GERMAN = r"^[+-]?\d{1,3}(\.\d{3})+,\d+$"
_FULL_ENGLISH = r"^[+-]?\d{1,3}(,\d{3})+\.\d+$"


def _matches(text: pa.Array, pattern: str) -> np.ndarray:
    return pc.match_substring_regex(text, pattern).to_numpy(zero_copy_only=False).astype(bool)


def _contains(text: pa.Array, char: str) -> np.ndarray:
    return pc.match_substring(text, char).to_numpy(zero_copy_only=False).astype(bool)


def _squeezed(values) -> pa.Array:
    """Text with every kind of space (and the Swiss thousands apostrophe) removed."""
    text = values if isinstance(values, pa.Array) else pa.array(list(values), type=pa.string())
    text = pc.fill_null(text, "")
    if pc.any(pc.match_substring_regex(text, _SPACES)).as_py():
        text = pc.replace_substring_regex(text, _SPACES, "")
    return text


def column_decimal(values, hint: str) -> str:
    """The decimal separator of one column, from its values; ``hint`` (from the file's
    delimiter) only decides when the values do not (e.g. only integers or ``1.234``)."""
    if not isinstance(values, pa.Array):
        values = [v for v in values if isinstance(v, str)]
    return _decimal_of(_squeezed(values), hint)


def _decimal_of(text: pa.Array, hint: str) -> str:
    """``column_decimal`` of squeezed texts."""
    # only texts with a separator can decide (the regexes run on those alone, each text once)
    has_comma, has_dot = _contains(text, ","), _contains(text, ".")
    text = pc.unique(text.filter(pa.array(has_comma | has_dot)))
    if not has_dot.any():            # every pattern but these two needs a dot
        comma, dot = _matches(text, _COMMA_DECIMAL) & ~_matches(text, _THOUSANDS_COMMA), np.zeros(1, dtype=bool)
    elif not has_comma.any():        # … and every pattern but these two a comma
        comma, dot = np.zeros(1, dtype=bool), _matches(text, _DOT_DECIMAL) & ~_matches(text, _THOUSANDS_DOT)
    else:
        comma = _matches(text, _FULL_GERMAN) | (_matches(text, _COMMA_DECIMAL) & ~_matches(text, _THOUSANDS_COMMA))
        dot = ~comma & (_matches(text, _FULL_ENGLISH)
                        | (_matches(text, _DOT_DECIMAL) & ~_matches(text, _THOUSANDS_DOT)))
    comma, dot = bool(comma.any()), bool(dot.any())
    if comma != dot:
        return "," if comma else "."
    return hint


def _to_floats(text: pa.Array, decimal: str) -> np.ndarray:
    """Floats of squeezed number texts (NaN where a text is no number)."""
    comma = _contains(text, ",")
    if comma.any() or (decimal == "," and _contains(text, ".").any()):
        if decimal == ",":
            if _contains(text, ".").any():           # (a text without a dot has no thousands dots)
                text = pc.if_else(pc.match_substring_regex(text, _THOUSANDS_DOT),
                                  pc.replace_substring(text, ".", ""), text)
            text = pc.replace_substring(text, ",", ".")
        else:
            only_comma = pa.array(comma & ~_contains(text, "."))
            text = pc.if_else(pc.match_substring_regex(text, _THOUSANDS_COMMA), pc.replace_substring(text, ",", ""),
                              pc.if_else(only_comma, pc.replace_substring(text, ",", "."), text))
    try:
        return pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)   # all numbers: one C++ pass
    except pa.ArrowInvalid:
        out = pd.to_numeric(pd.Series(text.to_numpy(zero_copy_only=False), dtype=object), errors="coerce")
        return out.to_numpy(dtype=float, na_value=np.nan)


def parse_numeric(series: pd.Series, *, column: str, file: str | None, decimal: str = ".",
                  missing_values: frozenset[str] | set[str] = frozenset()) -> tuple[pd.Series, list[Problem]]:
    """Turn a text column into floats; return the values and the problems found.

    ``missing_values`` adds file-specific codes (e.g. ``-9999``) to the standard placeholders.
    Row numbers in problems are 1-based data rows (the first row after the header is 1).
    Vectorised (pyarrow.compute); cells that already hold numbers are taken as they are.
    """
    placeholders = PLACEHOLDERS | set(missing_values)
    out = np.full(len(series), np.nan)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        return pd.Series(values, index=series.index, name=series.name), _out_of_range(values, column=column, file=file)
    if isinstance(series.dtype, pd.StringDtype):
        rows = np.arange(len(series))
        original = pa.array(series, type=pa.string(), from_pandas=True)
        raw = None
    else:
        raw = series.to_numpy(dtype=object, na_value=None)
        present = np.asarray(pd.notna(raw), dtype=bool)
        # real numbers are taken as they are; any other cell (text, a date, a list) is read as text
        numbers = present & np.fromiter((isinstance(v, (int, float, np.number, Decimal)) for v in raw),
                                        dtype=bool, count=len(raw))
        if numbers.any():
            out[numbers] = raw[numbers].astype(float)
        rows = np.flatnonzero(present & ~numbers)
        original = pa.array([v if isinstance(v, str) else str(v) for v in raw[rows]], type=pa.string())
    # each distinct text is read once (a column repeats its values: percentages, counts, codes)
    original = pc.fill_null(original, "")           # (a missing cell is an empty text)
    texts = pc.unique(original)
    inverse = pc.index_in(original, value_set=texts).to_numpy(zero_copy_only=False)
    text = _squeezed(texts)
    decimal = _decimal_of(text, decimal)
    empty = (pc.utf8_length(text).to_numpy(zero_copy_only=False) == 0)
    codes = pa.array(sorted(placeholders), type=pa.string())
    stripped = pc.utf8_trim_whitespace(texts)
    held = ~empty & (pc.is_in(text, value_set=codes).to_numpy(zero_copy_only=False)
                     | pc.is_in(stripped, value_set=codes).to_numpy(zero_copy_only=False))
    todo = ~empty & ~held
    paren = np.zeros(len(texts), dtype=bool)
    if _contains(text, "(").any():
        paren = todo & _matches(text, _PAREN)
        text = pc.replace_substring_regex(text, _PAREN, r"\1")
    parsed = np.full(len(texts), np.nan)
    parsed[todo] = _to_floats(text.filter(pa.array(todo)), decimal)
    bad = todo & ~np.isfinite(parsed)
    # … and every row gets what its text gave
    parsed, held, paren, bad, todo = parsed[inverse], held[inverse], paren[inverse], bad[inverse], todo[inverse]
    good = todo & ~bad
    out[rows[good]] = parsed[good]

    problems: list[Problem] = []
    if bad.any():
        bad_rows = rows[bad] + 1
        bad_values = texts.take(pa.array(inverse[bad])).to_pylist()
        listing = ", ".join(str(r) for r in bad_rows[:10]) + (" …" if len(bad_rows) > 10 else "")
        examples = ", ".join(f"'{v}'" for v in dict.fromkeys(bad_values[:5]))
        problems.append(Problem("not_numeric", {"count": int(bad.sum()), "rows": listing, "examples": examples},
                                file=file, row=int(bad_rows[0]), column=column))
    if held.any():
        counts = pd.Series(stripped.take(pa.array(inverse[held])).to_pylist(), dtype=object).value_counts()
        codes_text = ", ".join(f"'{k}' ×{v}" for k, v in sorted(counts.items()))
        problems.append(Problem("placeholders_missing", {"count": int(held.sum()), "codes": codes_text},
                                file=file, column=column, severity="notice"))
    if paren.any():
        problems.append(Problem("parenthesised_values", {"count": int(paren.sum())}, file=file, column=column,
                                severity="notice"))
    problems += _out_of_range(out, column=column, file=file)
    return pd.Series(out, index=series.index, name=series.name), problems


#: the largest magnitude a statistic may have: beyond it doubles no longer hold whole numbers
#: exactly (2^53 ≈ 9·10^15), and sums of such values overflow to infinity
MAX_MAGNITUDE = 1e15


def _out_of_range(values: np.ndarray, *, column: str, file: str | None) -> list[Problem]:
    """Infinite values and values beyond ``MAX_MAGNITUDE`` (1e308 read from a cell): an error
    naming the rows."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)) > MAX_MAGNITUDE)
    if not bad.any():
        return []
    rows = np.flatnonzero(bad) + 1
    listing = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
    examples = ", ".join(f"'{v:g}'" for v in dict.fromkeys(values[bad][:5].tolist()))
    return [Problem("number_out_of_range", {"count": int(bad.sum()), "rows": listing, "examples": examples,
                                            "limit": f"{MAX_MAGNITUDE:g}"}, file=file, row=int(rows[0]), column=column)]


def parse_number(text: str, *, decimal: str) -> float | None:
    """One number as a person types it (``4,5``, ``1.500,50``, ``1500.5``), ``decimal`` deciding
    only where the text does not (``1.500``); None for an empty text, a placeholder or no number."""
    values, problems = parse_numeric(pd.Series([text], dtype=object), column="", file=None, decimal=decimal)
    value = float(values.iloc[0])
    return None if np.isnan(value) or any(p.severity == "error" for p in problems) else value
