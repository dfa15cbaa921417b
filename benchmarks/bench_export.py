"""Exports for other tools on the real Berlin workspace, against the app's own computation of the
same values.

    .venv/bin/python benchmarks/bench_export.py [--db WS] [--repeat 1]

Builds the Berlin demo workspace in a temporary folder (unless --db names one), then times:

- baseline: ``indicator_layer`` for every level and every indicator with values at the latest
  period (the values after the privacy rules, what the Karte computes for one map each);
- ``export_layers``: the same values as wide tables plus each indicator's classes and QGIS style,
  the services and the sources;
- writing them: GeoPackage (with ``layer_styles``), GeoParquet folder, CSV (German Excel, ZIP), XLSX.

Prints each figure and its ratio to the baseline (best of --repeat).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path  # noqa: E402
from jmdiq_geo.services.exports import default_period, export_layers, write_export  # noqa: E402
from jmdiq_geo.services.layers import indicator_layer  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "berlin.duckdb"
        if not args.db:
            build_workspace(load_manifest(manifest_path("berlin"), data_root=settings.data_root),
                            settings=settings.with_(db_path=db))
        with Workspace(db, read_only=True) as ws:
            period = default_period(ws)
            levels = [lv for lv in ws.levels_in_order() if lv in ws.levels_with_areas()]
            layers, _, _ = export_layers(ws, settings=settings, period=period, levels=levels)
            pairs = [(lv, c) for layer, lv in zip(layers, levels) for c in layer.styles]

            def baseline():
                for layer, lv in zip(layers, levels):
                    for column in layer.headers:
                        if column in ("area_id", "name", "parent_id"):
                            continue
                        indicator_layer(ws, indicator_id=column, period=period, level=lv, settings=settings)
            base = best(baseline, args.repeat)
            rows = [("baseline: indicator_layer per level and indicator", base)]
            rows.append(("export_layers (values, classes, QGIS styles, services, sources)",
                         best(lambda: export_layers(ws, settings=settings, period=period, levels=levels), args.repeat)))
        sizes = {}
        for fmt, name in (("gpkg", "b.gpkg"), ("parquet", "pq"), ("csv-de", "b.zip"), ("xlsx", "b.xlsx")):
            out = Path(tmp) / name
            rows.append((f"write {fmt}", best(lambda: write_export(layers, fmt, out), args.repeat)))
            sizes[fmt] = sum(p.stat().st_size for p in ([out] if out.is_file() else out.iterdir())) / 1e6
    print(f"Berlin, period {period}, levels {', '.join(levels)}: {len(pairs)} indicator styles, "
          f"{sum(len(x.frame) for x in layers)} rows")
    for label, seconds in rows:
        print(f"  {label:<70} {seconds:7.2f} s  {seconds / base:5.2f}× baseline")
    print("  sizes: " + ", ".join(f"{k} {v:.1f} MB" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
