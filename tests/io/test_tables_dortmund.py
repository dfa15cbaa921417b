"""Dortmund from an empty folder through the CLI: the Unterbezirke, then the indicator tables of
2018 and 2024 as the packager published them (GeoJSON with the values as attributes; 2018 keys
are integers, 2024 keys text with leading zeros) without naming a single column."""
from __future__ import annotations

from datetime import date

import pytest

from jmdiq_geo.cli import main as cli_main
from jmdiq_geo.store.workspace import Workspace


@pytest.mark.realdata
def test_dortmund_indicator_tables_without_columns(tmp_path, data_root, capsys):
    dortmund = data_root / "dortmund"
    db = str(tmp_path / "dortmund.duckdb")
    assert cli_main(["new", "--name", "Dortmund", "--db", db]) == 0
    assert cli_main(["import", "boundaries", str(dortmund / "boundaries/Statist_UnterbezirkePolygon.geojson"),
                     "--db", db, "--level", "ubz", "--label", "Unterbezirk", "--key", "unbeznr",
                     "--name", "bezeichnun"]) == 0
    capsys.readouterr()
    for year, key in ((2018, "Nummer"), (2024, "Schlüssel")):
        code = cli_main(["--lang", "en", "import", "indicators", str(dortmund / f"indicators/do_data{year}.geojson"),
                         "--db", db, "--level", "ubz", "--key", key, "--period", f"{year}-12-31"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "Join: matched 170 · table rows without an area of their own 0" in out and "areas without a value 0." in out
        if year == 2018:        # every new column named with its guessed kind
            assert "New indicator 'unemployed_pct' from column 'unemployed_pct': Rate/share (recomputed)" in out
            assert "31 keys matched an area only as numbers" in err and "'71' → '071'" in err
            assert "'rowid'" in err and "'Name'" in err          # text columns are no values: named, not imported
    with Workspace(db, read_only=True) as ws:
        assert ws.indicator_kinds()["unemployed_pct"] == "intensive"
        for year in (2018, 2024):
            values = ws.values("unemployed_pct", period=date(year, 12, 31), level="ubz")
            assert len(values) == 170 and values.notna().all()
        assert ws.values("unemployed_pct", period=date(2018, 12, 31), level="ubz")["710"] == pytest.approx(14.0)
        assert ws.values("unemployed_pct", period=date(2024, 12, 31), level="ubz")["710"] == pytest.approx(16.4)
        assert len(ws.periods(indicator_id="unemployed_pct", level="ubz")) == 2
