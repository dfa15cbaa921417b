"""Any city without a manifest: an empty workspace, levels from boundary files, parents from
geometry, the work CRS from where the areas lie, and clear refusals that write nothing."""
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.nesting import assign_parents
from jmdiq_geo.cli import main
from jmdiq_geo.crs import utm_crs_for
from jmdiq_geo.config import is_postgres_url
from jmdiq_geo.errors import CrsError, InputError, SchemaError
from jmdiq_geo.services.imports import BoundarySpec, LevelSpec, ProgrammeSpec, Source, import_file
from jmdiq_geo.services.new_city import new_city

MAX = 50 * 1024 * 1024
SRC = Source("amt", "Statistikamt Teststadt", licence="dl-de/by-2-0")
#: a 2 × 2 km block near Dortmund (lon 7.46, lat 51.51) in EPSG:4326, cut into four quarters
X0, Y0, D = 7.44, 51.50, 0.02


def _geojson(path, features, *, encoding="utf-8", crs=None):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geom)}
        for geom, props in features]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:{crs.replace(':', '::')}"}}
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode(encoding))
    return path


def _quarters(tmp_path, *, encoding="utf-8"):
    feats = []
    for i, (dx, dy) in enumerate([(0, 0), (1, 0), (0, 1), (1, 1)]):
        box = shapely.box(X0 + dx * D / 2, Y0 + dy * D / 2, X0 + (dx + 1) * D / 2, Y0 + (dy + 1) * D / 2)
        feats.append((box, {"nr": f"0{i + 1}", "name": ["Bövinghausen", "Westerfilde", "Körne", "Hörde"][i]}))
    return _geojson(tmp_path / "ubz.geojson", feats, encoding=encoding)


def _halves(tmp_path):
    west = shapely.box(X0, Y0, X0 + D / 2, Y0 + D)
    east = shapely.box(X0 + D / 2, Y0, X0 + D, Y0 + D)
    return _geojson(tmp_path / "sb.geojson", [(west, {"sb": "W", "titel": "West"}), (east, {"sb": "O", "titel": "Ost"})])


@pytest.mark.backend_free
def test_work_crs_from_where_the_areas_lie():
    def at(lon, lat):
        return gpd.GeoDataFrame(geometry=[shapely.box(lon, lat, lon + 0.1, lat + 0.1)], crs="EPSG:4326")
    assert utm_crs_for(at(7.4, 51.5)) == "EPSG:25832"        # Dortmund
    assert utm_crs_for(at(13.4, 52.5)) == "EPSG:25833"       # Berlin
    assert utm_crs_for(at(10.7, 50.9)) == "EPSG:25832"       # Gotha


def test_new_city_then_levels_from_files_with_parents_from_geometry(tmp_path, new_workspace_location):
    ws = new_city(new_workspace_location("stadt"), name="Teststadt")
    assert ws.levels_in_order() == [] and ws.meta()["city"] == "Teststadt"
    # Latin-1 encoded, as Dortmund publishes its Unterbezirke
    report = import_file(ws, "boundaries", _quarters(tmp_path, encoding="latin-1"),
                         BoundarySpec(level="ubz", key="nr", name="name"), SRC, max_bytes=MAX,
                         level=LevelSpec("ubz", "Unterbezirk"))
    assert report.written == 4 and ws.work_crs == "EPSG:25832"
    assert set(ws.area_names("ubz")["name"]) == {"Bövinghausen", "Westerfilde", "Körne", "Hörde"}
    # a coarser level without a parent level goes on top; the Unterbezirke get their parents in it
    report = import_file(ws, "boundaries", _halves(tmp_path), BoundarySpec(level="sb", key="sb", name="titel"), SRC,
                         max_bytes=MAX, level=LevelSpec("sb", "Stadtbezirk", label_en="District"))
    assert ws.levels_in_order() == ["ubz", "sb"] and ws.lowest_level() == "ubz"
    parents = dict(zip(ws.area_names("ubz")["area_id"], ws.area_names("ubz")["parent_id"]))
    assert parents == {"01": "W", "02": "O", "03": "W", "04": "O"}
    assert any(p.code == "parents_from_geometry" and p.params["level"] == "Unterbezirk"
               and p.params["parent"] == "Stadtbezirk" for p in report.notices)
    levels = ws.levels().set_index("level")
    assert levels.at["ubz", "parent_level"] == "sb" and levels.at["sb", "label_en"] == "District"
    ws.close()


def test_finer_level_below_the_lowest_and_reports_of_misfits(tmp_path, new_workspace_location):
    ws = new_city(new_workspace_location("stadt"), name="Teststadt")
    import_file(ws, "boundaries", _halves(tmp_path), BoundarySpec(level="sb", key="sb"), SRC, max_bytes=MAX,
                level=LevelSpec("sb", "Stadtbezirk"))
    # one block straddles both halves, one lies outside the city
    straddler = shapely.box(X0 + D * 0.35, Y0, X0 + D * 0.6, Y0 + D / 4)      # 60 % west, 40 % east
    outside = shapely.box(X0 + 2 * D, Y0, X0 + 2.2 * D, Y0 + D / 4)
    inside = shapely.box(X0, Y0, X0 + D / 4, Y0 + D / 4)
    path = _geojson(tmp_path / "bl.geojson", [(straddler, {"id": "s", "n": "Grenzblock"}),
                                              (outside, {"id": "o", "n": "Draußen"}),
                                              (inside, {"id": "i", "n": "Drinnen"})])
    report = import_file(ws, "boundaries", path, BoundarySpec(level="block", key="id", name="n"), SRC, max_bytes=MAX,
                         level=LevelSpec("block", "Block", parent_level="sb"))
    assert ws.levels_in_order() == ["block", "sb"]
    parents = dict(zip(ws.area_names("block")["area_id"], ws.area_names("block")["parent_id"]))
    assert parents["i"] == "W" and pd.isna(parents["o"]) and parents["s"] == "W"
    codes = {p.code: p for p in report.notices}
    assert "Draußen (o)" in codes["parents_outside"].params["areas"]
    assert "Grenzblock (s)" in codes["parents_straddle"].params["areas"]
    ws.close()


@pytest.mark.backend_free
def test_assign_parents_is_aligned_and_conserves_children():
    parents = gpd.GeoDataFrame({"area_id": ["A", "B"]}, geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)],
                               crs="EPSG:25832")
    children = gpd.GeoDataFrame({"area_id": ["x", "y", "z"]}, index=[7, 3, 5], geometry=[
        shapely.box(1, 1, 2, 2), shapely.box(9, 1, 12, 2), shapely.box(30, 30, 31, 31)], crs="EPSG:25832")
    out = assign_parents(children, parents)
    assert list(out.index) == [7, 3, 5]
    assert out["parent_id"].tolist() == ["A", "B", None]
    assert out["status"].tolist() == ["inside", "straddles", "outside"]
    with pytest.raises(CrsError):
        assign_parents(children.set_crs("EPSG:25833", allow_override=True), parents)


def test_refusals_write_nothing(tmp_path, new_workspace_location):
    db = new_workspace_location("stadt")
    ws = new_city(db, name="Teststadt")
    before = ws.snapshot()
    # an unknown level without a label: the message says how to create it
    with pytest.raises(SchemaError) as info:
        import_file(ws, "boundaries", _halves(tmp_path), BoundarySpec(level="sb", key="sb"), SRC, max_bytes=MAX)
    assert info.value.problems[0].code == "level_unknown_label"
    # duplicate keys: refused, and the level it would have created is not left behind
    dup = _geojson(tmp_path / "dup.geojson", [(shapely.box(X0, Y0, X0 + D, Y0 + D), {"k": "1"}),
                                              (shapely.box(X0 + D, Y0, X0 + 2 * D, Y0 + D), {"k": "1"})])
    with pytest.raises(InputError):
        import_file(ws, "boundaries", dup, BoundarySpec(level="sb", key="k"), SRC, max_bytes=MAX,
                    level=LevelSpec("sb", "Stadtbezirk"))
    # degrees declared as a metric CRS (the file would land in the ocean)
    wrong = _geojson(tmp_path / "grad.geojson", [(shapely.box(X0, Y0, X0 + D, Y0 + D), {"k": "1"})], crs="EPSG:25832")
    with pytest.raises(CrsError) as info:
        import_file(ws, "boundaries", wrong, BoundarySpec(level="sb", key="k"), SRC, max_bytes=MAX,
                    level=LevelSpec("sb", "Stadtbezirk"))
    assert info.value.problems[0].code == "crs_looks_like_degrees" and "EPSG:4326" in info.value.render("en")[0]
    # a dry run reports and writes nothing, not even the level
    report = import_file(ws, "boundaries", _halves(tmp_path), BoundarySpec(level="sb", key="sb"), SRC, max_bytes=MAX,
                         level=LevelSpec("sb", "Stadtbezirk"), dry_run=True)
    assert report.written == 2
    assert ws.snapshot() == before and ws.levels_in_order() == []
    # … and with the right CRS given, the same file is taken
    import_file(ws, "boundaries", wrong, BoundarySpec(level="sb", key="k", crs="EPSG:4326"), SRC, max_bytes=MAX,
                level=LevelSpec("sb", "Stadtbezirk"))
    assert ws.levels_in_order() == ["sb"]
    ws.close()
    with pytest.raises(SchemaError) as info:
        new_city(db, name="Noch einmal")
    # (a PostgreSQL database says that it is never overwritten, and how to make an empty one)
    assert info.value.problems[0].code == ("build_target_not_empty" if is_postgres_url(db) else "workspace_exists")


@pytest.mark.realdata
def test_cli_dortmund_from_an_empty_folder(data_root, capsys, new_workspace_location):
    db = str(new_workspace_location("dortmund"))
    ubz = data_root / "dortmund" / "boundaries" / "Statist_UnterbezirkePolygon.geojson"
    assert main(["new", "--name", "Dortmund", "--db", db]) == 0
    # without a label the unknown level is a message, exit 2
    assert main(["import", "boundaries", str(ubz), "--db", db, "--level", "ubz", "--key", "unbeznr"]) == 2
    assert "--label" in capsys.readouterr().err
    assert main(["import", "boundaries", str(ubz), "--db", db, "--level", "ubz", "--label", "Unterbezirk",
                 "--key", "unbeznr", "--name", "bezeichnun", "--title", "Statistische Unterbezirke",
                 "--licence", "Stadt Dortmund"]) == 0
    assert main(["info", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "EPSG:25832" in out and "Unterbezirk" in out and "170" in out
    from jmdiq_geo.services.workspace import open_workspace
    with open_workspace(db, read_only=True) as ws:
        names = ws.area_names("ubz")
        assert len(names) == 170 and "BÖVINGHAUSEN" in set(names["name"]) and "011" in set(names["area_id"])


def test_member_table_with_areas_in_no_programme_and_one_programme_name(tmp_path, new_workspace_location):
    ws = new_city(new_workspace_location("stadt"), name="Teststadt")
    import_file(ws, "boundaries", _quarters(tmp_path), BoundarySpec(level="ubz", key="nr", name="name"), SRC,
                max_bytes=MAX, level=LevelSpec("ubz", "Unterbezirk"))
    table = tmp_path / "mitglieder.csv"
    table.write_text("unbeznr,aktionsraum_nr,aktionsraum\n01,A1,Nordmarkt\n02,,\n03,A1,Nordmarkt\n04,,\n",
                     encoding="utf-8")
    spec = ProgrammeSpec(id="aktionsraum_nr", name="aktionsraum", member="unbeznr", member_level="ubz",
                         programme_name="Aktionsplan Soziale Stadt")
    report = import_file(ws, "programme-areas", table, spec, SRC, max_bytes=MAX)
    pa = ws.programme_areas()
    assert len(pa) == 1 and pa.iloc[0]["members"] == "01,03" and pa.iloc[0]["programme"] == "Aktionsplan Soziale Stadt"
    assert [p.params["count"] for p in report.notices if p.code == "programme_rows_without_area"] == [2]
    with pytest.raises(SchemaError) as info:
        import_file(ws, "programme-areas", table, ProgrammeSpec(id="aktionsraum_nr", name="aktionsraum",
                                                                member="unbeznr", member_level="ubz"), SRC,
                    max_bytes=MAX)
    assert info.value.problems[0].code == "programme_needed"
    ws.close()


def test_a_file_far_from_the_workspace_is_refused(tmp_path, new_workspace_location):
    ws = new_city(new_workspace_location("stadt"), name="Teststadt")
    import_file(ws, "boundaries", _quarters(tmp_path), BoundarySpec(level="ubz", key="nr"), SRC, max_bytes=MAX,
                level=LevelSpec("ubz", "Unterbezirk"))
    before = ws.snapshot()
    # the same squares 3° further east (Berlin instead of Dortmund): another city's file
    far = _geojson(tmp_path / "fern.geojson", [(shapely.box(X0 + 3, Y0, X0 + 3 + D, Y0 + D), {"sb": "X"})])
    with pytest.raises(CrsError) as info:
        import_file(ws, "boundaries", far, BoundarySpec(level="sb", key="sb"), SRC, max_bytes=MAX,
                    level=LevelSpec("sb", "Stadtbezirk"))
    assert info.value.problems[0].code == "place_far" and int(info.value.problems[0].params["km"]) > 150
    assert ws.snapshot() == before and ws.levels_in_order() == ["ubz"]
    ws.close()


def test_check_without_a_population_indicator_is_no_traceback(tmp_path, capsys, new_workspace_location):
    db = new_workspace_location("stadt")
    ws = new_city(db, name="Teststadt")
    import_file(ws, "boundaries", _quarters(tmp_path), BoundarySpec(level="ubz", key="nr"), SRC, max_bytes=MAX,
                level=LevelSpec("ubz", "Unterbezirk"))
    ws.close()
    assert main(["--lang", "en", "check", "--db", str(db), "--area", "01,02"]) == 0
    out = capsys.readouterr().out
    assert "Residents in the quarter: –" in out and "unknown" in out


def test_the_census_needs_areas_to_be_cut_to(tmp_path, capsys, new_workspace_location):
    db = str(new_workspace_location("leer"))
    new_city(db, name="Leerstadt").close()
    assert main(["--lang", "en", "zensus", "--db", db, "--data-root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "import the boundaries first" in err and "Traceback" not in err
