"""Files written for people (``jmdiq_geo.io.exports``): tables for German Excel and plain CSV."""
import pandas as pd


def test_area_table_csv_for_german_excel(tmp_path):
    """The app's CSV download in German: ';', decimal comma, BOM; the plain CSV (CLI) stays ','."""
    from jmdiq_geo.io.exports import write_table
    table = pd.DataFrame({"area": ["01100101"], "median_min": [12.3456789], "target_group": [419.0]})
    excel = write_table(table, tmp_path / "a.csv", attribution=["Amt für Statistik, CC BY 3.0 DE"], excel_de=True)
    raw = excel.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig").splitlines()
    assert text[0] == "area;median_min;target_group;sources"
    assert text[1] == "01100101;12,346;419,0;Amt für Statistik, CC BY 3.0 DE"
    plain = write_table(table, tmp_path / "b.csv", attribution=["x"])
    assert pd.read_csv(plain, dtype={"area": str})["median_min"].iloc[0] == 12.3456789


PAYLOADS = ["=HYPERLINK(\"http://example.org\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def _cells(path, sep=","):
    import csv
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [c for row in csv.reader(fh, delimiter=sep) for c in row]


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    from jmdiq_geo.io.exports import FORMULA_STARTS, write_csv, write_table
    table = pd.DataFrame({"name": PAYLOADS, "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0]})
    for path, sep in ((write_table(table, tmp_path / "a.csv", attribution=["=evil"], excel_de=True), ";"),
                      (write_table(table, tmp_path / "b.csv", attribution=["@evil"]), ","),
                      (write_csv(table.set_index("name"), tmp_path / "c.csv"), ",")):
        cells = _cells(path, sep)
        texts = [c for c in cells if not c.replace(",", "").replace(".", "").lstrip("-").isdigit()]
        assert not [c for c in texts if c.startswith(FORMULA_STARTS)], (path.name, texts)
        assert "'=HYPERLINK(\"http://example.org\",\"x\")" in cells
    # numbers stay numbers, negative ones included
    assert pd.read_csv(tmp_path / "c.csv")["value"].tolist() == [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0]


def test_the_project_exchange_round_trip_keeps_formula_like_text(tmp_path):
    import geopandas as gpd

    from jmdiq_geo.io.exports import exchange_bytes, read_exchange
    gdf = gpd.GeoDataFrame({"project_id": ["p1", "p2"], "title": ["=1+1", "-Workshop-"]},
                           geometry=[None, None], crs="EPSG:25833")
    csv, _ = exchange_bytes(gdf)
    assert b"p1,'=1+1\r\n" in csv and b"p2,'-Workshop-" in csv
    back = read_exchange("projekte.csv", csv, "EPSG:25833")
    assert back["title"].tolist() == ["=1+1", "-Workshop-"]


def test_cli_indicator_table_neutralises_area_names(tiny_ws, tmp_path):
    from jmdiq_geo.cli import main as cli_main
    from tests.fixtures.files import MAX_BYTES
    from jmdiq_geo.io import imports as im
    path = tmp_path / "werte.csv"
    path.write_text("PLR_ID;Anzahl\n01000001;5\n01000002;7\n01000003;9\n01000004;11\n", encoding="utf-8")
    im.import_indicator_table(tiny_ws, path, im.TableSpec(level="plr", period="2024-12-31", columns={"Anzahl": "anzahl"},
                                                         key="PLR_ID", define=True), im.Source("t", "T", licence="CC0"),
                              max_bytes=MAX_BYTES)
    tiny_ws.con.execute("UPDATE areas SET name = '=HYPERLINK(\"http://example.org\")' WHERE area_id = '01000001'")
    tiny_ws.close()
    out = tmp_path / "out.csv"
    assert cli_main(["indicators", "--db", str(tiny_ws.path), "--period", "2024-12-31", "--out", str(out)]) == 0
    cells = _cells(out)
    assert "'=HYPERLINK(\"http://example.org\")" in cells
    assert not [c for c in cells if c.startswith("=")]


def test_xlsx_cells_that_would_run_as_formulas_are_neutralised(tmp_path):
    """openpyxl stores a text starting with ``=`` as a formula: the workbook gets the same
    neutralised text as the CSV (one function), numbers stay numbers."""
    from openpyxl import load_workbook

    from jmdiq_geo.io.exports import write_xlsx
    table = pd.DataFrame({"name": PAYLOADS, "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0]})
    path = write_xlsx({"Tabelle: a/b [1]": table, "=evil": table.rename(columns={"name": "=name"})},
                      tmp_path / "t.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Tabelle_ a_b _1_", "=evil"]          # a sheet name is no cell
    for sheet in book.worksheets:
        cells = [c for row in sheet.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"]
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert "'=HYPERLINK(\"http://example.org\",\"x\")" in texts and "'@SUM(A1)" in texts
        assert [c.value for c in sheet["B"][1:]] == [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0]
    assert book["=evil"]["A1"].value == "'=name"


def test_tables_into_a_folder_or_a_zip_in_both_flavours(tmp_path):
    import zipfile

    from jmdiq_geo.io.exports import write_tables
    tables = {"a": pd.DataFrame({"Gebiet": ["+x", "y"], "Wert": [1.25, -2.5]}), "b": pd.DataFrame({"n": [1]})}
    folder = write_tables(tables, tmp_path / "plain")
    assert (folder / "a.csv").read_bytes() == b"Gebiet,Wert\r\n'+x,1.25\r\ny,-2.5\r\n"
    archive = write_tables(tables, tmp_path / "de.zip", excel_de=True)
    with zipfile.ZipFile(archive) as z:
        assert sorted(z.namelist()) == ["a.csv", "b.csv"]
        assert z.read("a.csv") == "\ufeffGebiet;Wert\r\n'+x;1,25\r\ny;-2,5\r\n".encode("utf-8")
