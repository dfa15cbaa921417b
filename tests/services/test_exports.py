"""Exports for other tools (``services.exports``) on a copy of the Berlin workspace with hostile
names: the GeoPackage's tables, the values after the privacy rules, CSV in two flavours, XLSX,
GeoParquet, and the CLI's answers to bad arguments. QGIS and ogrinfo themselves open the files
in ``tests/clients/test_qgis.py``."""
from __future__ import annotations

import csv
import io
import sqlite3
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from jmdiq_geo.config import Settings
from jmdiq_geo.io.exports import FORMULA_STARTS
from tests.fixtures.exports import EXPORT_PERIOD, HOSTILE

pytestmark = pytest.mark.realdata


def test_geopackage_registers_one_default_style_per_layer(exported, hostile_db):
    from jmdiq_geo.store.workspace import Workspace

    with Workspace(hostile_db, read_only=True) as ws:
        defs = ws.indicators().set_index("indicator_id").loc[["mss_status", "mss_ew", "mss_s1"]]
        # the sources of the planning areas' values and outlines (with licences)
        named = ws.attributions(sorted(set(defs["source_id"].dropna()) | set(ws.areas("plr")["source_id"])))
    carried = defs[(defs["kind"] == "extensive") | ((defs["kind"] == "intensive") & defs["denominator"].notna())]
    path = exported["gpkg"].path
    with sqlite3.connect(path) as con:
        contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
        geometry_columns = dict(con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
        styles = con.execute("SELECT f_table_name, f_geometry_column, f_table_schema, useAsDefault, styleQML "
                             "FROM layer_styles").fetchall()
        description = dict(con.execute("SELECT table_name, description FROM gpkg_contents").fetchall())
    assert contents["layer_styles"] == "attributes" and contents["sources"] == "attributes"
    spatial = {name for name, kind in contents.items() if kind == "features"}
    assert spatial == {"areas_plr", "areas_bezirk", "services", "projects", "partners"}
    for table in spatial:
        rows = [r for r in styles if r[0] == table]
        assert sum(r[3] for r in rows) == 1, table                     # exactly one default
        assert {r[1] for r in rows} == {geometry_columns[table]} and {r[2] for r in rows} == {""}
        assert all(r[4].lstrip().startswith("<!DOCTYPE qgis") for r in rows)
    # one style per indicator on the planning areas; on the districts those that can be carried up
    assert len([r for r in styles if r[0] == "areas_plr"]) == 3
    assert len([r for r in styles if r[0] == "areas_bezirk"]) == len(carried) < 3
    assert named and all(a in description["areas_plr"] for a in named)      # sources and licences go along


def test_area_values_are_the_maps_values_after_the_privacy_rules(exported, hostile_db):
    """Every exported value is the Karte's (``indicator_layer``); areas under the residents'
    threshold, counted independently from the raw residents, have no value at all."""
    from jmdiq_geo.services.layers import indicator_layer
    from jmdiq_geo.store.workspace import Workspace

    settings = Settings.from_env()
    plr = pyogrio.read_dataframe(exported["gpkg"].path, layer="areas_plr").set_index("area_id")
    with Workspace(hostile_db, read_only=True) as ws:
        raw_residents = ws.values("mss_ew", period=EXPORT_PERIOD, level="plr")
        for ind in ("mss_ew", "mss_s1", "mss_status"):
            shown = indicator_layer(ws, indicator_id=ind, period=EXPORT_PERIOD, level="plr", settings=settings)
            expected = shown.areas.set_index("area_id")["value"].reindex(plr.index)
            assert np.allclose(plr[ind].to_numpy(float), expected.to_numpy(float), equal_nan=True), ind
    small = raw_residents[raw_residents < settings.min_residents].index
    assert len(small) > 0
    assert plr.loc[plr.index.isin(small), ["mss_ew", "mss_s1", "mss_status"]].isna().all().all()
    # the raw values of those areas exist in the workspace and did not leak
    assert raw_residents[small].notna().any()


def test_no_personal_data_in_any_layer(exported):
    for name in pyogrio.list_layers(exported["gpkg"].path)[:, 0]:
        frame = pyogrio.read_dataframe(exported["gpkg"].path, layer=name)
        assert not {"notes", "updated_by", "participation_planning", "attributes"} & set(frame.columns), name
        text = frame.astype(str).to_string()
        assert "anna@example.org" not in text and "Frau Muster" not in text


def _zip_tables(path, **read):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_csv_for_german_excel(exported):
    files = _zip_tables(exported["csv-de"].path)
    assert set(files) >= {"areas_plr.csv", "areas_bezirk.csv", "services.csv", "projects.csv", "partners.csv",
                          "sources.csv"}
    raw = files["areas_plr.csv"]
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:2] == ["Gebiets-ID", "Name"] and any(h.startswith("S1 Arbeitslosigkeit") for h in header)
    assert len(rows) == 1 + 542
    s1 = [r[header.index(next(h for h in header if h.startswith("S1 ")))] for r in rows[1:]]
    assert any("," in v for v in s1) and not any("." in v for v in s1)            # decimal comma
    frame = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig", dtype={"Gebiets-ID": str})
    gpkg = pyogrio.read_dataframe(exported["gpkg"].path, layer="areas_plr")
    assert np.allclose(frame.iloc[:, 4].to_numpy(float), gpkg.iloc[:, 4].to_numpy(float), equal_nan=True)
    cells = [c for name in ("projects.csv", "partners.csv", "services.csv")
             for row in csv.reader(io.StringIO(files[name].decode("utf-8-sig")), delimiter=";") for c in row]
    assert "'" + HOSTILE["project"] in cells and "'" + HOSTILE["partner"] in cells
    assert "'" + HOSTILE["service"] in cells and "'" + HOSTILE["service_tab"] in cells
    text = [c for c in cells if not c.replace(",", "").lstrip("-").isdigit()]
    assert not [c for c in text if c.startswith(FORMULA_STARTS)]


def test_plain_csv_is_comma_and_point(exported):
    folder = exported["csv"].path
    raw = (folder / "areas_plr.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\r\n")[0].startswith(b"Gebiets-ID,Name,")
    frame = pd.read_csv(folder / "areas_plr.csv", dtype={"Gebiets-ID": str})
    assert len(frame) == 542 and frame.iloc[:, 4].dtype == float
    assert "'" + HOSTILE["project"] in pd.read_csv(folder / "projects.csv")["Titel"].tolist()


def test_xlsx_has_no_formula_and_german_headers(exported):
    from openpyxl import load_workbook

    book = load_workbook(exported["xlsx"].path)
    assert {"areas_plr", "areas_bezirk", "services", "projects", "partners", "sources"} <= set(book.sheetnames)
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    assert "'" + HOSTILE["project"] in values and "'" + HOSTILE["service"] in values
    assert [c.value for c in book["areas_plr"][1]][:2] == ["Gebiets-ID", "Name"]
    assert book["areas_plr"].max_row == 1 + 542


def test_geoparquet_holds_the_same_layers(exported):
    folder = exported["parquet"].path
    gpkg = exported["gpkg"].path
    for name in ("areas_plr", "areas_bezirk", "services", "projects", "partners"):
        frame = gpd.read_parquet(folder / f"{name}.parquet")
        assert frame.crs.to_epsg() == 25833
        assert len(frame) == pyogrio.read_info(gpkg, layer=name)["features"], name
    assert len(pd.read_parquet(folder / "sources.parquet")) == len(pyogrio.read_dataframe(gpkg, layer="sources"))


@pytest.mark.parametrize("argv, says", [
    (["--format", "gpkg", "--level", "nirgends"], "nirgends"),
    (["--format", "csv", "--period", "2019-01-01"], "2019-01-01"),
    (["--format", "csv", "--period", "31.12.2020"], "31.12.2020"),
    (["--format", "xlsx", "--layers", "areas,schulen"], "schulen"),
    (["--format", "gpkg", "--indicator", "gibtsnicht"], "gibtsnicht"),
])
def test_cli_export_bad_arguments_exit_2_and_write_nothing(hostile_db, tmp_path, capsys, argv, says):
    from jmdiq_geo.cli import main

    out = tmp_path / "x.out"
    assert main(["export", "--db", str(hostile_db), "--out", str(out), *argv]) == 2
    assert says in capsys.readouterr().err and not out.exists()


def test_cli_export_unknown_format_is_a_usage_error(hostile_db, tmp_path, capsys):
    from jmdiq_geo.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["export", "--db", str(hostile_db), "--format", "shp", "--out", str(tmp_path / "x.shp")])
    assert stop.value.code == 2 and "invalid choice: 'shp'" in capsys.readouterr().err


def test_cli_export_writes_a_geopackage(hostile_db, tmp_path, capsys):
    from jmdiq_geo.cli import main

    out = tmp_path / "bezirke.gpkg"
    assert main(["export", "--db", str(hostile_db), "--format", "gpkg", "--out", str(out), "--level", "bezirk",
                 "--layers", "areas", "--indicator", "ew", "--period", "2024-12-31"]) == 0
    assert out.exists() and "areas_bezirk 12" in capsys.readouterr().out
    assert set(pyogrio.list_layers(out)[:, 0]) == {"areas_bezirk", "sources", "layer_styles"}


def test_headers_in_the_ui_language(hostile_db):
    from jmdiq_geo.services.exports import export_layers
    from jmdiq_geo.store.workspace import Workspace

    with Workspace(hostile_db, read_only=True) as ws:
        for lang, expected in (("de", ["Einrichtungs-ID", "Kategorie", "Name", "Adresse"]),
                               ("en", ["Service ID", "Category", "Name", "Address"])):
            layers, _, _ = export_layers(ws, settings=Settings.from_env(), lang=lang, layers=("services",))
            assert [x.name for x in layers] == ["services", "sources"]
            assert list(layers[0].table().columns[:4]) == expected


def test_point_tables_carry_their_coordinates(exported, hostile_db):
    from jmdiq_geo.store.workspace import Workspace

    services = pd.read_csv(exported["csv"].path / "services.csv", dtype=str)
    with Workspace(hostile_db, read_only=True) as ws:
        shown = ws.services()
    assert len(services) == len(shown)
    assert np.allclose(services["x (Arbeits-KBS)"].astype(float), shown.geometry.x)
    assert np.allclose(services["y (Arbeits-KBS)"].astype(float), shown.geometry.y)
