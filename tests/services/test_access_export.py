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


def test_the_per_home_table_leaves_out_the_homes_of_hidden_areas(street_ws):
    from jmdiq_geo.services.access_export import area_table, origin_table
    acc = access_for(street_ws, "jugendfreizeit")
    areas = area_table(street_ws, acc)
    hidden = set(areas.loc[areas["suppressed"].astype(bool), "area"])
    homes = origin_table(street_ws, acc)
    assert hidden, "the tiny city has areas whose numbers are hidden"
    assert not set(homes["area"]) & hidden
    assert len(homes) == (~acc.result.origins["area"].isin(hidden)).sum()
