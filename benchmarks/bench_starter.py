"""A Gemeinde starter from the nationwide layers (``jmdiq-geo new --gemeinde``) vs. loading the
layers whole.
    .venv/bin/python benchmarks/bench_starter.py [--gemeinde Heidelberg --gemeinde Berlin] [--repeat 3]
- *ours*: ``services.new_city.new_gemeinde`` into a new file: the Gemeinde found by name in the
  attribute table, its outline, Kreis and Land read with an attribute filter, the five Zensus
  grids read by DuckDB with the Gemeinde's bounding box pushed into the parquet scan, the cells
  touching the outline kept, its residents summed, everything written in one transaction;
- *whole*: what one writes without the filters — ``geopandas.read_file`` of all 10,997
  Gemeinden, ``pandas.read_parquet`` of the five whole grids, then the same selection of the
  Gemeinde and of the cells touching it (shapely); nothing written.
Prints the best of ``--repeat`` runs per Gemeinde (the issue's target: ≤ 3 s, Berlin being the
largest Gemeinde) and the peak memory of the process (``ru_maxrss``).
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.io.nationwide import load_layers  # noqa: E402
from jmdiq_geo.services.new_city import new_gemeinde  # noqa: E402


def ours(folder: Path, query: str, data_root: Path, i: int):
    start = time.perf_counter()
    report = new_gemeinde(folder / f"{query}_{i}.duckdb", query, data_root=data_root)
    return time.perf_counter() - start, report


def whole(query: str, data_root: Path) -> tuple[float, dict[str, int]]:
    layers = load_layers(data_root)
    start = time.perf_counter()
    gem = gpd.read_file(layers.areas["gemeinde"].file)
    outline = gem[gem["GEN"] == query].to_crs("EPSG:3035").geometry.iloc[0]
    shapely.prepare(outline)
    counts = {}
    for g in layers.grids:
        cells = pd.read_parquet(g.file)
        half = g.cell_size_m / 2
        boxes = shapely.box(cells.x - half, cells.y - half, cells.x + half, cells.y + half)
        counts[g.grid_id] = int(shapely.intersects(outline, boxes).sum())
    return time.perf_counter() - start, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gemeinde", action="append")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data_root = Settings.from_env().data_root
    names = args.gemeinde or ["Heidelberg", "Berlin"]
    print(f"Gemeinde starter from the nationwide layers (best of {args.repeat})")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            runs = [ours(Path(tmp), name, data_root, i) for i in range(args.repeat)]
            best, report = min(runs, key=lambda r: r[0])
            naive, counts = min((whole(name, data_root) for _ in range(args.repeat)), key=lambda r: r[0])
            if counts != report.cells:
                raise SystemExit(f"the whole read selected other cells: {counts} vs {report.cells}")
            cells = sum(report.cells.values())
            print(f"  {name:<12} ours {best:5.2f} s   (target ≤ 3 s; {cells:,} cells, "
                  f"residents {report.values.get('zensus_ew', 0):,.0f})   whole read {naive:5.2f} s   "
                  f"whole ÷ ours {naive / best:4.1f} ×   all runs: " + ", ".join(f"{r[0]:.2f}" for r in runs))
    print(f"  peak memory of the process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
