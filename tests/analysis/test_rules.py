"""Rule sets (``jmdiq_geo.analysis.rules``): criteria on paths, a verdict that is unknown where the
data are, never a guess."""
from jmdiq_geo.analysis.rules import MET, NOT_MET, UNKNOWN, Facts, evaluate
from jmdiq_geo.io.rulesets import ruleset_from_dict


def _facts(**over):
    base = dict(value=lambda i: (12.0, "31.12.2024") if i == "quote" else (None, None), city=lambda i: 8.0,
                city_spread=lambda i: (8.0, 2.0), class_share=lambda i, c: None,
                programme_share=lambda p, f: (None, []), services_nearby=lambda c, d: (2, ["A", "B"]),
                label=lambda i, lang: i)
    base.update(over)
    return Facts(**base)


RULES = {"ruleset": {"id": "r", "label_de": "R"},
         "criteria": [{"id": "q", "type": "compare_city", "label_de": "Q", "indicator": "quote", "factor": 1.2},
                      {"id": "p", "type": "programme_share", "label_de": "P", "programmes": ["QM"], "min_share": 0.5},
                      {"id": "s", "type": "services_nearby", "label_de": "S", "category": "jfe", "within_m": 500}],
         "paths": [{"label_de": "Programm", "criteria": ["p"]}, {"label_de": "Ausnahme", "criteria": ["q", "s"]}]}


def test_rules_paths_and_unknown():
    rules = ruleset_from_dict(RULES)
    verdict = evaluate(rules, _facts())
    assert verdict.status == MET and verdict.path.label_de == "Ausnahme"
    assert [o.status for o in verdict.outcomes] == [MET, UNKNOWN, MET]
    assert "12,0" in verdict.outcomes[0].reason_de and "9,6" in verdict.outcomes[0].reason_de
    # the exception fails: the verdict now hangs on the unknown programme areas
    verdict = evaluate(rules, _facts(services_nearby=lambda c, d: (0, [])))
    assert verdict.status == UNKNOWN
    verdict = evaluate(rules, _facts(services_nearby=lambda c, d: (0, []), programme_share=lambda p, f: (0.1, ["X"])))
    assert verdict.status == NOT_MET


def test_every_rule_is_unknown_without_data():
    rules = ruleset_from_dict(RULES)
    nothing = _facts(value=lambda i: (None, None), city=lambda i: None, services_nearby=lambda c, d: (None, []))
    verdict = evaluate(rules, nothing)
    assert {o.status for o in verdict.outcomes} == {UNKNOWN} and verdict.status == UNKNOWN
