"""The one string catalogue: every text the app or the CLI shows, in German and English.

Strings live in ``locale/strings.toml`` as ``[key] de = "…" en = "…"`` with ``{name}``
placeholders; ``de_one``/``en_one`` give the singular for ``count == 1``. German is the default
language.
"""
from __future__ import annotations

import re

import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

from jmdiq_geo.config import UNDATED_EDITION

if TYPE_CHECKING:                        # errors imports this module; Problem is only a type here
    from jmdiq_geo.errors import Problem

LANGUAGES = ("de", "en")
DEFAULT_LANG = "de"
#: how each language writes a decimal number's mark and a date
DECIMAL_MARK = {"de": ",", "en": "."}
DATE_FORMAT = {"de": "%d.%m.%Y", "en": "%Y-%m-%d"}
_CATALOGUE = Path(__file__).parent / "locale" / "strings.toml"
_LANGUAGE_NAMES = Path(__file__).resolve().parent.parent / "data" / "services" / "languages.toml"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    with _CATALOGUE.open("rb") as fh:
        return tomllib.load(fh)


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in.

    An unknown key raises ``KeyError``: a missing string is a bug, caught by the catalogue test.
    """
    entry = catalogue()[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    if params.get("count") == 1:                 # the singular, where the catalogue has one
        text = entry.get(f"{lang}_one") or text
    return text.format(**params) if params else text


def t_or(key: str, fallback: str, lang: str = DEFAULT_LANG, **params) -> str:
    """Like ``t`` for keys built from user data (e.g. a service category someone imported):
    the fallback when the catalogue has no such key."""
    return t(key, lang, **params) if key in catalogue() else fallback


def class_label(classes: dict | None, code, lang: str = DEFAULT_LANG) -> str | None:
    """The label of a class code of a class indicator (``classes`` from its definition: code →
    label, or code → {"de": …, "en": …}); None for an unknown code."""
    entry = (classes or {}).get(str(code))
    if isinstance(entry, dict):
        return entry.get(lang) or entry.get(DEFAULT_LANG) or next(iter(entry.values()), None)
    return entry


def localized(record, lang: str = DEFAULT_LANG, field: str = "label") -> str:
    """``record``'s ``{field}_{lang}`` (``label_en``, ``reason_de`` …), the German one where the
    other language has none. ``record`` is a mapping, a pandas row or an object with attributes."""
    def get(key):
        value = record.get(key) if hasattr(record, "get") else getattr(record, key, None)
        return None if value is None or value != value else value   # None or NaN
    return get(f"{field}_{lang}") or get(f"{field}_{DEFAULT_LANG}") or ""


def localized_column(frame, lang: str = DEFAULT_LANG, field: str = "label"):
    """The column ``{field}_{lang}`` of ``frame``, German where the other language is missing."""
    column = frame[f"{field}_{DEFAULT_LANG}"]
    if lang != DEFAULT_LANG and f"{field}_{lang}" in frame:
        other = frame[f"{field}_{lang}"]
        column = other.where(other.notna() & (other.astype(str) != ""), column)
    return column


def format_date(value, lang: str = DEFAULT_LANG) -> str:
    """A date (or its ISO text) as the language writes it: ``31.12.2024`` in German."""
    if value is None or value == "" or value != value:
        return "–"
    return date.fromisoformat(str(value)[:10]).strftime(DATE_FORMAT[lang])


def format_edition(value, lang: str = DEFAULT_LANG) -> str:
    """A boundary edition's start as ``format_date`` writes it; "ohne Datum" for an edition
    given without a date (``config.UNDATED_EDITION``: valid at every period)."""
    if value is not None and str(value)[:10] == UNDATED_EDITION:
        return t("edition_undated", lang)
    return format_date(value, lang)


def format_editions(text: str | None, lang: str = DEFAULT_LANG) -> str:
    """A list of editions' starts as the store gives them (``"1900-01-01, 2021-01-01"``), each
    as ``format_edition`` writes it; "–" for none."""
    if not text or text != text:
        return "–"
    return ", ".join(format_edition(part.strip(), lang) for part in str(text).split(","))


def format_number(value: float | int | None, lang: str = DEFAULT_LANG, *, digits: int = 1) -> str:
    """A number as people read it: ``1.234,5`` in German, ``1,234.5`` in English."""
    if value is None or value != value:  # None or NaN
        return t("no_value", lang)
    text = f"{value:,.{digits}f}"
    if lang == "de":
        text = text.replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    return text


def _yes_no(value, lang: str) -> str:
    """``ja``/``nein``; "–" for a missing value (None, NaN, pandas' NA: no truth value)."""
    try:
        missing = value is None or bool(value != value)
        return "–" if missing else (t("yes", lang) if bool(value) else t("no", lang))
    except TypeError:
        return "–"


def readable(frame, lang: str = DEFAULT_LANG):
    """``frame`` for people: missing texts as "–" (not "None"), yes/no in words."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if series.dtype == bool or str(series.dtype) == "boolean":         # also nullable (missing: "–")
            out[col] = [_yes_no(v, lang) for v in series.astype(object)]
        elif series.dtype == object or str(series.dtype) in ("str", "string"):
            values = series.astype(object).map(lambda v: _yes_no(v, lang) if isinstance(v, bool) else v)
            out[col] = values.where(values.notna(), "–")
    return out


def number_styler(frame, lang: str = DEFAULT_LANG, digits: int | dict[str, int] = 2):
    """A pandas ``Styler`` of ``frame`` whose numbers read as in ``lang`` (``1.234,5`` in German,
    ``1,234.5`` in English) with ``digits`` decimals (one count for all, or per column; 2 by
    default). Only what is shown changes: the values, and so sorting, stay numbers."""
    decimal = DECIMAL_MARK[lang]
    thousands = "." if decimal == "," else ","
    frame = readable(frame, lang)
    styler = frame.style.hide(axis="index")
    for col in frame.select_dtypes("number").columns:
        places = digits.get(col, 2) if isinstance(digits, dict) else digits
        styler = styler.format(precision=places, decimal=decimal, thousands=thousands,
                               na_rep=t("no_value", lang), subset=[col])
    return styler


#: the Markdown that could fetch, link or run something: links and images need ``[``, HTML needs
#: ``<``, Streamlit's directives (``:red[…]``) a bracket too, code a backtick, formulas ``$``.
#: Emphasis characters stay: a name with an underscore only looks different, it does nothing.
_MARKDOWN_MARKUP = re.compile(r"([\\`\[\]<>!$])")


def markdown_safe(text) -> str:
    """``text`` (a user's or a file's string) as Markdown that shows it literally: every markup
    character backslash-escaped, line breaks as spaces - no link, image, HTML or formatting can
    come from it. Used wherever such a string goes into Markdown (Streamlit's text elements)."""
    return _MARKDOWN_MARKUP.sub(r"\\\1", " ".join(str(text).splitlines()))


#: a value quoted in a message (a cell, a column name, a file name) is cut to this many
#: characters: a 200 KB cell must not make a 200 KB message
VALUE_SHOWN = 200
#: a list of problems shows this many, then "… and N more"
PROBLEMS_SHOWN = 20


def clip(value, n: int = VALUE_SHOWN):
    """``value`` cut to ``n`` characters (ending in "…") when it is text; other values as
    they are."""
    if isinstance(value, str) and len(value) > n:
        return value[:n - 1] + "…"
    return value


def format_problems(problems, lang: str = DEFAULT_LANG, *, limit: int = PROBLEMS_SHOWN,
                    fields: dict[str, str] | None = None, escape=None) -> list[str]:
    """The lines of a list of problems as every list shows them: at most ``limit``, then one
    line "… und N weitere" / "… and N more" (a refusal with thousands of problems stays
    readable)."""
    problems = list(problems)
    lines = [format_problem(p, lang, fields=fields, escape=escape) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(t("problems_more", lang, count=len(problems) - limit))
    return lines


def format_problem(problem: Problem, lang: str = DEFAULT_LANG, *, fields: dict[str, str] | None = None,
                   escape=None) -> str:
    """``Datei x.csv, Zeile 4, Spalte „S1“: <what is wrong and what to do>``.

    ``fields``: for problems of a form (codes ``form_…``), the labels of its fields by id, so a
    message names the field as the form does (``Feld „Name“``), not the stored column. Every
    value quoted is cut to ``VALUE_SHOWN`` characters (``clip``). ``escape``: applied to every
    value from outside (parameters, file, column), e.g. ``markdown_safe`` for the app's messages."""
    esc = escape or (lambda v: v)
    params = {k: clip(v) for k, v in problem.params.items()}
    column = clip(problem.column)
    form = bool(fields) and problem.code.startswith("form_")
    if form:
        params = {k: (fields.get(v, v) if k == "field" and isinstance(v, str) else v) for k, v in params.items()}
    params = {k: esc(v) if isinstance(v, str) else v for k, v in params.items()}
    where = []
    if problem.file:
        where.append(t("loc_file", lang, file=esc(clip(problem.file))))
    if problem.row is not None:
        where.append(t("loc_row", lang, row=problem.row))
    if column:
        where.append(t("loc_field", lang, field=esc(fields.get(column, column))) if form
                     else t("loc_column", lang, column=esc(column)))
    message = t(f"err_{problem.code}", lang, **params)
    return (", ".join(where) + ": " + message) if where else message


@lru_cache(maxsize=1)
def language_names() -> dict[str, dict[str, str]]:
    """ISO 639-1 code → {"de": name, "en": name} for the languages the app names
    (``data/services/languages.toml``)."""
    with _LANGUAGE_NAMES.open("rb") as fh:
        return tomllib.load(fh)["languages"]


def language_label(code: str, lang: str) -> str:
    """A language's name in ``lang`` with its code, e.g. ``Arabisch (ar)``; the code alone when unknown."""
    names = language_names().get(code)
    return f"{names[lang]} ({code})" if names else code
