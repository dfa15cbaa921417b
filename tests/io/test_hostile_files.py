"""Hostile files (issue 16): each one that used to end in a traceback or a silent wrong import
is refused with a typed error naming file, row or column and what to do - or, where the file is
fine once the user says what is meant (``layer``, ``crs``), imported correctly. Nothing is
written when an import fails; the CLI answers with exit code 2, never a traceback.

Every test builds its own tiny hostile file in ``tmp_path``; the workspace is ``tiny_ws``.
"""
from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
import shapely

from jmdiq_geo.cli import main as cli_main
from jmdiq_geo.errors import CrsError, InputError, JmdiqError, Problem
from jmdiq_geo.i18n import PROBLEMS_SHOWN, VALUE_SHOWN, format_problem, format_problems
from jmdiq_geo.io import imports as im
from jmdiq_geo.io import readers
from jmdiq_geo.io.readers import human_size, read_table, read_vector, unpacked_limit
from jmdiq_geo.services.workspace import open_workspace
from tests.fixtures.files import MAX_BYTES, WORK_CRS, feature, square, write_geojson
from tests.fixtures.problems import assert_rendered, expect_failure, only_problem

SRC = im.Source("hostile", "Feindliche Datei", licence="CC0")
X0, Y0 = 390000, 5820000
NEW_EDITION = "2024-01-01"


def boundary_spec(**kw) -> im.BoundarySpec:
    return im.BoundarySpec(**{"level": "plr", "key": "PLR_ID", "name": "PLR_NAME", "valid_from": NEW_EDITION, **kw})


def import_boundaries(ws, path, spec=None, *, max_bytes=MAX_BYTES):
    return im.import_boundaries(ws, path, spec or boundary_spec(), SRC, max_bytes=max_bytes)


def import_table(ws, path, *, max_bytes=MAX_BYTES, **kw):
    spec = im.TableSpec(**{"level": "plr", "period": "2022-12-31", "columns": {"Anzahl": "anzahl"}, "key": "PLR_ID",
                           "indicators": [im.IndicatorDef("anzahl", "Anzahl", kind="extensive")], **kw})
    return im.import_indicator_table(ws, path, spec, SRC, max_bytes=max_bytes)


def raw_geojson(path: Path, geometries: list[str], *, crs: str | None = WORK_CRS) -> Path:
    """A feature collection whose geometries are written as given (NaN, unclosed rings …)."""
    member = ('"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:%s"}}, ' % crs.replace(":", "::")
              if crs else "")
    features = ", ".join(
        '{"type": "Feature", "properties": {"PLR_ID": "9%07d", "PLR_NAME": "F%d"}, "geometry": %s}' % (i, i, g)
        for i, g in enumerate(geometries, start=1))
    path.write_text('{"type": "FeatureCollection", %s"features": [%s]}' % (member, features), encoding="utf-8")
    return path


def box_ring(x0=X0, y0=Y0, size=100) -> list[list[float]]:
    return [[x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]


def polygon(ring) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def zip_of(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def area_geojson_bytes() -> bytes:
    doc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}},
           "features": [feature(square(X0, Y0), PLR_ID="01000001", PLR_NAME="Nord-Ost")]}
    return json.dumps(doc).encode()


# --------------------------------------------------------------------------- tracebacks → refusals

@pytest.mark.parametrize("coords", ["NaN", "Infinity", "-Infinity"])
def test_coordinates_that_are_not_numbers_are_refused(tiny_ws, tmp_path, coords):
    bad = polygon(box_ring()).replace(f"{X0 + 100}", coords, 1)       # one coordinate is no number
    path = raw_geojson(tmp_path / "nan.geojson", [polygon(box_ring(X0 + 200)), bad])
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    problem = only_problem(err, "coordinates_not_finite")
    assert problem.row == 2 and problem.file == "nan.geojson"
    assert_rendered(problem, "NaN")


@pytest.mark.parametrize("ring", [
    [[X0, Y0], [X0 + 100, Y0], [X0 + 100, Y0 + 100], [X0, Y0 + 100]],        # not closed
    [[X0, Y0], [X0 + 100, Y0]],                                                 # two points
], ids=["unclosed", "two-points"])
def test_unbuildable_rings_are_refused_naming_the_feature(tiny_ws, tmp_path, ring):
    path = raw_geojson(tmp_path / "ring.geojson", [polygon(box_ring(X0 + 200)), polygon(ring)])
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    problem = only_problem(err, "geometry_unreadable")
    assert problem.row == 2
    en, de = assert_rendered(problem)
    assert "(features 2)" in en and "(Objekte 2)" in de and "closed" in en


@pytest.mark.parametrize("doc", [
    '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"a": %s}, "geometry": null}]}'
    % ("[" * 100_000 + "]" * 100_000),
    "[" * 100_000 + "]" * 100_000,
], ids=["in-a-property", "bare"])
def test_json_nested_100000_levels_is_refused(tiny_ws, tmp_path, doc):
    path = tmp_path / "tief.geojson"
    path.write_text(doc, encoding="utf-8")
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    assert_rendered(only_problem(err, "json_too_deep"), "GeoJSON")


def test_a_folder_named_like_a_table_is_refused(tiny_ws, tmp_path):
    folder = tmp_path / "x.csv"
    folder.mkdir()
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, folder))
    assert_rendered(only_problem(err, "file_is_folder"), "x.csv")


def _local_cs_shapefile(folder: Path) -> Path:
    gdf = gpd.GeoDataFrame({"PLR_ID": ["01000001"], "PLR_NAME": ["Nord-Ost"]}, geometry=[square(X0, Y0)], crs=WORK_CRS)
    path = folder / "bauplan.shp"
    gdf.to_file(path)
    path.with_suffix(".prj").write_text('LOCAL_CS["Baustellenraster",LOCAL_DATUM["Baustelle",32767],'
                                        'UNIT["metre",1],AXIS["X",EAST],AXIS["Y",NORTH]]', encoding="ascii")
    return path


def test_an_engineering_local_cs_is_refused_with_what_to_do(tiny_ws, tmp_path):
    path = _local_cs_shapefile(tmp_path)
    err = expect_failure(tiny_ws, CrsError, lambda: import_boundaries(tiny_ws, path))
    assert_rendered(only_problem(err, "crs_local"), "Baustellenraster", "LOCAL_CS", "--crs")


def test_an_engineering_local_cs_is_replaced_by_the_crs_given(tiny_ws, tmp_path):
    path = _local_cs_shapefile(tmp_path)
    gdf = read_vector(path, crs=WORK_CRS, max_bytes=MAX_BYTES)
    assert gdf.crs == WORK_CRS and gdf.geometry.iloc[0].equals(square(X0, Y0))


def test_zip_entry_with_an_over_long_name_is_refused(tiny_ws, tmp_path):
    path = zip_of(tmp_path / "lang.zip", {"g" * 300 + ".geojson": area_geojson_bytes()})
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    problem = only_problem(err, "zip_entry_name_long")
    en, _ = assert_rendered(problem, "255")
    assert len(en) < 600


def test_zip_entry_with_a_bad_crc_is_refused(tiny_ws, tmp_path):
    data = area_geojson_bytes()
    path = tmp_path / "kaputt.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("grenzen.geojson", data)
    raw = bytearray(path.read_bytes())
    at = raw.find(data)
    raw[at + 10] ^= 0xFF                   # one byte of the stored data changed: the CRC no longer fits
    path.write_bytes(bytes(raw))
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    assert_rendered(only_problem(err, "zip_entry_damaged"), "grenzen.geojson", "CRC")


def test_encrypted_zip_entry_is_refused(tiny_ws, tmp_path):
    path = zip_of(tmp_path / "geheim.zip", {"grenzen.geojson": area_geojson_bytes()})
    raw = bytearray(path.read_bytes())
    raw[6] |= 0x1                          # the "encrypted" flag, in the local header …
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 0x1                # … and in the central directory
    path.write_bytes(bytes(raw))
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    assert_rendered(only_problem(err, "zip_entry_encrypted"), "grenzen.geojson")


# --------------------------------------------------------------------------- silent wrong imports

def test_two_columns_of_the_same_name_are_refused_naming_both(tiny_ws, tmp_path):
    path = tmp_path / "doppelt.csv"
    path.write_text("PLR_ID;Anzahl;Anzahl\n01000001;5;7\n01000002;6;8\n", encoding="utf-8")
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "duplicate_column_positions")
    assert problem.column == "Anzahl"
    assert_rendered(problem, "2, 3")


def test_two_columns_of_the_same_name_in_xlsx_are_refused(tiny_ws, tmp_path):
    path = tmp_path / "doppelt.xlsx"
    book = openpyxl.Workbook()
    for row in (["PLR_ID", "Anzahl", "Anzahl"], ["01000001", 5, 7], ["01000002", 6, 8]):
        book.active.append(row)
    book.save(path)
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    assert_rendered(only_problem(err, "duplicate_column_positions"), "2, 3")


def _formula_book(path: Path, *, cached: bool) -> Path:
    """A sheet of keys and =A*B formulas; openpyxl stores formulas without results. With
    ``cached`` the results are written into the sheet as Excel would have stored them."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["PLR_ID", "Basis", "Anzahl"])
    for i, key in enumerate(["01000001", "01000002", "01000003", "01000004"], start=2):
        sheet.append([key, i, f"=B{i}*10"])
    book.save(path)
    if cached:
        with zipfile.ZipFile(path) as zf:
            entries = {i.filename: zf.read(i.filename) for i in zf.infolist()}
        xml = entries["xl/worksheets/sheet1.xml"].decode()
        for i in range(2, 6):
            xml = xml.replace(f"<f>B{i}*10</f><v />", f"<f>B{i}*10</f><v>{i * 10}</v>")
            assert f"<v>{i * 10}</v>" in xml
        entries["xl/worksheets/sheet1.xml"] = xml.encode()
        zip_of(path, entries)
    return path


def test_xlsx_formulas_without_stored_results_are_refused(tiny_ws, tmp_path):
    path = _formula_book(tmp_path / "formeln.xlsx", cached=False)
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "xlsx_formulas_without_values")
    en, de = assert_rendered(problem, "C2", "4")
    assert "Excel" in en and "LibreOffice" in de


def test_xlsx_formulas_with_stored_results_import_the_results(tiny_ws, tmp_path):
    path = _formula_book(tmp_path / "formeln.xlsx", cached=True)
    report = import_table(tiny_ws, path)
    assert report.written == 4
    # the results stored in the file (Basis × 10), not None
    expected = {k: 10.0 * b for k, b in zip(["01000001", "01000002", "01000003", "01000004"], range(2, 6))}
    assert tiny_ws.values("anzahl", period=date(2022, 12, 31), level="plr").to_dict() == expected


def _two_layer_gpkg(path: Path) -> Path:
    for layer, prefix in (("alt", "Alt"), ("neu", "Neu")):
        gdf = gpd.GeoDataFrame({"PLR_ID": [f"0100000{i}" for i in range(1, 5)],
                                "PLR_NAME": [f"{prefix} {i}" for i in range(1, 5)]},
                               geometry=[square(X0 + i * 100, Y0) for i in range(4)], crs=WORK_CRS)
        gdf.to_file(path, layer=layer, driver="GPKG")
    return path


def test_geopackage_of_two_layers_without_layer_is_refused_listing_them(tiny_ws, tmp_path):
    path = _two_layer_gpkg(tmp_path / "zwei.gpkg")
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    assert_rendered(only_problem(err, "layers_several"), "'alt'", "'neu'", "--layer")
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path, boundary_spec(layer="mitte")))
    assert_rendered(only_problem(err, "layer_unknown"), "mitte", "'alt'", "'neu'")


def test_geopackage_layer_chosen_is_the_one_imported(tiny_ws, tmp_path):
    path = _two_layer_gpkg(tmp_path / "zwei.gpkg")
    import_boundaries(tiny_ws, path, boundary_spec(layer="neu"))
    names = sorted(tiny_ws.areas("plr", at=date(2024, 6, 1))["name"])
    assert names == sorted(gpd.read_file(path, layer="neu")["PLR_NAME"])


def test_cli_layer_option_and_refusal(tiny_ws, tmp_path, capsys):
    path = _two_layer_gpkg(tmp_path / "zwei.gpkg")
    db = tiny_ws.path
    tiny_ws.close()
    args = ["--lang", "en", "import", "boundaries", str(path), "--db", str(db), "--level", "plr", "--key", "PLR_ID",
            "--name", "PLR_NAME", "--valid-from", NEW_EDITION]
    assert cli_main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "'alt', 'neu'" in err and "--layer" in err
    assert cli_main(args + ["--layer", "alt"]) == 0
    with open_workspace(db, read_only=True) as ws:
        assert sorted(ws.areas("plr", at=date(2024, 6, 1))["name"]) == ["Alt 1", "Alt 2", "Alt 3", "Alt 4"]


def test_valid_to_before_valid_from_is_refused(tiny_ws, tmp_path):
    path = write_geojson(tmp_path / "g.geojson", [feature(square(X0, Y0), PLR_ID="01000001", PLR_NAME="Nord-Ost")])
    for valid_to in ("2023-12-31", NEW_EDITION):
        err = expect_failure(tiny_ws, InputError,
                             lambda: import_boundaries(tiny_ws, path, boundary_spec(valid_to=valid_to)))
        assert_rendered(only_problem(err, "valid_to_before_from"), valid_to, NEW_EDITION, "--valid-to")


def test_coordinates_of_1e308_are_refused(tiny_ws, tmp_path):
    ring = [[0, 0], [1e308, 0], [1e308, 1e308], [0, 1e308], [0, 0]]
    path = raw_geojson(tmp_path / "riesig.geojson", [polygon(box_ring()), polygon(ring)])
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    problem = only_problem(err, "coordinates_out_of_range")
    assert problem.row == 2
    assert_rendered(problem, "1e+308")


def test_a_service_at_1e300_is_refused(tiny_ws, tmp_path):
    path = tmp_path / "dienste.csv"
    path.write_text(f"id;name;x;y\ns1;Treff;{X0 + 50};{Y0 + 50}\ns2;Fern;1e300;{Y0}\n", encoding="utf-8")
    spec = im.ServiceSpec(category="jugendfreizeit", name="name", id="id", x="x", y="y", crs=WORK_CRS)
    err = expect_failure(tiny_ws, InputError,
                         lambda: im.import_services(tiny_ws, path, spec, SRC, max_bytes=MAX_BYTES))
    # refused where the number is read (before any coordinate check): row and column named
    problem = only_problem(err, "number_out_of_range")
    assert (problem.row, problem.column) == (2, "x")
    assert_rendered(problem, "1e+300")


# --------------------------------------------------------------------------- size bombs

def _xlsx_bomb(path: Path, *, rows: int, filler: int = 0) -> Path:
    """A valid workbook whose sheet has ``rows`` rows (and ``filler`` bytes of blank cells a
    row): tiny packed, large unpacked."""
    book = openpyxl.Workbook()
    book.active.append(["PLR_ID", "Anzahl"])
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        entries = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    pad = " " * filler
    body = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>0100000{r % 4 + 1}</t></is></c>'
                   f'<c r="B{r}"><v>{r}</v></c>{pad}</row>' for r in range(2, rows + 2))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
           '<row r="1"><c r="A1" t="inlineStr"><is><t>PLR_ID</t></is></c><c r="B1" t="inlineStr"><is><t>Anzahl</t></is>'
           f'</c></row>{body}</sheetData></worksheet>')
    entries["xl/worksheets/sheet1.xml"] = xml.encode()
    return zip_of(path, entries)


def test_xlsx_that_unpacks_far_beyond_the_limit_is_refused_before_parsing(tiny_ws, tmp_path, monkeypatch):
    path = _xlsx_bomb(tmp_path / "bombe.xlsx", rows=100, filler=200_000)       # ~20 MB unpacked
    limit = 1024 * 1024
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    assert path.stat().st_size < limit and unpacked > unpacked_limit(limit)
    parsed = []
    monkeypatch.setattr(readers.pd, "read_excel", lambda *a, **k: parsed.append(1))
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path, max_bytes=limit))
    problem = only_problem(err, "unpacked_too_large")
    assert_rendered(problem, human_size(unpacked_limit(limit)), "JMDIQ_MAX_FILE_MB")
    assert not parsed, "the workbook must be refused before it is parsed"


def test_xlsx_with_more_rows_than_the_limit_is_refused_before_parsing(tiny_ws, tmp_path, monkeypatch):
    path = _xlsx_bomb(tmp_path / "lang.xlsx", rows=300)
    monkeypatch.setattr(readers, "XLSX_MAX_ROWS", 200)
    parsed = []
    monkeypatch.setattr(readers.pd, "read_excel", lambda *a, **k: parsed.append(1))
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    assert_rendered(only_problem(err, "xlsx_too_many_rows"), "200")
    assert not parsed


def test_xlsx_within_the_limits_still_reads(tmp_path):
    path = _xlsx_bomb(tmp_path / "klein.xlsx", rows=20)
    frame = read_table(path, max_bytes=MAX_BYTES).frame
    assert len(frame) == 20 and frame["Anzahl"].tolist() == [str(r) for r in range(2, 22)]


def test_zip_within_ten_times_the_limit_unpacks(tmp_path):
    data = area_geojson_bytes() + b" " * 50_000
    path = zip_of(tmp_path / "g.zip", {"grenzen.geojson": data})
    limit = len(data) // 5                 # packed well below, unpacked five times the limit
    assert path.stat().st_size < limit < len(data) < unpacked_limit(limit)
    assert len(read_vector(path, max_bytes=limit)) == 1


# --------------------------------------------------------------------------- messages capped

def test_thousands_of_problems_show_the_first_and_how_many_more():
    problems = [Problem("bad_date", {"value": f"x{i}", "field": "valid_from"}, file="f.csv", row=i)
                for i in range(1, 5001)]
    err = InputError(problems)
    for lang, more in (("en", "… and 4980 more"), ("de", "… und 4980 weitere")):
        lines = err.render(lang)
        assert len(lines) == PROBLEMS_SHOWN + 1 and lines[-1] == more
        assert lines[:PROBLEMS_SHOWN] == [format_problem(p, lang) for p in problems[:PROBLEMS_SHOWN]]
    assert len(str(err)) < 200 * (PROBLEMS_SHOWN + 1)
    assert format_problems(problems[:3], "en") == [format_problem(p, "en") for p in problems[:3]]


def test_a_200_kb_cell_gives_a_short_message(tiny_ws, tmp_path, capsys):
    cell = "9" * 100 + "x" * 200_000
    path = tmp_path / "riesig.csv"
    path.write_text(f"PLR_ID;Anzahl\n01000001;{cell}\n01000002;5\n", encoding="utf-8")
    err = expect_failure(tiny_ws, JmdiqError, lambda: import_table(tiny_ws, path))
    for lang in ("en", "de"):
        text = "\n".join(err.render(lang))
        assert "9" * 50 in text and len(text) < 2 * VALUE_SHOWN + 1000, len(text)
    db = tiny_ws.path
    tiny_ws.close()
    code = cli_main(["--lang", "en", "import", "indicators", str(path), "--db", str(db), "--level", "plr",
                     "--key", "PLR_ID", "--period", "2022-12-31", "--column", "Anzahl=anzahl"])
    out = capsys.readouterr()
    assert code == 2 and "Traceback" not in out.err and len(out.err) < 3000, len(out.err)


# --------------------------------------------------------------------------- the CLI: exit 2, nothing written

@pytest.mark.parametrize("case", ["nan", "ring", "deep", "folder", "local_cs", "zip_crc", "valid_to", "1e308"])
def test_cli_refuses_hostile_files_with_exit_2_and_writes_nothing(tiny_ws, tmp_path, capsys, case):
    folder = tmp_path / "in"
    folder.mkdir()
    kind, extra = "boundaries", []
    if case == "nan":
        path = raw_geojson(folder / "nan.geojson", [polygon(box_ring()).replace(f"{X0 + 100}", "NaN", 1)])
    elif case == "ring":
        path = raw_geojson(folder / "ring.geojson", [polygon(box_ring()[:4])])
    elif case == "deep":
        path = folder / "tief.geojson"
        path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif case == "folder":
        path, kind = folder / "x.csv", "indicators"
        path.mkdir()
        extra = ["--period", "2022-12-31"]
    elif case == "local_cs":
        path = _local_cs_shapefile(folder)
    elif case == "zip_crc":
        path = tmp_path / "kaputt.zip"
        data = area_geojson_bytes()
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr("grenzen.geojson", data)
        raw = bytearray(path.read_bytes())
        raw[raw.find(data) + 10] ^= 0xFF
        path.write_bytes(bytes(raw))
    elif case == "valid_to":
        path = write_geojson(folder / "g.geojson", [feature(square(X0, Y0), PLR_ID="01000001", PLR_NAME="N")])
        extra = ["--valid-to", "2020-01-01"]
    else:
        path = raw_geojson(folder / "riesig.geojson", [polygon([[0, 0], [1e308, 0], [1e308, 1e308], [0, 0]])])
    before = tiny_ws.snapshot()
    db = tiny_ws.path
    tiny_ws.close()
    args = ["--lang", "en", "import", kind, str(path), "--db", str(db), "--level", "plr", "--key", "PLR_ID"]
    if kind == "boundaries":
        args += ["--name", "PLR_NAME", "--valid-from", NEW_EDITION]
    assert cli_main(args + extra) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and path.name in err, err
    with open_workspace(db, read_only=True) as ws:
        assert ws.snapshot() == before


def test_xlsx_beyond_the_workbook_cap_is_refused_asking_for_csv(tiny_ws, tmp_path, monkeypatch):
    path = _xlsx_bomb(tmp_path / "gross.xlsx", rows=100, filler=20_000)       # ~2 MB unpacked
    monkeypatch.setattr(readers, "XLSX_UNPACKED_CAP", 1024 * 1024)          # a 1 MB cap, as 64 MB is at scale
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    assert_rendered(only_problem(err, "xlsx_unpacked_too_large"), "1 MB", "CSV")


def test_an_indicator_value_of_1e308_in_a_csv_is_refused_naming_the_row(tiny_ws, tmp_path):
    path = tmp_path / "riesig.csv"
    path.write_text("PLR_ID;Anzahl\n01000001;5\n01000002;1e308\n01000003;7\n", encoding="utf-8")
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "number_out_of_range")
    assert (problem.row, problem.column) == (2, "Anzahl")
    assert_rendered(problem, "1e+308", "1e+15")


def test_infinite_and_huge_numbers_in_xlsx_cells_are_refused(tiny_ws, tmp_path):
    """XLSX cells already hold numbers (no text to parse): they are checked the same way."""
    path = tmp_path / "riesig.xlsx"
    book = openpyxl.Workbook()
    for row in (["PLR_ID", "Anzahl"], ["01000001", 5], ["01000002", 3e300], ["01000003", -2e16]):
        book.active.append(row)
    book.save(path)
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "number_out_of_range")
    assert problem.row == 2
    assert_rendered(problem, "3e+300", "-2e+16")


def test_large_but_plausible_numbers_are_kept(tiny_ws, tmp_path):
    """A budget in cents or a national total stays far below the limit and is imported."""
    path = tmp_path / "gross.csv"
    path.write_text("PLR_ID;Anzahl\n01000001;83155031\n01000002;4500000000000\n", encoding="utf-8")
    assert import_table(tiny_ws, path).written == 2
