"""Rule sets and the Steckbrief ask for indicator roles; each workspace maps them to its own."""
import pytest

from jmdiq_geo.analysis.roles import ROLES
from jmdiq_geo.cli import main
from jmdiq_geo.config import Settings
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.io.rulesets import load_ruleset, ruleset_from_dict, shipped_rulesets
from jmdiq_geo.services.imports import IndicatorDef, Source, TableSpec, import_file
from jmdiq_geo.services.profile import profile_indicator_ids
from jmdiq_geo.services.quarter import check_quarter, quarter_from_areas
from jmdiq_geo.services.roles import indicator_roles, set_indicator_roles
from tests.fixtures.files import count_table

SETTINGS = Settings.from_env()


@pytest.mark.backend_free
def test_shipped_rule_sets_use_roles_only():
    for path in shipped_rulesets().values():
        for c in load_ruleset(path).criteria:
            if c.type in ("compare_city", "indicator_min", "class_share"):
                assert c.indicator is None and c.role in ROLES, (path.name, c.id)


def test_unmapped_role_is_unknown_then_mapping_decides(tiny_ws, tmp_path):
    table = count_table(tmp_path / "zg.csv", [("01000001", 200), ("01000002", 180), ("01000003", 40),
                                              ("01000004", 35)])
    import_file(tiny_ws, "indicators", table, TableSpec(level="plr", period="2024-12-31", columns={"Anzahl": "zg"},
                                                        key="PLR_ID", indicators=[IndicatorDef(
                                                            "zg", "Junge Menschen", "Young people", kind="extensive")]),
                Source("t", "Test", licence="CC0"), max_bytes=10**7)
    rules = ruleset_from_dict({"ruleset": {"id": "t", "label_de": "Test"},
                               "criteria": [{"id": "zg", "type": "indicator_min", "label_de": "Zielgruppe",
                                             "role": "target_group", "min": 300}],
                               "paths": [{"label_de": "Zielgruppe", "criteria": ["zg"]}]})
    quarter = quarter_from_areas(tiny_ws, level="plr", area_ids=["01000001", "01000002"])
    before = check_quarter(tiny_ws, quarter, rules, settings=SETTINGS).verdict
    assert before.status == "unknown" and "Rolle" in before.outcomes[0].reason_de
    assert profile_indicator_ids(tiny_ws) == ["zg"]          # no role named yet: every indicator it has
    with pytest.raises(SchemaError):
        set_indicator_roles(tiny_ws, {"target_group": "gibt_es_nicht"})
    set_indicator_roles(tiny_ws, {"target_group": "zg"})
    assert indicator_roles(tiny_ws)["target_group"] == "zg" and tiny_ws.meta()["target_group_indicator"] == "zg"
    after = check_quarter(tiny_ws, quarter, rules, settings=SETTINGS).verdict
    assert after.status == "met" and after.outcomes[0].numbers["value"] == 380
    assert profile_indicator_ids(tiny_ws) == ["zg"]


@pytest.mark.realdata
def test_berlin_maps_the_roles_of_the_shipped_rules_and_profile(berlin_ws):
    roles = indicator_roles(berlin_ws)
    assert roles["unemployment_share"] == "mss_s1" and roles["residents"] == "ew"
    assert profile_indicator_ids(berlin_ws)[:3] == ["ew", "jmd_zg", "jmd_zg_anteil"]


def test_cli_roles(tiny_ws, capsys):
    db = str(tiny_ws.location)
    tiny_ws.close()
    assert main(["--lang", "en", "roles", "--db", db, "unemployment_share=nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["--lang", "en", "roles", "--db", db]) == 0
    assert "Unemployment (share)" in capsys.readouterr().out
