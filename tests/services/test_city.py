"""A city's data package (``jmdiq_geo.services.city``): manifests (the Berlin one is valid; broken
ones say everything wrong at once), a failed build leaves the old workspace, and the Berlin demo
workspace built from the real files (../shared/data) holds what the files hold."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.config import Settings, is_postgres_url
from jmdiq_geo.errors import JmdiqError, SchemaError
from jmdiq_geo.i18n import class_label, format_problem
from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.files import one_level_manifest


@pytest.mark.backend_free
def test_berlin_manifest_is_valid_and_files_exist(data_root):
    manifest = load_manifest(manifest_path("berlin"), data_root=data_root)
    kinds = [e.kind for e in manifest.entries]
    assert kinds.count("boundaries") == 4
    assert kinds.count("indicators") == 3 * 4 + 3       # t1–t3 for 2021–2024, three MSS tables
    assert manifest.work_crs == "EPSG:25833"
    assert {"jmd_zg", "jmd_zg_anteil"} <= {d.indicator_id for d in manifest.derived}


@pytest.mark.backend_free
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


@pytest.mark.backend_free
def test_manifest_syntax_error(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[city\nid = 1", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        load_manifest(path)
    assert err.value.problems[0].code == "manifest_syntax"


@pytest.mark.backend_free
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


@pytest.mark.backend_free
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


@pytest.mark.backend_free
def test_a_manifest_entry_without_a_required_field_names_it_in_the_readers_language(tmp_path, data_root):
    text = manifest_path("berlin").read_text(encoding="utf-8")
    start = text.index("[indicators.ew]")
    block = text[start:text.index("\n[", start + 1)]
    label = next(line for line in block.splitlines() if line.startswith("label_de"))
    path = tmp_path / "stadt.toml"
    path.write_text(text.replace(block, block.replace(label + "\n", "")), encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_manifest(path, data_root=data_root)
    [problem] = [p for p in info.value.problems if p.code == "manifest_missing_field"]
    assert problem.params == {"fields": "label_de", "where": "indicators.ew"}
    assert format_problem(problem, "de") == "Im Eintrag indicators.ew fehlen Pflichtfelder: label_de."
    assert "positional argument" not in " ".join(format_problem(p, "de") for p in info.value.problems)


def test_failed_build_leaves_existing_workspace(tmp_path, tiny_files, new_workspace_location):
    """A build that fails on its third file leaves the workspace that was there (a file) or the
    empty database (PostgreSQL: one holding a workspace is refused before, test_postgres.py)."""
    db = new_workspace_location("ws")
    pg = is_postgres_url(db)
    if not pg:
        Workspace.create(db, work_crs="EPSG:25833", city="Alt").close()
    manifest = one_level_manifest(tmp_path, tiny_files["areas"], licence=False)
    manifest.write_text(manifest.read_text(encoding="utf-8") + """[[boundaries]]
level = "plr"
file = "kaputt.geojson"
key = "PLR_ID"
valid_from = "2022-01-01"
source = "s"
""", encoding="utf-8")
    (tmp_path / "kaputt.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    settings = Settings.from_env().with_(data_root=tmp_path, db_path=db)
    with pytest.raises(JmdiqError) as err:
        build_workspace(load_manifest(manifest, data_root=tmp_path), settings=settings)
    assert err.value.problems[0].code == "manifest_entry_failed"
    assert "kaputt.geojson" in str(err.value)
    with Workspace(db, read_only=True) as ws:
        assert ws.meta().get("city") == (None if pg else "Alt") and not ws.holds_data()
    assert not (tmp_path / "ws.duckdb.building").exists()


# --------------------------------------------------------------------------- the Berlin demo workspace

@pytest.mark.realdata
def test_levels_and_counts(berlin_ws):
    levels = berlin_ws.summary()["levels"].set_index("level")["n"].to_dict()
    assert levels == {"plr": 542, "bzr": 143, "pgr": 58, "bezirk": 12}


@pytest.mark.realdata
def test_periods(berlin_ws):
    periods = set(berlin_ws.periods())
    assert {date(2020, 12, 31), date(2021, 12, 31), date(2022, 12, 31), date(2023, 12, 31),
            date(2024, 12, 31)} == periods


@pytest.mark.realdata
def test_keys_keep_leading_zeros_and_hierarchy_nests(berlin_ws):
    plr = berlin_ws.area_names("plr")
    assert plr["area_id"].str.len().eq(8).all() and plr["area_id"].iloc[0].startswith("0")
    for child, parent in (("plr", "bzr"), ("bzr", "pgr"), ("pgr", "bezirk")):
        ids = set(berlin_ws.area_names(parent)["area_id"])
        parents = berlin_ws.area_names(child)["parent_id"]
        assert parents.isin(ids).all(), f"{child} parents missing in {parent}"


@pytest.mark.realdata
def test_population_total_2024_matches_publisher(berlin_ws, data_root):
    stored = berlin_ws.values("ew", period=date(2024, 12, 31), level="plr").sum()
    raw = pd.read_csv(data_root / "berlin/indicators/einwohner_plr_2024-12_t1.csv", dtype={"id": str})
    assert stored == raw["inhabitants"].sum() == 3_897_145


@pytest.mark.realdata
def test_target_group_is_sum_of_age_groups(berlin_ws, data_root):
    period = date(2023, 12, 31)
    zg = berlin_ws.values("jmd_zg", period=period, level="plr")
    t3 = pd.read_csv(data_root / "berlin/indicators/einwohner_plr_2023-12_t3.csv", dtype={"id": str}).set_index("id")
    expected = t3["inhabitants_with_migration_background_age_15_18"] + t3["inhabitants_with_migration_background_age_18_27"]
    pd.testing.assert_series_equal(zg.sort_index(), expected.sort_index().astype(float), check_names=False)
    share = berlin_ws.values("jmd_zg_anteil", period=period, level="plr")
    base = berlin_ws.values("ew_15_27", period=period, level="plr").reindex(share.index)
    ok = base > 0
    expected_share = (100 * zg.reindex(share.index) / base)[ok]
    pd.testing.assert_series_equal(share[ok], expected_share, check_names=False)


@pytest.mark.realdata
def test_mss_values_and_missing_codes(berlin_ws, data_root):
    s1 = berlin_ws.values("mss_s1", period=date(2020, 12, 31), level="plr")
    raw = pd.read_csv(data_root / "berlin/indicators/mss_2021_index_indikatoren.csv", dtype={"PLR_ID": str})
    invalid = raw.loc[raw["KOM"] != "gültig", "PLR_ID"]
    assert s1[invalid.to_numpy()].isna().all()            # -9999 stored as missing, not as a number
    assert s1.notna().sum() == 536
    valid = raw.set_index("PLR_ID")["S1"].astype(float)
    valid = valid[valid > -9999]
    np.testing.assert_allclose(s1[valid.index], valid.to_numpy())


@pytest.mark.realdata
def test_services_and_grids(berlin_ws):
    services = berlin_ws.summary()["services"].set_index("category")["n"].to_dict()
    assert services["jugendfreizeit"] == 407 and services["schule"] == 902 and services["kita"] == 2880
    assert services["gesundheit"] == 1448 + 120
    grids = berlin_ws.grids().set_index("grid_id")["n_cells"].to_dict()
    assert grids["zensus_1km_ew"] == 1920 and grids["zensus_100m_ausl"] == 21849
    youth = berlin_ws.services(category="jugendfreizeit")
    assert youth["capacity"].notna().sum() > 300 and youth.crs == "EPSG:25833"


@pytest.mark.realdata
def test_every_row_has_a_source_with_licence(berlin_ws):
    sources = berlin_ws.sources()
    assert sources["licence"].notna().all()
    cur = berlin_ws.cursor()
    for table in ("areas", "indicator_values", "services", "grids"):
        orphans = cur.execute(f"SELECT count(*) FROM {table} WHERE source_id IS NULL OR source_id NOT IN "
                              "(SELECT source_id FROM sources)").fetchone()[0]
        assert orphans == 0, table
