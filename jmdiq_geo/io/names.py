"""Join rows to areas by key or by name, always with a report of both sides.

Name matching normalises case, umlauts and ß, hyphens and dashes, ``&``/``und``, punctuation
and whitespace, so ``Neukölln-Nord`` matches ``NEUKOELLN NORD``. A name that normalises to two
areas is ambiguous and never guessed.
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

    def as_dict(self) -> dict:
        return {"by": self.by, "matched": self.matched, "table_unmatched": self.table_unmatched,
                "areas_unmatched": self.areas_unmatched, "ambiguous": self.ambiguous}


def match_keys(table_keys: list[str], area_ids: list[str]) -> JoinReport:
    areas = set(area_ids)
    uniq = list(dict.fromkeys(table_keys))
    mapping = {k: k for k in uniq if k in areas}
    return JoinReport("key", len(mapping), [k for k in uniq if k not in areas],
                      sorted(areas - set(mapping)), [], mapping)


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
