"""The service register on the access page: its categories, the map's filters and target group,
and the staff's edits — the typed fields checked (every problem at once) and only what changed
saved."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from jmdiq_geo.analysis.attributes import (CATEGORIES, Persona, fits, parse_cost, parse_languages,
                                          parse_opening_hours)
from jmdiq_geo.errors import ConflictError, Problem
from jmdiq_geo.i18n import localized, t
from jmdiq_geo.services.forms import read_number
from jmdiq_geo.store.workspace import SERVICE_FIELDS, Workspace
from jmdiq_geo.services.auth import authorize

__all__ = ["SERVICE_FIELDS", "ServiceForm", "categories", "check_service", "filter_services", "save_service_edit",
           "service_changes", "target_group_values"]


def categories(services: pd.DataFrame) -> list[str]:
    """The categories present in ``services``, the staff's taxonomy first."""
    present = set(services["category"])
    return [c for c in CATEGORIES if c in present] + sorted(present - set(CATEGORIES))


def filter_services(services: pd.DataFrame, *, languages: list[str], wheelchair: bool, free: bool) -> pd.DataFrame:
    """The services that fit a persona of these languages, wheelchair and cost (unknown
    attributes do not fit)."""
    f = fits(services, Persona(languages=languages, wheelchair=wheelchair, free_only=free), unknown="drop")
    return services[f["fits"].to_numpy()]


def target_group_values(ws: Workspace, level: str) -> tuple[pd.Series, object | None]:
    """The target group per area of ``level`` at its newest period, and that period (empty and
    None without a target group)."""
    target = ws.meta().get("target_group_indicator") or ""
    if target in ws.indicator_ids():
        periods = ws.periods(indicator_id=target, level=level)
        if periods:
            return ws.values(target, period=periods[-1], level=level), periods[-1]
    return pd.Series(dtype=float), None


def target_group_label(ws: Workspace, lang: str) -> str | None:
    """The name of this workspace's target group (its indicator's label), None without one."""
    target = ws.meta().get("target_group_indicator") or ""
    defs = ws.indicators().set_index("indicator_id")
    return localized(defs.loc[target], lang) if target in defs.index else None


@dataclass
class ServiceForm:
    """The fields of the service form as typed (``cost`` a cost word or empty, ``wheelchair``
    "yes", "no" or empty)."""
    category: str
    name: str
    address: str
    languages: str
    opening_hours: str
    cost: str
    age_min: str
    age_max: str
    wheelchair: str
    capacity: str


def check_service(form: ServiceForm, lang: str) -> tuple[dict | None, list[Problem]]:
    """The service's attributes when every field is valid, else None and every problem (each
    naming the field as the form shows it in ``lang``)."""
    problems = []
    if not form.name.strip():
        problems.append(Problem("svc_name_missing", column=t("tt_service", lang)))
    _, unknown = parse_languages(form.languages)
    for word in unknown:
        problems.append(Problem("persona_unknown_language", {"value": word}, column=t("svc_languages", lang)))
    try:
        parse_opening_hours(form.opening_hours)
    except ValueError as e:
        # the parser's own text is English; the position it names is enough
        where = re.search(r"(\d+):(\d+)", str(e))
        problems.append(Problem("svc_bad_hours", {"value": form.opening_hours,
                                                  "detail": t("svc_hours_at", lang, pos=where.group(2))
                                                  if where else "–"}, column=t("svc_opening_hours", lang)))
    numbers = {}
    for field, text in (("age_min", form.age_min), ("age_max", form.age_max), ("capacity", form.capacity)):
        value = read_number(text, lang) if text.strip() else None
        if text.strip() and (value is None or value < 0 or value != round(value)):
            # ages and places are whole numbers: 3,5 places would be rounded silently otherwise
            problems.append(Problem("svc_bad_number", {"value": text}, column=t(f"svc_{field}", lang)))
        numbers[field] = value
    if numbers["age_min"] is not None and numbers["age_max"] is not None and numbers["age_min"] > numbers["age_max"]:
        problems.append(Problem("svc_age_range", {"low": int(numbers["age_min"]), "high": int(numbers["age_max"])},
                                column=t("svc_age_max", lang)))
    if problems:
        return None, problems
    codes, _ = parse_languages(form.languages)
    return {"category": form.category, "name": form.name.strip(), "address": form.address.strip() or None,
            "languages": ", ".join(codes) if codes else None, "opening_hours": form.opening_hours.strip() or None,
            "cost": parse_cost(form.cost) if form.cost else None,
            "barrier_free": None if not form.wheelchair else form.wheelchair == "yes", **numbers}, []


def service_changes(stored: dict, values: dict) -> dict:
    """The editable attributes whose value differs from the stored one (a missing value and
    None are the same)."""
    return {k: v for k, v in values.items() if k in SERVICE_FIELDS and not _equal(stored.get(k), v)}


def save_service_edit(ws: Workspace, service_id: str, stored: dict, values: dict, *, user: str | None,
                      base: dict | None = None) -> int:
    """Save what changed of a service (nothing when nothing did); returns how many attributes.

    ``base``: the service as the form started from (default ``stored``). If someone else saved
    it since, the save is refused with a ``ConflictError`` naming each changed attribute with
    both values - nothing is overwritten."""
    authorize("edit_services")
    base = stored if base is None else base
    with ws.transaction():
        current = ws.services(include_hidden=True, service_id=service_id)
        if current.empty:
            raise ConflictError(Problem("conflict_gone", {"record": service_id}))
        now = current.iloc[0].to_dict()
        moved = [k for k in SERVICE_FIELDS if not _equal(now.get(k), base.get(k))]
        if moved:
            detail = "; ".join(f"{k}: {_short(values.get(k))} ↔ {_short(now.get(k))}" for k in moved[:6])
            raise ConflictError(Problem("service_changed_meanwhile", {"service": str(now.get("name") or service_id),
                                                                      "detail": detail}))
        changes = service_changes(now, values)
        if changes:
            ws.edit_service(service_id, changes, user=user)
    return len(changes)


def _blank(v) -> bool:
    return v is None or (not isinstance(v, (str, bool, list, tuple, dict)) and bool(pd.isna(v)))


def _equal(a, b) -> bool:
    """The same stored value (missing, None and NaN alike)."""
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    return a == b


def _short(value) -> str:
    text = "–" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def add_service(ws: Workspace, values: dict, *, x: float, y: float, user: str | None) -> str:
    """A service the staff know of and no file lists (kept apart from imported ones); its id."""
    authorize("edit_services")
    return ws.add_service(values, x=x, y=y, user=user)


def revert_service(ws: Workspace, service_id: str) -> None:
    """Drop the staff's edits of an imported service (the file's values count again)."""
    authorize("edit_services")
    ws.revert_service(service_id)


def remove_service(ws: Workspace, service_id: str, *, user: str | None) -> None:
    """Hide a service from walking access (an imported one stays in the file, marked removed)."""
    authorize("edit_services")
    ws.remove_service(service_id, user=user)
