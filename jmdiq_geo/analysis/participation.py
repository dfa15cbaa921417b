"""Participation (issue 18), the pure part: screening a comment for personal data, putting pins
into grid cells or areas, and counting them so that nothing can point at one young person.

The one rule of the results: a place (a grid cell or an area) and a category appear only where
at least ``k`` DIFFERENT participants pinned that category there (``k`` never below 3). A filter
(age band, newcomer) applies the same rule to the filtered group, and also to the rest of the
cell's participants, so that "all minus filtered" cannot reveal one or two people either.

Complementary counts (``complementary_shown``): the groups of one filter (the age bands with "no
answer", or newcomer yes / no / no answer) split a whole (a place's participants, or the
session's). Showing a group only where it has at least k is not enough: with 3 + 3 + 1 the two
groups of three are shown, and the whole minus them reveals the one. So the groups not shown
must add up to none or at least k; while they do not, the smallest shown group is withheld too.
The same rule applies to the session's totals of a group (its participants beside the total).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

MIN_K = 3

# --------------------------------------------------------------------------- screening

_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*[\w-]+)+", re.I)
#: a run of digits with the separators people type (+49 151 234 56 78, 0151/2345678, 030-123 45)
_PHONE = re.compile(r"(?:\+|\b00)?\d[\d\s/().\-]{4,}\d")
_HANDLE = re.compile(r"(?<![\w.])@[A-Za-z0-9_.]{3,}")
#: a street name with a house number (Musterstraße 12, Am Ring 5a, Hauptstr. 3)
_STREET = re.compile(r"\b[\wäöüßÄÖÜ.-]*(?:straße|strasse|str\.|weg|platz|allee|gasse|damm|ring|ufer|chaussee|"
                     r"steig|pfad|promenade|sokak|sokağı|caddesi|вулиця|street|road|avenue)\s*\d{1,4}\s?[a-zA-Z]?\b",
                     re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def screen_comment(text: str, *, first_names: frozenset[str] = frozenset(),
                   name_cues: tuple[str, ...] = ()) -> list[str]:
    """Why a comment may hold personal data: a subset of ``email``, ``phone``, ``address``,
    ``name`` (empty: nothing found). A heuristic - every comment is moderated anyway."""
    flags = []
    if _EMAIL.search(text):
        flags.append("email")
    if any(sum(c.isdigit() for c in m.group(0)) >= 6 for m in _PHONE.finditer(text)):
        flags.append("phone")
    if _STREET.search(text):
        flags.append("address")
    if _HANDLE.search(_EMAIL.sub(" ", text)) or _has_name(text, first_names, name_cues):
        flags.append("name")
    return flags


def _has_name(text: str, first_names: frozenset[str], name_cues: tuple[str, ...]) -> bool:
    words = _WORD.findall(text)
    if any(w in first_names for w in words):
        return True
    low = text.lower()
    for cue in name_cues:
        for m in re.finditer(r"(?<!\w)" + re.escape(cue.lower()) + r"(?!\w)\s+(\S+)", low):
            start = m.start(1)
            following = text[start:start + len(m.group(1))]
            first = following[:1]
            # a capitalised word, or any word of a script without capitals (Arabic)
            if first.isupper() or (first.isalpha() and first.upper() == first.lower()):
                return True
    return False


# --------------------------------------------------------------------------- places

def grid_cells(x: pd.Series, y: pd.Series, size: float) -> pd.Series:
    """The id of the ``size`` metre cell (aligned to the work CRS's origin) of each point:
    ``<size>m_<x0>_<y0>`` with the cell's lower left corner."""
    x0 = (np.floor(x.to_numpy(float) / size) * size).astype(np.int64)
    y0 = (np.floor(y.to_numpy(float) / size) * size).astype(np.int64)
    return pd.Series([f"{int(size)}m_{a}_{b}" for a, b in zip(x0, y0)], index=x.index, dtype=object)


def cell_corner(cell_id: str) -> tuple[float, float, float]:
    """(x0, y0, size) of a cell id made by ``grid_cells``."""
    size, x0, y0 = cell_id.split("_")
    return float(x0), float(y0), float(size.rstrip("m"))


# --------------------------------------------------------------------------- counting

def complementary_shown(counts, k: int) -> list[bool]:
    """Which parts of a whole may be shown (``counts``: the parts' sizes, e.g. participants per
    age band): a part is shown only with none or at least ``k``, and the parts withheld must add
    up to none or at least ``k`` - else the whole minus the shown parts would reveal them; while
    they do not, the smallest shown part is withheld as well."""
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    sizes = [int(c) for c in counts]
    shown = [c == 0 or c >= k for c in sizes]
    while 0 < sum(c for c, s in zip(sizes, shown) if not s) < k:
        candidates = [(c, i) for i, (c, s) in enumerate(zip(sizes, shown)) if s and c > 0]
        if not candidates:          # the whole is below k: nothing of it is shown anyway
            break
        shown[min(candidates)[1]] = False
    return shown


def count_places(pins: pd.DataFrame, *, k: int, group: str | None = None) -> pd.DataFrame:
    """Per place and category: the number of different participants and of pins, only where at
    least ``k`` different participants pinned it (``pins``: columns ``place``, ``category``,
    ``participant``). With ``group`` (a value of the column ``group`` of ``pins``: each
    participant's age band, or newcomer answer, "na" for none), the counts are of that group,
    shown only where the groups of that place and category pass ``complementary_shown``: the
    group has at least ``k`` there, and the groups withheld add up to none or at least ``k``.

    Returns columns place, category, participants, pins (sorted); nothing below ``k``."""
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}")
    columns = ["place", "category", "participants", "pins"]
    if pins.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object if c in ("place", "category") else "int64")
                             for c in columns})
    if group is None:
        counts = (pins.groupby(["place", "category"])
                  .agg(participants=("participant", "nunique"), pins=("participant", "size")).reset_index())
        shown = counts["participants"] >= k
    else:
        per_group = (pins.groupby(["place", "category", "group"])
                     .agg(participants=("participant", "nunique"), pins=("participant", "size")).reset_index())
        keep = []
        for _, part in per_group.groupby(["place", "category"], sort=False):
            flags = complementary_shown(part["participants"], k)
            keep += [i for i, f, g in zip(part.index, flags, part["group"]) if f and g == group]
        counts = per_group.loc[keep].drop(columns="group")
        shown = counts["participants"] >= k
    out = counts[shown].sort_values(["category", "place"]).reset_index(drop=True)
    out["participants"] = out["participants"].astype("int64")
    out["pins"] = out["pins"].astype("int64")
    return out[columns]
