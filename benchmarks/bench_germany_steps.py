"""Where the time of the ``germany`` build goes: each step of ``services.new_city.new_germany``
alone, one after another in one thread (no overlap between them; DuckDB with the threads the
build leaves it), and the floor's two steps (the
five ``INSERT … SELECT … FROM read_parquet``, checkpoint; as ``bench_germany.py``'s floor), taking
turns; per step the least wall and CPU time over N runs (in one process, warm).
    .venv/bin/python benchmarks/bench_germany_steps.py [N]
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb  # noqa: E402

from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.crs import SharedVertices, utm_crs_at  # noqa: E402
from jmdiq_geo.i18n import t as tr  # noqa: E402
from jmdiq_geo.io import nationwide  # noqa: E402
from jmdiq_geo.services import new_city as nc  # noqa: E402
from jmdiq_geo.services.auth import local_admin, set_default_actor  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402

set_default_actor(local_admin("benchmark"))
tr("starter_germany", "de")
root = Settings.from_env().data_root
layers = nationwide.load_layers(root)
N = int(sys.argv[1]) if len(sys.argv) > 1 else 5
best = {}


def tick(T, name, f, *a, **k):
    w, c = time.perf_counter(), time.process_time()
    r = f(*a, **k)
    w0, c0 = T.get(name, (0, 0))
    T[name] = (w0 + time.perf_counter() - w, c0 + time.process_time() - c)
    return r


def ours(T):
    areas = {lv: tick(T, "read the 3 shapefiles (pyogrio)", nationwide.read_areas, l) for lv, l in layers.areas.items()}
    hub = layers.grids[0].crs
    lower = tick(T, "vertices to ETRS89 degrees (SharedVertices)", SharedVertices, [areas["gemeinde"]], hub=hub)
    upper = tick(T, "vertices to ETRS89 degrees (SharedVertices)", SharedVertices, [areas["kreis"], areas["land"]], hub=hub)
    work = tick(T, "choose the work CRS (from the degrees)", lambda: utm_crs_at(*upper.lonlat_bounds(1)))
    proj = dict(zip(areas, tick(T, "project 3 levels to the work CRS", lambda: lower.to(work) + upper.to(work))))
    g3035 = tick(T, "project the Gemeinden to EPSG:3035", lower.to, "EPSG:3035")[0]
    lab = nationwide.CentreLabels(g3035.geometry)
    used = {d.get("grid") for d in layers.indicators.values()}
    cells = {g.grid_id: tick(T, "read 2 grids for the sums (pyarrow)", nationwide.read_all_cells, g)
             for g in layers.grids if g.grid_id in used}
    c1 = next(iter(cells.values()))
    tick(T, "label rasters (numpy scan of the edges)", lab._rasters_for, c1[0], c1[1])
    sums = {k: tick(T, "sums (100 m: candidates of touched px)", lab.sums_of, *c) for k, c in cells.items()}
    tmp = tempfile.mkdtemp()
    db = Path(tmp) / "g.duckdb"
    ws = tick(T, "create the workspace (schema)", Workspace.create, db, work_crs=work, city="x")
    ws.leave_cores(2)                         # as the build: DuckDB leaves the build's two other threads a core each
    tick(T, "grids: an INSERT per file, own transaction", ws.insert_cells_from_parquet,
         [(g.grid_id, g.file, g.column) for g in layers.grids], own_transaction=True)
    with ws.transaction():
        order = list(layers.areas)
        for rank, lv in enumerate(order):
            above = order[rank + 1] if rank + 1 < len(order) else None
            parents = areas[lv]["area_id"].str[:layers.areas[above].key_digits] if above else None
            tick(T, "write the 3 levels (area, WKB, insert), the grids rows", nc._write_level, ws, layers, lv, proj[lv], work_crs=None,
                 parents=parents, rank=rank, parent_level=above)
        tick(T, "write the 3 levels (area, WKB, insert), the grids rows", ws.put_grids, [g.meta() for g in layers.grids])
        values = tick(T, "indicator values (write)", nc._indicator_values, layers, sums, list(areas["gemeinde"]["area_id"]))
        tick(T, "indicator values (write)", nc._write_indicators, ws, layers, values)
        tick(T, "provenance (sha256, import log)", nc._log, ws, layers, gemeinde=None)
        ws.checkpoint_at_commit()
        w, c = time.perf_counter(), time.process_time()
    T["commit (a checkpoint)"] = (time.perf_counter() - w, time.process_time() - c)
    tick(T, "checkpoint (nothing left)", ws.checkpoint)
    ws.close()
    shutil.rmtree(tmp)


def floor(T):
    tmp = tempfile.mkdtemp()
    db = tmp + "/f.duckdb"
    def ins():
        con = duckdb.connect(db)
        con.execute("CREATE TABLE grid_cells (grid_id VARCHAR, x DOUBLE, y DOUBLE, value DOUBLE)")
        for g in layers.grids:
            con.execute(f'INSERT INTO grid_cells SELECT ?, x, y, "{g.column}" FROM read_parquet(?)', [g.grid_id, str(g.file)])
        return con
    con = tick(T, "floor: 5 INSERTs", ins)
    tick(T, "floor: checkpoint", con.execute, "CHECKPOINT")
    con.close()
    shutil.rmtree(tmp)

for i in range(N):
    for name, f in (("ours", ours), ("floor", floor)):
        T = {}
        w, c = time.perf_counter(), time.process_time()
        f(T)
        T["TOTAL " + name] = (time.perf_counter() - w, time.process_time() - c)
        for k, (w, c) in T.items():
            b = best.setdefault(k, [9e9, 9e9]); b[0] = min(b[0], w); b[1] = min(b[1], c)
print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
for k, (w, c) in best.items():
    print(f"{k:42s} wall {w:6.3f} s   cpu {c:6.3f} s")
