"""Walking access on hand-made networks where every time can be worked out on paper."""
import numpy as np
import pytest
import shapely

from jmdiq_geo.analysis.access.compute import DEFAULT_DETOUR, Origins, Services, AccessSettings, run, weighted_median
from jmdiq_geo.analysis.access.network import network_from_lines

SPEED = 80.0  # m/min at 4.8 km/h


def origins(*pts, weights=None, areas=None):
    xy = np.array(pts, dtype=float)
    n = len(xy)
    return Origins(xy, np.array(weights or [1.0] * n), np.array(areas or ["a"] * n, dtype=object),
                   np.array(["building"] * n, dtype=object))


def services(*pts, capacity=None, names=None):
    xy = np.array(pts, dtype=float)
    n = len(xy)
    return Services(xy, np.array([f"s{i}" for i in range(n)], dtype=object),
                    np.array(names or [f"S{i}" for i in range(n)], dtype=object),
                    np.array(capacity if capacity is not None else [np.nan] * n, dtype=float))


@pytest.fixture
def hook():
    """A(0,0)–B(100,0)–C(200,0)–D(200,100) as ONE way (not split: the shared-vertex rule must
    cut it), a side way B–E(100,-50), and an island F(1000,0)–G(1100,0)."""
    return network_from_lines([shapely.LineString([(0, 0), (100, 0), (200, 0), (200, 100)]),
                               shapely.LineString([(100, 0), (100, -50)]),
                               shapely.LineString([(1000, 0), (1100, 0)])])


def test_network_split_at_shared_vertices(hook):
    assert hook.n_nodes == 7
    assert hook.n_edges == 5
    assert hook.total_length_km() == pytest.approx(0.45)
    assert len(set(hook.component)) == 2


def test_nearest_times_exact(hook):
    o = origins((0, 0), (100, 10), (100, -50), (150, 0))
    s = services((200, 100))
    r = run(hook, o, s, AccessSettings(), severance=False)
    # (0,0): 100+100+100 m; (100,10): 10 m to B, then 200 m; E: 50 + 200; (150,0): 50 + 100
    expected = np.array([300, 210, 250, 150]) / SPEED
    assert r.origins["nearest_min"].to_numpy() == pytest.approx(expected, abs=1e-4)
    assert (r.origins["method"] == "network").all()
    assert r.origins["nearest_id"].tolist() == ["s0"] * 4


def test_snap_to_middle_of_segment_and_same_segment(hook):
    # home at (30, 20): 20 m to the segment, 30 m along it to A or 70 m to B;
    # service at (80, -5) on the same segment: direct walk 20 + 50 + 5 = 75 m
    o = origins((30, 20))
    s = services((80, -5), (200, 100))
    r = run(hook, o, s, AccessSettings(), severance=False)
    assert r.origins.loc[0, "nearest_min"] == pytest.approx(75 / SPEED, abs=1e-4)
    assert r.origins.loc[0, "nearest_id"] == "s0"
    # within 10 min (800 m) both: the second via B: 20 + 70 + 100 + 100 + 100 = 390 m
    assert r.origins.loc[0, "n_within_10"] == 2


def test_counts_within_thresholds(hook):
    # services 100 m apart along a long straight street: counts are exact
    line = network_from_lines([shapely.LineString([(0, 0), (3000, 0)])])
    o = origins((0, 0))
    s = services(*[(x, 0) for x in range(100, 1600, 100)])   # 100 … 1500 m
    r = run(line, o, s, AccessSettings(thresholds_min=(5, 10, 15)), severance=False)
    # 5 min = 400 m → 4 services; 10 min = 800 m → 8; 15 min = 1200 m → 12
    assert r.origins.loc[0, ["n_within_5", "n_within_10", "n_within_15"]].tolist() == [4, 8, 12]
    assert r.origins.loc[0, "nearest_min"] == pytest.approx(100 / SPEED, abs=1e-4)


def test_island_origin_is_counted_and_estimated(hook):
    o = origins((0, 0), (1050, 5))
    s = services((200, 100))
    r = run(hook, o, s, AccessSettings(), severance=False)
    assert r.report["origins_unreachable"] == 1
    assert r.origins.loc[1, "method"] == "estimate"
    straight = np.hypot(1050 - 200, 5 - 100)
    assert r.origins.loc[1, "nearest_min"] == pytest.approx(straight * DEFAULT_DETOUR / SPEED)
    assert r.report["detour_calibrated"] is False


def test_service_off_network_is_reported_and_estimated(hook):
    o = origins((0, 0))
    s = services((200, 100), (0, 900), names=["near", "far away"])
    r = run(hook, o, s, AccessSettings(max_snap_m=100), severance=False)
    assert r.report["services_off_network"] == ["far away"]
    assert r.report["services_on_network"] == 1


def test_no_network_falls_back_with_given_factor():
    o = origins((0, 0), (300, 400))
    s = services((0, 0))
    r = run(None, o, s, AccessSettings(), detour=1.5, severance=False)
    assert r.origins["method"].tolist() == ["estimate", "estimate"]
    assert r.origins.loc[1, "nearest_min"] == pytest.approx(500 * 1.5 / SPEED)
    assert r.areas.loc[0, "method"] == "estimate"


def test_e2sfca_two_services_two_homes():
    line = network_from_lines([shapely.LineString([(0, 0), (2000, 0)])])
    # homes at 0 (10 persons) and 2000 (30 persons); services at 200 (20 places) and 1800 (6)
    o = origins((0, 0), (2000, 0), weights=[10, 30], areas=["w", "e"])
    s = services((200, 0), (1800, 0), capacity=[20, 6])
    st = AccessSettings(zones_min=(5, 10, 15), zone_weights=(1.0, 0.68, 0.22))
    r = run(line, o, s, st, severance=False)
    # 200 m = 2.5 min → weight 1; 1800 m = 22.5 min → outside every zone
    # R0 = 20 / 10 = 2; R1 = 6 / 30 = 0.2; A = R × 100 per 100 persons
    assert r.origins["e2sfca"].tolist() == pytest.approx([200.0, 20.0])


def test_e2sfca_with_its_own_demand_group():
    """Kitas: places per 100 children under 6, not per 100 of the target group; the area value is
    weighted by the children too, while every other measure stays weighted by the target group."""
    line = network_from_lines([shapely.LineString([(0, 0), (2000, 0)])])
    # homes at 0 and 1100 m (area w), 2000 m (area e); Kitas at 200 m (20 places) and 1800 m (6)
    o = origins((0, 0), (1100, 0), (2000, 0), weights=[10, 10, 30], areas=["w", "w", "e"])
    s = services((200, 0), (1800, 0), capacity=[20, 6])
    st = AccessSettings(zones_min=(5, 10, 15), zone_weights=(1.0, 0.68, 0.22))
    children = np.array([1.0, 4.0, 2.0])
    r = run(line, o, s, st, severance=False, demand=children)
    # walks (min at 80 m/min): home 0 → Kita 0 200 m (2.5, w 1); home 1 → Kita 0 900 m (11.25, w 0.22),
    # → Kita 1 700 m (8.75, w 0.68); home 2 → Kita 1 200 m (w 1); the rest beyond 15 min
    r0 = 20 / (1 * 1 + 4 * 0.22)
    r1 = 6 / (2 * 1 + 4 * 0.68)
    want = [100 * r0, 100 * (0.22 * r0 + 0.68 * r1), 100 * r1]
    assert r.origins["e2sfca"].tolist() == pytest.approx(want)
    west = r.areas.set_index("area").loc["w"]
    assert west["e2sfca"] == pytest.approx((1 * want[0] + 4 * want[1]) / 5)      # by children, not 10:10
    assert west["target_group"] == 20                                            # the rest by target group
    assert west["demand_group"] == 5 and r.areas.set_index("area").loc["e", "demand_group"] == 2
    # without a demand group, the target group is the demand
    plain = run(line, o, s, st, severance=False)
    assert plain.origins["e2sfca"].iloc[0] == pytest.approx(100 * 20 / (10 * 1 + 10 * 0.22))
    assert "demand_group" not in plain.areas


def test_area_aggregation_weighted_by_target_group():
    line = network_from_lines([shapely.LineString([(0, 0), (5000, 0)])])
    # three homes in one area: 80 m (1 person), 800 m (1 person), 2400 m (2 persons)
    o = origins((80, 0), (800, 0), (2400, 0), weights=[1, 1, 2], areas=["x", "x", "x"])
    s = services((0, 0))
    r = run(line, o, s, AccessSettings(), severance=False)
    row = r.areas.iloc[0]
    assert row["target_group"] == 4
    assert row["share_beyond"] == pytest.approx(50.0)        # 2 of 4 beyond 15 min (1200 m)
    assert row["median_min"] == pytest.approx(800 / SPEED)   # weighted median
    assert weighted_median(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 5.0])) == 3.0


def test_river_with_one_bridge_shows_as_detour():
    # two banks (y=0 and y=100) joined by one bridge at x=1000; home and service face each other
    net = network_from_lines([shapely.LineString([(0, 0), (1000, 0)]),
                              shapely.LineString([(0, 100), (1000, 100)]),
                              shapely.LineString([(1000, 0), (1000, 100)])])
    o = origins((0, -5))
    s = services((0, 105))
    r = run(net, o, s, AccessSettings(severance_radius_m=500), severance=True)
    walk = 5 + 1000 + 100 + 1000 + 5
    assert r.origins.loc[0, "nearest_min"] == pytest.approx(walk / SPEED, abs=1e-4)
    assert r.origins.loc[0, "detour"] == pytest.approx(walk / 110, abs=1e-3)
    assert r.pairs.iloc[0]["detour"] == pytest.approx(walk / 110, abs=1e-3)


def test_no_services_left_means_nobody_reaches_one(hook):
    r = run(hook, origins((0, 0), (1050, 5)), services(), AccessSettings(), severance=True)
    assert r.origins["nearest_min"].isna().all()
    assert r.origins["n_within_15"].tolist() == [0, 0]
    assert r.areas.loc[0, "share_beyond"] == 100.0
