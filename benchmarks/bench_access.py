"""Walking access (jmdiq_geo.services.access over jmdiq_geo.analysis.access) against the bare shortest-path floor and an osmnx/networkx baseline.

    .venv/bin/pip install -r requirements-bench.txt      # osmnx + networkx, benchmark-only
    .venv/bin/python benchmarks/bench_access.py [--db PATH] [--nodes 302500] [--origins 400000]

Two scenarios:

1. *Data package*: the Berlin workspace (``--db``, default ``JMDIQ_DB`` or workspace/berlin.duckdb),
   copied to a temporary folder first (``access_for`` writes its cache into the workspace; the
   user's file is never opened). Every service category × every origin, ``use_cache=False``,
   exactly as the app and the CLI run it (network, origins, severance pairs, cache write).
2. *Generated* city-size graph: a perturbed 80 m grid (~550 × 550 nodes, 4-neighbour streets plus
   random diagonal shortcuts, ~800,000 edges), 400,000 random homes with random weights in 529
   areas, 7 categories of random services (capacities for two of them). ``run()`` per category
   with ``AccessSettings()`` defaults and ``severance=False``. Compared with
   (a) the *floor*: ``scipy.sparse.csgraph.dijkstra`` doing the same searches and nothing else
       (services snapped to the nearest node with a cKDTree): one multi-source ``min_only`` search
       per category ("nearest") plus one search bounded by the catchment (``limit=``) per service,
       in blocks of 40 million cells ("catchments"; scipy returns a dense row of all nodes per
       search). The ratio that matters is ours ÷ (nearest + catchments floor). Ours does not call
       scipy's Dijkstra: its compiled kernels search only what a catchment reaches, so it can be
       *below* this floor.
   (b) the *baseline a user would write*: a networkx Graph of the same edges,
       ``osmnx.distance.nearest_nodes`` for snapping, ``networkx.multi_source_dijkstra_path_length``
       for the nearest service and ``networkx.single_source_dijkstra_path_length(cutoff=...)`` per
       service for the counts within 10 and 15 minutes (no E2SFCA, no nearest-service identity:
       it does less than ours). The per-service part is timed on a random sample (``--sample``
       services per category) and extrapolated linearly to all services — printed as such.

Each measured part (package, ours, floor, baseline) runs in its own process (this script again,
with ``--phase``) so each peak RSS (``ru_maxrss``) is its own; generating the synthetic city is
not timed, but is part of every generated phase's peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPACING_M = 80.0
JITTER_M = 20.0
#: category → (number of services, capacity range or None)
CATEGORIES = {
    "jugendfreizeit": (400, None),
    "schule": (900, (200, 1000)),
    "kita": (2900, (20, 160)),
    "bibliothek": (100, None),
    "nachbarschaft": (400, None),
    "sport": (150, None),
    "spielplatz": (900, None),
}
AREA_BLOCKS = 23                 # 23 × 23 = 529 areas (Berlin has 542 Planungsräume)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def say_mem(label: str) -> None:
    print(f"    peak RSS after {label:<28} {peak_mb():8.0f} MB", flush=True)


class Stages:
    """Progress callback that adds up the wall time spent in each reported stage."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.label: str | None = None
        self.t = time.perf_counter()

    def __call__(self, fraction: float, label: str) -> None:
        now = time.perf_counter()
        if self.label is not None:
            self.times[self.label] = self.times.get(self.label, 0.0) + now - self.t
        self.label, self.t = label, now

    def finish(self) -> dict[str, float]:
        self(1.0, "end")
        return self.times


# ---------------------------------------------------------------------------------------------- data


def make_city(n_nodes: int, n_origins: int, seed: int) -> dict:
    """The generated city (deterministic for a seed): grid nodes, edges, origins, services."""
    import numpy as np

    rng = np.random.default_rng(seed)
    side = max(3, int(round(n_nodes ** 0.5)))
    ii, jj = np.divmod(np.arange(side * side), side)
    xy = np.column_stack([jj * SPACING_M, ii * SPACING_M]) + rng.uniform(-JITTER_M, JITTER_M, (side * side, 2))
    node = np.arange(side * side).reshape(side, side)
    u = [node[:, :-1].ravel(), node[:-1, :].ravel()]
    v = [node[:, 1:].ravel(), node[1:, :].ravel()]
    n_grid = len(u[0]) + len(u[1])
    n_diag = min(max(0, int(side * side * 8 / 3) - n_grid), (side - 1) ** 2)
    cell = rng.choice((side - 1) ** 2, size=n_diag, replace=False)
    ci, cj = np.divmod(cell, side - 1)
    flip = rng.random(n_diag) < 0.5
    u.append(np.where(flip, node[ci, cj + 1], node[ci, cj]))
    v.append(np.where(flip, node[ci + 1, cj], node[ci + 1, cj + 1]))
    u, v = np.concatenate(u), np.concatenate(v)
    length = np.hypot(*(xy[u] - xy[v]).T)
    extent = (side - 1) * SPACING_M
    oxy = rng.uniform(0, extent, (n_origins, 2))
    weight = rng.gamma(2.0, 1.5, n_origins)
    block = np.minimum((oxy / (extent / AREA_BLOCKS)).astype(int), AREA_BLOCKS - 1)
    area = np.array([f"A{i:04d}" for i in range(AREA_BLOCKS ** 2)], dtype=object)[block[:, 1] * AREA_BLOCKS
                                                                                   + block[:, 0]]
    services = {}
    for cat, (count, cap) in CATEGORIES.items():
        sxy = rng.uniform(0, extent, (count, 2))
        capacity = rng.integers(*cap, size=count).astype(float) if cap else np.full(count, np.nan)
        services[cat] = {"xy": sxy, "capacity": capacity,
                         "id": np.array([f"{cat}-{k}" for k in range(count)], dtype=object)}
    return {"xy": xy, "u": u, "v": v, "length": length, "extent": extent, "oxy": oxy, "weight": weight,
            "area": area, "services": services}


def fixed_sizes(args) -> str:
    return f"--nodes {args.nodes} --origins {args.origins} --seed {args.seed}"


# -------------------------------------------------------------------------------------------- phases


def phase_package(args) -> dict:
    sys.path.insert(0, str(ROOT))
    from jmdiq_geo.services import access as runner
    from jmdiq_geo.store.workspace import Workspace

    say_mem("imports")
    src = Path(args.db)
    out = {"categories": {}}
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / src.name
        shutil.copy(src, db)
        if Path(str(src) + ".wal").exists():
            shutil.copy(str(src) + ".wal", str(db) + ".wal")
        with Workspace(db) as ws:
            categories = sorted(ws.services()["category"].dropna().unique())
            seg = ws.network_segments()
            print(f"  workspace copy of {src} ({src.stat().st_size / 1048576:.0f} MB): {len(seg):,} network segments,"
                  f" {len(ws.origins()):,} stored homes, {len(categories)} categories", flush=True)
            total = time.perf_counter()
            cache = runner.AccessCache()        # the network and the homes, built once for all categories
            print(f"  {'category':<16} {'services':>8} {'on net':>7} {'origins':>8} {'time s':>7}   stages (s)")
            for cat in categories:
                stages = Stages()
                start = time.perf_counter()
                acc = runner.access_for(ws, cat, use_cache=False, progress=stages, cache=cache)
                secs = time.perf_counter() - start
                times = stages.finish()
                rep = acc.result.report
                out["categories"][cat] = {"s": secs, "origins": rep["origins"], "services": rep["services"],
                                          "stages": times}
                print(f"  {cat:<16} {rep['services']:>8,} {rep['services_on_network']:>7,} {rep['origins']:>8,}"
                      f" {secs:7.2f}   " + "  ".join(f"{k} {v:.2f}" for k, v in times.items() if v >= 0.005),
                      flush=True)
            out["total_s"] = time.perf_counter() - total
            out["origins"] = max((c["origins"] for c in out["categories"].values()), default=0)
    print(f"  all {len(categories)} categories: {out['total_s']:.2f} s"
          f"   (first category includes building the network and its snapping index)")
    say_mem("all categories")
    out["peak_mb"] = peak_mb()
    return out


def phase_ours(args) -> dict:
    import numpy as np
    sys.path.insert(0, str(ROOT))
    from jmdiq_geo.analysis.access.compute import Origins, Services, AccessSettings, run, warm_up
    from jmdiq_geo.analysis.access.network import network_from_segments

    say_mem("imports")
    print(f"  loading the compiled kernels (numba's disk cache; compiled by scripts/setup.sh): {warm_up():.2f} s",
          flush=True)
    city = make_city(args.nodes, args.origins, args.seed)
    say_mem("generating the city")
    xy, u, v = city["xy"], city["u"], city["v"]
    start = time.perf_counter()
    network = network_from_segments(xy[u], xy[v])
    network.grid()                      # the snapping index; built lazily by the first run otherwise
    build_s = time.perf_counter() - start
    print(f"  network_from_segments + snapping grid: {build_s:.2f} s ({network.n_nodes:,} nodes,"
          f" {network.n_edges:,} edges)", flush=True)
    say_mem("network")
    origins = Origins(city["oxy"], city["weight"], city["area"], np.full(len(city["oxy"]), "building", dtype=object))
    settings = AccessSettings()
    out = {"build_s": build_s, "categories": {}}
    print(f"  {'category':<16} {'services':>8} {'time s':>7} {'median m':>9} {'n≤15 min':>9}   stages (s)")
    for cat, s in city["services"].items():
        services = Services(s["xy"], s["id"], s["id"], s["capacity"])
        stages = Stages()
        start = time.perf_counter()
        res = run(network, origins, services, settings, severance=False, progress=stages)
        secs = time.perf_counter() - start
        times = stages.finish()
        med = float(np.nanmedian(res.origins["nearest_min"])) * settings.speed_m_min
        n15 = float(res.origins["n_within_15"].mean())
        out["categories"][cat] = {"s": secs, "stages": times, "median_m": med, "peak_mb": peak_mb()}
        print(f"  {cat:<16} {len(s['xy']):>8,} {secs:7.2f} {med:9.0f} {n15:9.2f}   "
              + "  ".join(f"{k} {v:.2f}" for k, v in times.items() if v >= 0.005), flush=True)
        del res
    say_mem("all categories")
    out["peak_mb"] = peak_mb()
    return out


def phase_floor(args) -> dict:
    import numpy as np
    from scipy import sparse
    from scipy.sparse.csgraph import dijkstra
    from scipy.spatial import cKDTree
    sys.path.insert(0, str(ROOT))
    from jmdiq_geo.analysis.access.compute import AccessSettings

    say_mem("imports")
    city = make_city(args.nodes, args.origins, args.seed)
    say_mem("generating the city")
    xy, u, v, length = city["xy"], city["u"], city["v"], city["length"]
    n = len(xy)
    start = time.perf_counter()
    graph = sparse.csr_matrix((np.concatenate([length, length]), (np.concatenate([u, v]), np.concatenate([v, u]))),
                              shape=(n, n))
    tree = cKDTree(xy)
    prep_s = time.perf_counter() - start
    print(f"  CSR graph + cKDTree of nodes (not counted): {prep_s:.2f} s", flush=True)
    cutoff = AccessSettings().cutoff_m
    out = {"categories": {}}
    print(f"  {'category':<16} {'services':>8} {'nearest s':>10} {'catchm. s':>10} {'sum s':>7} {'median m':>9}")
    for cat, s in city["services"].items():
        nodes = tree.query(s["xy"])[1]
        t0 = time.perf_counter()
        dist, _, _ = dijkstra(graph, directed=True, indices=nodes, min_only=True, return_predecessors=True)
        t1 = time.perf_counter()
        chunk = max(1, int(4e7 // n))              # dense rows: keep a block at ~320 MB
        for k in range(0, len(nodes), chunk):
            rows = dijkstra(graph, directed=True, indices=nodes[k:k + chunk], limit=cutoff)
        t2 = time.perf_counter()
        del rows
        med = float(np.median(dist[tree.query(city["oxy"])[1]]))
        out["categories"][cat] = {"nearest_s": t1 - t0, "catch_s": t2 - t1, "median_m": med}
        print(f"  {cat:<16} {len(nodes):>8,} {t1 - t0:10.2f} {t2 - t1:10.2f} {t2 - t0:7.2f} {med:9.0f}", flush=True)
    say_mem("all categories")
    out["peak_mb"] = peak_mb()
    return out


def phase_baseline(args) -> dict:
    import warnings

    import networkx as nx
    import numpy as np
    import osmnx
    sys.path.insert(0, str(ROOT))
    from jmdiq_geo.analysis.access.compute import AccessSettings

    say_mem("imports")
    city = make_city(args.nodes, args.origins, args.seed)
    say_mem("generating the city")
    xy, u, v, length = city["xy"], city["u"], city["v"], city["length"]
    settings = AccessSettings()
    cutoff = settings.cutoff_m
    limits = [t * settings.speed_m_min for t in settings.thresholds_min]
    rng = np.random.default_rng(args.seed + 1)
    start = time.perf_counter()
    G = nx.Graph(crs="EPSG:25833")
    G.add_nodes_from((i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(xy))
    G.add_weighted_edges_from(zip(u.tolist(), v.tolist(), length.tolist()), weight="length")
    build_s = time.perf_counter() - start
    say_mem("networkx graph")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")         # osmnx's type hints want a MultiDiGraph; a Graph works
        start = time.perf_counter()
        o_nodes = np.asarray(osmnx.distance.nearest_nodes(G, city["oxy"][:, 0], city["oxy"][:, 1]))
        snap_s = time.perf_counter() - start
    print(f"  networkx Graph {build_s:.2f} s ({G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges),"
          f" nearest_nodes for {len(o_nodes):,} homes {snap_s:.2f} s", flush=True)
    out = {"build_s": build_s, "snap_origins_s": snap_s, "sample": args.sample, "categories": {}}
    print(f"  {'category':<16} {'services':>8} {'snap s':>7} {'nearest s':>10} {'sample':>7} {'per svc ms':>11}"
          f" {'counts s (extrap.)':>19} {'sum s':>7} {'median m':>9}")
    for cat, s in city["services"].items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t0 = time.perf_counter()
            s_nodes = np.asarray(osmnx.distance.nearest_nodes(G, s["xy"][:, 0], s["xy"][:, 1]))
        t1 = time.perf_counter()
        near = nx.multi_source_dijkstra_path_length(G, set(s_nodes.tolist()), weight="length")
        o_dist = np.array([near.get(k, np.inf) for k in o_nodes.tolist()])
        t2 = time.perf_counter()
        sample = rng.choice(len(s_nodes), size=min(args.sample, len(s_nodes)), replace=False)
        hits = np.zeros((len(limits), len(xy)))
        t3 = time.perf_counter()
        for j in sample:
            reach = nx.single_source_dijkstra_path_length(G, int(s_nodes[j]), cutoff=cutoff, weight="length")
            r_nodes = np.fromiter(reach.keys(), dtype=np.int64, count=len(reach))
            r_dist = np.fromiter(reach.values(), dtype=float, count=len(reach))
            for k, lim in enumerate(limits):
                np.add.at(hits[k], r_nodes[r_dist <= lim], 1)
        _ = hits[:, o_nodes]                    # counts per home (for the sampled services only)
        per = (time.perf_counter() - t3) / len(sample)
        counts_s = per * len(s_nodes)
        med = float(np.median(o_dist))
        total = (t1 - t0) + (t2 - t1) + counts_s
        out["categories"][cat] = {"snap_s": t1 - t0, "nearest_s": t2 - t1, "per_service_s": per,
                                  "sampled": len(sample), "counts_s": counts_s, "s": total, "median_m": med}
        print(f"  {cat:<16} {len(s_nodes):>8,} {t1 - t0:7.2f} {t2 - t1:10.2f} {len(sample):>7} {1000 * per:11.1f}"
              f" {counts_s:19.2f} {total:7.2f} {med:9.0f}", flush=True)
    say_mem("all categories")
    out["peak_mb"] = peak_mb()
    return out


PHASES = {"package": phase_package, "ours": phase_ours, "floor": phase_floor, "baseline": phase_baseline}

TITLES = {
    "package": "data package: access_for() per category, use_cache=False",
    "ours": "generated: jmdiq_geo.analysis.access.compute.run() per category, AccessSettings() defaults, severance=False",
    "floor": "generated: floor — bare scipy.sparse.csgraph.dijkstra, the same searches, nothing else",
    "baseline": "generated: baseline — osmnx.nearest_nodes + networkx Dijkstra",
}


def spawn(phase: str, args) -> dict | None:
    print(f"\n[{phase}] {TITLES[phase]}", flush=True)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result = Path(f.name)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--phase", phase, "--result", str(result),
           "--db", str(args.db), "--nodes", str(args.nodes), "--origins", str(args.origins), "--seed", str(args.seed),
           "--sample", str(args.sample)]
    try:
        proc = subprocess.run(cmd)
        if proc.returncode != 0:
            print(f"  phase {phase} failed (exit {proc.returncode})")
            return None
        return json.loads(result.read_text())
    finally:
        result.unlink(missing_ok=True)


def fmt(x, spec: str = "8.2f", dash: str = "—") -> str:
    width = int(spec.split(".")[0]) if spec[0].isdigit() else 8
    return format(x, spec) if x is not None else dash.rjust(width)


def ratio(a, b) -> float | None:
    return a / b if a is not None and b else None


def summary(args, res: dict) -> None:
    if not res:
        return
    print("\nsummary (seconds of wall time; ratios: ours/floor lower is better;"
          " baseline/ours > 1 means ours is faster;\n peak MB: peak RSS of each phase's process, for ours'"
          " per-category rows the peak so far)")
    head = (f"  {'scenario':<46} {'ours s':>8} {'floor s':>8} {'ours/floor':>10} {'baseline s':>10}"
            f" {'base/ours':>9} {'peak MB':>8} {'floor MB':>8} {'base MB':>8}")
    print(head)
    print("  " + "-" * (len(head) - 2))
    pkg = res.get("package")
    if pkg:
        label = f"package: {len(pkg['categories'])} categories × {pkg['origins']:,} origins"
        print(f"  {label:<46} {pkg['total_s']:8.2f}"
              f" {fmt(None)} {fmt(None, '10.2f')} {fmt(None, '10.2f')} {fmt(None, '9.1f')} {pkg['peak_mb']:8.0f}"
              f" {fmt(None, '8.0f')} {fmt(None, '8.0f')}")
    ours, floor, base = res.get("ours"), res.get("floor"), res.get("baseline")
    if ours or floor or base:
        cats = list(CATEGORIES)
        tot = {"o": 0.0, "f": 0.0, "b": 0.0}
        for cat in cats:
            o = ours["categories"][cat]["s"] if ours else None
            fl = floor["categories"][cat] if floor else None
            f_s = fl["nearest_s"] + fl["catch_s"] if fl else None
            b = base["categories"][cat]["s"] if base else None
            for key, val in (("o", o), ("f", f_s), ("b", b)):
                tot[key] += val or 0.0
            label = f"generated: {cat} ({CATEGORIES[cat][0]:,} services)"
            print(f"  {label:<46} {fmt(o)} {fmt(f_s)} {fmt(ratio(o, f_s), '10.2f')} {fmt(b, '10.2f')}"
                  f" {fmt(ratio(b, o), '9.1f')} {fmt(ours and ours['categories'][cat]['peak_mb'], '8.0f')}"
                  f" {fmt(None, '8.0f')} {fmt(None, '8.0f')}")
        o, f_s, b = (tot["o"] if ours else None), (tot["f"] if floor else None), (tot["b"] if base else None)
        label = f"generated: all 7 categories × {args.origins:,} origins"
        print(f"  {label:<46} {fmt(o)} {fmt(f_s)} {fmt(ratio(o, f_s), '10.2f')} {fmt(b, '10.2f')}"
              f" {fmt(ratio(b, o), '9.1f')} {fmt(ours and ours['peak_mb'], '8.0f')}"
              f" {fmt(floor and floor['peak_mb'], '8.0f')} {fmt(base and base['peak_mb'], '8.0f')}")
        if floor:
            nearest = sum(c["nearest_s"] for c in floor["categories"].values())
            catch = sum(c["catch_s"] for c in floor["categories"].values())
            print(f"  floor split: nearest only {nearest:.2f} s, catchments {catch:.2f} s"
                  + (f"; ours ÷ nearest-only floor = {o / nearest:.1f}" if ours and nearest else ""))
        if ours or base:
            print("  one-off, not in the rows above: "
                  + (f"ours network_from_segments + snapping grid {ours['build_s']:.2f} s" if ours else "")
                  + ("; " if ours and base else "")
                  + (f"baseline networkx Graph {base['build_s']:.2f} s + nearest_nodes for the homes "
                     f"{base['snap_origins_s']:.2f} s" if base else ""))
        if base:
            print(f"  baseline counts are extrapolated from {base['sample']} sampled services per category"
                  " (linear in the number of services); its nearest searches and snapping are measured in full")
        if ours and floor and base:
            print("  median distance to the nearest service, m (ours door-to-door / floor and baseline node-to-node):")
            for cat in cats:
                print(f"    {cat:<16} {ours['categories'][cat]['median_m']:7.0f}"
                      f" {floor['categories'][cat]['median_m']:7.0f} {base['categories'][cat]['median_m']:7.0f}")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    default_db = os.environ.get("JMDIQ_DB") or str(ROOT / "workspace" / "berlin.duckdb")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=default_db, help="workspace file (copied, never written)")
    parser.add_argument("--nodes", type=int, default=302_500, help="nodes of the generated grid (≈ side²)")
    parser.add_argument("--origins", type=int, default=400_000, help="homes of the generated city")
    parser.add_argument("--sample", type=int, default=50, help="baseline: services per category timed per search")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-package", action="store_true", help="skip the data-package scenario")
    parser.add_argument("--skip-generated", action="store_true", help="skip the generated city")
    parser.add_argument("--skip-baseline", action="store_true", help="skip the osmnx/networkx baseline")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        out = PHASES[args.phase](args)
        Path(args.result).write_text(json.dumps(out))
        return

    print(f"walking access — {os.cpu_count()} cores, Python {sys.version.split()[0]}; generated city: "
          f"{fixed_sizes(args)}")
    res = {}
    if not args.skip_package:
        if Path(args.db).exists():
            res["package"] = spawn("package", args)
        else:
            print(f"\nno workspace at {args.db}: build it with  .venv/bin/jmdiq-geo demo --db {args.db}"
                  "  (or pass --db / set JMDIQ_DB; --skip-package to leave this part out)")
    if not args.skip_generated:
        for phase in ("ours", "floor") + (() if args.skip_baseline else ("baseline",)):
            res[phase] = spawn(phase, args)
    summary(args, {k: v for k, v in res.items() if v})


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
