"""Join rows to areas by key or by name, always with a report of both sides.

Name matching normalises case, umlauts and ß, hyphens and dashes, ``&``/``und``, punctuation
and whitespace, so ``Neukölln-Nord`` matches ``NEUKOELLN NORD``. A name that normalises to two
areas is ambiguous and never guessed. Keys may match as numbers (``11`` or ``11.0`` ↔ ``"011"``).
Rows that match no area are classified (``classify_unmatched``): totals (the city, "insgesamt",
an area of a higher level), merged areas ("X und Y") and the rest.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_DASHES = re.compile(r"[-‐‑‒–—_/]+")
_PUNCT = re.compile(r"[^\w\s]")


def normalise_name(name: str) -> str:
    text = str(name).strip().lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("&", " und ")
    text = _DASHES.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    text = re.sub(r"\bstr\b", "strasse", text)
    return " ".join(text.split())


@dataclass
class JoinReport:
    """What matched and what did not, on both sides (never a silent drop)."""

    by: str  # "key" or "name"
    matched: int
    table_unmatched: list[str] = field(default_factory=list)
    areas_unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    #: table value -> area_id for every matched row
    mapping: dict[str, str] = field(default_factory=dict)
    #: keys matched as numbers: (table key, area id), e.g. ("11", "011")
    as_numbers: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = {"by": self.by, "matched": self.matched, "table_unmatched": self.table_unmatched,
               "areas_unmatched": self.areas_unmatched, "ambiguous": self.ambiguous}
        if self.as_numbers:
            out["as_numbers"] = [list(pair) for pair in self.as_numbers]
        return out


_INTEGER = re.compile(r"^\d+(?:\.0+)?$")


def key_number(key: str) -> int | None:
    """The integer a key spells (``"011"``, ``"11"``, ``"11.0"`` → 11), or None."""
    text = str(key).strip()
    return int(text.split(".")[0]) if _INTEGER.match(text) else None


def match_keys(table_keys: list[str], area_ids: list[str], *, numeric: bool = False) -> JoinReport:
    """Keys equal to area ids; with ``numeric``, a key that matches no id as text matches the one
    id that spells the same integer (``11`` or ``11.0`` ↔ ``"011"``); two such ids: ambiguous."""
    areas = set(area_ids)
    uniq = list(dict.fromkeys(table_keys))
    mapping = {k: k for k in uniq if k in areas}
    ambiguous, as_numbers = [], []
    if numeric and len(mapping) < len(uniq):
        by_number: dict[int, list[str]] = {}
        for a in area_ids:
            if (n := key_number(a)) is not None:
                by_number.setdefault(n, []).append(a)
        for k in uniq:
            if k in mapping or (n := key_number(k)) is None or n not in by_number:
                continue
            hits = by_number[n]
            if len(hits) == 1:
                mapping[k] = hits[0]
                as_numbers.append((k, hits[0]))
            else:
                ambiguous.append(k)
    taken = set(ambiguous)
    return JoinReport("key", len(mapping), [k for k in uniq if k not in mapping and k not in taken],
                      sorted(areas - set(mapping.values())), ambiguous, mapping, as_numbers)


def match_names(table_names: list[str], areas: dict[str, str]) -> JoinReport:
    """``areas`` maps area_id -> name."""
    index: dict[str, list[str]] = {}
    for area_id, name in areas.items():
        index.setdefault(normalise_name(name), []).append(area_id)
    mapping, unmatched, ambiguous = {}, [], []
    for name in dict.fromkeys(table_names):
        hits = index.get(normalise_name(name), [])
        if len(hits) == 1:
            mapping[name] = hits[0]
        elif hits:
            ambiguous.append(name)
        else:
            unmatched.append(name)
    used = set(mapping.values())
    return JoinReport("name", len(mapping), unmatched, sorted(set(areas) - used), ambiguous, mapping)


# --------------------------------------------------------------------------- rows without an area

#: words that make a row a total, not an area ("Dortmund insgesamt", "Summe", "Stadt gesamt")
AGGREGATE_WORDS = frozenset({"insgesamt", "insg", "summe", "gesamt", "gesamtstadt", "stadt", "stadtgebiet",
                             "zusammen", "total", "totals", "sum"})
_SEPARATORS = (re.compile(r"\s+(?:und|u\.)\s+", re.IGNORECASE), re.compile(r"\s*/\s*"), re.compile(r"\s*;\s*"),
               re.compile(r"\s*,\s*"), re.compile(r"\s*&\s*"), re.compile(r"\s*\+\s*"))


@dataclass
class UnmatchedRows:
    """What the rows that match no area of the level are (by their position in the list given)."""

    #: totals of an area on a higher level: row -> (level, area_id)
    upper: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: totals without an area (the city, "insgesamt")
    totals: list[int] = field(default_factory=list)
    #: two or more areas of the level together: row -> their area ids
    merged: dict[int, list[str]] = field(default_factory=dict)
    #: the rest: no area, no total
    other: list[int] = field(default_factory=list)


def classify_unmatched(rows: list[tuple[str, list[str]]], *, by: str, level_areas: dict[str, str],
                       upper_levels: list[tuple[str, dict[str, str]]], city: str | None) -> UnmatchedRows:
    """Classify rows that match no area of the level: each a (label, other texts) pair, the label
    being the row's key (``by="key"``) or name, the texts its other text cells (e.g. a name
    beside the key). ``level_areas`` and each of ``upper_levels`` (lowest first) map area_id ->
    name; ``city`` is the workspace's city name (a row naming it is the city total)."""
    out = UnmatchedRows()
    city_norm = normalise_name(city) if city else None
    as_key = by == "key"
    numbers: dict[int, list[str]] = {}
    for a in level_areas:
        if (n := key_number(a)) is not None:
            numbers.setdefault(n, []).append(a)
    names: dict[str, list[str]] = {}
    for a, name in level_areas.items():
        names.setdefault(normalise_name(name), []).append(a)

    def upper_area(text: str, key: bool) -> tuple[str, str] | None:
        text = str(text).strip()
        if not text:
            return None
        norm = normalise_name(text)
        stripped = " ".join(w for w in norm.split() if w not in AGGREGATE_WORDS)
        for level, areas in upper_levels:
            if key:
                n = key_number(text)
                hits = [text] if text in areas else [a for a in areas if n is not None and key_number(a) == n]
            else:
                hits = [a for a, name in areas.items() if norm and normalise_name(name) in (norm, stripped)]
            if len(hits) == 1:
                return level, hits[0]
        return None

    def is_total(text: str) -> bool:
        norm = normalise_name(text)
        return bool(norm) and (bool(set(norm.split()) & AGGREGATE_WORDS)
                               or (city_norm is not None and f" {city_norm} " in f" {norm} "))

    def level_area(part: str, key: bool) -> str | None:
        if key:
            n = key_number(part)
            hits = [part] if part in level_areas else numbers.get(n, []) if n is not None else []
        else:
            hits = names.get(normalise_name(part), [])
        return hits[0] if len(hits) == 1 else None

    def merged(text: str, key: bool) -> list[str] | None:
        for sep in _SEPARATORS:
            parts = [x for x in sep.split(str(text).strip()) if x]
            if len(parts) >= 2:
                found = [level_area(x, key) for x in parts]
                if all(found) and len(set(found)) == len(found):
                    return found
        return None

    for i, (label, texts) in enumerate(rows):
        label = str(label).strip()
        others = [t for t in texts if t and t != label]
        hit = upper_area(label, as_key) or next((u for t in others if (u := upper_area(t, False))), None)
        together = (merged(label, as_key) if label else None) or next(
            (m for t in others if (m := merged(t, False))), None)
        if hit:
            out.upper[i] = hit
        elif (label and is_total(label)) or any(is_total(t) for t in others):
            out.totals.append(i)
        elif together:
            out.merged[i] = together
        else:
            out.other.append(i)
    return out
