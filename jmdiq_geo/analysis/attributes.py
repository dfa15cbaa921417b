"""Pure vocabulary: the attributes that make or break access to a service, and personas that ask for them.

Languages are ISO 639-1 codes (``de, ar, tr``; German/English names of the common ones are
understood too, see ``data/services/languages.toml``, read by ``i18n.language_names``). Opening hours use the OSM
``opening_hours`` syntax, parsed by ``opening_hours-py``. Cost is ``free``, ``reduced`` or
``paid``. Age range in years, wheelchair access yes/no, capacity in places.

A persona (age, languages, a time such as "after school", free of charge, wheelchair) keeps the
services that fit; a service whose attribute is not recorded is kept or dropped as the run's
``unknown`` setting says, and the count of such services is reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from opening_hours import OpeningHours, ParserError, State

from jmdiq_geo.errors import InputError, ParseError, Problem, raise_if_errors
from jmdiq_geo.i18n import language_names

#: the categories staff recognise (labels in the catalogue as ``cat_<id>``)
CATEGORIES = ("jugendfreizeit", "schule", "kita", "bibliothek", "nachbarschaft", "sport", "beratung", "gesundheit",
              "religion", "spielplatz", "arbeit")

#: ISO 639-1 (all two-letter codes)
ISO_639_1 = set("""aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig
ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg
si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh
yi yo za zh zu""".split())

#: a week without public holidays in which opening hours and persona times are compared
REFERENCE_MONDAY = datetime(2026, 11, 23)

COSTS = ("free", "reduced", "paid")
_COST_WORDS = {"free": "free", "kostenlos": "free", "kostenfrei": "free", "gratis": "free", "0": "free",
               "no": "free", "nein": "free", "reduced": "reduced", "ermäßigt": "reduced", "ermaessigt": "reduced",
               "low": "reduced", "gering": "reduced", "paid": "paid", "kostenpflichtig": "paid", "yes": "paid",
               "ja": "paid"}
_COST_WORDS = {k.casefold(): v for k, v in _COST_WORDS.items()}
_BOOL_WORDS = {"yes": True, "ja": True, "true": True, "1": True, "designated": True, "no": False, "nein": False,
               "false": False, "0": False, "limited": False, "eingeschränkt": False}


def parse_languages(text) -> tuple[list[str] | None, list[str]]:
    """``"de, Arabisch; tr"`` → (["de", "ar", "tr"], unknown words). None when empty."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return None, []
    by_name = {}
    for code, names in language_names().items():
        for n in names.values():
            by_name[n.casefold()] = code
    codes, unknown = [], []
    for word in str(text).replace(";", ",").replace("/", ",").split(","):
        w = word.strip().casefold()
        if not w:
            continue
        code = w if w in ISO_639_1 else by_name.get(w)
        if code is None:
            unknown.append(word.strip())
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def parse_opening_hours(text) -> OpeningHours | None:
    """Parse OSM opening hours; raises ``ParseError`` (a ``ValueError``) with the parser's message."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return None
    try:
        return OpeningHours(str(text).strip())
    except ParserError as e:
        raise ParseError(Problem("value_unreadable", {"detail": str(e).strip().splitlines()[0]})) from None


def open_minutes(oh: OpeningHours, window: OpeningHours) -> float:
    """Minutes in the reference week when ``oh`` is open while ``window`` is."""
    end = REFERENCE_MONDAY + timedelta(days=7)
    a = [(s, e) for s, e, state, _ in oh.intervals(REFERENCE_MONDAY, end) if state == State.OPEN]
    b = [(s, e) for s, e, state, _ in window.intervals(REFERENCE_MONDAY, end) if state == State.OPEN]
    total = 0.0
    for s1, e1 in a:
        for s2, e2 in b:
            lo, hi = max(s1, s2), min(e1, e2)
            if hi > lo:
                total += (hi - lo).total_seconds() / 60
    return total


def parse_cost(text) -> str | None:
    """Normalise cost words/numbers to free/reduced/paid; None when empty; ValueError otherwise."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
        return None
    w = str(text).strip().casefold()
    if w in _COST_WORDS:
        return _COST_WORDS[w]
    try:
        return "free" if float(w.replace(",", ".").replace("€", "").strip()) == 0 else "paid"
    except ValueError:
        raise ParseError(Problem("value_unreadable", {"detail": str(text)})) from None


def parse_bool(text) -> bool | None:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    if isinstance(text, bool):
        return text
    w = str(text).strip().casefold()
    if not w:
        return None
    if w in _BOOL_WORDS:
        return _BOOL_WORDS[w]
    raise ParseError(Problem("value_unreadable", {"detail": str(text)}))


@dataclass
class Persona:
    """Who wants to reach a service: only what is set is checked."""
    name: str = ""
    age: float | None = None
    languages: list[str] = field(default_factory=list)
    when: str | None = None            # OSM opening-hours syntax, e.g. "Mo-Fr 15:00-18:00"
    free_only: bool = False
    wheelchair: bool = False
    #: the name in English (presets carry both; ``name`` is German, the app's default)
    name_en: str = ""

    def label(self, lang: str) -> str:
        return (self.name_en if lang == "en" and self.name_en else self.name) or self.name_en

    def is_empty(self) -> bool:
        return self.age is None and not self.languages and not self.when and not self.free_only \
            and not self.wheelchair

    def key(self) -> dict:
        return {"age": self.age, "languages": sorted(self.languages), "when": self.when,
                "free_only": self.free_only, "wheelchair": self.wheelchair}


def make_persona(data: dict, *, file: str | None = None) -> Persona:
    """Validate a persona (from a TOML file or a form); every problem reported at once."""
    problems = []
    known = {"name", "name_en", "age", "languages", "when", "free_only", "wheelchair"}
    for k in data:
        if k not in known:
            problems.append(Problem("persona_unknown_field", {"field": k, "known": ", ".join(sorted(known))},
                                    file=file, column=k))
    age = data.get("age")
    if age is not None and age != "":
        try:
            age = float(age)
            if not 0 <= age <= 120:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Problem("persona_bad_age", {"value": str(data.get("age"))}, file=file, column="age"))
            age = None
    else:
        age = None
    langs = data.get("languages") or []
    if isinstance(langs, str):
        langs = [langs]
    codes = []
    for word in langs:
        parsed, unknown = parse_languages(word)
        for u in unknown:
            problems.append(Problem("persona_unknown_language", {"value": u}, file=file, column="languages"))
        codes += [c for c in parsed or [] if c not in codes]
    when = data.get("when") or None
    if when:
        try:
            parse_opening_hours(when)
        except ValueError as e:
            problems.append(Problem("persona_bad_hours", {"value": when, "detail": str(e)}, file=file, column="when"))
    flags = {}
    for k in ("free_only", "wheelchair"):
        try:
            flags[k] = bool(parse_bool(data.get(k)) or False)
        except ValueError:
            problems.append(Problem("persona_bad_flag", {"field": k, "value": str(data.get(k))}, file=file, column=k))
            flags[k] = False
    raise_if_errors(problems, InputError)
    return Persona(str(data.get("name") or ""), age, codes, when, **flags, name_en=str(data.get("name_en") or ""))


def fits(services: pd.DataFrame, persona: Persona, *, unknown: str = "keep",
         min_overlap_min: float = 60.0) -> pd.DataFrame:
    """One row per service: ``fits`` (bool), ``unknown`` (list of attributes not recorded that
    were checked) and ``reasons`` (list of attribute names that rule it out)."""
    window = parse_opening_hours(persona.when) if persona.when else None
    rows = []
    for s in services.itertuples(index=False):
        reasons, missing = [], []
        if persona.age is not None:
            lo, hi = _num(getattr(s, "age_min", None)), _num(getattr(s, "age_max", None))
            if lo is None and hi is None:
                missing.append("age")
            elif (lo is not None and persona.age < lo) or (hi is not None and persona.age > hi):
                reasons.append("age")
        if persona.languages:
            offered, _ = parse_languages(getattr(s, "languages", None))
            if not offered:
                missing.append("languages")
            elif not set(offered) & set(persona.languages):
                reasons.append("languages")
        if window is not None:
            try:
                oh = parse_opening_hours(getattr(s, "opening_hours", None))
            except ValueError:
                oh = None
            if oh is None:
                missing.append("opening_hours")
            elif open_minutes(oh, window) < min_overlap_min:
                reasons.append("opening_hours")
        if persona.free_only:
            try:
                cost = parse_cost(getattr(s, "cost", None))
            except ValueError:
                cost = None
            if cost is None:
                missing.append("cost")
            elif cost != "free":
                reasons.append("cost")
        if persona.wheelchair:
            bf = getattr(s, "barrier_free", None)
            if bf is None or (isinstance(bf, float) and pd.isna(bf)) or bf is pd.NA:
                missing.append("wheelchair")
            elif not bool(bf):
                reasons.append("wheelchair")
        ok = not reasons and (unknown == "keep" or not missing)
        rows.append({"service_id": s.service_id, "fits": ok, "reasons": reasons, "unknown": missing})
    return pd.DataFrame(rows, columns=["service_id", "fits", "reasons", "unknown"])


def _num(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    return float(v)


# --------------------------------------------------------------------------- age ranges, OSM tags
def parse_age_range(text) -> tuple[float | None, float | None]:
    """``"12-27"``, ``"12–27"``, ``"ab 12"``, ``"12+"``, ``"bis 27"``, ``"16"`` → (min, max);
    (None, None) when empty; ``ParseError`` otherwise."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None, None
    if isinstance(text, (int, float)):
        return float(text), float(text)
    w = str(text).strip().casefold().replace("–", "-").replace("—", "-").replace(" ", "")
    for word in ("jahre", "jahren", "years", "year", "j."):
        w = w.removesuffix(word)
    if not w:
        return None, None
    try:
        if w.startswith(("ab", "from")) or w.endswith("+"):
            return _age(w.removeprefix("ab").removeprefix("from").rstrip("+")), None
        if w.startswith(("bis", "upto", "to")):
            return None, _age(w.removeprefix("bis").removeprefix("upto").removeprefix("to"))
        if "-" in w.strip("-"):
            lo, hi = w.split("-", 1)
            lo, hi = _age(lo), _age(hi)
            if lo > hi:
                raise ValueError
            return lo, hi
        return _age(w), _age(w)
    except ValueError:
        raise ParseError(Problem("value_unreadable", {"detail": str(text)})) from None


def _age(text: str) -> float:
    value = float(text.replace(",", "."))
    if not 0 <= value <= 120:
        raise ValueError
    return value


#: the OSM keys read as service attributes (besides ``language:xx``)
OSM_ATTRIBUTE_KEYS = ("opening_hours", "wheelchair", "fee", "min_age", "max_age", "age")


def is_osm_attribute_key(key: str) -> bool:
    """True for the OSM tags ``osm_attributes`` reads (e.g. ``fee``, ``language:ar``)."""
    key = str(key)
    return key in OSM_ATTRIBUTE_KEYS or (key.startswith("language:") and key[9:] in ISO_639_1)


def osm_attributes(tags: dict) -> tuple[dict, list[tuple[str, str]]]:
    """A service's attributes from its OSM tags (a plain dict; any importer can call it).

    ``opening_hours`` (kept as text when it parses), ``wheelchair`` yes/designated → True,
    limited/no → False (a wheelchair user cannot count on "limited"), ``fee`` no → free,
    yes → paid, ``language:xx=yes`` (ISO 639-1) → languages, ``min_age``/``max_age`` and
    ``age`` ranges ("12-27", "6+"). Returns (values with the keys ``languages``,
    ``opening_hours``, ``barrier_free``, ``cost``, ``age_min``, ``age_max`` — None where the
    tags say nothing — and the (key, value) pairs that could not be read)."""
    out = {"languages": None, "opening_hours": None, "barrier_free": None, "cost": None, "age_min": None,
           "age_max": None}
    bad: list[tuple[str, str]] = []

    def value(key):
        v = tags.get(key)
        if v is None or (isinstance(v, float) and pd.isna(v)) or not str(v).strip():
            return None
        return str(v).strip()

    def read(key, parse, target):
        v = value(key)
        if v is None:
            return
        try:
            out[target] = parse(v)
        except ValueError:
            bad.append((key, v))

    def hours(v):
        parse_opening_hours(v)
        return v
    read("opening_hours", hours, "opening_hours")
    read("wheelchair", parse_bool, "barrier_free")
    read("fee", parse_cost, "cost")
    codes = []
    for key in sorted(k for k in tags if str(k).startswith("language:")):
        code = str(key)[9:]
        v = value(key)
        if code not in ISO_639_1 or v is None:
            continue
        try:
            if parse_bool(v):
                codes.append(code)
        except ValueError:
            bad.append((key, v))
    out["languages"] = ", ".join(codes) if codes else None
    lo = hi = None
    if value("age") is not None:
        try:
            lo, hi = parse_age_range(value("age"))
        except ValueError:
            bad.append(("age", value("age")))
    for key in ("min_age", "max_age"):
        v = value(key)
        if v is None:
            continue
        try:
            age = _age(v.removesuffix("+"))
        except ValueError:
            bad.append((key, v))
            continue
        if key == "min_age":
            lo = age
        else:
            hi = age
    out["age_min"], out["age_max"] = lo, hi
    return out, bad


# --------------------------------------------------------------------------- what a service lacks
def fit_details(services: pd.DataFrame, persona: Persona, *, min_overlap_min: float = 60.0) -> pd.DataFrame:
    """Per service (``fits`` with unknowns kept apart): ``status`` ``fits`` (every attribute the
    persona asks about recorded and fitting), ``lacks`` (at least one rules it out) or
    ``unknown`` (nothing rules it out, but something is not recorded — never "fits"); ``lacks``
    a list of (code, parameters) naming what rules it out, ``unknown`` the attributes not
    recorded."""
    f = fits(services, persona, unknown="keep", min_overlap_min=min_overlap_min)
    window = parse_opening_hours(persona.when) if persona.when else None
    by_id = services.set_index("service_id")
    lacks = []
    for sid, reasons in zip(f["service_id"], f["reasons"]):
        s = by_id.loc[sid]
        out = []
        for r in reasons:
            if r == "age":
                out.append(("age", {"low": _num(s.get("age_min")), "high": _num(s.get("age_max"))}))
            elif r == "languages":
                out.append(("languages", {"wanted": list(persona.languages),
                                          "offered": parse_languages(s.get("languages"))[0] or []}))
            elif r == "opening_hours":
                minutes = open_minutes(parse_opening_hours(s.get("opening_hours")), window)
                out.append(("opening_hours", {"when": persona.when, "minutes": minutes,
                                              "hours": str(s.get("opening_hours"))}))
            elif r == "cost":
                out.append(("cost", {"cost": parse_cost(s.get("cost"))}))
            else:
                out.append((r, {}))
        lacks.append(out)
    status = np.where(f["reasons"].map(bool), "lacks", np.where(f["unknown"].map(bool), "unknown", "fits"))
    return pd.DataFrame({"service_id": f["service_id"], "status": status, "lacks": lacks, "unknown": f["unknown"]})
