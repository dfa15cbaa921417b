"""Dataclasses from TOML/JSON documents, with every unknown or missing field reported."""
from __future__ import annotations

from dataclasses import MISSING, fields

from jmdiq_geo.errors import Problem


def build(cls, raw: dict, where: str, problems: list[Problem], *, drop: set[str] = frozenset()):
    """``cls(**raw)``; unknown fields and missing required ones are added to ``problems`` (and
    None is returned when the record cannot be built). ``drop``: fields the caller reads itself
    (allowed, not passed on)."""
    allowed = {f.name for f in fields(cls)}
    options = {k: v for k, v in raw.items() if k not in drop}
    unknown = sorted(set(options) - allowed)
    if unknown:
        problems.append(Problem("manifest_unknown_field", {"fields": ", ".join(unknown), "where": where,
                                                           "allowed": ", ".join(sorted(allowed | drop))}))
    options = {k: v for k, v in options.items() if k in allowed}
    missing = [f.name for f in fields(cls) if f.init and f.name not in options
               and f.default is MISSING and f.default_factory is MISSING]
    if missing:                        # named in the reader's language (Python's TypeError is English)
        problems.append(Problem("manifest_missing_field", {"fields": ", ".join(missing), "where": where}))
        return None
    try:
        return cls(**options)
    except TypeError as exc:           # a check of the record's own (``__post_init__``)
        problems.append(Problem("manifest_bad_entry", {"where": where, "reason": str(exc)}))
        return None
