"""Which rule sets a workspace has data for: Berlin's MSS 2021 classes apply to Berlin; in a
small city without official classes the MSS rule set can only say "unknown" and is not chosen
at first (offered, marked); after the city maps a role, the criteria using it have data."""
from dataclasses import replace

import pytest

from jmdiq_geo.services.catalogue import shipped_rule_set
from jmdiq_geo.services.roles import rule_set_applies, rule_set_gaps, set_indicator_roles
from jmdiq_geo.services.workspace import open_workspace
from tests.fixtures.other_city import build_other_city


@pytest.mark.realdata
def test_berlin_has_data_for_the_mss_rule_set(berlin_ws):
    mss = shipped_rule_set("mss_2021")
    assert rule_set_gaps(berlin_ws, mss) == []
    assert rule_set_applies(berlin_ws, mss)


def test_a_small_city_lacks_the_mss_classes_and_gains_a_criterion_by_a_role(tmp_path, new_workspace_location):
    db = build_other_city(tmp_path, new_workspace_location("teststadt"))
    mss = shipped_rule_set("mss_2021")
    with open_workspace(db) as ws:
        assert set(rule_set_gaps(ws, mss)) == {c.id for c in mss.criteria}
        assert not rule_set_applies(ws, mss)
        # the city's share plays the role a criterion asks for: that criterion has data now
        indicator = sorted(ws.indicator_ids())[0]
        criterion = mss.criteria[0]
        set_indicator_roles(ws, {criterion.role: indicator})
        assert criterion.id not in rule_set_gaps(ws, mss)
        assert rule_set_applies(ws, mss)          # its path needs that criterion only
        # a path needing both criteria is still out of reach
        both = replace(mss, paths=[replace(mss.paths[0], criteria=[c.id for c in mss.criteria])])
        assert not rule_set_applies(ws, both)
