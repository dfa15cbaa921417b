"""Walking access for a whole town: the Heidelberg OSM extract (``tests.fixtures.town``).

What pyrosm reads is checked against an independent reader of the same file (pyosmium, i.e.
libosmium), the network's length and connected share against a connected-components count of the
stored segments done here with plain numpy/scipy, the homes against the Zensus cells inside the
Gemeinde outline, and the barriers named in the worst-detour list against the barrier table and a
shapely intersection of their own.
"""
from __future__ import annotations


import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from jmdiq_geo.cli import main
from jmdiq_geo.crs import transform_xy
from jmdiq_geo.io.catalogues import osm_barriers
from jmdiq_geo.io.networks import RESIDENTIAL_BUILDINGS
from jmdiq_geo.services.access import AccessCache, access_for
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.town import WORK_CRS

pytestmark = pytest.mark.realdata

#: the measured connected share of the Heidelberg extract is 96.7 % (227 parts): the rest are
#: paths cut at the extract's edge and private ways inside fenced grounds. Below 95 % a change in
#: the reading (ways not joined at shared nodes, a clipped file) would show.
MIN_CONNECTED_SHARE = 95.0


class _Extract(osmium.SimpleHandler):
    """Counts and extents of the extract, read by libosmium (with node locations)."""

    def __init__(self):
        super().__init__()
        self.highway_ways = 0
        self.highway_xy: list[tuple[float, float]] = []
        self.residential_xy: list[tuple[float, float]] = []
        self.barriers: dict[str, int] = {}
        self.barrier_values = {kind: tags for kind, tags in osm_barriers().items()}

    def way(self, w):
        tags = w.tags
        xy = [(n.lon, n.lat) for n in w.nodes if n.location.valid()]
        if "highway" in tags:
            self.highway_ways += 1
            self.highway_xy.extend(xy)
        if tags.get("building") in RESIDENTIAL_BUILDINGS:
            self.residential_xy.extend(xy)
        passable = tags.get("tunnel", "no") != "no" or tags.get("bridge", "no") != "no"
        for kind, keys in self.barrier_values.items():
            if not passable and any(tags.get(k) in values for k, values in keys.items()):
                self.barriers[kind] = self.barriers.get(kind, 0) + 1
                break


@pytest.fixture(scope="module")
def extract(town) -> _Extract:
    handler = _Extract()
    handler.apply_file(str(town.pbf), locations=True)
    return handler


def _bounds_work(xy: list[tuple[float, float]]) -> np.ndarray:
    a = np.asarray(xy, dtype=float)
    x, y = transform_xy(a[:, 0], a[:, 1], from_crs="EPSG:4326", to_crs=WORK_CRS)
    return np.array([x.min(), y.min(), x.max(), y.max()])


def _covers(outer, inner) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and outer[2] >= inner[2] and outer[3] >= inner[3]


def test_the_extract_is_read_by_content_not_by_its_header(town, extract):
    """The header's bounding box is bogus (0/0 – 180/90); what pyrosm read spans what libosmium
    finds in the file's ways, to the metre."""
    reader = osmium.io.Reader(str(town.pbf), osmium.osm.osm_entity_bits.NOTHING)
    box = reader.header().box()
    reader.close()
    assert (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat) == (0, 0, 180, 90)
    network = town.reports["network"].details
    assert np.allclose(network["extent"], _bounds_work(extract.highway_xy), atol=1.0)
    # the walking filter drops some highway ways (motorways, foot=no …), never most of them
    assert 0.8 * extract.highway_ways < town.reports["network"].rows <= extract.highway_ways


def test_the_network_covers_the_town(town, extract):
    details = town.reports["network"].details
    extent = details["extent"]
    assert _covers(extent, town.outline.total_bounds)                   # the Gemeinde
    assert extract.residential_xy, "the extract has residential buildings to compare with"
    assert _covers(extent, _bounds_work(extract.residential_xy))        # its residential buildings
    # length and connected share recomputed from the stored segments
    with Workspace(town.db, read_only=True) as ws:
        seg = ws.network_segments()
    ends = np.round(np.concatenate([seg[["x1", "y1"]].to_numpy(), seg[["x2", "y2"]].to_numpy()]) * 100)
    _, node = np.unique(ends, axis=0, return_inverse=True)
    node = node.ravel()
    n, m = node.max() + 1, len(seg)
    length = np.hypot(seg["x2"] - seg["x1"], seg["y2"] - seg["y1"]).to_numpy()
    graph = sparse.coo_matrix((np.ones(m), (node[:m], node[m:])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    per_part = np.bincount(label[node[:m]], weights=length)
    assert details["length_km"] == pytest.approx(length.sum() / 1000, abs=0.1)
    assert details["connected_share"] == pytest.approx(per_part.max() / length.sum() * 100, abs=0.1)
    assert details["connected_share"] > MIN_CONNECTED_SHARE
    assert details["segments"] == m


def test_barriers_are_the_extracts_railways_and_motorways(town, extract):
    """Every railway and motorway way of the catalogue's classes that is neither a tunnel nor a
    bridge, counted by libosmium."""
    with Workspace(town.db, read_only=True) as ws:
        stored = ws.barriers()["kind"].value_counts().to_dict()
    assert stored == extract.barriers
    assert town.reports["barriers"].details["by_kind"] == extract.barriers


@pytest.fixture(scope="module")
def schools(town):
    with Workspace(town.db) as ws:
        return access_for(ws, "schule", cache=AccessCache(), use_cache=False)


def test_every_home_gets_a_time_snapped_or_reported(town, schools):
    report, origins = schools.result.report, schools.result.origins
    # the homes: the inhabited 100 m cells inside the Gemeinde (the extract's few mapped houses
    # lie in far fewer than half of them, so the cells stand for the homes)
    cells = pd.read_csv(town.cells)
    cells = cells[cells["value"] > 0]
    x, y = transform_xy(cells["x"].to_numpy(), cells["y"].to_numpy(), from_crs="EPSG:3035", to_crs=WORK_CRS)
    inside = shapely.contains_xy(town.outline.geometry.union_all(), x, y)
    assert report["origins"] == len(origins) == int(inside.sum())
    assert report["origin_kinds"] == {"grid": int(inside.sum())}
    with Workspace(town.db, read_only=True) as ws:
        assert report["buildings_set_aside"] == len(ws.origins()) > 0
    snapped = origins["on_network"].to_numpy(bool)
    assert report["origins_on_network"] == snapped.sum()
    assert snapped.sum() + (~snapped).sum() == report["origins"]
    assert snapped.mean() > 0.95
    # every home has a time; the ones not snapped are estimates and counted
    assert origins["nearest_min"].notna().all()
    assert (origins.loc[~snapped, "method"] == "estimate").all()
    assert report["origins_unreachable"] <= (~snapped).sum()
    assert (origins["n_within_15"] >= origins["n_within_10"]).all()


def test_the_worst_detours_to_schools_name_the_barriers_they_cross(town, schools):
    pairs = schools.result.pairs
    assert len(pairs) > 0
    with Workspace(town.db, read_only=True) as ws:
        barriers = ws.barriers()
    label = barriers["name"].fillna(barriers["class"])
    named = pairs[pairs["crosses"] != ""]
    assert len(named) > 0
    for row in named.itertuples():
        line = shapely.LineString([(row.x, row.y), (row.sx, row.sy)])
        crossed = set(label[barriers.intersects(line).to_numpy()])
        assert set(row.crosses.split(", ")) == crossed
    # pairs crossing nothing cross no barrier geometry either
    for row in pairs[pairs["crosses"] == ""].itertuples():
        assert not barriers.intersects(shapely.LineString([(row.x, row.y), (row.sx, row.sy)])).any()


def test_cli_access_writes_the_pairs_with_their_barriers(town, tmp_path, capsys):
    out, pairs_file = tmp_path / "schulen.csv", tmp_path / "umwege.csv"
    assert main(["access", "--category", "schule", "--out", str(out), "--pairs", str(pairs_file),
                 "--db", str(town.db)]) == 0
    printed = capsys.readouterr()
    pairs = pd.read_csv(pairs_file, dtype=str, keep_default_na=False)
    assert {"service", "straight_m", "network_m", "detour", "crosses", "sources"} <= set(pairs.columns)
    assert (pairs["crosses"] != "").any()
    assert "ODbL" in pairs["sources"].iloc[0]                    # the sources and licences
    assert "straight_m" in pairs and "x" not in pairs            # no coordinates of homes
    assert pairs.iloc[0]["service"] in printed.out               # the worst pairs are printed


def test_cli_import_reports_and_shows_progress(town, tmp_path, capsys, copy_workspace):
    db = copy_workspace(town.db, tmp_path / "kopie.duckdb")
    assert main(["--lang", "en", "import", "network", str(town.pbf), "--db", str(db), "--licence", "ODbL 1.0"]) == 0
    printed = capsys.readouterr()
    d = town.reports["network"].details
    assert f"{d['nodes']} nodes, {d['segments']} segments" in printed.out
    assert f"{d['connected_share']:.1f} % of the length" in printed.out
    assert "network:   0 % reading the OSM extract" in printed.err          # one line per step
    assert "network:  50 %" in printed.err
