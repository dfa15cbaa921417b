"""The catalogues the app and the CLI choose from: qualification rule sets, composite-index
definitions (shipped with the app, saved in the workspace, or given as a file) and personas
for walking access. Reading and checking the files is ``io.rulesets``, ``io.indexdefs`` and
``io.catalogues``; this is the one door to them above ``io``."""
from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Callable

from jmdiq_geo.analysis.index import IndexDef
from jmdiq_geo.analysis.roles import ROLES, role_label
from jmdiq_geo.analysis.rules import RuleSet
from jmdiq_geo.errors import JmdiqError, Problem, SchemaError
from jmdiq_geo.io.catalogues import load_persona, preset_personas
from jmdiq_geo.io.indexdefs import index_from_dict, read_index_doc, shipped_indices
from jmdiq_geo.io.rulesets import load_ruleset, ruleset_from_dict, shipped_rulesets
from jmdiq_geo.services.definitions import save_index, stored_index, stored_indices
from jmdiq_geo.services.roles import indicator_roles
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize

__all__ = ["load_persona", "preset_personas", "rule_set_names", "shipped_rule_set", "shipped_rule_sets",
           "rule_set", "rule_set_from_text", "stored_rule_sets", "store_rule_set", "remove_rule_set",
           "check_rule_sets", "rule_set_for", "rule_set_text", "index_definition", "store_index_file", "usable_indices"]


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


# --------------------------------------------------------------------------- rule sets of a workspace

#: the meta entry that keeps uploaded rule sets: JSON, rule-set id → the file's TOML text
_META_RULESETS = "rulesets"
#: the key of a stored rule set among the shipped ones (no clash with a shipped file's stem)
STORED_PREFIX = "ws:"


def _text(data: str | bytes, file: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SchemaError(Problem("ruleset_encoding", {}, file=file)) from None


def rule_set_from_text(data: str | bytes, *, file: str = "regelwerk.toml") -> RuleSet:
    """A rule set from a TOML text or an uploaded file's bytes (UTF-8), checked as a shipped one is."""
    text = _text(data, file)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(Problem("ruleset_syntax", {"reason": str(exc)}, file=file)) from None
    return ruleset_from_dict(doc, file=file)


def _stored_texts(ws: Workspace) -> dict[str, str]:
    try:
        docs = json.loads(ws.meta().get(_META_RULESETS) or "{}")
    except json.JSONDecodeError:
        docs = {}
    return docs if isinstance(docs, dict) else {}


def stored_rule_sets(ws: Workspace, *, on_unusable: Callable[[JmdiqError], None] | None = None) -> dict[str, RuleSet]:
    """The rule sets uploaded into this workspace (``ws:<id>`` → rule set). One that no longer
    reads (a newer app) goes to ``on_unusable`` and is left out."""
    out: dict[str, RuleSet] = {}
    for rid, text in _stored_texts(ws).items():
        try:
            out[STORED_PREFIX + rid] = rule_set_from_text(text, file=f"{rid}.toml")
        except JmdiqError as exc:
            if on_unusable:
                on_unusable(exc)
    return out


def store_rule_set(ws: Workspace, data: str | bytes, *, file: str = "regelwerk.toml") -> tuple[str, RuleSet]:
    """Check a rule-set file and keep it in the workspace (one with the same id is replaced);
    returns its key among ``check_rule_sets`` and the rule set."""
    authorize("configure")
    text = _text(data, file)
    ruleset = rule_set_from_text(text, file=file)
    texts = _stored_texts(ws)
    texts[ruleset.id] = text
    with ws.transaction():
        ws.set_meta(**{_META_RULESETS: json.dumps(texts, ensure_ascii=False)})
    return STORED_PREFIX + ruleset.id, ruleset


def remove_rule_set(ws: Workspace, key: str) -> None:
    """Forget a stored rule set (by its key or its id); an unknown one changes nothing."""
    authorize("configure")
    texts = _stored_texts(ws)
    if texts.pop(key.removeprefix(STORED_PREFIX), None) is not None:
        with ws.transaction():
            ws.set_meta(**{_META_RULESETS: json.dumps(texts, ensure_ascii=False)})


def check_rule_sets(ws: Workspace, *, on_unusable: Callable[[JmdiqError], None] | None = None) -> dict[str, RuleSet]:
    """What a quarter can be checked against: the shipped rule sets, then the workspace's own."""
    return {**shipped_rule_sets(), **stored_rule_sets(ws, on_unusable=on_unusable)}


def rule_set_text(ws: Workspace, key: str) -> str:
    """The TOML text of a rule set among ``check_rule_sets`` (a shipped file's, or the one
    uploaded or saved into the workspace): what the app's editor starts from."""
    if key.startswith(STORED_PREFIX):
        return _stored_texts(ws)[key.removeprefix(STORED_PREFIX)]
    return shipped_rulesets()[key].read_text(encoding="utf-8")


def rule_set_for(ws: Workspace, name: str) -> RuleSet:
    """A rule set by its key among ``check_rule_sets`` (a shipped name, or the id of one uploaded
    into the workspace, with or without ``ws:``), else the rule set in the file ``name``."""
    shipped = shipped_rulesets()
    if name in shipped:
        return load_ruleset(shipped[name])
    stored = stored_rule_sets(ws)
    for key in (name, STORED_PREFIX + name):
        if key in stored:
            return stored[key]
    return load_ruleset(Path(name))


# --------------------------------------------------------------------------- index definitions

def index_definition(ws: Workspace, name: str) -> IndexDef:
    """A definition saved in the workspace, else a shipped one, else the file ``name``
    (checked against the workspace's indicators)."""
    stored = stored_index(ws, name)
    if stored is not None:
        return stored
    return _index_for(ws, shipped_indices().get(name) or Path(name))


def _index_for(ws: Workspace, path: Path) -> IndexDef:
    """A definition file read for this workspace: indicator roles (``analysis.roles``) become
    the workspace's indicators and a definition without a level takes the smallest one."""
    return _index_from_doc(ws, read_index_doc(path), file=path.name)


def store_index_file(ws: Workspace, data: str | bytes, *, file: str = "index.toml") -> IndexDef:
    """An index definition uploaded as a TOML file (the form of ``data/indices/*.toml``, roles
    allowed), checked against the workspace's indicators and saved in it (one of the same id is
    replaced); returns the definition."""
    authorize("configure")
    text = _text(data, file)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(Problem("manifest_syntax", {"reason": str(exc)}, file=file)) from None
    definition = _index_from_doc(ws, doc, file=file)
    save_index(ws, definition)
    return definition


def _index_from_doc(ws: Workspace, doc: dict, *, file: str) -> IndexDef:
    mapping = indicator_roles(ws)
    problems = []

    def resolved(value: str | None, where: str) -> str | None:
        if value in ROLES:
            if value not in mapping:
                problems.append(Problem("index_role_unmapped", {"role": role_label(value, "de"), "where": where},
                                        file=file))
                return value
            return mapping[value]
        return value
    head = dict(doc.get("index", {}))
    if not head.get("level"):
        head["level"] = ws.lowest_level()
    head["population_indicator"] = resolved(head.get("population_indicator"), "index.population_indicator")
    components = []
    for i, comp in enumerate(doc.get("components", [])):
        comp = dict(comp)
        comp["indicators"] = [{**w, "id": resolved(w.get("id"), f"components[{i + 1}]")}
                              for w in comp.get("indicators", [])]
        components.append(comp)
    if problems:
        raise SchemaError(problems)
    return index_from_dict({**doc, "index": head, "components": components}, known_indicators=ws.indicator_ids(),
                           file=file)


def usable_indices(ws: Workspace, *, on_unusable: Callable[[JmdiqError], None]) -> dict[str, IndexDef]:
    """The shipped definitions (``data/indices/*.toml``) this workspace's data can serve, then
    the ones saved in the workspace (id → definition). A shipped definition the data cannot
    serve is handed to ``on_unusable`` and left out."""
    out: dict[str, IndexDef] = {}
    for name, path in shipped_indices().items():
        try:
            out[name] = _index_for(ws, path)
        except JmdiqError as exc:        # a definition this city's data cannot serve
            on_unusable(exc)
    out.update(stored_indices(ws))
    return out
