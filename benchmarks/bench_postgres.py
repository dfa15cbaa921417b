"""The same store calls on a DuckDB file and on PostgreSQL (DuckDB attaching the server), with
the real Berlin workspace: the copy into PostgreSQL, then the median time of each call on both
backends and their ratio (baseline: the DuckDB file, measured in the same run).

    .venv/bin/python benchmarks/bench_postgres.py --db workspace/berlin.duckdb \\
        --url 'postgresql:///jmdiq_bench?host=/run/postgresql'

``--url``: an EMPTY database with PostGIS available (``createdb jmdiq_bench``; see README, "A
shared server"). The writes go to that database and to a copy of the file.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.analysis.projects import MicroProject  # noqa: E402
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.services.auth import local_admin, set_default_actor  # noqa: E402
from jmdiq_geo.services.layers import indicator_layer  # noqa: E402
from jmdiq_geo.services.projects import create_project  # noqa: E402
from jmdiq_geo.services.workspace import migrate_workspace  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def calls(ws: Workspace, settings: Settings) -> dict:
    level = ws.lowest_level()
    indicator = ws.meta().get("default_indicator") or ws.indicator_ids()[0]
    period = max(ws.periods(indicator_id=indicator, level=level))

    def areas():
        ws._area_cache.clear()                 # decoded each time, as after a write
        ws.areas(level)

    def layer():
        ws._area_cache.clear()
        indicator_layer(ws, indicator_id=indicator, period=period, level=level, settings=settings)

    def write():
        create_project(ws, MicroProject(project_id="", title="Benchmark"), user="benchmark")

    return {"meta (one small query)": (ws.meta, 50), "summary (~20 queries)": (ws.summary, 10),
            f"areas('{level}') with geometry": (areas, 10), f"indicator_layer({indicator})": (layer, 10),
            "services()": (ws.services, 10), "a save (one write transaction)": (write, 10)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(Settings.from_env().db_path))
    parser.add_argument("--url", required=True)
    args = parser.parse_args()
    set_default_actor(local_admin("benchmark"))
    settings = Settings.from_env()
    start = time.perf_counter()
    counts = migrate_workspace(Path(args.db), args.url)
    print(f"migrate {Path(args.db).name} -> PostgreSQL: {sum(counts.values()):,} rows in "
          f"{time.perf_counter() - start:.1f} s")
    folder = tempfile.mkdtemp(prefix="jmdiq-bench-")
    copy = Path(folder) / "copy.duckdb"
    shutil.copy(args.db, copy)
    with Workspace(copy) as file_ws, Workspace(args.url) as pg_ws:
        duck, pg = calls(file_ws, settings), calls(pg_ws, settings)
        print(f"{'call':40} {'DuckDB file':>12} {'PostgreSQL':>12} {'ratio':>7}")
        for name in duck:
            a = median_ms(*duck[name])
            b = median_ms(*pg[name])
            print(f"{name:40} {a:10.1f} ms {b:10.1f} ms {b / a:6.1f}x")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
