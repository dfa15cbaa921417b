"""Composite indices: the MSS 2021 definition reproduces the official classes; definitions are data."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.index import ClassDef, assign_classes, compute_index, standardise
from jmdiq_geo.io.indexdefs import index_from_dict, load_index_file, shipped_indices
from jmdiq_geo.services.layers import compute_index_for
from tests.fixtures.asserts import assert_aligned
from tests.fixtures.definitions import index_doc


@pytest.mark.realdata
def test_mss2021_reproduces_official_classes(berlin_ws, data_root):
    definition = load_index_file(shipped_indices()["mss2021"], known_indicators=berlin_ws.indicator_ids())
    result = compute_index_for(berlin_ws, definition, period=date(2020, 12, 31))
    official = pd.read_csv(data_root / "berlin/indicators/mss_2021_indizes.csv",
                           dtype={"PLR_ID": str}).set_index("PLR_ID")
    valid = official.index[official["KOM"] == "gültig"]
    table = result.table
    assert len(valid) == 536 and table["considered"].sum() == 536
    assert set(table.index[table["considered"]]) == set(valid)
    status = table.loc[valid, "status_label_de"]
    dynamics = table.loc[valid, "dynamics_label_de"]
    assert (status == official.loc[valid, "SI_V"]).sum() == 536
    assert (dynamics == official.loc[valid, "DI_V"]).sum() == 536
    assert (table.loc[valid, "overall_label"] == official.loc[valid, "SDI"]).sum() == 536
    assert (table.loc[valid, "overall_code"].astype(int) == official.loc[valid, "SDI_N"]).sum() == 536
    assert table.loc[~table["considered"], "status_code"].isna().all()


def test_standardisations():
    x = pd.Series([1.0, 2.0, 3.0, 4.0, np.nan])
    z = standardise(x, "zscore")
    assert z.mean() == pytest.approx(0) and z.std(ddof=0) == pytest.approx(1)
    assert standardise(x, "percentile").tolist()[:4] == pytest.approx([0, 1 / 3, 2 / 3, 1])
    assert standardise(x, "minmax").tolist()[:4] == pytest.approx([0, 1 / 3, 2 / 3, 1])
    for method in ("zscore", "percentile", "minmax", "none"):
        assert_aligned(standardise(x, method), x)


def test_thresholds_with_inclusive_bounds():
    classes = [ClassDef(1, "a", upper=-1.0, upper_inclusive=False), ClassDef(2, "b", upper=1.0),
               ClassDef(3, "c")]
    scores = pd.Series([-1.0001, -1.0, 1.0, 1.0001, np.nan])
    codes = assign_classes(scores, classes)
    assert codes.tolist()[:4] == [1, 2, 2, 3] and pd.isna(codes.iloc[4])
    assert_aligned(codes, scores)


def test_weights_and_direction():
    values = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}, index=["x", "y", "z"])
    result = compute_index(index_from_dict(index_doc()), values)
    za = standardise(values["a"], "zscore")
    expected = standardise(za + 2 * za, "zscore")         # b is a turned round: −z(b) = z(a)
    np.testing.assert_allclose(result.table["c_score"], expected)
    assert result.table["c_code"].tolist() == [1, 1, 2]
    assert_aligned(result.table, values)


def test_standardisation_keeps_labels_order_and_gaps():
    """Unsorted area labels with a gap: each standardised value stays with its area, computed over
    the values present, and the gap stays a gap."""
    x = pd.Series([4.0, np.nan, 1.0, 3.0, 2.0], index=pd.Index(["d", "x", "a", "c", "b"], name="area_id"))
    present = x.dropna()
    expected = {"zscore": (present - present.mean()) / present.std(ddof=0),
                "percentile": (present.rank(method="min") - 1) / (len(present) - 1),
                "minmax": (present - present.min()) / (present.max() - present.min())}
    for method, want in expected.items():
        got = standardise(x, method)
        assert_aligned(got, x)
        assert np.isnan(got["x"])
        np.testing.assert_allclose(got.drop("x").to_numpy(), want.to_numpy())


def test_index_table_has_one_row_per_input_area():
    """Areas unsorted, one lacking an indicator: the table keeps every area in the input's order;
    the incomplete one is counted and gets no score and no class."""
    values = pd.DataFrame({"a": [3.0, 1.0, np.nan, 2.0], "b": [1.0, 3.0, 2.0, 2.0]},
                          index=pd.Index(["z", "x", "w", "y"], name="area_id"))
    result = compute_index(index_from_dict(index_doc()), values)
    assert_aligned(result.table, values)
    assert result.excluded["c_incomplete"] == 1
    assert np.isnan(result.table.loc["w", "c_score"]) and pd.isna(result.table.loc["w", "c_code"])
    complete = values.drop(index="w")
    za = standardise(complete["a"], "zscore")
    zb = standardise(complete["b"], "zscore")
    want = standardise(za - 2 * zb, "zscore")          # b: higher is better, weight 2
    np.testing.assert_allclose(result.table["c_score"].drop(index="w").to_numpy(), want.to_numpy())
