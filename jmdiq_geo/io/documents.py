"""Dataclasses from TOML/JSON documents, with every unknown or missing field reported."""
from __future__ import annotations

from dataclasses import fields

from jmdiq_geo.errors import Problem


def build(cls, raw: dict, where: str, problems: list[Problem]):
    """``cls(**raw)``; unknown fields and missing required ones are added to ``problems`` (and
    None is returned when the record cannot be built)."""
    allowed = {f.name for f in fields(cls)}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        problems.append(Problem("manifest_unknown_field", {"fields": ", ".join(unknown), "where": where,
                                                           "allowed": ", ".join(sorted(allowed))}))
    try:
        return cls(**{k: v for k, v in raw.items() if k in allowed})
    except TypeError as exc:
        problems.append(Problem("manifest_bad_entry", {"where": where, "reason": str(exc)}))
        return None
