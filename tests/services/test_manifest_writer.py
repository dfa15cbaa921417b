"""A workspace writes the data package that rebuilds it: build → write manifest → build again →
the same tables (Berlin from its manifest; a city built with the CLI from an empty folder)."""
import json

import pytest
import shapely

from jmdiq_geo.cli import main
from jmdiq_geo.services.workspace import open_workspace

#: tables whose rows carry no moment of writing (sources and the import log do)
COMPARED = ("area_levels", "areas", "programme_areas", "indicators", "indicator_values", "services", "grids",
            "grid_cells", "derived_definitions", "networks", "network_segments", "origins", "barriers")


def _tables(db) -> tuple[dict, dict]:
    with open_workspace(db, read_only=True) as ws:
        snap = ws.snapshot()
        # the meta the city is described by (empty entries and the manifest's file name aside)
        meta = {k: v for k, v in ws.meta().items() if k != "manifest" and v not in ("", "{}")}
    return {t: snap[t] for t in COMPARED}, meta


@pytest.mark.realdata
def test_berlin_round_trip(berlin_location, data_root, tmp_path, capsys, new_workspace_location):
    toml = tmp_path / "berlin_again.toml"
    assert main(["manifest", "--db", str(berlin_location), "--data-root", str(data_root), "--out", str(toml)]) == 0
    text = toml.read_text(encoding="utf-8")
    assert "[roles]" in text and 'file = "berlin/' in text and str(data_root) not in text
    again = new_workspace_location("again")
    assert main(["demo", "--city", str(toml), "--db", str(again), "--data-root", str(data_root), "--quiet"]) == 0
    assert _tables(again) == _tables(berlin_location)


def _square_file(path, squares, key):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {key: k, "titel": f"Gebiet {k}"},
         "geometry": shapely.geometry.mapping(shapely.box(*box))} for k, box in squares]}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_city_built_with_the_cli_rebuilds_from_its_manifest(tmp_path, capsys, new_workspace_location):
    data = tmp_path / "daten"
    data.mkdir()
    d = 0.01
    small = _square_file(data / "ubz.geojson", [(f"0{i}{j}", (7.4 + i * d, 51.5 + j * d, 7.4 + (i + 1) * d,
                                                              51.5 + (j + 1) * d)) for i in range(2) for j in range(2)],
                         "nr")
    big = _square_file(data / "sb.geojson", [("A", (7.4, 51.5, 7.4 + d, 51.5 + 2 * d)),
                                             ("B", (7.4 + d, 51.5, 7.4 + 2 * d, 51.5 + 2 * d))], "sb")
    table = data / "werte.csv"
    table.write_text("Nr;Einwohner;Arbeitslose\n000;1200;80\n001;900;75\n010;1500;40\n011;700;35\n", encoding="utf-8")
    db = str(new_workspace_location("stadt"))
    common = ["--db", db, "--licence", "dl-de/by-2-0"]
    assert main(["new", "--name", "Teststadt", "--db", db]) == 0
    assert main(["import", "boundaries", str(big), "--level", "sb", "--label", "Stadtbezirk", "--key", "sb",
                 "--name", "titel", *common]) == 0
    assert main(["import", "boundaries", str(small), "--level", "ubz", "--label", "Unterbezirk", "--parent-level",
                 "sb", "--key", "nr", "--name", "titel", *common]) == 0
    assert main(["import", "indicators", str(table), "--level", "ubz", "--key", "Nr", "--period", "2024-12-31",
                 "--column", "Einwohner=ew", "--column", "Arbeitslose=al", "--indicator-kind", "extensive",
                 *common]) == 0
    assert main(["roles", "--db", db, "residents=ew"]) == 0
    toml = tmp_path / "teststadt.toml"
    assert main(["manifest", "--db", db, "--data-root", str(data), "--out", str(toml)]) == 0
    again = new_workspace_location("again")
    assert main(["demo", "--city", str(toml), "--db", str(again), "--data-root", str(data), "--quiet"]) == 0
    assert _tables(again) == _tables(db)
    with open_workspace(again, read_only=True) as ws:
        parents = dict(zip(ws.area_names("ubz")["area_id"], ws.area_names("ubz")["parent_id"]))
        assert parents == {"000": "A", "001": "A", "010": "B", "011": "B"}
        assert ws.meta()["population_indicator"] == "ew"
