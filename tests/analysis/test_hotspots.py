"""Local Moran's I on small grids whose pattern is known, and on Berlin's unemployment."""
from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from jmdiq_geo.analysis.hotspots import LABELS, QUADRANTS, VALUED_LABELS, local_moran
from tests.fixtures.asserts import assert_aligned

PERMUTATIONS = 199
X0, Y0 = 390000.0, 5820000.0


def cell(row: int, col: int) -> str:
    return f"r{row}c{col}"


def grid(n: int = 6, size: float = 100.0) -> gpd.GeoDataFrame:
    """``n`` × ``n`` squares; row 0 at the top, column 0 at the left."""
    rows = [(cell(r, c), shapely.box(X0 + c * size, Y0 - (r + 1) * size, X0 + (c + 1) * size, Y0 - r * size))
            for r in range(n) for c in range(n)]
    return gpd.GeoDataFrame({"area_id": [a for a, _ in rows]}, geometry=[g for _, g in rows], crs="EPSG:25833")


def grid_values(func, n: int = 6) -> pd.Series:
    return pd.Series({cell(r, c): float(func(r, c)) for r in range(n) for c in range(n)})


def corner_block(r: int, c: int) -> float:
    """A 3 × 3 block of 100 in the top-left corner; elsewhere low values falling towards the
    bottom-right corner (10 − r − c, at most 7)."""
    return 100.0 if r < 3 and c < 3 else 10.0 - r - c


def test_high_block_is_hot_spot_and_far_corner_cold_spot():
    hs = local_moran(grid(), grid_values(corner_block), permutations=PERMUTATIONS)
    t = hs.table
    block = [cell(r, c) for r in range(3) for c in range(3)]
    # (0,0) and all its neighbours are in the block
    assert t.loc[cell(0, 0), "cluster"] == "high_high"
    # outside the block every value is below the mean, so no hot spot can be there
    assert set(t.index[t["cluster"] == "high_high"]) <= set(block)
    # the lowest value, surrounded by the next-lowest ones
    assert t.loc[cell(5, 5), "cluster"] == "low_low" and t.loc[cell(5, 5), "p_value"] <= hs.significance
    assert hs.global_i > 0 and hs.global_p <= 0.05
    assert (t.loc[block, "z_value"] > 0).all() and (t.drop(index=block)["z_value"] < 0).all()


def test_checkerboard_has_negative_global_i():
    hs = local_moran(grid(), grid_values(lambda r, c: (r + c) % 2), permutations=PERMUTATIONS)
    # queen: inside, 4 unlike edge neighbours balance 4 like corner neighbours; on the border the
    # unlike ones outnumber the like ones. So no area resembles its neighbours and I is negative
    assert hs.global_i < 0
    assert (hs.table["local_i"] <= 1e-12).all() and (hs.table["local_i"] < 0).any()
    assert "high_high" not in set(hs.table["cluster"])


def test_missing_values_are_excluded_and_isolated_areas_are_islands():
    areas = grid()
    far = gpd.GeoDataFrame({"area_id": ["far"]}, geometry=[shapely.box(X0 + 5000, Y0, X0 + 5100, Y0 + 100)],
                           crs=areas.crs)
    areas = pd.concat([areas, far], ignore_index=True)
    values = grid_values(corner_block)
    values["far"] = 50.0
    # (0,0)'s three neighbours have no value: it has a value but no valued neighbour
    gaps = [cell(0, 1), cell(1, 0), cell(1, 1)]
    values[gaps] = np.nan
    values = values.drop(cell(3, 3))                     # not in values at all

    hs = local_moran(areas, values, permutations=PERMUTATIONS)
    t = hs.table
    assert len(t) == len(areas) and set(t["cluster"]) <= set(LABELS)
    assert_aligned(t, pd.Index(areas["area_id"]))
    no_value = gaps + [cell(3, 3)]
    assert (t.loc[no_value, "cluster"] == "no_value").all()
    assert t.loc[no_value, ["local_i", "p_value", "z_value"]].isna().all().all()
    assert t.loc[["far", cell(0, 0)], "cluster"].eq("island").all() and hs.n_islands == 2
    assert t.loc[["far", cell(0, 0)], "p_value"].isna().all()

    # the areas without a value change nothing: same result as if they did not exist
    kept = areas[~areas["area_id"].isin(no_value)]
    alone = local_moran(kept, values.dropna(), permutations=PERMUTATIONS)
    pd.testing.assert_frame_equal(t.drop(index=no_value), alone.table)
    assert (alone.global_i, alone.global_p) == (hs.global_i, hs.global_p)


def test_shares_sum_to_one_and_match_the_table():
    values = grid_values(corner_block)
    values[[cell(2, 4), cell(4, 2)]] = np.nan
    hs = local_moran(grid(), values, permutations=PERMUTATIONS)
    valued = hs.table[hs.table["cluster"] != "no_value"]
    assert len(valued) == 34
    assert set(hs.shares) == set(VALUED_LABELS)
    assert sum(hs.shares.values()) == pytest.approx(1.0)
    for label, share in hs.shares.items():
        assert share == pytest.approx((valued["cluster"] == label).sum() / 34)


def test_significance_threshold_decides_what_is_labelled():
    values = grid_values(corner_block)
    everything = local_moran(grid(), values, permutations=PERMUTATIONS, significance=1.0)
    assert set(everything.table["cluster"]) <= set(QUADRANTS.values())
    strict = local_moran(grid(), values, permutations=PERMUTATIONS, significance=0.01)
    significant = strict.table["cluster"] != "not_significant"
    assert (strict.table.loc[significant, "p_value"] <= 0.01).all()
    assert (strict.table.loc[~significant, "p_value"] > 0.01).all()


def test_same_seed_same_result_and_numpy_state_untouched():
    values = grid_values(lambda r, c: (r * 7 + c * 3) % 5)
    state = np.random.get_state()
    first = local_moran(grid(), values, permutations=PERMUTATIONS, seed=7)
    second = local_moran(grid(), values, permutations=PERMUTATIONS, seed=7)
    pd.testing.assert_frame_equal(first.table, second.table)
    assert (first.global_p, first.shares) == (second.global_p, second.shares)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


def test_unusable_input_is_refused():
    with pytest.raises(ValueError, match="not all equal"):
        local_moran(grid(), grid_values(lambda r, c: 3.0), permutations=PERMUTATIONS)
    with pytest.raises(ValueError, match="at least four"):
        local_moran(grid(), grid_values(lambda r, c: r + c).iloc[:3], permutations=PERMUTATIONS)


@pytest.mark.realdata
def test_berlin_unemployment_clusters(berlin_ws):
    areas = berlin_ws.areas("plr")
    values = berlin_ws.values("mss_s1", period=date(2020, 12, 31), level="plr")
    hs = local_moran(areas, values)
    assert len(hs.table) == len(areas) == 542
    assert_aligned(hs.table, pd.Index(areas["area_id"]))
    assert hs.table["cluster"].isin(LABELS).all()
    missing = values.reindex(areas["area_id"]).isna().sum()
    assert (hs.table["cluster"] == "no_value").sum() == missing
    assert sum(hs.shares.values()) == pytest.approx(1.0)
    assert hs.global_i > 0 and hs.global_p < 0.01
    assert hs.shares["high_high"] > 0 and hs.shares["low_low"] > 0


def test_table_follows_the_areas_order_not_the_values_order():
    """Areas in reverse order, values in yet another: one row per area, in the areas' order, and
    the same numbers for each area as with the areas in order."""
    areas = grid().iloc[::-1]
    values = grid_values(corner_block).sample(frac=1.0, random_state=3)
    shuffled = local_moran(areas, values, permutations=PERMUTATIONS, seed=5)
    assert_aligned(shuffled.table, pd.Index(areas["area_id"]))
    ordered = local_moran(grid(), grid_values(corner_block), permutations=PERMUTATIONS, seed=5)
    pd.testing.assert_frame_equal(shuffled.table.loc[ordered.table.index, ["local_i", "z_value"]],
                                  ordered.table[["local_i", "z_value"]])
