"""The access downloads (``jmdiq_geo.services.access_export``): the area table as CSV and
GeoPackage bytes, the run's report as JSON."""
from jmdiq_geo.services.access import access_for
from jmdiq_geo.services.access_export import report_bytes, table_downloads


def test_downloads_are_bytes(street_ws):
    ws = street_ws
    acc = access_for(ws, "jugendfreizeit")
    csv, gpkg = table_downloads(ws, acc, lang="de")
    assert csv.startswith(b"\xef\xbb\xbf") and b";" in csv.splitlines()[0]
    assert gpkg[:15] == b"SQLite format 3"
    assert b'"category": "jugendfreizeit"' in report_bytes(acc)
