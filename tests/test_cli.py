"""The command line (``jmdiq_geo.cli``): every command on the real Berlin workspace or the tiny
one, and every wrong request a message with exit code 2, never a traceback."""
import json

import pandas as pd
import pytest

from jmdiq_geo.cli import main
from jmdiq_geo.cli import main as cli_main


def test_cli_access_bad_persona_and_category(street_ws, tmp_path, capsys):
    db = street_ws.path
    street_ws.close()
    bad = tmp_path / "p.toml"
    bad.write_text('languages = ["klingonisch"]\nwhen = "Mo-Fr 25:00"\n', encoding="utf-8")
    assert main(["access", "--db", str(db), "--category", "jugendfreizeit", "--persona", str(bad),
                 "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert "klingonisch" in err and "Mo-Fr 25:00" in err
    assert main(["access", "--db", str(db), "--category", "arbeit", "--out", str(tmp_path / "x.csv")]) == 2
    assert "arbeit" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_cli_access_bad_settings(street_ws, tmp_path, capsys):
    db = street_ws.path
    street_ws.close()
    for args in (["--thresholds", "10,x"], ["--speed", "0"]):
        assert main(["access", "--db", str(db), "--category", "jugendfreizeit", *args,
                     "--out", str(tmp_path / "x.csv")]) == 2
        assert "--thresholds 10,15" in capsys.readouterr().err


@pytest.mark.realdata
def test_cli_info(berlin_db, capsys):
    assert cli_main(["--lang", "en", "info", "--db", str(berlin_db)]) == 0
    out = capsys.readouterr().out
    for expected in ("Planning area (PLR)", "542", "143", "58", "2020-12-31", "2024-12-31", "CC BY 3.0 DE",
                     "Footpath network: 196.7 km", "homes: 2389"):
        assert expected in out


@pytest.mark.realdata
def test_cli_demo_into_new_file(tmp_path, data_root, capsys, monkeypatch):
    monkeypatch.setenv("JMDIQ_DATA_ROOT", str(data_root))
    db = tmp_path / "w.duckdb"
    assert cli_main(["demo", "--db", str(db), "--quiet"]) == 0
    assert db.exists() and not db.with_name("w.duckdb.building").exists()
    assert "542" in capsys.readouterr().out


@pytest.mark.realdata
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


@pytest.mark.realdata
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


@pytest.mark.realdata
def test_cli_check_json(berlin_db, capsys):
    assert cli_main(["check", "--area", "08100103,08100104", "--rules", "mss_2021", "--format", "json",
                     "--db", str(berlin_db)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ruleset"]["id"] == "mss_2021" and data["quarter"]["area_ids"] == ["08100103", "08100104"]
    assert data["verdict"] in ("met", "not_met", "unknown")
    assert cli_main(["check", "--area", "99999999", "--db", str(berlin_db)]) == 2


def test_cli_story_list_show_and_export(tiny_ws, tmp_path, capsys):
    from jmdiq_geo.services.stories import Slide, add_slide, create_story

    sid, v = create_story(tiny_ws, "Arbeitskreis")
    add_slide(tiny_ws, sid, Slide("profile", level="plr", area_id="01000003", caption="Mitte <b>&</b> Park"),
              expected_version=v)
    db = tiny_ws.path
    tiny_ws.close()
    assert main(["story", "list", "--db", str(db)]) == 0
    assert f"{sid}\tArbeitskreis\t1 Folien" in capsys.readouterr().out
    assert main(["story", "show", sid, "--db", str(db)]) == 0
    assert "1. profile" in capsys.readouterr().out
    out = tmp_path / "story.html"
    assert main(["--lang", "en", "story", "show", sid, "--out", str(out), "--db", str(db)]) == 0
    assert str(out) in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "Mitte &lt;b&gt;&amp;&lt;/b&gt; Park" in html and '<html lang="en">' in html
    assert main(["story", "show", "s999", "--out", str(tmp_path / "no.html"), "--db", str(db)]) == 2
    assert "s999" in capsys.readouterr().err and not (tmp_path / "no.html").exists()
    assert main(["story", "show", "--db", str(db)]) == 2
