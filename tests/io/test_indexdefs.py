"""Index definition files (``jmdiq_geo.io.indexdefs``): the shipped MSS 2021 definition survives a
round trip; a broken definition names every problem at once."""
import pytest

from jmdiq_geo.analysis.index import group_table
from jmdiq_geo.errors import SchemaError
from jmdiq_geo.io.indexdefs import index_from_dict, index_to_dict, load_index_file, shipped_indices
from tests.fixtures.definitions import index_doc


def test_definition_round_trip_and_groups():
    definition = load_index_file(shipped_indices()["mss2021"])
    again = index_from_dict(index_to_dict(definition))
    assert again == definition
    assert len(group_table(definition)) == 12


def test_broken_definition_reports_everything():
    doc = index_doc()
    doc["components"][0]["standardise"] = "rank"
    doc["components"][0]["indicators"][0]["direction"] = "up"
    doc["components"][0]["classes"] = [{"code": 1, "label_de": "x", "upper": 2.0},
                                       {"code": 2, "label_de": "y", "upper": 1.0}]
    with pytest.raises(SchemaError) as err:
        index_from_dict(doc, known_indicators={"a"})
    codes = {p.code for p in err.value.problems}
    assert {"index_standardise", "index_direction", "index_thresholds", "indicator_unknown"} <= codes
