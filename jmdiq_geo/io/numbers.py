"""Parse numeric columns the way German statistical tables write them.

Handles decimal comma and point, thousands separators (``1.234,5``, ``1,234.5``, ``1 234``),
the placeholders of official statistics (``–`` nothing, ``.`` secret/unknown, ``x`` not
applicable, ``…`` not yet available, ``/`` too uncertain) and values in parentheses (``(12)``:
limited reliability). Placeholders become missing values with a notice; anything else that is
not a number is an error naming the column, the rows and the values.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from jmdiq_geo.errors import Problem

#: Placeholders that mean "no value here" in German official statistics and common exports.
PLACEHOLDERS = frozenset({"–", "—", "-", ".", "..", "x", "X", "…", "...", "/", "k.A.", "k. A.", "n.a.",
                          "N/A", "NA", "nan", "NaN", "#NV", "#N/A"})
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_PAREN = re.compile(r"^\((.*)\)$")


_COMMA_DECIMAL = re.compile(r"^[+-]?\d+,\d+$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d+\.\d+$")
_FULL_GERMAN = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_FULL_ENGLISH = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")


def column_decimal(values, hint: str) -> str:
    """The decimal separator of one column, from its values; ``hint`` (from the file's
    delimiter) only decides when the values do not (e.g. only integers or ``1.234``)."""
    comma = dot = False
    for raw in values:
        if not isinstance(raw, str):
            continue
        text = _SPACES.sub("", raw)
        if _FULL_GERMAN.match(text) or (_COMMA_DECIMAL.match(text) and not _THOUSANDS_COMMA.match(text)):
            comma = True
        elif _FULL_ENGLISH.match(text) or (_DOT_DECIMAL.match(text) and not _THOUSANDS_DOT.match(text)):
            dot = True
        if comma and dot:
            break
    if comma != dot:
        return "," if comma else "."
    return hint


def _to_float(text: str, decimal: str) -> float | None:
    if decimal == ",":
        if _THOUSANDS_DOT.match(text):
            text = text.replace(".", "")
        text = text.replace(",", ".")
    else:
        if _THOUSANDS_COMMA.match(text):
            text = text.replace(",", "")
        elif "," in text and "." not in text:
            text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def parse_numeric(series: pd.Series, *, column: str, file: str | None, decimal: str = ".",
                  missing_values: frozenset[str] | set[str] = frozenset()) -> tuple[pd.Series, list[Problem]]:
    """Turn a text column into floats; return the values and the problems found.

    ``missing_values`` adds file-specific codes (e.g. ``-9999``) to the standard placeholders.
    Row numbers in problems are 1-based data rows (the first row after the header is 1).
    """
    placeholders = PLACEHOLDERS | set(missing_values)
    decimal = column_decimal(series.tolist(), decimal)
    if decimal == "." and not missing_values:
        # Fast path: plain numbers parse vectorised; only the rest goes through the loop below.
        out = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan).copy()
        out[~np.isfinite(out)] = np.nan            # "inf" is no number here either
        todo = np.flatnonzero(np.isnan(out))
    else:
        out = np.full(len(series), np.nan)
        todo = range(len(series))
    values = series.tolist()
    bad: list[tuple[int, str]] = []
    held: dict[str, int] = {}
    paren = 0
    empty = 0
    for i in todo:
        raw = values[i]
        if raw is None or (isinstance(raw, float) and np.isnan(raw)):
            empty += 1
            continue
        if isinstance(raw, (int, float, np.number)):
            out[i] = float(raw)
            continue
        text = _SPACES.sub("", str(raw))
        if text == "":
            empty += 1
            continue
        if text in placeholders or str(raw).strip() in placeholders:
            held[str(raw).strip()] = held.get(str(raw).strip(), 0) + 1
            continue
        match = _PAREN.match(text)
        if match:
            text = match.group(1)
            paren += 1
        value = _to_float(text, decimal)
        if value is None or not np.isfinite(value):
            bad.append((int(i) + 1, str(raw)))
        else:
            out[i] = value
    problems: list[Problem] = []
    if bad:
        rows = ", ".join(str(r) for r, _ in bad[:10]) + (" …" if len(bad) > 10 else "")
        examples = ", ".join(f"'{v}'" for v in dict.fromkeys(v for _, v in bad[:5]))
        problems.append(Problem("not_numeric", {"count": len(bad), "rows": rows, "examples": examples},
                                file=file, row=bad[0][0], column=column))
    if held:
        codes = ", ".join(f"'{k}' ×{v}" for k, v in sorted(held.items()))
        problems.append(Problem("placeholders_missing", {"count": sum(held.values()), "codes": codes},
                                file=file, column=column, severity="notice"))
    if paren:
        problems.append(Problem("parenthesised_values", {"count": paren}, file=file, column=column,
                                severity="notice"))
    return pd.Series(out, index=series.index, name=series.name), problems
