"""Service attributes and personas (``jmdiq_geo.analysis.attributes``): parsing, validation with
every problem at once, the shipped presets, and which services a persona keeps.

Opening-hour overlaps are worked out by hand in the reference week (Mo 2026-11-23 … Su 2026-11-29,
no public holidays).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.attributes import (Persona, fits, make_persona, open_minutes, parse_bool, parse_cost,
                                          parse_languages, parse_opening_hours)
from jmdiq_geo.errors import InputError
from tests.fixtures.problems import assert_rendered


# --------------------------------------------------------------------------- languages

def test_parse_languages_codes_and_names():
    assert parse_languages("de, ar;tr / uk") == (["de", "ar", "tr", "uk"], [])
    # German and English names from data/services/languages.toml, any case, duplicates once
    assert parse_languages("Arabisch, Turkish, TÜRKISCH, ukrainian, ar") == (["ar", "tr", "uk"], [])
    # any ISO 639-1 code is accepted, even one the names file does not list
    assert parse_languages("sw") == (["sw"], [])


def test_parse_languages_unknown_words_returned_as_written():
    codes, unknown = parse_languages("de, Klingonisch ; xx, Arabic")
    assert codes == ["de", "ar"]
    assert unknown == ["Klingonisch", "xx"]


@pytest.mark.parametrize("empty", [None, "", "   ", float("nan"), " , ;"])
def test_parse_languages_empty(empty):
    codes, unknown = parse_languages(empty)
    assert unknown == []
    assert codes in (None, [])   # " , ;" has separators but no word: nothing offered


# --------------------------------------------------------------------------- opening hours

def test_parse_opening_hours_valid():
    oh = parse_opening_hours("Mo-Fr 14:00-19:00; Sa 10:00-13:00")
    assert oh is not None
    assert parse_opening_hours(None) is None
    assert parse_opening_hours("  ") is None
    assert parse_opening_hours(float("nan")) is None


@pytest.mark.parametrize("text", ["Mo-Fr 15:00-", "immer offen", "Mo-Fr 99:00-100:00", "Mo-Fr 15:00-18:00;;;Xy"])
def test_parse_opening_hours_malformed_raises_value_error(text):
    with pytest.raises(ValueError) as info:
        parse_opening_hours(text)
    message = str(info.value)
    assert message and "\n" not in message   # only the parser's first line


@pytest.mark.parametrize(("service", "window", "minutes"), [
    # 15–18 lies inside 14–19: 180 min on each of five weekdays
    ("Mo-Fr 14:00-19:00", "Mo-Fr 15:00-18:00", 5 * 180),
    # 08–16 vs 15–18: one hour a day
    ("Mo-Fr 08:00-16:00", "Mo-Fr 15:00-18:00", 5 * 60),
    # Mo, We 16:30–20:00 vs Mo-Fr 15–18: 90 min on two days; Sa is outside the window
    ("Mo,We 16:30-20:00; Sa 10:00-18:00", "Mo-Fr 15:00-18:00", 2 * 90),
    # 24/7 vs the window: the whole window (5 × 3 h)
    ("24/7", "Mo-Fr 15:00-18:00", 5 * 180),
])
def test_open_minutes_hand_computed(service, window, minutes):
    assert open_minutes(parse_opening_hours(service), parse_opening_hours(window)) == pytest.approx(minutes)


def test_open_minutes_disjoint_is_zero():
    assert open_minutes(parse_opening_hours("Sa-Su 10:00-18:00"), parse_opening_hours("Mo-Fr 15:00-18:00")) == 0


# --------------------------------------------------------------------------- cost and flags

@pytest.mark.parametrize(("text", "expected"), [
    ("free", "free"), ("Kostenlos", "free"), (" gratis ", "free"), ("0", "free"), ("0,00 €", "free"),
    (0.0, "free"), ("nein", "free"), ("ermaessigt", "reduced"), ("Reduced", "reduced"), ("gering", "reduced"), ("paid", "paid"),
    ("kostenpflichtig", "paid"), ("ja", "paid"), ("2,50", "paid"), ("5 €", "paid"), (12, "paid"),
    (None, None), ("", None), (float("nan"), None)])
def test_parse_cost(text, expected):
    assert parse_cost(text) == expected


@pytest.mark.parametrize("text", ["ermäßigt", "Ermäßigt"])
def test_parse_cost_eszett(text):
    assert parse_cost(text) == "reduced"


@pytest.mark.parametrize("text", ["teuer", "auf Anfrage", "5-10 €"])
def test_parse_cost_unknown_raises(text):
    with pytest.raises(ValueError, match=text.split()[0]):
        parse_cost(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("ja", True), ("Yes", True), ("designated", True), ("1", True), (True, True), (1, True),
    ("nein", False), ("no", False), ("limited", False), ("eingeschränkt", False), (False, False), (0, False),
    (None, None), ("", None), (float("nan"), None)])
def test_parse_bool(text, expected):
    assert parse_bool(text) is expected


def test_parse_bool_unknown_raises():
    with pytest.raises(ValueError, match="vielleicht"):
        parse_bool("vielleicht")


# --------------------------------------------------------------------------- personas

def test_make_persona_valid():
    p = make_persona({"name": "Test", "age": "16", "languages": ["ar", "Deutsch"], "when": "Mo-Fr 15:00-18:00",
                      "free_only": "ja", "wheelchair": True})
    assert p == Persona("Test", 16.0, ["ar", "de"], "Mo-Fr 15:00-18:00", True, True)
    assert not p.is_empty()
    assert p.key() == {"age": 16.0, "languages": ["ar", "de"], "when": "Mo-Fr 15:00-18:00", "free_only": True,
                       "wheelchair": True}


def test_make_persona_single_language_string_and_empty():
    assert make_persona({"languages": "Arabisch, tr"}).languages == ["ar", "tr"]
    empty = make_persona({})
    assert empty.is_empty()
    assert empty == Persona()


def test_make_persona_unknown_language():
    with pytest.raises(InputError) as info:
        make_persona({"languages": ["ar", "Klingonisch"]}, file="p.toml")
    [problem] = info.value.problems
    assert problem.code == "persona_unknown_language"
    assert problem.column == "languages"
    assert problem.file == "p.toml"
    assert problem.params["value"] == "Klingonisch"
    assert_rendered(problem, "Klingonisch")


def test_make_persona_bad_hours():
    with pytest.raises(InputError) as info:
        make_persona({"when": "nach der Schule"})
    [problem] = info.value.problems
    assert problem.code == "persona_bad_hours"
    assert problem.column == "when"
    assert_rendered(problem, "nach der Schule")


def test_make_persona_reports_every_problem_at_once():
    data = {"age": 200, "languages": ["xx", "ar", "Elbisch"], "when": "Mo-Fr 15-", "free_only": "vielleicht",
            "hobby": "Fußball"}
    with pytest.raises(InputError) as info:
        make_persona(data, file="alle.toml")
    problems = info.value.problems
    got = sorted((p.code, p.column) for p in problems)
    assert got == sorted([("persona_unknown_field", "hobby"), ("persona_bad_age", "age"),
                          ("persona_unknown_language", "languages"), ("persona_unknown_language", "languages"),
                          ("persona_bad_hours", "when"), ("persona_bad_flag", "free_only")])
    assert all(p.file == "alle.toml" and p.severity == "error" for p in problems)
    values = {p.code: p for p in problems}
    assert_rendered(values["persona_bad_age"], "200")
    assert_rendered(values["persona_bad_flag"], "vielleicht", "free_only")
    assert_rendered(values["persona_unknown_field"], "hobby")
    assert sorted(p.params["value"] for p in problems if p.code == "persona_unknown_language") == ["Elbisch", "xx"]
    # the exception's own message is the English rendering of every problem
    assert str(info.value).count("\n") == len(problems) - 1
    assert len(info.value.render("de")) == len(problems)


@pytest.mark.parametrize("age", ["-1", "alt", 121])
def test_make_persona_bad_age(age):
    with pytest.raises(InputError) as info:
        make_persona({"age": age})
    assert [(p.code, p.column) for p in info.value.problems] == [("persona_bad_age", "age")]


# --------------------------------------------------------------------------- fits

#: every service fails exactly one attribute of PERSONA (except "ok", which fits, and "blank",
#: which records nothing)
SERVICES = pd.DataFrame([
    # service_id, age_min, age_max, languages, opening_hours, cost, barrier_free
    ("ok", 12, 21, "de, Arabisch", "Mo-Fr 14:00-19:00", "kostenlos", True),
    ("age", 18, 27, "ar", "Mo-Fr 14:00-19:00", "free", True),
    ("languages", 12, 21, "de, tr", "Mo-Fr 14:00-19:00", "free", True),
    # 30 min/week in the window < min_overlap_min = 60
    ("opening_hours", 12, 21, "ar", "Mo 17:30-19:00; Sa 10:00-18:00", "free", True),
    ("cost", 12, 21, "ar", "Mo-Fr 14:00-19:00", "5 €", True),
    ("wheelchair", 12, 21, "ar", "Mo-Fr 14:00-19:00", "free", False),
    ("blank", None, None, None, None, None, None),
], columns=["service_id", "age_min", "age_max", "languages", "opening_hours", "cost", "barrier_free"])

ALL_ATTRIBUTES = ["age", "languages", "opening_hours", "cost", "wheelchair"]


@pytest.fixture
def persona() -> Persona:
    return make_persona({"age": 16, "languages": ["ar"], "when": "Mo-Fr 15:00-18:00", "free_only": True,
                         "wheelchair": True})


def by_id(result: pd.DataFrame) -> dict[str, dict]:
    return {r["service_id"]: r for r in result.to_dict("records")}


def test_fits_each_failing_attribute_is_named(persona):
    result = fits(SERVICES, persona)
    assert list(result.columns) == ["service_id", "fits", "reasons", "unknown"]
    assert result["service_id"].tolist() == SERVICES["service_id"].tolist()
    rows = by_id(result)
    assert rows["ok"]["fits"] and rows["ok"]["reasons"] == [] and rows["ok"]["unknown"] == []
    for attribute in ALL_ATTRIBUTES:
        assert rows[attribute]["reasons"] == [attribute], rows[attribute]
        assert not rows[attribute]["fits"]
        assert rows[attribute]["unknown"] == []


def test_fits_without_time_each_failing_attribute_is_named(persona):
    """The same without ``when`` (not touched by the open_minutes bug): the service with
    unsuitable hours now fits."""
    persona.when = None
    rows = by_id(fits(SERVICES, persona))
    assert rows["ok"]["fits"] and rows["opening_hours"]["fits"]
    assert rows["opening_hours"]["reasons"] == []
    for attribute in ["age", "languages", "cost", "wheelchair"]:
        assert rows[attribute]["reasons"] == [attribute], rows[attribute]
        assert not rows[attribute]["fits"]


def test_fits_min_overlap_threshold(persona):
    """With the threshold at 0 minutes any recorded hours pass; with an absurd threshold none do."""
    persona.languages, persona.age, persona.free_only, persona.wheelchair = [], None, False, False
    assert by_id(fits(SERVICES, persona, min_overlap_min=0))["opening_hours"]["fits"]
    rows = by_id(fits(SERVICES, persona, min_overlap_min=1e9))
    assert all(rows[s]["reasons"] == ["opening_hours"] for s in SERVICES["service_id"] if s != "blank")
    assert rows["blank"]["unknown"] == ["opening_hours"]


def test_fits_unknown_keep_or_drop(persona):
    kept = by_id(fits(SERVICES, persona, unknown="keep"))["blank"]
    dropped = by_id(fits(SERVICES, persona, unknown="drop"))["blank"]
    for row in (kept, dropped):
        assert row["reasons"] == []
        assert row["unknown"] == ALL_ATTRIBUTES
    assert kept["fits"] is True
    assert dropped["fits"] is False


def test_fits_partly_recorded_and_malformed_values(persona):
    """Only an upper age bound, unparsable hours and cost count as 'not recorded', not as a misfit."""
    services = pd.DataFrame({"service_id": ["a", "b"], "age_min": [np.nan, np.nan], "age_max": [18, 14],
                             "languages": ["Arabic", "ar"], "opening_hours": ["immer", "Mo-Fr 15:00-"],
                             "cost": ["auf Anfrage", "free"], "barrier_free": [pd.NA, True]})
    rows = by_id(fits(services, persona, unknown="keep"))
    assert rows["a"]["reasons"] == [] and rows["a"]["fits"]
    assert rows["a"]["unknown"] == ["opening_hours", "cost", "wheelchair"]
    assert rows["b"]["reasons"] == ["age"] and not rows["b"]["fits"]
    assert rows["b"]["unknown"] == ["opening_hours"]
    assert not by_id(fits(services, persona, unknown="drop"))["a"]["fits"]


def test_fits_empty_persona_keeps_everything():
    result = fits(SERVICES, Persona(), unknown="drop")
    assert result["fits"].all()
    assert result["reasons"].map(len).sum() == 0 and result["unknown"].map(len).sum() == 0


def test_fits_keeps_the_services_order(persona):
    """One row per service in the services' order, also when they are labelled and unsorted.
    (``fits`` numbers its rows 0…n−1 rather than keeping the services' index: match by
    ``service_id``.)"""
    services = SERVICES.sample(frac=1.0, random_state=4).set_index(pd.Index([70, 10, 60, 30, 50, 20, 40]))
    result = fits(services, persona)
    assert result["service_id"].tolist() == services["service_id"].tolist()
    assert len(result) == len(services)
    assert by_id(result) == by_id(fits(SERVICES, persona))


# --------------------------------------------------------------------------- OSM tags, age ranges, lacks
from jmdiq_geo.analysis.attributes import (fit_details, is_osm_attribute_key, osm_attributes,  # noqa: E402
                                          parse_age_range)


def test_osm_tags_of_a_youth_centre():
    values, bad = osm_attributes({"amenity": "youth_centre", "name": "Treff", "opening_hours": "Mo-Fr 14:00-20:00",
                                  "wheelchair": "yes", "fee": "no", "language:ar": "yes", "language:de": "yes",
                                  "language:en": "no", "min_age": "12", "max_age": "27"})
    assert bad == []
    assert values == {"languages": "ar, de", "opening_hours": "Mo-Fr 14:00-20:00", "barrier_free": True,
                      "cost": "free", "age_min": 12.0, "age_max": 27.0}


def test_osm_tags_limited_wheelchair_paid_and_age_range():
    values, bad = osm_attributes({"wheelchair": "limited", "fee": "yes", "age": "6-12"})
    assert bad == []
    # "limited" is no promise to a wheelchair user
    assert values["barrier_free"] is False and values["cost"] == "paid"
    assert (values["age_min"], values["age_max"]) == (6.0, 12.0)
    assert values["languages"] is None and values["opening_hours"] is None
    # min_age/max_age say more than a range in "age"
    values, _ = osm_attributes({"age": "6-12", "max_age": "14", "min_age": "8+"})
    assert (values["age_min"], values["age_max"]) == (8.0, 14.0)


def test_osm_tags_unreadable_values_are_returned_not_guessed():
    values, bad = osm_attributes({"opening_hours": "Mo-Fr 25:00", "fee": "donation", "language:tr": "maybe",
                                  "max_age": "old", "wheelchair": "", "language:klingon": "yes"})
    assert sorted(bad) == [("fee", "donation"), ("language:tr", "maybe"), ("max_age", "old"),
                           ("opening_hours", "Mo-Fr 25:00")]
    assert all(v is None for v in values.values())
    # an empty dict (a file without any of these tags) gives nothing, and no complaint
    assert osm_attributes({}) == ({"languages": None, "opening_hours": None, "barrier_free": None, "cost": None,
                                   "age_min": None, "age_max": None}, [])


def test_osm_attribute_keys():
    assert all(is_osm_attribute_key(k) for k in ("fee", "wheelchair", "opening_hours", "language:ar", "age"))
    assert not any(is_osm_attribute_key(k) for k in ("name", "language:klingon", "amenity", "id"))


@pytest.mark.parametrize("text, expected", [("12-27", (12, 27)), ("12 – 27 Jahre", (12, 27)), ("ab 6", (6, None)),
                                            ("6+", (6, None)), ("bis 14", (None, 14)), ("16", (16, 16)),
                                            ("", (None, None)), (None, (None, None))])
def test_parse_age_range(text, expected):
    assert parse_age_range(text) == expected


@pytest.mark.parametrize("text", ["27-12", "zwölf", "-3", "130"])
def test_parse_age_range_refuses(text):
    with pytest.raises(ValueError):
        parse_age_range(text)


def test_fit_details_fits_lacks_and_unknown_never_fits():
    services = pd.DataFrame({
        "service_id": ["fits", "kids", "closed", "unknown"],
        "languages": ["ar, de", "ar", "tr", None], "opening_hours": ["Mo-Fr 14:00-20:00", "Mo-Fr 14:00-20:00",
                                                                     "Mo-Fr 09:00-15:00", None],
        "cost": ["free", "free", "paid", None], "age_min": [10.0, 6.0, np.nan, np.nan],
        "age_max": [21.0, 12.0, np.nan, np.nan], "barrier_free": [None, None, None, None]})
    persona = Persona(age=16, languages=["ar"], when="Mo-Fr 15:00-19:00", free_only=True)
    d = fit_details(services, persona).set_index("service_id")
    assert d.loc["fits", "status"] == "fits" and d.loc["fits", "lacks"] == [] and d.loc["fits", "unknown"] == []
    assert d.loc["kids", "status"] == "lacks" and d.loc["kids", "lacks"] == [("age", {"low": 6.0, "high": 12.0})]
    # what rules it out, and (apart) what is not recorded
    assert [c for c, _ in d.loc["closed", "lacks"]] == ["languages", "opening_hours", "cost"]
    assert d.loc["closed", "status"] == "lacks" and d.loc["closed", "unknown"] == ["age"]
    hours = dict(d.loc["closed", "lacks"])["opening_hours"]
    assert hours["minutes"] == 0 and hours["hours"] == "Mo-Fr 09:00-15:00"
    assert dict(d.loc["closed", "lacks"])["languages"] == {"wanted": ["ar"], "offered": ["tr"]}
    # nothing recorded: unknown, never "fits"
    assert d.loc["unknown", "status"] == "unknown"
    assert d.loc["unknown", "unknown"] == ["age", "languages", "opening_hours", "cost"]
