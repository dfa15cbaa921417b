"""Privacy that holds (issue "Trust"): what the rules hide cannot be derived from what is shown
beside it - not as a published total minus the shown parts (secondary suppression), not as a
shown rate times its shown denominator."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.privacy import (REASON_COMPLEMENT, REASON_SMALL_AREA, complementary_suppression,
                                        hide_small_numerators, suppress)
from jmdiq_geo.config import Settings
from jmdiq_geo.io import imports as im
from jmdiq_geo.services.layers import indicator_layer
from tests.fixtures.files import MAX_BYTES, TINY_AREAS


@pytest.mark.backend_free
def test_one_hidden_value_in_a_group_takes_the_smallest_neighbour_with_it():
    values = pd.Series({"a": 100.0, "b": 5.0, "c": 40.0, "d": 30.0, "e": 7.0})
    pop = pd.Series({"a": 900, "b": 120, "c": 600, "d": 500, "e": 800})
    groups = pd.Series({"a": "X", "b": "X", "c": "X", "d": "Y", "e": "Y"})
    shown, reason = suppress(values, kind="extensive", population=pop, min_residents=300, small_count=3)
    assert reason["b"] == REASON_SMALL_AREA
    shown, reason = complementary_suppression(shown, reason, groups, weight=pop)
    assert reason["c"] == REASON_COMPLEMENT and shown[["b", "c"]].isna().all()
    assert shown[["a", "d", "e"]].notna().all()                  # group Y hides nothing: nothing more


@pytest.mark.backend_free
def test_differencing_a_published_total_gives_no_hidden_value():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(2, 7))
        ids = [f"a{i}" for i in range(n)]
        values = pd.Series(rng.integers(0, 50, n).astype(float), index=ids)
        pop = pd.Series(rng.integers(100, 1000, n), index=ids)
        shown, reason = suppress(values, kind="extensive", population=pop, min_residents=300, small_count=3)
        shown, reason = complementary_suppression(shown, reason, pd.Series("g", index=ids), weight=pop)
        hidden = shown.isna() & values.notna()
        # the attacker knows the total and every shown part: one hidden part would be exact
        assert hidden.sum() != 1, (values.tolist(), pop.tolist())


@pytest.mark.backend_free
def test_a_rate_whose_numerator_is_a_small_count_is_hidden():
    rate = pd.Series({"a": 2.0, "b": 10.0, "c": 0.0})
    den = pd.Series({"a": 100.0, "b": 100.0, "c": 100.0})           # numerators 2, 10, 0
    reason = pd.Series({"a": None, "b": None, "c": None}, dtype=object)
    shown, reason = hide_small_numerators(rate, reason, kind="intensive", denominator=den, small_count=3)
    assert np.isnan(shown["a"]) and shown["b"] == 10.0 and shown["c"] == 0.0


@pytest.fixture
def small_city(tiny_ws, tmp_path):
    """Counts, residents and a rate with its denominator for the tiny city; area 2 is small."""
    rows = {a: (ew, n) for (a, _, _), ew, n in zip(TINY_AREAS, [800, 150, 700, 650], [40, 2, 60, 1])}
    path = tmp_path / "w.csv"
    path.write_text("PLR_ID;Einwohner;Arbeitslose;Quote\n" + "\n".join(
        f"{a};{ew};{n};{str(round(100 * n / ew, 4)).replace('.', ',')}" for a, (ew, n) in rows.items()), encoding="utf-8")
    im.import_indicator_table(tiny_ws, path, im.TableSpec(
        level="plr", period="2024-12-31", key="PLR_ID", columns={}, define=True,
        kinds={"Einwohner": "count", "Arbeitslose": "count", "Quote": "rate"}, denominators={"Quote": "Einwohner"}),
        im.Source("t", "T", licence="CC0"), max_bytes=MAX_BYTES)
    tiny_ws.set_meta(population_indicator="einwohner")
    return tiny_ws, rows


def _shown(ws, ind, level):
    layer = indicator_layer(ws, indicator_id=ind, period=date(2024, 12, 31), level=level, settings=Settings.from_env())
    return layer.areas.set_index("area_id")["value"], layer


def test_the_maps_of_two_levels_give_no_hidden_count_away(small_city):
    ws, rows = small_city
    low, layer = _shown(ws, "arbeitslose", "plr")
    up, _ = _shown(ws, "arbeitslose", "bzr")
    parents = dict((a, p) for a, _, p in TINY_AREAS)
    for area, (_, n) in rows.items():
        if pd.isna(low[area]) and up.get(parents[area]) is not None and pd.notna(up[parents[area]]):
            siblings = [s for s in rows if parents[s] == parents[area] and s != area]
            # total minus the shown siblings must not be this area's hidden value alone
            assert any(pd.isna(low[s]) for s in siblings), (area, low.to_dict(), up.to_dict())
    city = layer.city_value
    assert not (low.isna().sum() == 1 and np.isfinite(city))


def test_a_shown_rate_times_its_shown_denominator_gives_no_small_count(small_city):
    ws, rows = small_city
    rate, _ = _shown(ws, "quote", "plr")
    ew, _ = _shown(ws, "einwohner", "plr")
    for area in rows:
        if pd.notna(rate[area]) and pd.notna(ew[area]):
            n = rate[area] * ew[area] / 100
            assert not (0 < round(n, 6) < 3), (area, n)
