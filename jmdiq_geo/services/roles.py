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


def rule_set_gaps(ws: Workspace, ruleset: RuleSet) -> list[str]:
    """The ids of the criteria of ``ruleset`` this workspace has no data for: an indicator (or
    the indicator of a role) it does not hold, programme areas or services of a category it has
    none of. Such criteria can only come out "unknown"."""
    indicators = ws.indicator_ids()
    gaps = []
    for c in apply_roles(ws, ruleset).criteria:
        if c.type in ("compare_city", "indicator_min", "class_share"):
            missing = not c.indicator or c.indicator not in indicators
        elif c.type == "programme_share":
            missing = not ws.has_programme_areas()
        elif c.type == "services_nearby":
            missing = c.category not in ws.service_categories()
        else:
            missing = False
        if missing:
            gaps.append(c.id)
    return gaps


def rule_set_applies(ws: Workspace, ruleset: RuleSet) -> bool:
    """Whether at least one path of ``ruleset`` can be met with this workspace's data."""
    gaps = set(rule_set_gaps(ws, ruleset))
    for path in ruleset.paths:
        known = [c for c in path.criteria if c not in gaps]
        if len(known) >= (path.min_met if path.min_met is not None else len(path.criteria)):
            return True
    return False
