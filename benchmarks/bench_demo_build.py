"""Building the Berlin demo workspace vs. a plain geopandas/pandas read of the same files.

    .venv/bin/python benchmarks/bench_demo_build.py [--repeat 3]

Reads the Berlin manifest (data/cities/berlin.toml) and the real files under JMDIQ_DATA_ROOT
(default ../shared/data). The baseline only reads every file the manifest names
(geopandas.read_file for vector files, pandas.read_csv for tables) and does nothing else; the
build also validates, normalises, reprojects, writes DuckDB and computes derived indicators.
The foundation issue's target of build ≤ 2 × baseline was below its own floor (the plain read plus a bare insert, below) and
was withdrawn; the ratio is kept as a regression figure (README). Prints the best of --repeat
runs of each.

Two more rows show where the build's time goes: the plain read plus a bare bulk insert of every
file's rows into a new DuckDB file (no checks at all), and the check alone: every import run as a
dry run (read, validate, normalise, reproject; nothing written) against the built workspace.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path  # noqa: E402
from jmdiq_geo.io.imports import run_import  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def read_one(f: Path) -> pd.DataFrame:
    if f.suffix in (".csv", ".txt"):
        semicolon = f.read_bytes()[:200].count(b";")
        return pd.read_csv(f, sep=None if semicolon else ",", engine="python" if semicolon else "c")
    return gpd.read_file(f)


def plain_read(files: list[Path]) -> int:
    return sum(len(read_one(f)) for f in files)


def read_and_bare_insert(files: list[Path], db: Path) -> None:
    """The plain read, then every file's rows as they are into a new DuckDB table (geometry as
    WKB), no checks: what a store without validation would cost."""
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    for i, f in enumerate(files):
        frame = read_one(f)
        if isinstance(frame, gpd.GeoDataFrame):
            frame = pd.DataFrame(frame.drop(columns=frame.geometry.name)).assign(
                geom=shapely.to_wkb(frame.geometry.array))
        con.register("frame", pa.Table.from_pandas(frame, preserve_index=False))
        con.execute(f"CREATE TABLE t{i} AS SELECT * FROM frame")
        con.unregister("frame")
    con.execute("CHECKPOINT")
    con.close()


def check_only(manifest, settings: Settings, db: Path) -> None:
    """Every import of the manifest as a dry run against the built workspace: read, validate,
    normalise, reproject; nothing is written."""
    with Workspace(db) as ws:
        for e in manifest.entries:
            run_import(ws, e.kind, settings.data_root / e.file, e.spec, manifest.sources[e.source],
                       max_bytes=settings.max_file_bytes, dry_run=True)


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
        checks = best_of(args.repeat, lambda: check_only(manifest, settings, db))
        bare = best_of(args.repeat, lambda: read_and_bare_insert(files, Path(tmp) / "bare.duckdb"))
    baseline = best_of(args.repeat, lambda: plain_read(files))
    print(f"files read: {len(files)} (Berlin data package)")
    print(f"plain geopandas/pandas read         : {baseline:6.2f} s   (baseline)")
    print(f"read + bare DuckDB insert, no checks: {bare:6.2f} s   ratio {bare / baseline:4.2f}×")
    print(f"checks alone (dry-run imports)      : {checks:6.2f} s   ratio {checks / baseline:4.2f}×")
    print(f"jmdiq-geo demo build                : {build:6.2f} s   ratio {build / baseline:4.2f}×  (a regression figure)")
    print(f"workspace file                      : {size_mb:6.1f} MB")


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
