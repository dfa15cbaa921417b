"""The Berlin demo workspace built from the real files (../shared/data)."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.cli import main as cli_main

pytestmark = pytest.mark.realdata


def test_levels_and_counts(berlin_ws):
    levels = berlin_ws.summary()["levels"].set_index("level")["n"].to_dict()
    assert levels == {"plr": 542, "bzr": 143, "pgr": 58, "bezirk": 12}


def test_periods(berlin_ws):
    periods = set(berlin_ws.periods())
    assert {date(2020, 12, 31), date(2021, 12, 31), date(2022, 12, 31), date(2023, 12, 31),
            date(2024, 12, 31)} == periods


def test_keys_keep_leading_zeros_and_hierarchy_nests(berlin_ws):
    plr = berlin_ws.area_names("plr")
    assert plr["area_id"].str.len().eq(8).all() and plr["area_id"].iloc[0].startswith("0")
    for child, parent in (("plr", "bzr"), ("bzr", "pgr"), ("pgr", "bezirk")):
        ids = set(berlin_ws.area_names(parent)["area_id"])
        parents = berlin_ws.area_names(child)["parent_id"]
        assert parents.isin(ids).all(), f"{child} parents missing in {parent}"


def test_population_total_2024_matches_publisher(berlin_ws, data_root):
    stored = berlin_ws.values("ew", period=date(2024, 12, 31), level="plr").sum()
    raw = pd.read_csv(data_root / "berlin/indicators/einwohner_plr_2024-12_t1.csv", dtype={"id": str})
    assert stored == raw["inhabitants"].sum() == 3_897_145


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


def test_mss_values_and_missing_codes(berlin_ws, data_root):
    s1 = berlin_ws.values("mss_s1", period=date(2020, 12, 31), level="plr")
    raw = pd.read_csv(data_root / "berlin/indicators/mss_2021_index_indikatoren.csv", dtype={"PLR_ID": str})
    invalid = raw.loc[raw["KOM"] != "gültig", "PLR_ID"]
    assert s1[invalid.to_numpy()].isna().all()            # -9999 stored as missing, not as a number
    assert s1.notna().sum() == 536
    valid = raw.set_index("PLR_ID")["S1"].astype(float)
    valid = valid[valid > -9999]
    np.testing.assert_allclose(s1[valid.index], valid.to_numpy())


def test_services_and_grids(berlin_ws):
    services = berlin_ws.summary()["services"].set_index("category")["n"].to_dict()
    assert services["jugendfreizeit"] == 407 and services["schule"] == 902 and services["kita"] == 2880
    assert services["gesundheit"] == 1448 + 120
    grids = berlin_ws.grids().set_index("grid_id")["n_cells"].to_dict()
    assert grids["zensus_1km_ew"] == 1920 and grids["zensus_100m_ausl"] == 21849
    youth = berlin_ws.services(category="jugendfreizeit")
    assert youth["capacity"].notna().sum() > 300 and youth.crs == "EPSG:25833"


def test_every_row_has_a_source_with_licence(berlin_ws):
    sources = berlin_ws.sources()
    assert sources["licence"].notna().all()
    cur = berlin_ws.cursor()
    for table in ("areas", "indicator_values", "services", "grids"):
        orphans = cur.execute(f"SELECT count(*) FROM {table} WHERE source_id IS NULL OR source_id NOT IN "
                              "(SELECT source_id FROM sources)").fetchone()[0]
        assert orphans == 0, table


def test_cli_info(berlin_db, capsys):
    assert cli_main(["--lang", "en", "info", "--db", str(berlin_db)]) == 0
    out = capsys.readouterr().out
    for expected in ("Planning area (PLR)", "542", "143", "58", "2020-12-31", "2024-12-31", "CC BY 3.0 DE",
                     "Footpath network: 196.7 km", "homes: 2389"):
        assert expected in out


def test_cli_demo_into_new_file(tmp_path, data_root, capsys, monkeypatch):
    monkeypatch.setenv("JMDIQ_DATA_ROOT", str(data_root))
    db = tmp_path / "w.duckdb"
    assert cli_main(["demo", "--db", str(db), "--quiet"]) == 0
    assert db.exists() and not db.with_name("w.duckdb.building").exists()
    assert "542" in capsys.readouterr().out


def test_cli_reports_bad_input_without_traceback(tmp_path, berlin_db, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("PLR_ID;wert\n01100101;abc\n", encoding="utf-8")
    import shutil
    db = tmp_path / "copy.duckdb"
    shutil.copy(berlin_db, db)
    code = cli_main(["--lang", "en", "import", "indicators", str(bad), "--db", str(db), "--level", "plr",
                     "--key", "PLR_ID", "--period", "2024-12-31", "--column", "wert=test_wert"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "column 'wert'" in err and "abc" in err and "nothing was written" in err


def test_cli_index_and_indicators(berlin_db, data_root, tmp_path, capsys):
    out = tmp_path / "mss.csv"
    assert cli_main(["--lang", "en", "index", "--definition", "mss2021", "--db", str(berlin_db),
                     "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"area_id": str}).set_index("area_id")
    official = pd.read_csv(data_root / "berlin/indicators/mss_2021_indizes.csv", dtype={"PLR_ID": str}).set_index("PLR_ID")
    valid = official.index[official["KOM"] == "gültig"]
    assert (table.loc[valid, "status_code"] == official.loc[valid, "SI_N"]).all()
    assert (table.loc[valid, "status_class"] == official.loc[valid, "SI_V"].map(
        {"hoch": "high", "mittel": "medium", "niedrig": "low", "sehr niedrig": "very low"})).all()
    assert (table.loc[valid, "overall_class"] == official.loc[valid, "SDI"]).all()
    out2 = tmp_path / "bzr.csv"
    assert cli_main(["indicators", "--level", "bzr", "--period", "2024-12-31", "--indicator", "ew",
                     "--indicator", "jmd_zg_anteil", "--db", str(berlin_db), "--out", str(out2)]) == 0
    bzr = pd.read_csv(out2, dtype={"area_id": str})
    assert len(bzr) == 143 and bzr["ew"].sum() == 3_897_145
