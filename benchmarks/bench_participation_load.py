"""Participation under load (issue 18): 30 simulated phones pinning for a bounded time.

    .venv/bin/python benchmarks/bench_participation_load.py [--db PATH] [--phones 30] [--seconds 300]

What is driven: the SERVICE LAYER the participant page calls (``services.participation.join`` and
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
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("JMDIQ_DB") or ROOT / "workspace" / "berlin.duckdb"))
    ap.add_argument("--phones", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--think", type=float, nargs=2, default=(6.0, 10.0), metavar=("MIN", "MAX"))
    args = ap.parse_args()
    set_default_actor(local_admin())
    rng = random.Random(18)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace(workspace_copy(args.db, Path(tmp)))
        lowest = ws.lowest_level()
        areas = ws.areas(lowest)
        first_parent = areas["parent_id"].dropna().iloc[0] if areas["parent_id"].notna().any() else None
        ids = (areas[areas["parent_id"] == first_parent]["area_id"] if first_parent else areas["area_id"]).tolist()[:8]
        quarter = quarter_from_areas(ws, level=lowest, area_ids=ids)
        now = datetime.now()
        session = part.create_session(ws, title="Lasttest", quarter=quarter, starts_at=now - timedelta(minutes=5),
                                      ends_at=now + timedelta(seconds=args.seconds + 600), cell_size_m=100,
                                      max_pins=200)
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
