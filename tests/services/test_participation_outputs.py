"""No single participant's pin can be seen through any output of participation: the results table,
the CSV export, the staff's results map (HTML), the moderation queue, the CLI (results and list),
and the page without login (``public_session``).

One young person pins alone in a cell (and in a category nobody else uses); three pin together
in another cell. Every output is searched for what would point at the lone person: the id and
corner coordinates of their cell (100 m and 250 m), the area they pinned in, their category,
and the coordinates of every single pin."""
from __future__ import annotations

from datetime import datetime, timedelta

import geopandas as gpd
import pytest

from jmdiq_geo.cli import main
from jmdiq_geo.render.participation import results_map
from jmdiq_geo.services import participation as part
from jmdiq_geo.services.quarter import quarter_from_areas
import shapely

from tests.fixtures.files import TINY_AREAS, feature, write_geojson
from tests.services.test_participation import NOW, cell_centre, joined

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(params=["grid", "areas"])
def pinned(tiny_ws, request):
    quarter = quarter_from_areas(tiny_ws, level="plr", area_ids=[a for a, _, _ in TINY_AREAS])
    s = part.create_session(tiny_ws, title="Nadelmethode", quarter=quarter, starts_at=NOW - timedelta(hours=1),
                            ends_at=NOW + timedelta(hours=1), cell_size_m=100, unit=request.param)
    group, lone = joined(tiny_ws, s, 3), joined(tiny_ws, s, 1, age_band="12-14", newcomer="yes")[0]
    limiter = part.PinLimiter()
    for p in group:
        lon, lat = cell_centre(0)
        part.add_pin(tiny_ws, s.token, p, category="often_here", lon=lon, lat=lat, limiter=limiter, now=NOW)
    lon, lat = cell_centre(3)
    part.add_pin(tiny_ws, s.token, lone, category="avoid", lon=lon, lat=lat, comment="Hier ist es dunkel",
                 limiter=limiter, now=NOW)
    return s


def outputs(ws, s, capsys) -> dict[str, str]:
    texts = {}
    for unit in (s.unit,):
        for filters in ({}, {"age_band": "12-14"}, {"newcomer": "yes"}):
            res = part.results(ws, s.session_id, unit=unit, **filters)
            name = f"{unit}{filters}"
            texts["table " + name] = part.results_table(res).to_csv()
            texts["csv " + name] = part.results_csv(res).decode()
            quarter = gpd.GeoDataFrame(geometry=[s.quarter], crs=ws.work_crs)
            for cat in s.categories:
                m = results_map(res.places[res.places["category"] == cat["id"]], quarter, colour=cat["colour"],
                                title=cat["de"], lang="de", attributions=res.attributions)
                texts[f"map {name} {cat['id']}"] = m.get_root().render()
    texts["queue"] = part.moderation_queue(ws, s.session_id).to_csv()
    texts["public"] = repr(part.public_session(ws, s.token, now=NOW))
    for args in (["participation", "results", s.session_id], ["participation", "results", s.session_id, "--unit",
                 s.unit], ["participation", "list"]):
        assert main([*args, "--db", str(ws.location)]) == 0
        texts["cli " + " ".join(args[1:])] = capsys.readouterr().out
    return texts


def test_no_single_participants_pin_is_visible_anywhere(tiny_ws, pinned, capsys):
    texts = outputs(tiny_ws, pinned, capsys)
    # what is shown: the cell (or area) three people pinned
    shown = "100m_390000_5820000" if pinned.unit == "grid" else TINY_AREAS[0][0]
    assert shown in texts[f"csv {pinned.unit}{{}}"]
    assert shown in texts[f"map {pinned.unit}{{}} often_here"]
    # what must be nowhere: the lone person's cell, area and category, and any pin's coordinates
    pins = tiny_ws.participation_pins(pinned.session_id)
    secrets_ = ["100m_390300_5820000", "390300", TINY_AREAS[3][0], "avoid"]
    for x, y in zip(pins["x"], pins["y"]):
        secrets_ += [f"{x:.1f}", f"{y:.1f}", f"{x:.6g}", f"{y:.6g}"]
    for lonlat in (cell_centre(0), cell_centre(3)):
        secrets_ += [f"{v:.5f}" for v in lonlat]
    for name, text in texts.items():
        for secret in secrets_:
            if secret == "avoid" and not name.startswith(("table", "csv", "cli results")):
                continue            # the category itself is named by the page, the legend, the queue
            assert secret not in text, (name, secret)
    for name, text in texts.items():
        if name.startswith("map") and name.endswith("avoid"):
            assert "100m_" not in text and '"participants"' not in text, name
    # the filtered views show nothing: three 15-17 year olds and one 12-14 year old
    assert shown not in texts[f"csv {pinned.unit}{{'age_band': '12-14'}}"].split("\n", 2)[2]


def test_a_cell_appears_with_the_third_participant(tiny_ws, pinned):
    place = "100m_390300_5820000" if pinned.unit == "grid" else TINY_AREAS[3][0]
    before = part.results(tiny_ws, pinned.session_id)
    assert place not in set(before.places["place"])
    limiter = part.PinLimiter()
    for p in joined(tiny_ws, pinned, 2):
        lon, lat = cell_centre(3)
        part.add_pin(tiny_ws, pinned.token, p, category="avoid", lon=lon, lat=lat, limiter=limiter, now=NOW)
    after = part.results(tiny_ws, pinned.session_id)
    row = after.places.set_index(["place", "category"]).loc[(place, "avoid")]
    assert (row["participants"], row["pins"]) == (3, 3)


def test_cli_create_close_delete(tiny_ws, tmp_path, capsys):
    path = str(tiny_ws.location)
    start = NOW.isoformat()
    assert main(["participation", "create", "--db", path, "--title", "CLI", "--areas",
                 f"{TINY_AREAS[0][0]},{TINY_AREAS[1][0]}", "--start", start, "--end",
                 (datetime.now() + timedelta(hours=1)).isoformat(timespec="minutes"), "--k", "2"]) == 2
    assert "k = 2" in capsys.readouterr().err
    assert main(["participation", "create", "--db", path, "--title", "CLI", "--areas",
                 f"{TINY_AREAS[0][0]},{TINY_AREAS[1][0]}", "--start", start, "--end",
                 (datetime.now() + timedelta(hours=1)).isoformat(timespec="minutes"), "--cell-size", "250"]) == 0
    out = capsys.readouterr().out
    session_id = out.split()[1]
    assert "?p=" in out
    png = tmp_path / "qr.png"
    assert main(["participation", "qr", session_id, "--db", path, "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["participation", "close", session_id, "--db", path]) == 0
    assert main(["participation", "delete", session_id, "--db", path]) == 2          # needs --yes
    assert main(["participation", "delete", session_id, "--db", path, "--yes"]) == 0
    capsys.readouterr()
    assert main(["participation", "list", "--db", path]) == 0
    assert session_id not in capsys.readouterr().out


def test_cli_create_from_a_drawn_quarter(tiny_ws, tmp_path, capsys):
    drawn = write_geojson(tmp_path / "drawn.geojson", [feature(shapely.box(390020, 5820010, 390380, 5820090))])
    end = (datetime.now() + timedelta(hours=1)).isoformat(timespec="minutes")
    assert main(["participation", "create", "--db", str(tiny_ws.location), "--title", "Gezeichnet", "--quarter-file",
                 str(drawn), "--start", NOW.isoformat(), "--end", end]) == 0
    session_id = capsys.readouterr().out.split()[1]
    stored = part.get_session(tiny_ws, session_id).quarter
    assert stored.bounds == pytest.approx((390020, 5820010, 390380, 5820090))
    assert stored.area == pytest.approx(360 * 80)
