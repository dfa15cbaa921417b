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
