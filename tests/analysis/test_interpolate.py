"""Interpolation to a quarter: exact for unions, totals conserved, rates rebuilt; rules data-driven."""
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.interpolate import area_weights, estimate
from jmdiq_geo.analysis.rules import MET, NOT_MET, UNKNOWN, Facts, evaluate
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.io.rulesets import ruleset_from_dict

CRS = "EPSG:25833"
AREAS = gpd.GeoDataFrame({"area_id": ["a", "b"]}, geometry=[shapely.box(0, 0, 100, 100), shapely.box(100, 0, 200, 100)],
                         crs=CRS)
VALUES = pd.DataFrame({"ew": [1000.0, 500.0], "arbeitslos": [100.0, 10.0], "quote": [10.0, 2.0]}, index=["a", "b"])
DEFS = pd.DataFrame({"kind": ["extensive", "extensive", "intensive"], "denominator": [None, None, "ew"]},
                    index=["ew", "arbeitslos", "quote"])


def test_union_is_exact():
    w = area_weights(shapely.box(0, 0, 200, 100), AREAS)
    assert set(w.table["method"]) == {"full"}
    est = estimate(w, VALUES, DEFS)
    assert est.at["ew", "value"] == 1500.0
    assert est.at["quote", "value"] == pytest.approx(100 * 110 / 1500)      # rebuilt, not the mean 6


def test_surface_weights_without_grid_and_conservation():
    half = shapely.box(50, 0, 150, 100)
    rest = shapely.box(0, 0, 200, 100).difference(half)
    w1, w2 = area_weights(half, AREAS), area_weights(rest, AREAS)
    assert set(w1.table["method"]) == {"area"}
    total = estimate(w1, VALUES, DEFS).at["ew", "value"] + estimate(w2, VALUES, DEFS).at["ew", "value"]
    assert total == pytest.approx(1500.0)


def test_dasymetric_follows_where_people_live():
    # all of a's residents live in its left half: a quarter over the right half gets none of them
    grid = gpd.GeoDataFrame({"value": [80.0, 0.0, 40.0, 40.0]},
                            geometry=[shapely.box(0, 0, 50, 100), shapely.box(50, 0, 100, 100),
                                      shapely.box(100, 0, 150, 100), shapely.box(150, 0, 200, 100)], crs=CRS)
    w = area_weights(shapely.box(50, 0, 150, 100), AREAS, grid=grid)
    table = w.table.set_index("area_id")
    assert table.at["a", "method"] == "dasymetric" and table.at["a", "weight"] == 0.0
    assert table.at["b", "weight"] == pytest.approx(0.5)
    assert estimate(w, VALUES, DEFS).at["ew", "value"] == pytest.approx(250.0)
    assert w.share_partial(VALUES["ew"]) == 1.0


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


def test_broken_ruleset():
    doc = {"ruleset": {"id": "x", "label_de": "X"},
           "criteria": [{"id": "a", "type": "wish", "label_de": "A"},
                        {"id": "b", "type": "indicator_min", "label_de": "B", "indicator": "ew"}],
           "paths": [{"label_de": "P", "criteria": ["a", "c"]}]}
    with pytest.raises(SchemaError) as err:
        ruleset_from_dict(doc)
    assert {p.code for p in err.value.problems} == {"rule_type", "rule_field_missing", "rule_path_unknown"}
