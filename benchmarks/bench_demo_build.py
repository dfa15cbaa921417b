"""Building the Berlin demo workspace vs. a plain geopandas/pandas read of the same files.

    .venv/bin/python benchmarks/bench_demo_build.py [--repeat 3]

Reads the Berlin manifest (data/cities/berlin.toml) and the real files under JMDIQ_DATA_ROOT
(default ../shared/data). The baseline only reads every file the manifest names
(geopandas.read_file for vector files, pandas.read_csv for tables) and does nothing else; the
build also validates, normalises, reprojects, writes DuckDB and computes derived indicators.
Target from the issue: build ≤ 2 × baseline. Prints the best of --repeat runs of each.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.datapackage import build_workspace, load_manifest, manifest_path  # noqa: E402


def plain_read(files: list[Path]) -> int:
    rows = 0
    for f in files:
        if f.suffix in (".csv", ".txt"):
            rows += len(pd.read_csv(f, sep=None if f.read_bytes()[:200].count(b";") else ",", engine="c"
                                    if not f.read_bytes()[:200].count(b";") else "python"))
        else:
            rows += len(gpd.read_file(f))
    return rows


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = Settings.from_env()
    if settings.data_root is None:
        sys.exit("no data root: set JMDIQ_DATA_ROOT")
    manifest = load_manifest(manifest_path("berlin"), data_root=settings.data_root)
    files = sorted({settings.data_root / e.file for e in manifest.entries})
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        build = best_of(args.repeat, lambda: build_workspace(manifest, settings=settings.with_(db_path=db)))
        size_mb = db.stat().st_size / 1048576
    baseline = best_of(args.repeat, lambda: plain_read(files))
    print(f"files read: {len(files)} (Berlin data package)")
    print(f"plain geopandas/pandas read : {baseline:6.2f} s   (baseline)")
    print(f"jmdiq-geo demo build        : {build:6.2f} s   ratio {build / baseline:4.2f}×  (target ≤ 2×)")
    print(f"workspace file              : {size_mb:6.1f} MB")


if __name__ == "__main__":
    main()
