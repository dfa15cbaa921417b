"""Participation under load (issue 18): 30 simulated phones pinning for a bounded time.

    .venv/bin/python benchmarks/bench_participation_load.py [--mode app|service] [--db PATH] [--phones 30]
                                                            [--seconds 300]

``--mode app`` (the default, the issue's load test): the app itself is started on 127.0.0.1
(``tests/e2e/conftest.serve``) and every phone is a client of Streamlit's own websocket protocol
(``tests/e2e/streamlit_wire.py``: a rerun with the widget states, then the forward messages until
the run has finished - what the phone's browser sends and waits for, without drawing). A phone
opens the session's link (``?p=<token>``), answers the two questions (age band, newcomer) and
taps "Los geht's"; then, until the time is up, it taps the map (the st_folium component's value
``last_clicked``, one rerun) and a category button (a second rerun, whose callback saves the pin),
with a think time of 6-10 s in between. Time per pin: both reruns, from the tap on the map until
the page has confirmed the pin. Errors: a failed connection, a timeout, a traceback on the page,
or a pin the page did not confirm. Lost: the pins in the workspace afterwards (counted with
DuckDB once the app has stopped) against the pins the pages confirmed. Baseline in the same run:
one phone alone, before the load, 10 pins in a row without think time (the app's limit is 10 per
minute), twice.

``--mode service``: the SERVICE LAYER the participant page calls (``services.participation.join`` and
``add_pin`` with the app's ``PinLimiter``), from one thread per phone against one shared
``Workspace`` - as the app runs it: every Streamlit session's script runs in its own thread of
the one server process, and all of them write through the one cached workspace connection. The
browser, the websocket and Streamlit's rerun are NOT part of the figure.

The Berlin workspace (``--db``, default ``JMDIQ_DB`` or workspace/berlin.duckdb; built from the
data package into a temporary folder when missing) is copied to a temporary folder; a session is
opened over the smallest areas of the first area of the level above. Each phone joins, then pins
a random category at a random point inside the quarter, with a think time of 6-10 s between pins
(a person choosing the next place; it keeps every phone under the 10 pins per minute limit),
until the time is up.

Printed: pins, errors (any refusal or exception), pins lost (receipts whose pin is not in the
workspace afterwards, or pins in the workspace without a receipt), and the time per pin (median,
95th percentile, max). Baseline, measured in the same run: one phone alone pinning 60 times in a
row with no think time; the ratio is p95 under load ÷ p95 alone.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.crs import to_display_crs  # noqa: E402
from jmdiq_geo.services import participation as part  # noqa: E402
from jmdiq_geo.services.auth import local_admin, set_default_actor  # noqa: E402
from jmdiq_geo.services.quarter import quarter_from_areas  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402

APP_BASELINE_PHONES, APP_BASELINE_PINS = 2, 10


def workspace_copy(db: Path | None, folder: Path) -> Path:
    target = folder / "berlin.duckdb"
    if db and db.exists():
        shutil.copy(db, target)
        return target
    from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
    settings = Settings.from_env().with_(db_path=target)
    build_workspace(load_manifest(manifest_path("berlin"), data_root=settings.data_root), settings=settings)
    return target


def random_points(quarter, crs: str, n: int, rng: random.Random) -> list[tuple[float, float]]:
    inner = quarter.buffer(-10)
    minx, miny, maxx, maxy = inner.bounds
    points = []
    while len(points) < n:
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if inner.contains(p):
            points.append(p)
    shown = to_display_crs(gpd.GeoDataFrame(geometry=points, crs=crs))
    return [(g.x, g.y) for g in shown.geometry]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) >= 2 else values[0]


# --------------------------------------------------------------------------- the app over its websocket

async def _join(url: str, token: str, r: random.Random):
    """A phone opens the link and answers the questions: (its wire session, the pinning page's run)."""
    from tests.e2e.streamlit_wire import Session, text, trigger
    s = Session(url, query=f"p={token}")
    await s.__aenter__()
    first = await s.run(timeout=120)
    # a radio's value is the option as shown
    page = await s.run([text(first.keys[key], r.choice(first.key_options[key])) for key in ("pp_age", "pp_newcomer")]
                       + [trigger(first.keys["pp_start"])], timeout=120)
    if not page.components:
        raise RuntimeError("no map after joining: " + " | ".join(page.texts[:5] + page.exceptions))
    return s, page


async def _pin(s, page, lon: float, lat: float, category: str, saved: str):
    """Tap the map, then the category's button: (the page after it, seconds, problem or None)."""
    import json

    from tests.e2e.streamlit_wire import json_value, trigger
    t0 = time.perf_counter()
    tapped = await s.run([json_value(page.components[0], json.dumps({"last_clicked": {"lat": lat, "lng": lon}}))],
                         timeout=120)
    after = await s.run([trigger(tapped.keys[f"pp_btn_{category}"])], timeout=120)
    seconds = time.perf_counter() - t0
    problems = tapped.exceptions + after.exceptions
    if not any(kind == "SUCCESS" and saved in text for kind, text in after.alerts):
        problems.append("not confirmed: " + "; ".join(text for _, text in after.alerts)[:200])
    return after, seconds, ("; ".join(problems) or None)


async def _app_load(url: str, token: str, points: list, cats: list[str], args) -> dict:
    from jmdiq_geo.i18n import t
    saved = t("pp_saved", "de")
    out = {"solo": [], "times": [], "errors": [], "confirmed": 0}
    # baseline: one phone alone, pins in a row (the app's limit: 10 per phone and minute)
    rng = random.Random(18)
    for _ in range(APP_BASELINE_PHONES):
        s, page = await _join(url, token, rng)
        try:
            for _ in range(APP_BASELINE_PINS):
                lon, lat = rng.choice(points)
                page, seconds, problem = await _pin(s, page, lon, lat, rng.choice(cats), saved)
                out["solo"].append(seconds)
                out["confirmed"] += problem is None
                if problem:
                    out["errors"].append("baseline: " + problem)
        finally:
            await s.__aexit__()
    deadline = time.monotonic() + args.seconds

    async def phone(i: int) -> None:
        r = random.Random(1000 + i)
        try:
            s, page = await _join(url, token, r)
        except Exception as exc:                           # noqa: BLE001 - counted, printed
            out["errors"].append(f"join: {exc!r}")
            return
        try:
            await asyncio.sleep(r.uniform(0, min(args.think[1], args.seconds)))    # not all in step
            last = None
            while time.monotonic() < deadline:
                # another place than the last: an unchanged tap is no new place (the page asks
                # for a tap first, as designed), and 500 points give ~2 repeats in 1,100 pins
                lon, lat = r.choice([p for p in points if p != last])
                last = (lon, lat)
                try:
                    page, seconds, problem = await _pin(s, page, lon, lat, r.choice(cats), saved)
                except Exception as exc:                   # noqa: BLE001 - counted, printed
                    out["errors"].append(repr(exc))
                    return
                out["times"].append(seconds)
                out["confirmed"] += problem is None
                if problem:
                    out["errors"].append(problem)
                await asyncio.sleep(max(0.0, min(r.uniform(*args.think), deadline - time.monotonic())))
        finally:
            await s.__aexit__()

    t0 = time.perf_counter()
    await asyncio.gather(*(phone(i) for i in range(args.phones)))
    out["wall"] = time.perf_counter() - t0
    return out


def run_app(args) -> int:
    """The load test against the app (see the module)."""
    from tests.e2e.conftest import serve

    with tempfile.TemporaryDirectory() as tmp:
        db = workspace_copy(args.db, Path(tmp))
        with Workspace(db) as ws:
            session, ids, lowest = _session(ws, args)
            points = random_points(session.quarter, ws.work_crs, 500, random.Random(7))
            cats = [c["id"] for c in session.categories]
        print(f"quarter: {len(ids)} areas of level {lowest}, {session.quarter.area / 1e6:.2f} km²; the app on 127.0.0.1")
        with serve(db) as url:
            out = asyncio.run(_app_load(url, session.token, points, cats, args))
        with Workspace(db, read_only=True) as ws:
            stored = ws.cursor().execute("SELECT count(*) FROM participation_pins WHERE session_id = ?",
                                         [session.session_id]).fetchone()[0]
    times, solo, errors = out["times"], out["solo"], out["errors"]
    lost = abs(out["confirmed"] - stored)
    print(f"phones: {args.phones} over Streamlit's websocket, time: {out['wall']:.0f} s, "
          f"think time {args.think[0]:.0f}-{args.think[1]:.0f} s")
    print(f"pins confirmed by the page: {out['confirmed']} ({len(times) / out['wall']:.1f} per second under load), "
          f"in the workspace afterwards: {stored}, errors: {len(errors)}, lost: {lost}")
    for e in errors[:5]:
        print("  error:", e)
    if times:
        print(f"time per pin under load (tap on the map + tap on the button, two reruns): median "
              f"{statistics.median(times) * 1000:.0f} ms, p95 {p95(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"baseline (one phone alone, {APP_BASELINE_PHONES} × {APP_BASELINE_PINS} pins in a row): median "
          f"{statistics.median(solo) * 1000:.0f} ms, p95 {p95(solo) * 1000:.0f} ms")
    if times:
        print(f"ratio p95 under load / p95 alone: {p95(times) / p95(solo):.2f}")
    return 0 if not errors and not lost else 1


def _session(ws: Workspace, args):
    lowest = ws.lowest_level()
    areas = ws.areas(lowest)
    first_parent = areas["parent_id"].dropna().iloc[0] if areas["parent_id"].notna().any() else None
    ids = (areas[areas["parent_id"] == first_parent]["area_id"] if first_parent else areas["area_id"]).tolist()[:8]
    quarter = quarter_from_areas(ws, level=lowest, area_ids=ids)
    now = datetime.now()
    session = part.create_session(ws, title="Lasttest", quarter=quarter, starts_at=now - timedelta(minutes=5),
                                  ends_at=now + timedelta(seconds=args.seconds + 900), cell_size_m=100, max_pins=200)
    return session, ids, lowest


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["app", "service"], default="app",
                    help="app: the app over Streamlit's websocket (default); service: the service layer alone")
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("JMDIQ_DB") or ROOT / "workspace" / "berlin.duckdb"))
    ap.add_argument("--phones", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--think", type=float, nargs=2, default=(6.0, 10.0), metavar=("MIN", "MAX"))
    args = ap.parse_args()
    set_default_actor(local_admin("benchmark"))
    if args.mode == "app":
        return run_app(args)
    rng = random.Random(18)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(workspace_copy(args.db, Path(tmp)))
        session, ids, lowest = _session(ws, args)
        cats = [c["id"] for c in session.categories]
        print(f"quarter: {len(ids)} areas of level {lowest}, {session.quarter.area / 1e6:.2f} km²")

        # baseline: one phone alone, 60 pins in a row
        alone = part.new_participant()
        part.join(ws, session.token, alone, age_band="15-17", newcomer="no")
        solo_limiter = part.PinLimiter(per_minute=10_000, session_per_minute=10_000)
        solo = []
        for lon, lat in random_points(session.quarter, ws.work_crs, 60, rng):
            t0 = time.perf_counter()
            part.add_pin(ws, session.token, alone, category=rng.choice(cats), lon=lon, lat=lat, limiter=solo_limiter)
            solo.append(time.perf_counter() - t0)

        # load: the phones at once, the app's limits
        limiter = part.PinLimiter()
        receipts: list[int] = []
        times: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds
        start = threading.Barrier(args.phones)

        def phone(i: int) -> None:
            r = random.Random(1000 + i)
            who = part.new_participant()
            try:
                part.join(ws, session.token, who, age_band=r.choice(part.AGE_BANDS), newcomer=r.choice(part.NEWCOMER))
                points = random_points(session.quarter, ws.work_crs, 200, r)
            except Exception as exc:                       # noqa: BLE001 - counted, printed
                with lock:
                    errors.append(f"join: {exc!r}")
                return
            start.wait()
            n = 0
            time.sleep(r.uniform(0, min(args.think[1], args.seconds)))     # phones do not start in step
            while time.monotonic() < deadline:
                lon, lat = points[n % len(points)]
                t0 = time.perf_counter()
                try:
                    receipt = part.add_pin(ws, session.token, who, category=r.choice(cats), lon=lon, lat=lat,
                                           comment="Hier fehlt eine Bank" if r.random() < 0.1 else None,
                                           limiter=limiter)
                except Exception as exc:                   # noqa: BLE001 - counted, printed
                    with lock:
                        errors.append(repr(exc))
                else:
                    with lock:
                        times.append(time.perf_counter() - t0)
                        receipts.append(receipt.pin_id)
                n += 1
                time.sleep(max(0.0, min(r.uniform(*args.think), deadline - time.monotonic())))

        threads = [threading.Thread(target=phone, args=(i,)) for i in range(args.phones)]
        t_start = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t_start
        stored = set(ws.cursor().execute("SELECT pin_id FROM participation_pins WHERE session_id = ? AND participant <> ?",
                                         [session.session_id, alone]).df()["pin_id"].astype(int))
        lost = len(set(receipts) - stored) + len(stored - set(receipts))
        ws.close()
    print(f"phones: {args.phones}, time: {wall:.0f} s, think time {args.think[0]:.0f}-{args.think[1]:.0f} s")
    print(f"pins: {len(receipts)} ({len(receipts) / wall:.1f} per second), errors: {len(errors)}, lost: {lost}")
    for e in errors[:5]:
        print("  error:", e)
    print(f"time per pin under load: median {statistics.median(times) * 1000:.1f} ms, "
          f"p95 {p95(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
    print(f"baseline (one phone alone, 60 pins in a row): median {statistics.median(solo) * 1000:.1f} ms, "
          f"p95 {p95(solo) * 1000:.1f} ms")
    print(f"ratio p95 under load / p95 alone: {p95(times) / p95(solo):.2f}")
    return 0 if not errors and not lost else 1


if __name__ == "__main__":
    sys.exit(main())
