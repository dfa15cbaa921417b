"""Service edits below the page (``jmdiq_geo.services.access_edits``): the form checked with every
problem at once, and only what changed saved."""
import pytest

from jmdiq_geo.services.access_edits import ServiceForm, check_service, save_service_edit, service_changes


def _form(**over):
    base = dict(category="beratung", name="Beratung", address="", languages="ar, de", opening_hours="Mo-Fr 10:00-12:00",
                cost="", age_min="", age_max="", wheelchair="", capacity="")
    base.update(over)
    return ServiceForm(**base)


@pytest.mark.backend_free
def test_service_form_every_problem_at_once():
    values, problems = check_service(_form(name=" ", languages="klingonisch", opening_hours="Mo-Fr 25:00",
                                           age_min="20", age_max="12", capacity="3,5"), "de")
    assert values is None
    assert [p.code for p in problems] == ["svc_name_missing", "persona_unknown_language", "svc_bad_hours",
                                          "svc_bad_number", "svc_age_range"]
    assert problems[0].column == "Einrichtung" and problems[3].column == "Plätze"     # as the form names them
    values, problems = check_service(_form(cost="free", wheelchair="yes", capacity="20"), "de")
    assert problems == [] and values["barrier_free"] is True and values["capacity"] == 20
    assert values["languages"] == "ar, de" and values["address"] is None


def test_only_what_changed_is_saved(street_ws):
    ws = street_ws
    row = ws.services().set_index("service_id").loc["jfe:y1"].to_dict()
    same = {"name": row["name"], "address": None, "capacity": None, "colour": "red"}
    assert service_changes(row, same) == {}
    assert save_service_edit(ws, "jfe:y1", row, {**same, "capacity": 12.0}, user="Anna") == 1
    assert ws.services().set_index("service_id").loc["jfe:y1", "capacity"] == 12


def test_two_sessions_editing_one_service_lose_nothing(street_ws):
    from jmdiq_geo.errors import ConflictError
    from jmdiq_geo.services.access_edits import save_service_edit

    ws = street_ws
    sid = ws.services()["service_id"].iloc[0]
    start = ws.services().set_index("service_id").loc[sid].to_dict()     # both sessions open the form
    first = {**start, "opening_hours": "Mo-Fr 14:00-20:00"}
    assert save_service_edit(ws, sid, start, first, user="anna") == 1
    second = {**start, "cost": "free"}
    before = ws.snapshot()
    with pytest.raises(ConflictError) as err:                           # based on the old state
        save_service_edit(ws, sid, start, second, user="bert", base=start)
    problem = err.value.problems[0]
    assert problem.code == "service_changed_meanwhile" and "Mo-Fr 14:00-20:00" in problem.params["detail"]
    assert ws.snapshot() == before
    assert ws.services().set_index("service_id").loc[sid, "opening_hours"] == "Mo-Fr 14:00-20:00"
    # on top of the stored state the second change goes through
    now = ws.services().set_index("service_id").loc[sid].to_dict()
    assert save_service_edit(ws, sid, now, {**now, "cost": "free"}, user="bert") == 1
