"""The categories of the team's activity log, read from ``data/activity/impuls_strukturdaten.toml``
(their words follow the structure data of "JMD i-mpuls"; see the file for the source)."""
from __future__ import annotations

import tomllib
from functools import lru_cache

from jmdiq_geo.config import REPO_ROOT
from jmdiq_geo.errors import InputError, Problem

ACTIVITY_CATEGORIES_FILE = REPO_ROOT / "data" / "activity" / "impuls_strukturdaten.toml"


@lru_cache(maxsize=1)
def activity_catalogue() -> dict:
    """``{"meta": {...}, "category": [{"id", "de", "en"}, ...]}``; a category without id or German
    label, or an id twice, is an ``InputError`` naming the file."""
    path = ACTIVITY_CATEGORIES_FILE
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InputError(Problem("activity_catalogue_unreadable", {"detail": str(e)}, file=path.name)) from None
    cats = data.get("category", [])
    ids = [c.get("id") for c in cats]
    if not cats or any(not c.get("id") or not c.get("de") for c in cats) or len(set(ids)) != len(ids):
        raise InputError(Problem("activity_catalogue_unreadable", {"detail": "category: id, de"}, file=path.name))
    return data
