"""The catalogues the app and the CLI choose from: qualification rule sets, composite-index
definitions (shipped with the app, saved in the workspace, or given as a file) and personas
for walking access. Reading and checking the files is ``io.rulesets``, ``io.indexdefs`` and
``io.catalogues``; this is the one door to them above ``io``."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from jmdiq_geo.analysis.index import IndexDef
from jmdiq_geo.analysis.rules import RuleSet
from jmdiq_geo.errors import JmdiqError
from jmdiq_geo.io.catalogues import load_persona, preset_personas
from jmdiq_geo.io.indexdefs import load_index_file, shipped_indices
from jmdiq_geo.io.rulesets import load_ruleset, shipped_rulesets
from jmdiq_geo.services.definitions import stored_index, stored_indices
from jmdiq_geo.store.workspace import Workspace

__all__ = ["load_persona", "preset_personas", "rule_set_names", "shipped_rule_set", "shipped_rule_sets",
           "rule_set", "index_definition", "usable_indices"]


# --------------------------------------------------------------------------- rule sets

def rule_set_names() -> list[str]:
    """The rule sets shipped in ``data/rules/`` (file stems, sorted)."""
    return list(shipped_rulesets())


def shipped_rule_set(name: str) -> RuleSet:
    """One shipped rule set (KeyError for a name that is not shipped)."""
    return load_ruleset(shipped_rulesets()[name])


def shipped_rule_sets() -> dict[str, RuleSet]:
    """Every shipped rule set, read and checked (name → rule set)."""
    return {k: load_ruleset(p) for k, p in shipped_rulesets().items()}


def rule_set(name_or_path: str | Path) -> RuleSet:
    """A shipped rule set by its name, or else the rule set in the file ``name_or_path``."""
    return load_ruleset(shipped_rulesets().get(name_or_path, Path(name_or_path)))


# --------------------------------------------------------------------------- index definitions

def index_definition(ws: Workspace, name: str) -> IndexDef:
    """A definition saved in the workspace, else a shipped one, else the file ``name``
    (checked against the workspace's indicators)."""
    stored = stored_index(ws, name)
    if stored is not None:
        return stored
    path = shipped_indices().get(name) or Path(name)
    return load_index_file(path, known_indicators=ws.indicator_ids())


def usable_indices(ws: Workspace, *, on_unusable: Callable[[JmdiqError], None]) -> dict[str, IndexDef]:
    """The shipped definitions (``data/indices/*.toml``) this workspace's data can serve, then
    the ones saved in the workspace (id → definition). A shipped definition the data cannot
    serve is handed to ``on_unusable`` and left out."""
    out: dict[str, IndexDef] = {}
    for name, path in shipped_indices().items():
        try:
            out[name] = load_index_file(path, known_indicators=ws.indicator_ids())
        except JmdiqError as exc:        # a definition this city's data cannot serve
            on_unusable(exc)
    out.update(stored_indices(ws))
    return out
