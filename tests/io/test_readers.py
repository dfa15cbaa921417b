"""Readers (``jmdiq_geo.io.readers``) accept the formats a city really has, and refuse metric
coordinates that come without their CRS."""
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from jmdiq_geo.errors import CrsError
from jmdiq_geo.io.numbers import parse_numeric
from jmdiq_geo.io.readers import read_table, read_vector
from tests.fixtures.files import MAX_BYTES, feature, square, write_geojson

MAX = 10 * 1024 * 1024


@pytest.fixture
def gdf():
    return gpd.GeoDataFrame({"ID": ["0101", "0102"], "NAME": ["Nord", "Süd"]},
                            geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)], crs="EPSG:25833")


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".parquet", ".shp"])
def test_vector_formats_keep_string_keys(tmp_path, gdf, suffix):
    path = tmp_path / f"areas{suffix}"
    if suffix == ".parquet":
        gdf.to_parquet(path)
    else:
        gdf.to_file(path)
    out = read_vector(path, max_bytes=MAX)
    assert out["ID"].tolist() == ["0101", "0102"] and out.crs == "EPSG:25833"


def test_zipped_shapefile_and_folder(tmp_path, gdf):
    folder = tmp_path / "shp"
    folder.mkdir()
    gdf.to_file(folder / "areas.shp")
    archive = tmp_path / "areas.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for part in folder.iterdir():
            z.write(part, arcname=f"lor/{part.name}")
    assert len(read_vector(archive, max_bytes=MAX)) == 2
    assert len(read_vector(folder, max_bytes=MAX)) == 2


@pytest.mark.parametrize("text,encoding,delimiter,decimal", [
    ("ID;Wert\n0101;1.234,5\n0102;7,25\n", "utf-8", ";", ","),
    ("\ufeffID,Wert\n0101,\"1,234.5\"\n0102,7.25\n", "utf-8-sig", ",", "."),
    ("ID;Wert\n0101;1.234,5\n0102;7,25\n", "cp1252", ";", ","),
    ("ID\tWert\n0101\t1234.5\n0102\t7.25\n", "utf-8", "\t", "."),
])
def test_csv_dialects(tmp_path, text, encoding, delimiter, decimal):
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    table = read_table(path, max_bytes=MAX)
    assert table.delimiter == delimiter and table.decimal == decimal
    assert table.frame["ID"].tolist() == ["0101", "0102"]
    values, problems = parse_numeric(table.frame["Wert"], column="Wert", file="t.csv", decimal=table.decimal)
    assert values.tolist() == [1234.5, 7.25] and not problems


def test_xlsx(tmp_path):
    path = tmp_path / "t.xlsx"
    pd.DataFrame({"ID": ["0101", "0102"], "Wert": [1.5, 2]}).to_excel(path, index=False)
    table = read_table(path, max_bytes=MAX)
    values, _ = parse_numeric(table.frame["Wert"], column="Wert", file="t.xlsx", decimal=table.decimal)
    assert table.frame["ID"].tolist() == ["0101", "0102"] and values.tolist() == [1.5, 2.0]


def test_geojson_with_metric_coordinates_but_no_crs(tmp_path):
    path = write_geojson(tmp_path / "a.geojson", [feature(square(390000, 5818000), ID="1")], crs=None)
    with pytest.raises(CrsError) as err:
        read_vector(path, max_bytes=MAX_BYTES)
    assert err.value.problems[0].code == "crs_not_lonlat" and "390000" in str(err.value)
    gdf = read_vector(path, max_bytes=MAX_BYTES, crs="EPSG:25833")
    assert gdf.crs == "EPSG:25833" and gdf.geometry.area.iloc[0] == pytest.approx(10000)
