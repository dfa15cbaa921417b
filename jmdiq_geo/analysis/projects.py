"""Records and their validation (pure): micro-projects, partners, yearly network ties.

What is recorded follows METHOD.md and the Rahmenkonzepte in seeds/: organisations and projects,
never personal data of young people. Free-text fields are scanned for things that look like
personal data (e-mail addresses, phone numbers) and produce a warning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from jmdiq_geo.errors import Problem

#: the 12 fields of action (Handlungsfelder) of JMD-iQ
FIELDS_OF_ACTION = ("Bildung, Ausbildung und Armutsprävention", "Sprache", "Arbeitsmarkt",
                    "Wohnen und Wohnumfeld", "Verbraucherschutz", "Gesundheit und Prävention",
                    "Unterstützung partizipativer Projekte junger Menschen",
                    "Antirassismus und Demokratieförderung", "Kultur", "Sport", "Umwelt und Mobilität",
                    "Interkulturelle Öffnung")
PARTNER_TYPES = ("Quartiersmanagement", "Schule", "Sportverein", "Jobcenter", "Agentur für Arbeit",
                 "Jugendberufsagentur", "Amt/Behörde", "Unternehmen", "Verein/Verband",
                 "Kultur-/Bildungseinrichtung", "Migrantenorganisation", "Religionsgemeinschaft",
                 "Jugendhilfeausschuss", "Sonstige")
STATUSES = ("geplant", "laufend", "abgeschlossen", "abgebrochen")
SUSTAINABILITY = ("keine", "von der Kommune übernommen", "Verein gegründet", "Anschlussförderung", "sonstige")
FORMALISATION = ("informell", "Absprache", "Kooperationsvertrag")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+49|0)[\d /()-]{6,}\d")


@dataclass
class MicroProject:
    project_id: str
    title: str
    area_id: str | None = None                 # the quarter / area it belongs to
    x: float | None = None                     # location in the work CRS (or from a partner)
    y: float | None = None
    location_partner: str | None = None        # "quarter-related through a partner institution"
    fields_of_action: list[str] = field(default_factory=list)
    target_groups: str = ""
    age_min: int | None = None
    age_max: int | None = None
    participation_planning: str = ""           # how young people took part in planning …
    participation_doing: str = ""              # … and in carrying out
    partners: list[str] = field(default_factory=list)
    budget_planned: float | None = None
    budget_spent: float | None = None
    start: str | None = None                   # ISO dates
    end: str | None = None
    status: str = "geplant"
    sustainability: str = "keine"
    sustainability_form: str = ""
    predecessor: str | None = None             # an extension links to the project it extends …
    what_is_new: str = ""                      # … and must say what is new (conceptual extension)
    notes: str = ""


@dataclass
class Partner:
    partner_id: str
    name: str
    type: str
    address: str = ""
    x: float | None = None
    y: float | None = None
    notes: str = ""


@dataclass
class Tie:
    """One partner's tie in one year: intensity and importance 1 (low) … 3 (high)."""
    partner_id: str
    year: int
    intensity: int
    importance: int
    formalisation: str = "informell"
    topic: str = ""

    @property
    def tie_id(self) -> str:
        return f"{self.partner_id}:{self.year}"


def _date(text, name, problems):
    if not text:
        return None
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        problems.append(Problem("form_bad_date", {"field": name, "value": text}, column=name))
        return None


def personal_data_warnings(record, names: tuple[str, ...]) -> list[Problem]:
    out = []
    for name in names:
        text = str(getattr(record, name) or "")
        if _EMAIL.search(text) or _PHONE.search(text):
            out.append(Problem("form_personal_data", {"field": name}, column=name, severity="notice"))
    return out


def validate_project(p: MicroProject, *, known_partners: set[str], known_projects: set[str],
                     inside_workspace) -> list[Problem]:
    """Every problem of a project form at once (errors name their field; notices warn)."""
    problems: list[Problem] = []
    if not p.title.strip():
        problems.append(Problem("form_required", {"field": "title"}, column="title"))
    start, end = _date(p.start, "start", problems), _date(p.end, "end", problems)
    if start and end and end < start:
        problems.append(Problem("form_end_before_start", {"start": p.start, "end": p.end}, column="end"))
    if p.budget_spent not in (None, 0) and p.budget_planned in (None, 0):
        problems.append(Problem("form_spent_without_planned", column="budget_spent"))
    for name in ("budget_planned", "budget_spent"):
        value = getattr(p, name)
        if value is not None and value < 0:
            problems.append(Problem("form_negative", {"field": name}, column=name))
    if p.age_min is not None and p.age_max is not None and p.age_max < p.age_min:
        problems.append(Problem("form_age_range", column="age_max"))
    unknown_fields = [f for f in p.fields_of_action if f not in FIELDS_OF_ACTION]
    if unknown_fields:
        problems.append(Problem("form_unknown_value", {"field": "fields_of_action", "values": ", ".join(unknown_fields)},
                                column="fields_of_action"))
    if p.status not in STATUSES:
        problems.append(Problem("form_unknown_value", {"field": "status", "values": p.status}, column="status"))
    if p.sustainability not in SUSTAINABILITY:
        problems.append(Problem("form_unknown_value", {"field": "sustainability", "values": p.sustainability},
                                column="sustainability"))
    unknown = [x for x in p.partners + ([p.location_partner] if p.location_partner else []) if x not in known_partners]
    if unknown:
        problems.append(Problem("form_unknown_partner", {"partners": ", ".join(unknown)}, column="partners"))
    if p.x is not None and p.y is not None and not inside_workspace(p.x, p.y):
        problems.append(Problem("form_outside", column="location"))
    if p.predecessor:
        if p.predecessor not in known_projects or p.predecessor == p.project_id:
            problems.append(Problem("form_unknown_predecessor", {"id": p.predecessor}, column="predecessor"))
        if not p.what_is_new.strip():
            problems.append(Problem("form_extension_needs_new", column="what_is_new"))
    problems += personal_data_warnings(p, ("title", "target_groups", "participation_planning",
                                           "participation_doing", "sustainability_form", "what_is_new", "notes"))
    return problems


def validate_partner(p: Partner, *, inside_workspace) -> list[Problem]:
    problems: list[Problem] = []
    if not p.name.strip():
        problems.append(Problem("form_required", {"field": "name"}, column="name"))
    if p.type not in PARTNER_TYPES:
        problems.append(Problem("form_unknown_value", {"field": "type", "values": p.type}, column="type"))
    if p.x is not None and p.y is not None and not inside_workspace(p.x, p.y):
        problems.append(Problem("form_outside", column="location"))
    return problems + personal_data_warnings(p, ("name", "notes"))


def validate_tie(t: Tie, *, known_partners: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    if t.partner_id not in known_partners:
        problems.append(Problem("form_unknown_partner", {"partners": t.partner_id}, column="partner_id"))
    for name in ("intensity", "importance"):
        if getattr(t, name) not in (1, 2, 3):
            problems.append(Problem("form_scale", {"field": name}, column=name))
    if t.formalisation not in FORMALISATION:
        problems.append(Problem("form_unknown_value", {"field": "formalisation", "values": t.formalisation},
                                column="formalisation"))
    return problems + personal_data_warnings(t, ("topic",))
