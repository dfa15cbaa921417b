"""The participation method's data files (``data/participation/``): the default categories of a
session and the hints of the comment screening."""
from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from jmdiq_geo.config import REPO_ROOT
from jmdiq_geo.errors import InputError, Problem

FOLDER = REPO_ROOT / "data" / "participation"
#: the languages of the participant page (simple German first)
PAGE_LANGUAGES = ("de", "en", "ar", "uk", "tr")
_ID = re.compile(r"^[a-z0-9_]{1,32}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def check_categories(categories: list[dict], *, file: str | None = None) -> list[dict]:
    """Categories as a session keeps them: ``id`` (a-z, 0-9, _), ``colour`` (#rrggbb) and a label
    per language (German required, at most 80 characters each); 1 to 8 of them, ids unique."""
    problems = []
    if not 1 <= len(categories) <= 8:
        problems.append(Problem("participation_categories_count", {"n": len(categories)}, file=file))
    seen, out = set(), []
    for i, cat in enumerate(categories, start=1):
        cid = str(cat.get("id") or "").strip()
        if not _ID.match(cid) or cid in seen:
            problems.append(Problem("participation_category_id", {"id": cid}, file=file, row=i))
        seen.add(cid)
        colour = str(cat.get("colour") or "#666666").strip()
        if not _COLOUR.match(colour):
            problems.append(Problem("participation_category_colour", {"colour": colour}, file=file, row=i))
        labels = {lang: " ".join(str(cat.get(lang) or "").split()) for lang in PAGE_LANGUAGES}
        if not labels["de"] or any(len(v) > 80 for v in labels.values()):
            problems.append(Problem("participation_category_label", {"id": cid}, file=file, row=i))
        out.append({"id": cid, "colour": colour, **{k: v for k, v in labels.items() if v}})
    if problems:
        raise InputError(problems)
    return out


@lru_cache(maxsize=1)
def default_categories() -> tuple[dict, ...]:
    path = FOLDER / "categories.toml"
    with path.open("rb") as fh:
        return tuple(check_categories(tomllib.load(fh).get("category", []), file=path.name))


@lru_cache(maxsize=1)
def screening_hints() -> tuple[frozenset[str], tuple[str, ...]]:
    """(first names, name cues) of the comment screening."""
    with (FOLDER / "screening.toml").open("rb") as fh:
        doc = tomllib.load(fh)
    return frozenset(doc.get("first_names", [])), tuple(doc.get("name_cues", []))


def read_categories_file(path: Path | str) -> list[dict]:
    """Categories from a TOML file shaped like ``data/participation/categories.toml``."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(Problem("participation_categories_file", {"reason": str(exc)[:200]}, file=path.name)) from None
    return check_categories(doc.get("category", []), file=path.name)
