"""Which youth centres fit a persona within 15 minutes' walk of a Moabit Planungsraum
(``services.persona_fit``) on the real Berlin workspace, after a team's table of attributes for
two of them: the one with Arabic, afternoon hours and a fitting age range is listed as fitting,
the one for children in the morning with what it lacks, the rest as unknown."""
from __future__ import annotations


import numpy as np
import pytest
import shapely

from jmdiq_geo.analysis.access.compute import AccessSettings
from jmdiq_geo.cli import main
from jmdiq_geo.errors import InputError
from jmdiq_geo.io.imports import Source
from jmdiq_geo.services.access import AccessCache, access_for, build_origins, personas
from jmdiq_geo.services.imports import import_attributes
from jmdiq_geo.services.persona_fit import listing_table, persona_listing
from jmdiq_geo.services.quarter import quarter_from_areas
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.problems import only_problem

pytestmark = pytest.mark.realdata

#: Beusselkiez (Moabit, inside the demo's footpath network); the table names two youth centres
#: there as a team would type them (no ids, "Str." for "Straße")
AREA = "01200518"
TABLE = ("Einrichtung;Adresse;Sprachen;Öffnungszeiten;Kosten;Alter\n"
         "Karame e.V.;Wilhelmshavener Straße 22;Arabisch, Deutsch;Mo-Fr 14:00-20:00;kostenlos;10-21\n"
         "Jugendhaus B8;Berlichingenstr. 8;de, tr;Mo-Fr 09:00-15:00;kostenlos;6-12\n")


@pytest.fixture
def ws(berlin_db, tmp_path, copy_workspace):
    db = copy_workspace(berlin_db, tmp_path / "berlin.duckdb")
    table = tmp_path / "merkmale.csv"
    table.write_text(TABLE, encoding="utf-8")
    with Workspace(db) as w:
        report = import_attributes(w, table, Source("team", "Merkmale", licence="intern"), key="name+address",
                                   category="jugendfreizeit", max_bytes=10 ** 7)
        assert report.details["matched"] == 2
        yield w


def test_persona_listing_fits_lacks_unknown(ws):
    persona = personas()["jugendliche_arabisch_nach_schule"]       # 16, ar/de, Mo-Fr 15-19, free
    cache = AccessCache()
    listing = persona_listing(ws, "jugendfreizeit", persona, within_min=15, area_id=AREA, cache=cache)
    tb = listing.table.set_index("name")
    assert listing.where == "Beusselkiez"
    assert tb.loc["Karame e.V.", "status"] == "fits"
    assert tb.loc["Karame e.V.", "lacks"] == [] and tb.loc["Karame e.V.", "unknown"] == []
    assert tb.loc["Jugendhaus B8", "status"] == "lacks"
    words = listing_table(listing, "de").set_index("ID").loc["jfe:01020028", "Was fehlt"]
    assert "Alter 6–12" in words and "geschlossen" in words and "Mo-Fr 09:00-15:00" in words
    # every other youth centre records nothing: unknown, never "fits"
    others = listing.table[~listing.table["name"].isin(["Karame e.V.", "Jugendhaus B8"])]
    assert len(others) > 0 and (others["status"] == "unknown").all()
    assert listing_table(listing, "de").iloc[0]["Passt?"] == "passt"             # fitting ones first
    assert (listing.table["minutes"] <= 15).all()

    # the walks are the access run's: the shortest walk from the area's homes to any youth centre
    # equals the nearest youth centre of those homes in the category's access run
    nominal = access_for(ws, "jugendfreizeit", cache=cache)
    homes = nominal.result.origins[nominal.result.origins["area"].astype(str) == AREA]
    assert len(homes) == listing.homes
    assert listing.table["minutes"].min() == pytest.approx(homes["nearest_min"].min(), rel=1e-9)
    # and never shorter than the straight line from the nearest home
    svc = ws.services(category="jugendfreizeit").set_index("service_id")
    karame = svc.loc["jfe:01020026"].geometry
    straight = np.hypot(homes["x"] - karame.x, homes["y"] - karame.y).min() / AccessSettings().speed_m_min
    assert tb.loc["Karame e.V.", "minutes"] >= straight - 1e-9


def test_drawn_quarter_gives_the_area_listing(ws):
    persona = personas()["jugendliche_arabisch_nach_schule"]
    cache = AccessCache()
    by_area = persona_listing(ws, "jugendfreizeit", persona, within_min=10, area_id=AREA, cache=cache)
    quarter = quarter_from_areas(ws, level=ws.lowest_level(), area_ids=[AREA])
    by_quarter = persona_listing(ws, "jugendfreizeit", persona, within_min=10, quarter=quarter.geometry,
                                 quarter_label="Skizze", cache=cache)
    info = build_origins(ws, ws.lowest_level(), AccessSettings(), cache=cache)
    inside = shapely.contains_xy(quarter.geometry, info.origins.xy[:, 0], info.origins.xy[:, 1])
    assert by_quarter.homes == int(inside.sum()) and by_quarter.where == "Skizze"
    assert set(by_quarter.table["service_id"]) == set(by_area.table["service_id"])
    # a smaller walk lists no more services than a longer one
    assert set(by_area.table["service_id"]) <= set(
        persona_listing(ws, "jugendfreizeit", persona, within_min=15, area_id=AREA, cache=cache).table["service_id"])


def test_bad_requests(ws):
    persona = personas()["jugendliche_arabisch_nach_schule"]
    err = pytest.raises(InputError, persona_listing, ws, "jugendfreizeit", persona, within_min=15, area_id="x")
    only_problem(err.value, "fit_unknown_area")
    err = pytest.raises(InputError, persona_listing, ws, "jugendfreizeit", persona, within_min=0, area_id=AREA)
    only_problem(err.value, "fit_bad_minutes")
    err = pytest.raises(InputError, persona_listing, ws, "nix", persona, within_min=15, area_id=AREA)
    only_problem(err.value, "access_unknown_category")


def test_cli_access_within(ws, capsys, tmp_path):
    db = ws.location
    ws.close()
    out = tmp_path / "liste.csv"
    assert main(["access", "--category", "jugendfreizeit", "--persona", "jugendliche_arabisch_nach_schule",
                 "--within", "15", "--area", AREA, "--db", str(db), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "von „Beusselkiez“" in text and "1 passen" in text
    assert "Karame e.V." in out.read_text(encoding="utf-8")
    assert main(["access", "--category", "jugendfreizeit", "--persona", "niemand", "--within", "15",
                 "--area", AREA, "--db", str(db)]) == 2
    assert "niemand" in capsys.readouterr().err
