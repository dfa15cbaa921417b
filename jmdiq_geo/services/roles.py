"""Which of a workspace's indicators plays which role (``analysis.roles``): read, set, applied to
rule sets before a check and to the Steckbrief's key indicators."""
from __future__ import annotations

import json
from dataclasses import replace

from jmdiq_geo.analysis.roles import ROLES, resolve
from jmdiq_geo.analysis.rules import RuleSet
from jmdiq_geo.errors import Problem, SchemaError, raise_if_errors
from jmdiq_geo.store.workspace import Workspace
from jmdiq_geo.services.auth import authorize

#: roles that older workspaces keep as meta entries of their own
_META_ROLES = {"residents": "population_indicator", "target_group": "target_group_indicator"}


def indicator_roles(ws: Workspace) -> dict[str, str]:
    """role → indicator id, for the roles this workspace maps."""
    meta = ws.meta()
    mapping = {role: meta[key] for role, key in _META_ROLES.items() if meta.get(key)}
    try:
        mapping.update({k: v for k, v in json.loads(meta.get("roles") or "{}").items() if v})
    except json.JSONDecodeError:
        raise SchemaError(Problem("manifest_syntax", {"reason": "meta roles"})) from None
    return mapping


def set_indicator_roles(ws: Workspace, mapping: dict[str, str | None]) -> None:
    """Map roles to indicators (None or "" removes a role); unknown roles or indicators are
    refused together, nothing is written then."""
    authorize("configure")
    known = ws.indicator_ids()
    problems = []
    for role, indicator in mapping.items():
        if role not in ROLES:
            problems.append(Problem("rule_role_unknown", {"id": "–", "role": role, "known": ", ".join(ROLES)}))
        elif indicator and indicator not in known:
            problems.append(Problem("role_indicator_unknown", {"role": role, "indicator": indicator}))
    raise_if_errors(problems, SchemaError)
    current = indicator_roles(ws)
    current.update({k: v for k, v in mapping.items() if v})
    for k, v in mapping.items():
        if not v:
            current.pop(k, None)
    with ws.transaction():
        ws.set_meta(roles=json.dumps({k: current[k] for k in ROLES if k in current and k not in _META_ROLES},
                                     ensure_ascii=False),
                    **{key: current.get(role, "") for role, key in _META_ROLES.items()})


def apply_roles(ws: Workspace, ruleset: RuleSet) -> RuleSet:
    """``ruleset`` with every role replaced by this workspace's indicator (criteria whose role
    is not mapped keep no indicator: the check says "unknown — assign the role")."""
    mapping = indicator_roles(ws)
    criteria = [replace(c, indicator=resolve(c.role, mapping)) if c.role else c for c in ruleset.criteria]
    return replace(ruleset, criteria=criteria)
