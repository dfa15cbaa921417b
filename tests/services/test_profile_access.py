"""The Quartiersprofil shows walking access from the Zugang page's stored nominal run: the
area's own row of that run (median walk, share beyond the far threshold, services within reach),
and the PDF prints it; without a run it says where to compute it."""
import subprocess

import pandas as pd
import pytest

from jmdiq_geo.config import Settings
from jmdiq_geo.services.access import access_for
from jmdiq_geo.services.profile_report import access_rows, profile_report_pdf


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "profil.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_a_stored_run_gives_the_areas_access_row_and_the_pdf_prints_it(street_ws, tmp_path):
    ws = street_ws
    level = ws.levels_in_order()[0]
    area = ws.area_names(level)["area_id"].iloc[0]
    assert access_rows(ws, level=level, area_id=area).empty
    without = _text(profile_report_pdf(ws, level=level, area_ids=[area], settings=Settings.from_env())[0], tmp_path)
    assert "Einrichtungen & Zugang" in without and "Zu Fuß erreichbar" not in without

    run = access_for(ws, "jugendfreizeit")
    rows = access_rows(ws, level=level, area_id=area)
    assert list(rows["category"]) == ["jugendfreizeit"]
    expected = run.result.areas.set_index("area").loc[area]
    got = rows.iloc[0]
    for column in ("median_min", "share_beyond"):
        assert got[column] == pytest.approx(expected[column], nan_ok=True)
    within = [c for c in run.result.areas.columns if c.startswith("n_within_")]
    assert within and all(got[c] == pytest.approx(expected[c], nan_ok=True) for c in within)
    assert got["computed"] == pd.Timestamp.now().date()

    text = _text(profile_report_pdf(ws, level=level, area_ids=[area], settings=Settings.from_env())[0], tmp_path)
    assert "Zu Fuß erreichbar" in text and "Gehzeit (Median)" in text
