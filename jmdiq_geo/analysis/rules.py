"""Qualification rule sets as data: criteria, each met / not met / unknown, and a verdict.

A rule set (``data/rules/*.toml``) lists criteria of a few types and the paths to a positive
verdict (each path: criteria that must be met, or at least ``min_met`` of them). A criterion
whose data is missing is *unknown*, never an error; the verdict is *met* when a path is met,
*unknown* when no path is met but one could still be with the missing data, else *not met*.

Criterion types (the facts they need come in a ``Facts`` object, built from the workspace):
- ``compare_city``: quarter value ≥ ``factor`` × city value (or ≥ city mean + ``z`` × SD of areas)
- ``indicator_min``: quarter value ≥ ``min``
- ``class_share``: share of the quarter's residents living in areas of given classes ≥ ``min_share``
- ``programme_share``: share of the quarter's surface in programme areas of given programmes ≥ ``min_share``
- ``services_nearby``: at least ``min_count`` services of a category inside or within ``within_m``
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from jmdiq_geo.analysis.roles import ROLES
from jmdiq_geo.errors import AnalysisError, Problem

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
TYPES = ("compare_city", "indicator_min", "class_share", "programme_share", "services_nearby")


@dataclass
class Criterion:
    id: str
    type: str
    label_de: str
    label_en: str | None = None
    indicator: str | None = None
    #: an indicator role (``analysis.roles``) instead of a city's indicator id; the workspace
    #: maps it to its own indicator before the check
    role: str | None = None
    factor: float | None = None
    z: float | None = None
    min: float | None = None
    classes: list[int] = field(default_factory=list)
    programmes: list[str] = field(default_factory=list)
    include_former: bool = True
    min_share: float | None = None
    category: str | None = None
    within_m: float = 0.0
    min_count: int = 1


@dataclass
class Path:
    label_de: str
    criteria: list[str]
    label_en: str | None = None
    min_met: int | None = None          # default: all criteria of the path


@dataclass
class RuleSet:
    id: str
    label_de: str
    criteria: list[Criterion]
    paths: list[Path]
    label_en: str | None = None
    description: str | None = None
    version: str | None = None
    source: str | None = None


@dataclass
class Facts:
    """What the criteria may ask about the quarter (None where the data is missing)."""
    value: Callable[[str], tuple[float | None, str | None]]           # quarter value, period
    city: Callable[[str], float | None]
    city_spread: Callable[[str], tuple[float | None, float | None]]   # mean and SD over areas
    class_share: Callable[[str, list[int]], float | None]
    programme_share: Callable[[list[str], bool], tuple[float | None, list[str]]]
    services_nearby: Callable[[str, float], tuple[int | None, list[str]]]
    label: Callable[[str, str], str]                                  # indicator label in a language
    #: how a value of the indicator is written: decimals and unit (counts of persons: none, none)
    style: Callable[[str], tuple[int, str]] = lambda indicator: (1, "")


@dataclass
class Outcome:
    criterion: Criterion
    status: str
    numbers: dict
    reason_de: str
    reason_en: str


@dataclass
class Verdict:
    ruleset: RuleSet
    status: str
    outcomes: list[Outcome]
    path: Path | None
    reason_de: str
    reason_en: str


def _fmt(x, digits=1) -> tuple[str, str]:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "–", "–"
    en = f"{x:,.{digits}f}"
    return en.replace(",", "\u2009").replace(".", ",").replace("\u2009", "."), en


def evaluate_criterion(c: Criterion, facts: Facts) -> Outcome:
    if c.type in ("compare_city", "indicator_min", "class_share") and c.indicator is None and c.role:
        de, en = ROLES.get(c.role, (c.role, c.role))
        return Outcome(c, UNKNOWN, {"role": c.role},
                       f"Unbekannt – Rolle „{de}“ ist keinem Indikator zugeordnet (Seite Daten, Indikator-Rollen).",
                       f"Unknown – the role '{en}' is not assigned to an indicator (Daten page, indicator roles).")
    if c.type in ("compare_city", "indicator_min"):
        value, period = facts.value(c.indicator)
        lab_de, lab_en = facts.label(c.indicator, "de"), facts.label(c.indicator, "en")
        if value is None or not np.isfinite(value):
            return Outcome(c, UNKNOWN, {}, f"Für „{lab_de}“ gibt es im Quartier keinen Wert.",
                           f"There is no value of '{lab_en}' for the quarter.")
        digits, unit = facts.style(c.indicator)
        v_de, v_en = (x + unit for x in _fmt(value, digits))
        if c.type == "indicator_min":
            ok = value >= c.min
            m_de, m_en = (x + unit for x in _fmt(c.min, digits))
            return Outcome(c, MET if ok else NOT_MET, {"value": value, "min": c.min, "period": period},
                           f"{lab_de}: {v_de} ({period}) {'erreicht' if ok else 'unterschreitet'} die Schwelle {m_de}.",
                           f"{lab_en}: {v_en} ({period}) {'reaches' if ok else 'falls short of'} the threshold {m_en}.")
        if c.z is not None:
            mean, sd = facts.city_spread(c.indicator)
            if mean is None or sd is None:
                return Outcome(c, UNKNOWN, {}, f"Für „{lab_de}“ fehlt der Vergleich mit der Stadt.",
                               f"'{lab_en}' lacks the comparison with the city.")
            threshold = mean + c.z * sd
        else:
            city = facts.city(c.indicator)
            if city is None or not np.isfinite(city):
                return Outcome(c, UNKNOWN, {}, f"Für „{lab_de}“ fehlt der Wert der Gesamtstadt.",
                               f"'{lab_en}' lacks the whole city's value.")
            threshold = (c.factor or 1.0) * city
        ok = value >= threshold
        t_de, t_en = (x + unit for x in _fmt(threshold, digits))
        rule_de = f"{_fmt(c.factor or 1.0, 2)[0]}-fache Stadtwert" if c.z is None else f"Stadtmittel + {c.z} SD"
        rule_en = f"{_fmt(c.factor or 1.0, 2)[1]} × the city value" if c.z is None else f"city mean + {c.z} SD"
        return Outcome(c, MET if ok else NOT_MET, {"value": value, "threshold": threshold, "period": period},
                       f"{lab_de}: Quartier {v_de}, Schwelle ({rule_de}) {t_de} – {'erfüllt' if ok else 'nicht erfüllt'}.",
                       f"{lab_en}: quarter {v_en}, threshold ({rule_en}) {t_en} – {'met' if ok else 'not met'}.")
    if c.type == "class_share":
        share = facts.class_share(c.indicator, c.classes)
        lab_de, lab_en = facts.label(c.indicator, "de"), facts.label(c.indicator, "en")
        if share is None:
            return Outcome(c, UNKNOWN, {}, f"Für „{lab_de}“ gibt es keine Klassen im Quartier.",
                           f"There are no classes of '{lab_en}' in the quarter.")
        ok = share >= (c.min_share or 0.5)
        s_de, s_en = _fmt(100 * share, 0)
        m_de, m_en = _fmt(100 * (c.min_share or 0.5), 0)
        return Outcome(c, MET if ok else NOT_MET, {"share": share, "min_share": c.min_share},
                       f"{s_de} % der Einwohner:innen leben in Gebieten der gesuchten Klassen von „{lab_de}“ "
                       f"(nötig: {m_de} %).",
                       f"{s_en} % of the residents live in areas of the classes sought of '{lab_en}' "
                       f"(needed: {m_en} %).")
    if c.type == "programme_share":
        share, names = facts.programme_share(c.programmes, c.include_former)
        if share is None:
            return Outcome(c, UNKNOWN, {}, "Es sind keine Programmgebiete importiert.",
                           "No programme areas have been imported.")
        ok = share >= (c.min_share or 0.5)
        s_de, s_en = _fmt(100 * share, 0)
        where = ", ".join(names) or "–"
        return Outcome(c, MET if ok else NOT_MET, {"share": share, "programme_areas": names},
                       f"{s_de} % der Quartiersfläche liegen in Programmgebieten ({where}).",
                       f"{s_en} % of the quarter's surface lie in programme areas ({where}).")
    if c.type == "services_nearby":
        count, names = facts.services_nearby(c.category, c.within_m)
        if count is None:
            return Outcome(c, UNKNOWN, {}, f"Es sind keine Einrichtungen der Kategorie „{c.category}“ erfasst.",
                           f"No services of category '{c.category}' are recorded.")
        ok = count >= c.min_count
        listing = ", ".join(names[:5]) + (" …" if len(names) > 5 else "")
        return Outcome(c, MET if ok else NOT_MET, {"count": count, "names": names},
                       f"{count} Einrichtung(en) im Quartier oder bis {c.within_m:.0f} m: {listing or '–'}.",
                       f"{count} service(s) in the quarter or within {c.within_m:.0f} m: {listing or '–'}.")
    raise AnalysisError(Problem("analysis_unknown_criterion", {"type": c.type}))


def evaluate(ruleset: RuleSet, facts: Facts) -> Verdict:
    outcomes = [evaluate_criterion(c, facts) for c in ruleset.criteria]
    status_of = {o.criterion.id: o.status for o in outcomes}
    could = False
    for path in ruleset.paths:
        states = [status_of[c] for c in path.criteria]
        need = path.min_met or len(states)
        if states.count(MET) >= need:
            return Verdict(ruleset, MET, outcomes, path, f"Erfüllt über: {path.label_de}.",
                           f"Met by: {path.label_en or path.label_de}.")
        if states.count(MET) + states.count(UNKNOWN) >= need:
            could = True
    if could:
        return Verdict(ruleset, UNKNOWN, outcomes, None,
                       "Nicht entscheidbar: Es fehlen Daten für Kriterien, die den Ausschlag geben könnten.",
                       "Undecided: data is missing for criteria that could tip the balance.")
    return Verdict(ruleset, NOT_MET, outcomes, None, "Nicht erfüllt: Keiner der Wege ist erfüllt.",
                   "Not met: none of the paths is met.")
