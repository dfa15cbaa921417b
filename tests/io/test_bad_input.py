"""Bad input files: every importer must fail with a typed error that names the problem (code,
file, row, column) in English and German, and must write nothing when it fails. Files that
only look odd (cp1252, UTF-16, German number formats, placeholders, 3D, repairable geometry)
must import, with notices where something was changed.

Every test builds its own tiny files in ``tmp_path``; the workspace is ``tiny_ws`` (level
``plr`` with the four 100 m squares of ``TINY_AREAS``, edition 2021-01-01, and level ``bzr``).
"""
from __future__ import annotations

import json
import random
import re
import tempfile
import zipfile

from jmdiq_geo.io.readers import human_size
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from jmdiq_geo.errors import CrsError, InputError, JmdiqError, JoinError, Problem, SchemaError
from jmdiq_geo.i18n import format_problem
from jmdiq_geo.io import imports as im
from tests.fixtures.files import MAX_BYTES, TINY_AREAS, WORK_CRS, feature, square, write_geojson
from tests.fixtures.problems import assert_rendered, expect_failure, only_problem

SRC = im.Source("bad-input", "Testdatei", licence="CC0")
PERIOD = "2022-12-31"
#: a new edition of level plr, so that a successful import does not replace the tiny areas
NEW_EDITION = "2024-01-01"
X0, Y0 = 390000, 5820000
AREA_IDS = [aid for aid, _, _ in TINY_AREAS]


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def inbox(tmp_path) -> Path:
    """A folder for the test's own input files (tmp_path itself holds the tiny workspace)."""
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


def problem_of(problems: list[Problem], code: str, column: str | None = None) -> Problem:
    found = [p for p in problems if p.code == code and (column is None or p.column == column)]
    assert len(found) == 1, problems
    return found[0]


def boundary_spec(**kw) -> im.BoundarySpec:
    return im.BoundarySpec(**{"level": "plr", "key": "PLR_ID", "name": "PLR_NAME", "valid_from": NEW_EDITION,
                              **kw})


def import_boundaries(ws, path, spec=None, *, max_bytes=MAX_BYTES):
    return im.import_boundaries(ws, path, spec or boundary_spec(), SRC, max_bytes=max_bytes)


INDICATORS = [im.IndicatorDef("anteil_alg2", "Anteil ALG II", "Share ALG II", unit="%"),
              im.IndicatorDef("einwohner", "Einwohner", "Residents", kind="extensive")]


def table_spec(**kw) -> im.TableSpec:
    return im.TableSpec(**{"level": "plr", "period": PERIOD, "columns": {"Anteil_ALG2": "anteil_alg2"},
                           "key": "PLR_ID", "indicators": INDICATORS, **kw})


def import_table(ws, path, spec=None, *, max_bytes=MAX_BYTES):
    return im.import_indicator_table(ws, path, spec or table_spec(), SRC, max_bytes=max_bytes)


def write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    path.write_text("".join(delimiter.join(r) + "\r\n" for r in rows), encoding=encoding, newline="")
    return path


def write_shapefile(folder: Path, *, stem: str = "grenzen") -> Path:
    gdf = gpd.GeoDataFrame({"PLR_ID": ["n1", "n2"], "PLR_NAME": ["Neu 1", "Neu 2"]},
                           geometry=[square(X0, Y0), square(X0 + 100, Y0)], crs=WORK_CRS)
    path = folder / f"{stem}.shp"
    gdf.to_file(path)
    for ext in (".shp", ".shx", ".dbf", ".prj"):
        assert path.with_suffix(ext).exists()
    return path


def new_areas(ws):
    """The areas of level plr imported as edition ``NEW_EDITION`` (the tiny areas stay valid too)."""
    stored = ws.areas("plr")
    return stored[stored["valid_from"].astype(str).str[:10] == NEW_EDITION].reset_index(drop=True)


def values(ws, indicator_id: str) -> dict[str, float]:
    return ws.values(indicator_id, period=date.fromisoformat(PERIOD), level="plr").to_dict()


# --------------------------------------------------------------------------- 1. truncated GeoJSON

def test_truncated_geojson_names_line_and_column(tiny_ws, tiny_files, inbox):
    doc = json.loads(tiny_files["areas"].read_text(encoding="utf-8"))
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    cut = inbox / "abgeschnitten.geojson"
    cut.write_text(text[: len(text) // 2], encoding="utf-8")
    try:  # where the standard JSON parser sees the error in the cut text
        json.loads(cut.read_text(encoding="utf-8"))
        pytest.fail("the cut file must not be valid JSON")
    except json.JSONDecodeError as exc:
        line, col = exc.lineno, exc.colno
    assert line > 1  # pretty-printed: the error is not on the first line

    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, cut))
    problem = only_problem(err, "json_syntax")
    assert problem.file == cut.name
    assert problem.params["line"] == line and problem.params["col"] == col
    en, de = assert_rendered(problem)
    assert f"line {line}, character {col}" in en
    assert f"Zeile {line}, Zeichen {col}" in de


# --------------------------------------------------------------------------- 2. missing CRS

def test_shapefile_without_prj_needs_a_crs(tiny_ws, inbox):
    shp = write_shapefile(inbox)
    shp.with_suffix(".prj").unlink()

    err = expect_failure(tiny_ws, CrsError, lambda: import_boundaries(tiny_ws, shp))
    problem = only_problem(err, "crs_missing")
    assert problem.file == shp.name
    assert_rendered(problem, ".prj", "EPSG:25833")

    # giving the CRS makes the same file import
    report = import_boundaries(tiny_ws, shp, boundary_spec(crs="EPSG:25833"))
    assert report.written == 2 and report.notices == []
    assert "25833" in report.details["crs_in"]
    stored = new_areas(tiny_ws)
    assert stored["area_id"].tolist() == ["n1", "n2"]
    assert shapely.equals(stored.geometry.iloc[0], square(X0, Y0))
    assert stored["area_m2"].tolist() == pytest.approx([100 * 100, 100 * 100])


# --------------------------------------------------------------------------- 3. invalid geometry

def _bow_tie(x0: float, y0: float, size: float = 100.0):
    """A self-intersecting polygon: two triangles meeting in the centre of the square."""
    return shapely.Polygon([(x0, y0), (x0 + size, y0 + size), (x0 + size, y0), (x0, y0 + size)])


def _with_bow_tie(inbox: Path) -> Path:
    bow = _bow_tie(X0 + 200, Y0)
    assert not bow.is_valid
    return write_geojson(inbox / "schleife.geojson", [
        feature(square(X0, Y0), PLR_ID="n1", PLR_NAME="Neu 1"),
        feature(square(X0 + 100, Y0), PLR_ID="n2", PLR_NAME="Neu 2"),
        feature(bow, PLR_ID="n3", PLR_NAME="Schleife")])  # feature no. 3


def test_invalid_geometry_is_repaired_with_a_notice(tiny_ws, inbox):
    path = _with_bow_tie(inbox)
    report = import_boundaries(tiny_ws, path)
    assert report.written == 3
    problem = only_problem(report.notices, "geometry_repaired")
    assert problem.severity == "notice" and problem.row == 3 and problem.file == path.name
    assert problem.params["count"] == 1
    assert problem.params["detail"].startswith("3: ")
    assert_rendered(problem, "3: ", "Self-intersection")

    stored = new_areas(tiny_ws).set_index("area_id")
    assert stored.index.tolist() == ["n1", "n2", "n3"]
    repaired = stored.geometry["n3"]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    # the two triangles of the bow tie: 2 × (100 × 50 / 2)
    assert stored.loc["n3", "area_m2"] == pytest.approx(2 * 100 * 50 / 2)
    assert repaired.area == pytest.approx(2 * 100 * 50 / 2)


def test_invalid_geometry_rejected_writes_nothing(tiny_ws, inbox):
    path = _with_bow_tie(inbox)
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path,
                                                                         boundary_spec(invalid="reject")))
    problem = only_problem(err, "geometry_invalid")
    assert problem.row == 3 and problem.file == path.name
    assert problem.params["count"] == 1
    assert_rendered(problem, "3: ", "Self-intersection")


# --------------------------------------------------------------------------- 4. mixed / 3D geometries

@pytest.mark.parametrize("odd", [shapely.Point(X0 + 150, Y0 + 50),
                                 shapely.LineString([(X0, Y0), (X0 + 300, Y0 + 100)])],
                         ids=lambda g: g.geom_type)
def test_mixed_geometry_types_are_rejected(tiny_ws, inbox, odd):
    path = write_geojson(inbox / "gemischt.geojson", [
        feature(square(X0, Y0), PLR_ID="n1", PLR_NAME="Neu 1"),
        feature(square(X0 + 100, Y0), PLR_ID="n2", PLR_NAME="Neu 2"),
        feature(odd, PLR_ID="n3", PLR_NAME="Fremd"),  # feature no. 3
        feature(square(X0 + 200, Y0), PLR_ID="n4", PLR_NAME="Neu 4")])
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    problem = only_problem(err, "geometry_type")
    assert problem.row == 3 and problem.file == path.name
    assert problem.params["found"] == odd.geom_type and problem.params["count"] == 1
    assert problem.params["rows"] == "3"
    assert_rendered(problem, odd.geom_type, "polygon")


def test_3d_polygons_import_as_2d_with_a_notice(tiny_ws, inbox):
    flat = [square(X0, Y0), square(X0 + 100, Y0)]
    path = write_geojson(inbox / "hoehen.geojson", [
        feature(shapely.force_3d(g, 34.5 + i), PLR_ID=f"z{i + 1}", PLR_NAME=f"Hoch {i + 1}")
        for i, g in enumerate(flat)])
    assert '34.5' in path.read_text()  # the file really carries heights

    report = import_boundaries(tiny_ws, path)
    assert report.written == 2
    problem = only_problem(report.notices, "geometry_3d")
    assert problem.severity == "notice" and problem.file == path.name
    assert_rendered(problem, "3D", "2D")

    stored = new_areas(tiny_ws)
    assert stored["area_id"].tolist() == ["z1", "z2"]
    assert not shapely.has_z(stored.geometry.array).any()
    for geom, expected in zip(stored.geometry, flat):
        assert shapely.equals(geom, expected)
    assert stored["area_m2"].tolist() == pytest.approx([100 * 100, 100 * 100])


# --------------------------------------------------------------------------- 5. keys

def test_duplicate_keys_in_boundaries(tiny_ws, inbox):
    keys = ["d1", "d2", "d1", "d3", "d2"]
    path = write_geojson(inbox / "doppelt.geojson", [
        feature(square(X0 + i * 100, Y0), PLR_ID=k, PLR_NAME=f"Gebiet {i + 1}") for i, k in enumerate(keys)])
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path))
    problem = only_problem(err, "key_duplicate")
    assert problem.file == path.name and problem.column == "PLR_ID" and problem.row == 1
    assert problem.params["count"] == 2
    rows_of = {k: [i + 1 for i, kk in enumerate(keys) if kk == k] for k in ("d1", "d2")}
    assert_rendered(problem, *(f"'{k}' ({', '.join(map(str, r))})" for k, r in rows_of.items()))


def test_duplicate_keys_in_indicator_table(tiny_ws, inbox):
    rows = [["PLR_ID", "Anteil_ALG2"], [AREA_IDS[0], "1"], [AREA_IDS[1], "2"], [AREA_IDS[0], "3"],
            [AREA_IDS[3], "4"]]
    path = write_csv(inbox / "doppelt.csv", rows)
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "key_duplicate")
    assert problem.file == path.name and problem.column == "PLR_ID" and problem.row == 1
    assert_rendered(problem, f"'{AREA_IDS[0]}' (1, 3)")


@pytest.mark.parametrize("kind", ["boundaries", "indicators"])
def test_missing_key_column_suggests_near_name(tiny_ws, tiny_files, inbox, kind):
    if kind == "boundaries":
        path = tiny_files["areas"]
        call = lambda: import_boundaries(tiny_ws, path, boundary_spec(key="PLR_IDX"))  # noqa: E731
    else:
        path = write_csv(inbox / "werte.csv", [["PLR_ID", "Anteil_ALG2"], [AREA_IDS[0], "1"]])
        call = lambda: import_table(tiny_ws, path, table_spec(key="PLR_IDX"))  # noqa: E731
    err = expect_failure(tiny_ws, SchemaError, call)
    problem = only_problem(err, "column_missing")
    assert problem.file == path.name and problem.column == "PLR_IDX"
    assert "'PLR_ID'" in problem.params["suggest"]
    assert_rendered(problem, "PLR_IDX", "'PLR_ID'")


# --------------------------------------------------------------------------- 6. empty files

def _empty_cases(inbox: Path):
    return {
        "zero-byte-geojson": ("boundaries", inbox / "leer.geojson", b"", "file_empty"),
        "zero-byte-csv": ("indicators", inbox / "leer.csv", b"", "file_empty"),
        "blank-lines-csv": ("indicators", inbox / "leerzeilen.csv", b"\r\n  \r\n", "file_empty"),
        "no-features": ("boundaries", inbox / "keine.geojson", None, "no_features"),
        "header-only-csv": ("indicators", inbox / "kopf.csv", b"PLR_ID;Anteil_ALG2\r\n", "no_rows"),
    }


@pytest.mark.parametrize("case", ["zero-byte-geojson", "zero-byte-csv", "blank-lines-csv", "no-features",
                                  "header-only-csv"])
def test_empty_inputs(tiny_ws, inbox, case):
    kind, path, content, code = _empty_cases(inbox)[case]
    if content is None:
        write_geojson(path, [])
    else:
        path.write_bytes(content)
    call = (lambda: import_boundaries(tiny_ws, path)) if kind == "boundaries" else (
        lambda: import_table(tiny_ws, path))
    err = expect_failure(tiny_ws, InputError, call)
    problem = only_problem(err, code)
    assert problem.file == path.name
    assert_rendered(problem)


# --------------------------------------------------------------------------- 7. encodings

def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)


@pytest.mark.parametrize("encoding, detected", [("cp1252", "cp1252"), ("utf-8-sig", "utf-8-sig"),
                                                ("utf-16", "utf-16"), ("utf-16-be-bom", "utf-16")])
def test_tables_in_other_encodings_are_read_correctly(tiny_ws, inbox, encoding, detected):
    """Names with umlauts/ß (and an umlaut in the header) survive; join by name works."""
    given = {name: f"{i + 1},5" for i, (_, name, _) in enumerate(TINY_AREAS)}
    text = "Planungsraum;Anteil Ältere\r\n" + "".join(f"{n};{v}\r\n" for n, v in given.items())
    path = inbox / f"namen-{encoding}.csv"
    path.write_bytes(_encode(text, encoding))
    if encoding == "cp1252":
        with pytest.raises(UnicodeDecodeError):
            path.read_bytes().decode("utf-8")  # really not UTF-8

    spec = table_spec(key=None, name_column="Planungsraum", columns={"Anteil Ältere": "anteil_alg2"})
    report = import_table(tiny_ws, path, spec)
    assert report.details["encoding"] == detected
    assert report.notices == []
    assert report.join.matched == len(TINY_AREAS) and report.join.table_unmatched == []
    expected = {aid: float(given[name].replace(",", ".")) for aid, name, _ in TINY_AREAS}
    assert values(tiny_ws, "anteil_alg2") == pytest.approx(expected)


def test_binary_file_is_not_text(tiny_ws, inbox):
    noise = bytes(random.Random(4711).getrandbits(8) for _ in range(3000))
    path = inbox / "tabelle.csv"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + noise + b"\x00\x00")  # e.g. an .xlsx renamed to .csv
    assert b"\x00" in path.read_bytes()[:4096]
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "not_text")
    assert problem.file == path.name
    assert_rendered(problem, ".xlsx")


# --------------------------------------------------------------------------- 8. numbers

@pytest.mark.parametrize("delimiter", [",", ";"])
def test_non_numeric_values_are_named(tiny_ws, inbox, delimiter):
    cells = ["1", "abc", "3", "12a"]
    path = write_csv(inbox / "zahlen.csv", [["PLR_ID", "Anteil_ALG2"]] + [[a, c] for a, c in zip(AREA_IDS, cells)],
                     delimiter=delimiter)
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "not_numeric")
    bad_rows = [i + 1 for i, c in enumerate(cells) if c in ("abc", "12a")]
    assert problem.file == path.name and problem.column == "Anteil_ALG2" and problem.row == bad_rows[0]
    assert problem.params["count"] == 2
    assert problem.params["rows"] == ", ".join(map(str, bad_rows))
    assert_rendered(problem, "'abc'", "'12a'", ", ".join(map(str, bad_rows)))


def test_german_numbers_and_placeholders(tiny_ws, inbox):
    """``;``-separated, decimal comma, thousands dots; placeholders become missing, ``(0)`` is 0."""
    a = ["1.234,5", "–", "(0)", "x"]
    b = ["12.345.678", ".", "-3,25", "(12,5)"]
    path = write_csv(inbox / "statistik.csv", [["PLR_ID", "Anteil_ALG2", "Einwohner"]]
                     + [[k, x, y] for k, x, y in zip(AREA_IDS, a, b)], delimiter=";", encoding="cp1252")
    spec = table_spec(columns={"Anteil_ALG2": "anteil_alg2", "Einwohner": "einwohner"})
    report = import_table(tiny_ws, path, spec)
    assert report.details["delimiter"] == ";" and report.details["decimal"] == ","
    assert report.written == 2 * len(AREA_IDS)

    got_a, got_b = values(tiny_ws, "anteil_alg2"), values(tiny_ws, "einwohner")
    assert got_a[AREA_IDS[0]] == pytest.approx(1234.5)
    assert np.isnan(got_a[AREA_IDS[1]]) and np.isnan(got_a[AREA_IDS[3]])
    assert got_a[AREA_IDS[2]] == 0.0
    assert got_b[AREA_IDS[0]] == pytest.approx(12345678)
    assert np.isnan(got_b[AREA_IDS[1]])
    assert got_b[AREA_IDS[2]] == pytest.approx(-3.25)
    assert got_b[AREA_IDS[3]] == pytest.approx(12.5)

    assert {p.severity for p in report.notices} == {"notice"}
    held_a = problem_of(report.notices, "placeholders_missing", "Anteil_ALG2")
    assert held_a.params["count"] == 2 and held_a.file == path.name
    assert_rendered(held_a, "'–' ×1", "'x' ×1")
    held_b = problem_of(report.notices, "placeholders_missing", "Einwohner")
    assert held_b.params["count"] == 1
    assert_rendered(held_b, "'.' ×1")
    for column in ("Anteil_ALG2", "Einwohner"):
        paren = problem_of(report.notices, "parenthesised_values", column)
        assert paren.params["count"] == 1
        assert_rendered(paren, "1")


# --------------------------------------------------------------------------- 9. Shapefile parts

@pytest.mark.parametrize("missing", [[".dbf"], [".shx"], [".shx", ".dbf"]], ids="+".join)
def test_shapefile_without_its_parts(tiny_ws, inbox, missing):
    shp = write_shapefile(inbox)
    for ext in missing:
        shp.with_suffix(ext).unlink()
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, shp))
    problem = only_problem(err, "shapefile_part_missing")
    assert problem.file == shp.name
    assert sorted(problem.params["parts"].split(", ")) == sorted(missing)
    assert_rendered(problem, *missing)


# --------------------------------------------------------------------------- 10. zip slip

@pytest.mark.parametrize("entry", ["../evil.txt", "daten/../../evil.txt", "..\\evil.txt", "C:/evil.txt",
                                   "ABSOLUTE"])
def test_zip_entries_outside_the_target_are_refused(tiny_ws, tiny_files, tmp_path, inbox, monkeypatch, entry):
    scratch = tmp_path / "scratch"  # where the importer's temporary folder is made
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    outside = tmp_path / "outside" / "evil.txt"
    if entry == "ABSOLUTE":
        entry = str(outside)
    archive = inbox / "grenzen.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("grenzen.geojson", tiny_files["areas"].read_text(encoding="utf-8"))
        zf.writestr(zipfile.ZipInfo(entry), "pwned")
    assert entry in [i.filename for i in zipfile.ZipFile(archive).infolist()]
    files_before = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".wal")

    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, archive))
    problem = only_problem(err, "zip_entry_outside")
    assert problem.file == archive.name and problem.params["entry"] == entry
    assert_rendered(problem, entry)

    assert not outside.exists()
    assert not (scratch / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()
    assert list(scratch.iterdir()) == [], "the temporary folder must be gone and nothing beside it"
    files_after = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix != ".wal")
    assert files_after == files_before


# --------------------------------------------------------------------------- 11. size limit

def _too_large_cases(inbox: Path, tiny_files) -> dict:
    text = tiny_files["areas"].read_text(encoding="utf-8")
    geojson = inbox / "gross.geojson"
    geojson.write_text(text, encoding="utf-8")
    csv = write_csv(inbox / "gross.csv", [["PLR_ID", "Anteil_ALG2"]] + [[a, "1,5"] for a in AREA_IDS] * 5,
                    delimiter=";")
    bomb = inbox / "bombe.zip"  # small archive, large content (more than ten times the limit unpacked)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("grenzen.geojson", text + " " * 250_000)
    return {"geojson": ("boundaries", geojson, 100), "csv": ("indicators", csv, 100),
            "zip-bomb": ("boundaries", bomb, 20_000)}


@pytest.mark.parametrize("case", ["geojson", "csv", "zip-bomb"])
def test_file_too_large(tiny_ws, tiny_files, inbox, case):
    kind, path, limit = _too_large_cases(inbox, tiny_files)[case]
    assert path.stat().st_size > 0
    if case == "zip-bomb":
        # unpacked, an archive may hold ten times the limit (unpacked_limit), not more
        assert path.stat().st_size < limit < 10 * limit < sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    else:
        assert path.stat().st_size > limit
    call = (lambda: import_boundaries(tiny_ws, path, max_bytes=limit)) if kind == "boundaries" else (
        lambda: import_table(tiny_ws, path, max_bytes=limit))
    err = expect_failure(tiny_ws, InputError, call)
    problem = only_problem(err, "unpacked_too_large" if case == "zip-bomb" else "file_too_large")
    assert problem.file == path.name
    assert_rendered(problem, human_size(10 * limit if case == "zip-bomb" else limit), "JMDIQ_MAX_FILE_MB")


def test_file_too_large_message_shows_size_and_limit(tiny_ws, tiny_files, inbox):
    path = inbox / "gross.geojson"
    path.write_text(tiny_files["areas"].read_text(encoding="utf-8"), encoding="utf-8")
    err = expect_failure(tiny_ws, InputError, lambda: import_boundaries(tiny_ws, path, max_bytes=100))
    problem = only_problem(err, "file_too_large")
    for lang in ("en", "de"):
        body = format_problem(problem, lang).split(": ", 1)[1]
        shown = [float(n.replace(",", ".")) for n in re.findall(r"\d+(?:[.,]\d+)?", body)]
        assert len(shown) >= 2, body
        size, limit = shown[:2]
        assert size > 0 and limit > 0, f"size and limit must be visible: {body!r}"
        assert size != limit, f"size and limit must differ: {body!r}"


# --------------------------------------------------------------------------- 12. join

def test_keys_without_area_are_a_join_error(tiny_ws, inbox):
    # keys that lost their leading zero now match as numbers (tests/io/test_tables.py); a table is
    # refused only when less than half of its rows match an area
    keys = ["99000001", AREA_IDS[1], "99000003", "99000004"]
    path = write_csv(inbox / "fremd.csv", [["PLR_ID", "Anteil_ALG2"]] + [[k, "1.5"] for k in keys])
    err = expect_failure(tiny_ws, JoinError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "join_too_few")
    assert problem.file == path.name and problem.column == "PLR_ID" and problem.row == 1
    assert problem.params["matched"] == 1 and problem.params["rows"] == 4
    assert_rendered(problem, f"'{keys[0]}' (1)", f"'{keys[2]}' (3)", "plr")


def test_key_width_restores_lost_leading_zeros(tiny_ws, inbox):
    path = write_csv(inbox / "ohne_null.csv", [["PLR_ID", "Anteil_ALG2"]]
                     + [[a.lstrip("0"), str(i)] for i, a in enumerate(AREA_IDS)])
    report = import_table(tiny_ws, path, table_spec(key_width=len(AREA_IDS[0])))
    assert report.notices == [] and report.join.matched == len(AREA_IDS)
    assert values(tiny_ws, "anteil_alg2") == {a: float(i) for i, a in enumerate(AREA_IDS)}


def test_areas_without_values_are_a_notice(tiny_ws, inbox):
    given = AREA_IDS[:3]
    path = write_csv(inbox / "teilweise.csv", [["PLR_ID", "Anteil_ALG2"]] + [[a, "2.5"] for a in given])
    report = import_table(tiny_ws, path)
    assert report.written == len(given)
    problem = only_problem(report.notices, "join_areas_without_values")
    missing = sorted(set(AREA_IDS) - set(given))
    assert problem.severity == "notice" and problem.file == path.name
    assert problem.params["count"] == len(missing)
    assert_rendered(problem, *missing, "plr")
    assert sorted(values(tiny_ws, "anteil_alg2")) == given


# --------------------------------------------------------------------------- 13. ragged rows

@pytest.mark.parametrize("delimiter, ragged", [
    (",", [2, 4]),
    (";", [3]),
    (",", [1]),          # first data row too long: pandas alone would shift the columns silently
    (",", [1, 3]),
])
def test_rows_with_too_many_fields(tiny_ws, inbox, delimiter, ragged):
    rows = [["PLR_ID", "Anteil_ALG2"]]
    for i, area in enumerate(AREA_IDS, start=1):
        rows.append([area, str(i)] + (["9"] if i in ragged else []))
    path = write_csv(inbox / "ungleich.csv", rows, delimiter=delimiter)
    err = expect_failure(tiny_ws, InputError, lambda: import_table(tiny_ws, path))
    problem = only_problem(err, "ragged_rows")
    assert problem.file == path.name and problem.row == ragged[0]
    assert problem.params["count"] == len(ragged) and problem.params["expected"] == 2
    assert problem.params["rows"] == ", ".join(map(str, ragged))
    assert_rendered(problem, ", ".join(map(str, ragged)))


# --------------------------------------------------------------------------- 14. programme areas

PA_HEADER = ["pa_id", "name", "programme", "since", "until", "plr"]


def programme_spec() -> im.ProgrammeSpec:
    return im.ProgrammeSpec(id="pa_id", name="name", programme="programme", since="since", until="until",
                            member="plr", member_level="plr")


def import_programmes(ws, path):
    return im.import_programme_areas(ws, path, programme_spec(), SRC, max_bytes=MAX_BYTES)


def test_programme_area_is_union_of_members(tiny_ws, inbox):
    members = AREA_IDS[:2]
    path = write_csv(inbox / "programme.csv", [PA_HEADER] + [
        ["QM01", "Kiez am Park", "Quartiersmanagement", "2020-01-01", "2025-12-31", m] for m in members])
    report = import_programmes(tiny_ws, path)
    assert report.written == 1 and report.notices == []
    stored = tiny_ws.programme_areas()
    assert stored["pa_id"].tolist() == ["QM01"]
    row = stored.iloc[0]
    assert row["members"] == ",".join(members) and row["member_level"] == "plr"
    assert row["area_m2"] == pytest.approx(2 * 100 * 100)
    areas = tiny_ws.areas("plr").set_index("area_id")
    assert shapely.equals(row.geometry, shapely.union_all(list(areas.geometry[members])))
    assert str(row["since"])[:10] == "2020-01-01" and str(row["until"])[:10] == "2025-12-31"


def _unknown_member_file(inbox: Path) -> tuple[Path, str]:
    unknown = "01009999"
    assert unknown not in AREA_IDS
    path = write_csv(inbox / "programme.csv", [PA_HEADER,
                     ["QM01", "Kiez", "QM", "2020-01-01", "", AREA_IDS[0]],
                     ["QM01", "Kiez", "QM", "2020-01-01", "", unknown]])
    return path, unknown


def test_programme_member_that_is_no_area(tiny_ws, inbox):
    path, unknown = _unknown_member_file(inbox)
    err = expect_failure(tiny_ws, JmdiqError, lambda: import_programmes(tiny_ws, path))
    problem = only_problem(err, "join_unmatched")
    assert problem.file == path.name and problem.column == "plr" and problem.row == 2
    assert problem.params["rows"] == "2" and problem.params["count"] == 1
    assert_rendered(problem, f"'{unknown}'", "plr")


def test_programme_member_that_is_no_area_is_a_join_error(tiny_ws, inbox):
    path, _ = _unknown_member_file(inbox)
    expect_failure(tiny_ws, JoinError, lambda: import_programmes(tiny_ws, path))


def test_programme_end_before_start(tiny_ws, inbox):
    path = write_csv(inbox / "programme.csv", [PA_HEADER,
                     ["QM01", "Kiez", "QM", "2020-01-01", "2021-12-31", AREA_IDS[0]],
                     ["QM02", "Ufer", "QM", "2020-01-01", "2019-06-30", AREA_IDS[1]],
                     ["QM02", "Ufer", "QM", "2020-01-01", "2019-06-30", AREA_IDS[2]]])
    err = expect_failure(tiny_ws, InputError, lambda: import_programmes(tiny_ws, path))
    problem = only_problem(err, "end_before_start")
    assert problem.file == path.name and problem.column == "until" and problem.row == 2
    assert problem.params["rows"] == "2, 3"
    assert_rendered(problem, "2, 3")
