"""Importing indicator tables as a city publishes them vs. DuckDB's own read_csv + insert.

    .venv/bin/python benchmarks/bench_table_import.py [--areas 10000] [--columns 20] [--years 5] [--repeat 3]

A generated city of ``--areas`` square areas (one level, zero-padded text keys), and one CSV per
year as statistics offices write them (``;``, decimal comma, one row per area, ``--columns``
indicator columns). Not timed: making the files and importing the boundaries.

- *ours*: every yearly table through ``services.imports.import_file`` (read, detect the layout,
  parse numbers, validate keys, match every row to an area, store long-format values, log the
  import) into a copy of the workspace with the boundaries, one transaction per file;
- *floor*: DuckDB alone, the same files into a fresh DuckDB file: ``read_csv`` (its own sniffer,
  decimal comma) and one ``INSERT … SELECT`` per file of the unpivoted values into a long table —
  no key checks, no matching, no report.

Prints the best of ``--repeat`` runs and the ratio ours ÷ floor (the issue's target: ≤ 2).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.services.imports import (BoundarySpec, IndicatorDef, LevelSpec, Source, TableSpec,  # noqa: E402
                                        import_file)
from jmdiq_geo.services.new_city import new_city  # noqa: E402

MAX = 2 * 1024 ** 3


def make_city(folder: Path, n_areas: int, n_columns: int, years: list[int], seed: int = 7):
    rng = np.random.default_rng(seed)
    side = int(np.ceil(np.sqrt(n_areas)))
    keys = [f"{i:06d}" for i in range(n_areas)]
    x0, y0, size = 380000.0, 5700000.0, 200.0
    boxes = [shapely.box(x0 + (i % side) * size, y0 + (i // side) * size, x0 + (i % side + 1) * size,
                         y0 + (i // side + 1) * size) for i in range(n_areas)]
    gpd.GeoDataFrame({"key": keys, "name": [f"Gebiet {k}" for k in keys]}, geometry=boxes,
                     crs="EPSG:25832").to_file(folder / "areas.gpkg")
    columns = [f"Indikator {j + 1:02d} (%)" for j in range(n_columns)]
    tables = []
    for year in years:
        values = rng.uniform(0, 60, size=(n_areas, n_columns)).round(1)
        lines = ["Schlüssel;" + ";".join(columns)]
        lines += [k + ";" + ";".join(f"{v:.1f}".replace(".", ",") for v in row) for k, row in zip(keys, values)]
        path = folder / f"indikatoren_{year}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tables.append((year, path))
    return columns, tables


def ours(base: Path, work: Path, columns: list[str], tables) -> float:
    shutil.copy(base, work)
    from jmdiq_geo.services.workspace import open_workspace
    ids = {c: f"ind_{j + 1:02d}" for j, c in enumerate(columns)}
    source = Source("amt", "Statistikamt", licence="dl-de/by-2-0")
    with open_workspace(work) as ws:
        start = time.perf_counter()
        for i, (year, path) in enumerate(tables):
            defs = [IndicatorDef(ids[c], c, kind="intensive", unit="%") for c in columns] if i == 0 else []
            import_file(ws, "indicators", path, TableSpec(level="gebiet", period=f"{year}-12-31", columns=ids,
                                                          key="Schlüssel", indicators=defs), source, max_bytes=MAX)
        return time.perf_counter() - start


def floor(db: Path, columns: list[str], tables, expected: int) -> float:
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE indicator_values (area_id VARCHAR, indicator_id VARCHAR, period DATE, value DOUBLE)")
    start = time.perf_counter()
    for year, path in tables:
        quoted = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"""INSERT INTO indicator_values
                        SELECT "Schlüssel", name, DATE '{year}-12-31', value FROM (
                          UNPIVOT (SELECT * FROM read_csv('{path}', delim=';', decimal_separator=',', header=true,
                                                          types={{'Schlüssel': 'VARCHAR'}}))
                          ON {quoted} INTO NAME name VALUE value)""")
    con.execute("CHECKPOINT")
    elapsed = time.perf_counter() - start
    n = con.execute("SELECT count(*) FROM indicator_values").fetchone()[0]
    con.close()
    if n != expected:
        raise SystemExit(f"floor stored {n} values, expected {expected}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=10_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        years = list(range(2024 - args.years + 1, 2025))
        columns, tables = make_city(folder, args.areas, args.columns, years)
        base = folder / "base.duckdb"
        ws = new_city(base, name="Benchstadt")
        import_file(ws, "boundaries", folder / "areas.gpkg", BoundarySpec(level="gebiet", key="key", name="name"),
                    Source("amt", "Statistikamt", licence="dl-de/by-2-0"), max_bytes=MAX,
                    level=LevelSpec("gebiet", "Gebiet"))
        ws.close()
        ours_s = min(ours(base, folder / f"ours{i}.duckdb", columns, tables) for i in range(args.repeat))
        expected = args.areas * args.columns * args.years
        floor_s = min(floor(folder / "floor.duckdb", columns, tables, expected) for _ in range(args.repeat))
    cells = args.areas * args.columns * args.years
    print(f"indicator tables: {args.areas:,} areas × {args.columns} columns × {args.years} years "
          f"= {cells:,} values (best of {args.repeat})")
    print(f"  ours  (import_file per yearly table)          {ours_s:7.2f} s")
    print(f"  floor (DuckDB read_csv + unpivot insert)      {floor_s:7.2f} s")
    print(f"  ratio ours / floor                            {ours_s / floor_s:7.2f} ×   (target ≤ 2)")


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
