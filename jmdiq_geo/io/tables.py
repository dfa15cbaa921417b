"""Indicator tables as statistics offices publish them.

- read from a CSV/XLSX (the header found by ``readers.read_table``: title rows, a two-row
  header, notes below) or from the attributes of a vector file (GeoJSON, GeoPackage, Shapefile;
  the geometry is ignored);
- their shape recognised: a **long** table (one row per area × variable × year: columns like
  key / Merkmal / Jahr / Wert) and a **wide** table with years in its column names
  (``Arbeitslose_2018``, ``Arbeitslose 2024``) become one table per period;
- without named columns, the columns that hold numbers are the indicators (``value_columns``),
  their ids slugs of the column names (``slug``).

Nothing here writes; ``io.imports.import_indicator_table`` validates, joins and writes.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.io.names import normalise_name
from jmdiq_geo.io.numbers import PLACEHOLDERS, parse_numeric
from jmdiq_geo.io.readers import TABLE_SUFFIXES, VECTOR_SUFFIXES, TableRead, read_attributes, read_table

#: column names (normalised) that hold the period of a long table
PERIOD_NAMES = frozenset({"jahr", "year", "stichtag", "zeit", "periode", "period", "datum", "date", "berichtsjahr",
                          "referenzjahr", "zeitraum", "berichtszeitraum", "jahr stichtag", "reference date"})
#: … the variable (the indicator)
VARIABLE_NAMES = frozenset({"merkmal", "merkmale", "variable", "indikator", "indicator", "kennzahl", "kennziffer",
                            "merkmalsbezeichnung", "bezeichnung merkmal", "measure", "attribut", "attribute",
                            "statistik", "thema"})
#: … the value
VALUE_NAMES = frozenset({"wert", "werte", "value", "values", "anzahl", "zahl", "betrag", "messwert"})
#: column names that say the column holds identifiers, not values
ID_WORDS = frozenset({"id", "nr", "nummer", "schluessel", "key", "code", "kennung", "ags", "ars", "gkz", "rowid",
                      "objectid", "fid", "gid", "plz", "ogc fid"})
_YEAR_IN_NAME = (re.compile(r"^(?P<stem>.*?)[\s_\-./]*(?P<year>(?:19|20)\d{2})$"),
                 re.compile(r"^(?P<year>(?:19|20)\d{2})[\s_\-./]*(?P<stem>.*)$"))
#: how many of a column's cells (besides placeholders) must be numbers for it to count as values
NUMERIC_SHARE = 0.8


def read_indicator_source(path, *, sheet=None, header_row: int | None = None, max_bytes: int,
                          layer: str | None = None) -> TableRead:
    """A table (CSV/XLSX, its header found) or the attribute table of a vector file (``layer``:
    which one of a file of several)."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return read_table(path, sheet=sheet, max_bytes=max_bytes, header_row=header_row)
    if suffix in VECTOR_SUFFIXES or path.is_dir():
        return read_attributes(path, layer=layer, max_bytes=max_bytes)
    raise InputError(Problem("format_unknown", {"suffix": path.suffix or "–",
                                                "known": ", ".join(sorted(TABLE_SUFFIXES | VECTOR_SUFFIXES))},
                             file=path.name))


def slug(text: str) -> str:
    """An indicator id from a column name: ``"Arbeitslose insgesamt"`` → ``arbeitslose_insgesamt``,
    ``"Anteil Ältere (%)"`` → ``anteil_aeltere``."""
    s = str(text).strip().lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9]+", "_", s).strip("_")
    return s or "wert"


def period_of(value) -> date | None:
    """The reference date a period cell names: a year (→ 31 Dec), ``YYYYMM`` (→ the month's last
    day), ``YYYY-MM-DD`` or ``DD.MM.YYYY``; None when it names none."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    if re.fullmatch(r"(?:19|20)\d{2}(?:\.0+)?", text):
        return date(int(text[:4]), 12, 31)
    if m := re.fullmatch(r"((?:19|20)\d{2})(0[1-9]|1[0-2])", text):
        end = pd.Timestamp(int(m.group(1)), int(m.group(2)), 1) + pd.offsets.MonthEnd(0)
        return end.date()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?", text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


_DATE_IN_TEXT = re.compile(r"(?<!\d)\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}(?!\d)|(?<!\d)(?:19|20)\d{2}-\d{2}-\d{2}(?!\d)")
_YEAR_IN_TEXT = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])")
_YEAR_IN_FILE_NAME = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_MONTHS = ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "dezember")
_MONTH_IN_TEXT = re.compile(r"\b(" + "|".join(_MONTHS) + r")\s+((?:19|20)\d{2})(?!\d)", re.IGNORECASE)


def period_hint(titles: list[str], file_name: str) -> tuple[date, str] | None:
    """The period a plain table most likely gives, and where it was read (``title`` or
    ``file``): the date its title rows name ("Stand 31.12.2024", "Juni 2024" → 30.06.; read as
    ``period_of`` reads a cell), else the year they name (→ 31 Dec), else the year in the file's
    name (``do_data2018.geojson`` → 31.12.2018). None when the first of these that names
    anything names more than one — the user gives it then."""
    dates = set()
    for text in titles:          # each date as a period cell would be read (None: no such day)
        dates |= {period_of(m.group(0)) for m in _DATE_IN_TEXT.finditer(text)}
        # "Stand: Juni 2024" → the month's end, as the cell 202406 is read
        dates |= {period_of(f"{year}{_MONTHS.index(month.lower()) + 1:02d}")
                  for month, year in _MONTH_IN_TEXT.findall(text)}
    dates.discard(None)
    years = {date(int(y), 12, 31) for text in titles for y in _YEAR_IN_TEXT.findall(text)}
    named = [("title", dates), ("title", years),
             ("file", {date(int(y), 12, 31) for y in _YEAR_IN_FILE_NAME.findall(Path(file_name).stem)})]
    for where, found in named:
        if found:
            return (next(iter(found)), where) if len(found) == 1 else None
    return None


# --------------------------------------------------------------------------- shapes

@dataclass
class Part:
    """The values of one period: ``frame`` has the label columns (key/name) and one column per
    variable; ``src`` the 0-based row of the file each row comes from (its first, for a long
    table); ``period`` None means the period given with the import."""

    frame: pd.DataFrame
    src: np.ndarray
    period: date | None = None
    #: column of ``frame`` -> the column of the file it comes from (where they differ)
    origin: dict[str, str] = field(default_factory=dict)


@dataclass
class Shape:
    kind: str                                  # "plain", "long" or "wide"
    parts: list[Part]
    #: columns that are structure, not values (period, variable and value columns of a long table)
    structure: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def _find(columns, names: frozenset[str], skip: set[str]) -> str | None:
    return next((c for c in columns if c not in skip and normalise_name(c) in names), None)


def recognise_shape(frame: pd.DataFrame, *, labels: list[str], file: str, columns: dict[str, str],
                    period_given: bool, decimal: str, missing_values: set[str], typed: bool) -> Shape:
    """Plain (one row per area, one column per indicator), long (one row per area × variable ×
    period) or wide with years in the column names; long and wide become one part per period."""
    skip = set(labels)
    period_col = _find(frame.columns, PERIOD_NAMES, skip)
    if period_col is not None:            # "Zeit" in minutes is no period: most cells must name one
        cells = frame[period_col].astype(object).where(frame[period_col].notna(), "").astype(str).str.strip()
        cells = cells[cells != ""]
        if cells.empty or cells.map(lambda v: period_of(v) is not None).mean() < 0.5:
            period_col = None
    value_col = _find(frame.columns, VALUE_NAMES, skip)
    variable_col = _find(frame.columns, VARIABLE_NAMES, skip)
    if not value_col:
        variable_col = None                            # a variable without values: no long table
    if period_col or variable_col:
        return _long(frame, labels=labels, file=file, period_col=period_col, variable_col=variable_col,
                     value_col=value_col if variable_col else None, period_given=period_given, decimal=decimal,
                     missing_values=missing_values)
    wide = _wide(frame, labels=labels, file=file, columns=columns, period_given=period_given, decimal=decimal,
                 missing_values=missing_values, typed=typed)
    return wide or Shape("plain", [Part(frame, np.arange(len(frame)))])


def _long(frame, *, labels, file, period_col, variable_col, value_col, period_given, decimal,
          missing_values) -> Shape:
    problems: list[Problem] = []
    rows = np.arange(len(frame))
    if period_col:
        cells = frame[period_col]
        periods = [period_of(v) for v in cells]
        bad = [i for i, p in enumerate(periods) if p is None]
        if bad:
            problems.append(Problem("period_unreadable", {
                "count": len(bad), "rows": ", ".join(str(i + 1) for i in bad[:10]),
                "examples": ", ".join(f"'{v}'" for v in dict.fromkeys(str(cells.iloc[i]) for i in bad[:5]))},
                file=file, row=bad[0] + 1, column=period_col))
            return Shape("long", [], {period_col}, problems)
    else:
        periods = [None] * len(frame)
    structure = {c for c in (period_col, variable_col, value_col) if c}
    values = None
    if value_col:
        values, value_problems = parse_numeric(frame[value_col], column=value_col, file=file, decimal=decimal,
                                               missing_values=missing_values)
        problems += value_problems
    key = labels[0]
    keys = frame[key].astype(object).where(frame[key].notna(), "").map(lambda v: str(v).strip()).to_numpy()
    # a row without a key (a total) is told apart by its other text cells
    others = [c for c in frame.columns if c not in structure and c != key]
    if others and (keys == "").any():
        texts = frame[others].astype(object).where(frame[others].notna(), "").astype(str)
        joined = texts.apply(lambda r: "\x00" + " ".join(v.strip() for v in r if v.strip()), axis=1).to_numpy()
        keys = np.where(keys == "", joined, keys)
    parts = []
    by_period: dict = {}
    for i, p in enumerate(periods):
        by_period.setdefault(p, []).append(i)
    duplicates = []
    for period in sorted(by_period, key=lambda p: (p is None, p or date.min)):
        idx = np.array(by_period[period])
        if variable_col:
            variables = frame[variable_col].astype(str).str.strip().to_numpy()[idx]
            order, first, cells = [], {}, {}
            for i, k, var in zip(idx, keys[idx], variables):
                if k not in first:
                    first[k] = i
                    order.append(k)
                if (k, var) in cells:
                    duplicates.append((k, var, period, cells[(k, var)][0], i))
                    continue
                cells[(k, var)] = (i, values.iloc[i])
            names = list(dict.fromkeys(variables))
            out = pd.DataFrame({c: frame[c].to_numpy()[[first[k] for k in order]] for c in labels})
            for var in names:
                out[var or value_col] = [cells.get((k, var), (None, np.nan))[1] for k in order]
            parts.append(Part(out, np.array([first[k] for k in order]), period))
        else:
            kept = [c for c in frame.columns if c not in structure]
            parts.append(Part(frame.iloc[idx][kept].reset_index(drop=True), rows[idx], period))
    if duplicates:
        listing = "; ".join(f"'{k.lstrip(chr(0))}' × '{v}'" + (f" × {p.isoformat()}" if p else "") + f" ({a + 1}, {b + 1})"
                            for k, v, p, a, b in duplicates[:5])
        problems.append(Problem("long_duplicate", {"count": len(duplicates), "examples": listing},
                                file=file, row=duplicates[0][4] + 1, column=key))
    n_vars = sorted({c for part in parts for c in part.frame.columns if c not in labels})
    problems.append(Problem("table_long", {
        "variable": variable_col or "–", "period": period_col or "–", "value": value_col or "–",
        "indicators": len(n_vars), "periods": ", ".join(p.period.isoformat() for p in parts if p.period) or "–"},
        file=file, severity="notice"))
    if period_col and period_given:
        problems.append(Problem("table_period_ignored", {"column": period_col}, file=file, severity="notice"))
    return Shape("long", parts, structure, problems)


def _year_column(name: str) -> tuple[str, int] | None:
    for rx in _YEAR_IN_NAME:
        if m := rx.match(str(name).strip()):
            return m.group("stem").strip(" _-./"), int(m.group("year"))
    return None


def _wide(frame, *, labels, file, columns, period_given, decimal, missing_values, typed) -> Shape | None:
    if columns and all(c in frame.columns for c in columns):
        return None                                    # the columns were named as they are
    candidates = [c for c in frame.columns if c not in labels]
    years = {c: y for c in candidates if (y := _year_column(c))}
    if len({y for _, y in years.values()}) < 2:
        return None
    problems: list[Problem] = []
    fallback = slug(file.rsplit(".", 1)[0])
    parts = []
    rows = np.arange(len(frame))
    by_year: dict[int, dict[str, str]] = {}
    for c, (stem, year) in years.items():
        by_year.setdefault(year, {})[c] = stem or fallback
    for year in sorted(by_year):
        renamed = by_year[year]
        out = frame[labels + list(renamed)].rename(columns=renamed)
        parts.append(Part(out.reset_index(drop=True), rows, date(year, 12, 31),
                          {stem: col for col, stem in renamed.items()}))
    rest = [c for c in candidates if c not in years]
    numeric, _ = value_columns(frame[rest], exclude=set(), typed=typed, decimal=decimal,
                               missing_values=missing_values) if rest else ([], [])
    if numeric and period_given:
        parts.append(Part(frame[labels + numeric].reset_index(drop=True), rows, None))
    elif numeric:
        problems.append(Problem("table_columns_without_year", {"count": len(numeric), "columns": _names(numeric)},
                                file=file, severity="notice"))
    problems.append(Problem("table_wide_years", {
        "columns": _names(list(years)), "indicators": len({s for y in by_year.values() for s in y.values()}),
        "periods": ", ".join(f"{y}-12-31" for y in sorted(by_year))}, file=file, severity="notice"))
    return Shape("wide", parts, set(), problems)


def _names(columns: list[str], n: int = 8) -> str:
    return ", ".join(f"'{c}'" for c in columns[:n]) + (" …" if len(columns) > n else "")


# --------------------------------------------------------------------------- value columns

def id_like(column: str) -> bool:
    """Whether a column's name says it holds identifiers (``Nr``, ``PLR_ID``, ``Schlüssel``)."""
    words = normalise_name(column).split()
    return bool(words) and (words[0] in ID_WORDS or words[-1] in ID_WORDS or " ".join(words) in ID_WORDS)


def value_columns(frame: pd.DataFrame, *, exclude: set[str], typed: bool, decimal: str,
                  missing_values: set[str]) -> tuple[list[str], list[str]]:
    """The columns that hold numbers (mostly: placeholders aside, at least ``NUMERIC_SHARE`` of
    the filled cells) and are no identifiers; returns them and the other columns (not imported).
    A vector file's text columns never count (they were typed as text: keys, names, dates)."""
    values, others = [], []
    codes = PLACEHOLDERS | set(missing_values)
    for col in frame.columns:
        if col in exclude:
            continue
        series = frame[col]
        if id_like(col) or pd.api.types.is_bool_dtype(series.dtype):
            others.append(col)
            continue
        if pd.api.types.is_numeric_dtype(series.dtype):
            (values if series.notna().any() or not typed else others).append(col)
            continue
        if typed and not series.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool)).any():
            others.append(col)
            continue
        text = series.astype(object).where(series.notna(), "").map(lambda v: str(v).strip())
        filled = text[(text != "") & ~text.isin(codes)]
        if filled.empty:
            others.append(col)
            continue
        numbers, _ = parse_numeric(filled, column=col, file=None, decimal=decimal)
        ok = numbers.notna()
        zeros = filled[ok].str.fullmatch(r"0\d+").sum()        # "011": a key, not a number
        if ok.mean() >= NUMERIC_SHARE and zeros < max(1, ok.sum() / 2):
            values.append(col)
        else:
            others.append(col)
    return values, others


def text_columns(frame: pd.DataFrame, *, exclude: set[str], typed: bool) -> list[str]:
    """Columns that hold names or other text (to tell what a row without an area is)."""
    out = []
    for col in frame.columns:
        if col in exclude or pd.api.types.is_numeric_dtype(frame[col].dtype):
            continue
        text = frame[col].astype(object).where(frame[col].notna(), "").map(lambda v: str(v).strip())
        filled = text[text != ""]
        if filled.empty:
            continue
        if typed or (~filled.str.fullmatch(r"[\d\s.,%()+\-–/]*")).mean() >= 0.5:
            out.append(col)
    return out
