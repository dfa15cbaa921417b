"""Read and check qualification rule sets (``data/rules/*.toml``); every problem at once."""
from __future__ import annotations

import tomllib
from pathlib import Path

from jmdiq_geo.analysis.roles import ROLES
from jmdiq_geo.analysis.rules import TYPES, Criterion, Path as RulePath, RuleSet
from jmdiq_geo.config import REPO_ROOT
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.io.documents import build

RULES_DIR = REPO_ROOT / "data" / "rules"


def ruleset_from_dict(doc: dict, *, file: str | None = None) -> RuleSet:
    problems: list[Problem] = []
    criteria = [c for i, raw in enumerate(doc.get("criteria", []))
                if (c := build(Criterion, raw, f"criteria[{i + 1}]", problems))]
    ids = [c.id for c in criteria]
    for c in criteria:
        if c.type not in TYPES:
            problems.append(Problem("rule_type", {"id": c.id, "type": c.type, "known": ", ".join(TYPES)}))
        need = {"compare_city": ["indicator"], "indicator_min": ["indicator", "min"],
                "class_share": ["indicator", "classes"], "programme_share": ["programmes"],
                "services_nearby": ["category"]}.get(c.type, [])
        if "indicator" in need and c.role:
            need = [n for n in need if n != "indicator"]          # a role stands for the indicator
            if c.role not in ROLES:
                problems.append(Problem("rule_role_unknown", {"id": c.id, "role": c.role,
                                                              "known": ", ".join(ROLES)}))
        missing = [n for n in need if getattr(c, n) in (None, [], "")]
        if missing:
            problems.append(Problem("rule_field_missing", {"id": c.id, "fields": ", ".join(missing)}))
    paths = [p for i, raw in enumerate(doc.get("paths", [])) if (p := build(RulePath, raw, f"paths[{i + 1}]", problems))]
    for p in paths:
        unknown = [c for c in p.criteria if c not in ids]
        if unknown:
            problems.append(Problem("rule_path_unknown", {"path": p.label_de, "criteria": ", ".join(unknown)}))
    if not paths:
        problems.append(Problem("rule_no_paths"))
    ruleset = build(RuleSet, {**doc.get("ruleset", {}), "criteria": criteria, "paths": paths}, "ruleset", problems)
    if problems:
        raise SchemaError([Problem(p.code, p.params, file=file) for p in problems])
    return ruleset


def load_ruleset(path: Path | str) -> RuleSet:
    path = Path(path)
    if not path.exists():
        raise SchemaError(Problem("manifest_missing", {"path": str(path)}))
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(Problem("manifest_syntax", {"reason": str(exc)}, file=path.name)) from None
    return ruleset_from_dict(doc, file=path.name)


def shipped_rulesets() -> dict[str, Path]:
    return {p.stem: p for p in sorted(RULES_DIR.glob("*.toml"))}
