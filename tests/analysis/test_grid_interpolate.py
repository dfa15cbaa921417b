"""Quarters from grids alone (``analysis.interpolate.resident_pieces`` and ``sum_in``): residents
of a coarse cell go to its inhabited fine cells, by surface where none shows; totals conserved
over any partition."""
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.ops import split

from jmdiq_geo.analysis.interpolate import SPREAD_INHABITED, SPREAD_SURFACE, resident_pieces, sum_in
from jmdiq_geo.analysis.privacy import suppress_one

CRS = "EPSG:3035"
#: two 1 km cells side by side: A (0–1000) with 1000 residents, B (1000–2000) with 400
COARSE = pd.DataFrame({"x": [500.0, 1500.0], "y": [500.0, 500.0], "value": [1000.0, 400.0]})


def fine_left_half():
    """100 m cells in the left half of A only (x < 500), values 1..50; none in B."""
    xs, ys = np.meshgrid(np.arange(50, 500, 100), np.arange(50, 1000, 100))
    values = np.arange(1, xs.size + 1, dtype=float)
    return pd.DataFrame({"x": xs.ravel().astype(float), "y": ys.ravel().astype(float), "value": values})


def pieces(fine=None):
    return resident_pieces(COARSE, cell_size_m=1000, fine=fine, fine_cell_size_m=100 if fine is not None else None,
                           crs=CRS)


def total(quarter, p):
    return float(sum_in(quarter, p).sum())


def test_half_populated_cell_puts_its_residents_only_there():
    p = pieces(fine_left_half())
    assert total(shapely.box(500, 0, 1000, 1000), p) == 0.0                      # A's empty half
    assert total(shapely.box(0, 0, 500, 1000), p) == pytest.approx(1000.0)       # A's inhabited half
    assert set(p.loc[p["coarse"] == 0, "method"]) == {SPREAD_INHABITED}


def test_residents_spread_evenly_over_the_inhabited_cells_or_by_their_counts():
    fine = fine_left_half()
    one = fine.iloc[7]                                   # one of A's 50 inhabited 100 m cells
    cell = shapely.box(one.x - 50, one.y - 50, one.x + 50, one.y + 50)
    assert total(cell, pieces(fine)) == pytest.approx(1000.0 / len(fine))
    # half of that cell: half of it (evenly within a 100 m cell)
    assert total(shapely.box(one.x - 50, one.y - 50, one.x, one.y + 50), pieces(fine)) == pytest.approx(
        500.0 / len(fine))
    counts = resident_pieces(COARSE, cell_size_m=1000, fine=fine, fine_cell_size_m=100, crs=CRS, weight="count")
    assert total(cell, counts) == pytest.approx(1000.0 * one.value / fine["value"].sum())


def test_cell_without_fine_cells_by_surface_share():
    p = pieces(fine_left_half())
    assert set(p.loc[p["coarse"] == 1, "method"]) == {SPREAD_SURFACE}
    assert total(shapely.box(1000, 0, 1250, 1000), p) == pytest.approx(100.0)    # a quarter of B
    # without any fine grid every cell is spread by surface
    assert total(shapely.box(0, 0, 500, 500), pieces()) == pytest.approx(250.0)


def _random_partition(rng, box, n_cuts):
    """``box`` cut by ``n_cuts`` random straight lines into convex pieces (a partition)."""
    parts = [box]
    minx, miny, maxx, maxy = box.bounds
    for _ in range(n_cuts):
        a = (rng.uniform(minx, maxx), miny - 1)
        b = (rng.uniform(minx, maxx), maxy + 1)
        if rng.random() < 0.5:
            a, b = (minx - 1, rng.uniform(miny, maxy)), (maxx + 1, rng.uniform(miny, maxy))
        line = shapely.LineString([a, b])
        parts = [g for part in parts for g in split(part, line).geoms]
    return parts


@pytest.mark.parametrize("seed", range(5))
def test_any_partition_conserves_both_totals(seed):
    rng = np.random.default_rng(seed)
    fine = fine_left_half()
    p = pieces(fine)
    foreigners = resident_pieces(fine.assign(value=1.0), cell_size_m=100, crs=CRS)   # fine cells as pieces
    fine_cells = resident_pieces(fine, cell_size_m=100, crs=CRS)
    parts = _random_partition(rng, shapely.box(-100, -100, 2100, 1100), n_cuts=6)
    assert len(parts) > 6
    assert sum(total(q, p) for q in parts) == pytest.approx(1400.0)
    assert sum(total(q, fine_cells) for q in parts) == pytest.approx(fine["value"].sum())
    assert sum(total(q, foreigners) for q in parts) == pytest.approx(len(fine))


def test_cells_without_residents_value_place_nobody_and_strays_are_ignored():
    coarse = COARSE.assign(value=[np.nan, 400.0])
    fine = pd.concat([fine_left_half(), pd.DataFrame({"x": [5050.0], "y": [50.0], "value": [9.0]})])
    p = resident_pieces(coarse, cell_size_m=1000, fine=fine, fine_cell_size_m=100, crs=CRS)
    assert p["value"].sum() == pytest.approx(400.0)
    assert total(shapely.box(0, 0, 1000, 1000), p) == 0.0


def test_suppress_one():
    assert suppress_one(250.0, kind="extensive", residents=250.0, min_residents=300, small_count=3) == \
        (pytest.approx(np.nan, nan_ok=True), "small_area")
    value, reason = suppress_one(2.0, kind="extensive", residents=900.0, min_residents=300, small_count=3)
    assert np.isnan(value) and reason == "small_count"
    assert suppress_one(2.0, kind="intensive", residents=900.0, min_residents=300, small_count=3) == (2.0, None)
    assert suppress_one(40.0, kind="extensive", residents=None, min_residents=300, small_count=3) == (40.0, None)
