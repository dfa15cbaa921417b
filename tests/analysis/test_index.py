"""Composite indices: the MSS 2021 definition reproduces the official classes; definitions are data."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

from jmdiq_geo.analysis.index import ClassDef, assign_classes, compute_index, standardise
from jmdiq_geo.io.indexdefs import index_from_dict, load_index_file, shipped_indices
from jmdiq_geo.services.layers import compute_index_for
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


def test_thresholds_with_inclusive_bounds():
    classes = [ClassDef(1, "a", upper=-1.0, upper_inclusive=False), ClassDef(2, "b", upper=1.0),
               ClassDef(3, "c")]
    codes = assign_classes(pd.Series([-1.0001, -1.0, 1.0, 1.0001, np.nan]), classes)
    assert codes.tolist()[:4] == [1, 2, 2, 3] and pd.isna(codes.iloc[4])


def test_weights_and_direction():
    values = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [3.0, 2.0, 1.0]}, index=["x", "y", "z"])
    result = compute_index(index_from_dict(index_doc()), values)
    za = standardise(values["a"], "zscore")
    expected = standardise(za + 2 * za, "zscore")         # b is a turned round: −z(b) = z(a)
    np.testing.assert_allclose(result.table["c_score"], expected)
    assert result.table["c_code"].tolist() == [1, 1, 2]
