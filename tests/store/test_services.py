"""Staff edits of services (``jmdiq_geo.store.services``): edits, additions and hidden services
survive a re-import of the register; a hidden service stays hidden when corrected."""
import pandas as pd
import pytest

from tests.fixtures.access import X0, Y0, import_services


def test_staff_edits_survive_a_reimport(tiny_ws, services_file):
    ws = tiny_ws
    import_services(ws, services_file)
    ws.edit_service("jfe:y1", {"languages": "ar, de", "opening_hours": "Mo-Fr 14:00-19:00", "cost": "free"},
                    user="Anna")
    new_id = ws.add_service({"category": "beratung", "name": "Migrationsberatung", "languages": "ar, fa"},
                            x=X0 + 150, y=Y0 + 50, user="Anna")
    ws.remove_service("jfe:y2", user="Anna")
    import_services(ws, services_file)                  # the register is imported again
    services = ws.services().set_index("service_id")
    assert services.loc["jfe:y1", "languages"] == "ar, de"
    assert services.loc["jfe:y1", "edited"]
    assert services.loc[new_id, "name"] == "Migrationsberatung" and services.loc[new_id, "origin"] == "user"
    assert "jfe:y2" not in services.index                       # hidden stays hidden
    assert "jfe:y2" in set(ws.services(include_hidden=True)["service_id"])
    ws.revert_service("jfe:y1")
    assert pd.isna(ws.services().set_index("service_id").loc["jfe:y1", "languages"])
    with pytest.raises(ValueError):
        ws.edit_service("jfe:y1", {"colour": "red"})


def test_correcting_a_hidden_service_keeps_it_hidden(tiny_ws, services_file):
    ws = tiny_ws
    import_services(ws, services_file)
    ws.remove_service("jfe:y2")
    ws.edit_service("jfe:y2", {"capacity": 5.0})
    assert "jfe:y2" not in set(ws.services()["service_id"])
