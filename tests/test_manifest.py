"""Data-package manifests: the Berlin one is valid; broken ones say everything wrong at once."""
import pytest

from jmdiq_geo.services.city import load_manifest, manifest_path
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.i18n import class_label, format_problem


def test_berlin_manifest_is_valid_and_files_exist(data_root):
    manifest = load_manifest(manifest_path("berlin"), data_root=data_root)
    kinds = [e.kind for e in manifest.entries]
    assert kinds.count("boundaries") == 4
    assert kinds.count("indicators") == 3 * 4 + 3       # t1–t3 for 2021–2024, three MSS tables
    assert manifest.work_crs == "EPSG:25833"
    assert {"jmd_zg", "jmd_zg_anteil"} <= {d.indicator_id for d in manifest.derived}


def test_broken_manifest_reports_all_problems(tmp_path):
    path = tmp_path / "city.toml"
    path.write_text("""
[city]
id = "x"
name = "X"
[typo_section]
a = 1
[sources.s]
title = "S"
[[boundaries]]
level = "nowhere"
file = "b.shp"
key = "ID"
source = "unknown"
colour = "red"
[[tables]]
file = "t.csv"
level = "nowhere"
period = "2024-12-31"
key = "ID"
source = "s"
columns = { A = "undefined_indicator" }
""", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load_manifest(path, data_root=tmp_path)
    codes = [p.code for p in err.value.problems]
    for code in ("manifest_unknown_section", "manifest_field_missing", "manifest_unknown_source",
                 "manifest_unknown_field", "level_unknown", "indicator_unknown", "manifest_file_missing"):
        assert code in codes, code
    text = "\n".join(format_problem(p, "en") for p in err.value.problems)
    assert "typo_section" in text and "colour" in text and "undefined_indicator" in text and "city.work_crs" in text


def test_manifest_syntax_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[city\nid = 1", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load_manifest(path)
    assert err.value.problems[0].code == "manifest_syntax"


def test_berlin_class_indicators_are_labelled_in_both_languages(data_root):
    manifest = load_manifest(manifest_path("berlin"), data_root=data_root)
    classed = [d for d in manifest.indicators if d.kind == "class"]
    assert {"mss_status", "mss_dynamik", "mss_gueltig"} <= {d.indicator_id for d in classed}
    for d in classed:
        for code in d.classes:
            de, en = class_label(d.classes, code, "de"), class_label(d.classes, code, "en")
            assert de and en, (d.indicator_id, code)
    status = next(d for d in classed if d.indicator_id == "mss_status")
    assert [class_label(status.classes, c, "en") for c in (1, 4)] == ["high", "very low"]
    assert class_label(status.classes, 9, "en") is None
    # one label per code (older manifests, the overall index codes) serves both languages
    assert class_label({"11": "1+"}, 11, "en") == class_label({"11": "1+"}, "11", "de") == "1+"


def test_profile_names_the_class_in_the_page_language(berlin_ws):
    from jmdiq_geo.config import Settings
    from jmdiq_geo.services.profile import area_profile

    area = berlin_ws.area_names("plr").iloc[0]["area_id"]
    rows = area_profile(berlin_ws, level="plr", area_id=area, settings=Settings.from_env()).indicators
    status = rows[rows["indicator_id"] == "mss_status"].iloc[0]
    assert status["value_label_de"] in {"hoch", "mittel", "niedrig", "sehr niedrig"}
    assert status["value_label_en"] == {"hoch": "high", "mittel": "medium", "niedrig": "low",
                                        "sehr niedrig": "very low"}[status["value_label_de"]]


def test_access_demand_must_name_known_indicators(tmp_path, data_root):
    text = manifest_path("berlin").read_text(encoding="utf-8").replace(
        'access_demand = { kita = "ew_u6" }', 'access_demand = { kita = "kinder_gibts_nicht" }')
    assert "kinder_gibts_nicht" in text
    path = tmp_path / "stadt.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_manifest(path, data_root=data_root)
    [problem] = [p for p in info.value.problems if p.code == "indicator_unknown"]
    assert "kinder_gibts_nicht" in format_problem(problem, "de")

    # a category that does not exist, or a list instead of one indicator: a message, no traceback
    for bad, word in (('access_demand = { kitas = "ew_u6" }', "kitas"), ('access_demand = { kita = ["ew_u6"] }', "kita")):
        path.write_text(manifest_path("berlin").read_text(encoding="utf-8").replace(
            'access_demand = { kita = "ew_u6" }', bad), encoding="utf-8")
        with pytest.raises(SchemaError) as info:
            load_manifest(path, data_root=data_root)
        [problem] = [p for p in info.value.problems if p.code == "manifest_bad_entry"]
        assert "access_demand" in format_problem(problem, "de") and word in format_problem(problem, "de")
