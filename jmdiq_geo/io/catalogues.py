"""Catalogues shipped with the package or given by the user: OSM tag → category, personas.

Reading files lives here; the vocabulary they are checked against (``Persona``, parsing,
``fits``) is pure and lives in ``analysis.attributes``.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from jmdiq_geo.analysis.attributes import Persona, make_persona
from jmdiq_geo.config import REPO_ROOT
from jmdiq_geo.errors import InputError, Problem

OSM_CATEGORIES_FILE = REPO_ROOT / "data" / "services" / "osm_categories.toml"
OSM_BARRIERS_FILE = REPO_ROOT / "data" / "barriers" / "osm_barriers.toml"
PERSONAS_DIR = REPO_ROOT / "data" / "personas"
OSM_CONTEXT_FILE = REPO_ROOT / "data" / "context" / "osm_context.toml"


@lru_cache(maxsize=1)
def osm_categories() -> dict[str, dict[str, str]]:
    """OSM key → {tag value → category} (``data/services/osm_categories.toml``)."""
    with open(OSM_CATEGORIES_FILE, "rb") as f:
        return tomllib.load(f)["tags"]


@lru_cache(maxsize=1)
def osm_barriers() -> dict[str, dict[str, list[str]]]:
    """Barrier kind → {OSM key → tag values} (``data/barriers/osm_barriers.toml``)."""
    with open(OSM_BARRIERS_FILE, "rb") as f:
        return tomllib.load(f)


@lru_cache(maxsize=1)
def osm_context() -> dict[str, dict[str, list[str]]]:
    """Context layer → {OSM key → tag values} (``data/context/osm_context.toml``)."""
    with open(OSM_CONTEXT_FILE, "rb") as f:
        return tomllib.load(f)


def load_persona(path: Path | str) -> Persona:
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise InputError(Problem("persona_unreadable", {"detail": str(e)}, file=path.name)) from None
    return make_persona(data.get("persona", data), file=path.name)


def preset_personas() -> dict[str, Persona]:
    """The personas shipped in ``data/personas/`` (file stem → persona)."""
    return {p.stem: load_persona(p) for p in sorted(PERSONAS_DIR.glob("*.toml"))}
