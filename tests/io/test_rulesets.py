"""Rule-set files (``jmdiq_geo.io.rulesets``): a broken one names every problem at once."""
import pytest

from jmdiq_geo.errors import SchemaError
from jmdiq_geo.io.rulesets import ruleset_from_dict


def test_broken_ruleset():
    doc = {"ruleset": {"id": "x", "label_de": "X"},
           "criteria": [{"id": "a", "type": "wish", "label_de": "A"},
                        {"id": "b", "type": "indicator_min", "label_de": "B", "indicator": "ew"}],
           "paths": [{"label_de": "P", "criteria": ["a", "c"]}]}
    with pytest.raises(SchemaError) as err:
        ruleset_from_dict(doc)
    assert {p.code for p in err.value.problems} == {"rule_type", "rule_field_missing", "rule_path_unknown"}
