"""The annual report annex (``jmdiq_geo.services.annual``) on the Berlin workspace, against a floor
measured in the same run.

    .venv/bin/python benchmarks/bench_annual.py [--db PATH] [--repeat 3]

The workspace (``--db``, default ``JMDIQ_DB`` or workspace/berlin.duckdb) is copied to a temporary
folder and given a small register there (6 partners with ties in two years, 3 projects, 3 months
of activity) - the user's file is never written. Timed: ``annual_annex`` + ``annex_pdf`` for the
year 2025 and one Planungsraum (the whole annex: network figures, projects, the indicator changes
with the privacy rules, the activity summary, the PDF), and its indicator part alone. Floor: the
same area values of both periods of every indicator read with one plain DuckDB query (no privacy,
no aggregation, no figure, no PDF): the least any annex must do.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jmdiq_geo.analysis.activity import ActivityMonth  # noqa: E402
from jmdiq_geo.analysis.projects import MicroProject, Partner, Tie  # noqa: E402
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.services.activity import save_month  # noqa: E402
from jmdiq_geo.services.annual import annex_pdf, annual_annex, indicator_changes  # noqa: E402
from jmdiq_geo.services.auth import local_admin, set_default_actor  # noqa: E402
from jmdiq_geo.services.projects import save_partner, save_project, save_tie  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def seed(ws: Workspace) -> str:
    lowest = ws.lowest_level()
    area = ws.area_names(lowest)["area_id"].iloc[0]
    types = ["Quartiersmanagement", "Schule", "Sportverein", "Jobcenter", "Religionsgemeinschaft", "Sonstige"]
    for i, typ in enumerate(types, start=1):
        save_partner(ws, Partner(f"org{i:03d}", f"Partner {i}", typ), expected_version=None, user="bench")
        for year in (2024, 2025):
            if (i + year) % 5:
                save_tie(ws, Tie(f"org{i:03d}", year, 1 + (i + year) % 3, 1 + i % 3), expected_version=None, user="bench")
    for i in range(1, 4):
        save_project(ws, MicroProject(f"p{i:03d}", f"Projekt {i}", area_id=area, budget_planned=1000.0 * i,
                                      start=f"2025-0{i}-01", status="laufend"), expected_version=None, user="bench")
    cats = ["beratung", "case_management", "gruppenangebote", "netzwerk_sozialraum", "sonstige"]
    for m in (1, 2, 3):
        save_month(ws, ActivityMonth(f"2025-{m:02d}", dict(zip(cats, (40, 20, 15, 20, 5))), 160), expected_version=None,
                   user="bench")
    return area


def floor(ws: Workspace, area: str, level: str) -> float:
    started = time.perf_counter()
    ws.cursor().execute("""
        WITH p AS (SELECT indicator_id, max(period) AS p2 FROM indicator_values WHERE level = ? GROUP BY 1)
        SELECT v.indicator_id, v.period, v.value FROM indicator_values v JOIN p USING (indicator_id)
        WHERE v.level = ? AND v.area_id = ? AND v.period >= p.p2 - INTERVAL 1 YEAR""", [level, level, area]).fetchall()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=os.environ.get("JMDIQ_DB", str(ROOT / "workspace" / "berlin.duckdb")))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    set_default_actor(local_admin("bench"))
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "berlin.duckdb"
        shutil.copy(args.db, db)
        with Workspace(db) as ws:
            area = seed(ws)
            level = ws.lowest_level()
            whole, part, bare, pages = [], [], [], 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                pdf = annex_pdf(annual_annex(ws, year=2025, area_id=area, settings=settings))
                whole.append(time.perf_counter() - started)
                started = time.perf_counter()
                table, _ = indicator_changes(ws, 2025, area_id=area, level=level, lang="de", settings=settings)
                part.append(time.perf_counter() - started)
                bare.append(floor(ws, area, level))
            from jmdiq_geo.render.annual import page_count
            pages = page_count(pdf)
    w, p, f = statistics.median(whole), statistics.median(part), statistics.median(bare)
    print(f"annex 2025, one area: {w:.2f} s (median of {args.repeat}; {pages} pages, {len(pdf) / 1e6:.2f} MB)")
    print(f"  indicator changes ({len(table)} indicators, privacy rules): {p:.2f} s")
    print(f"  floor, the same values by one plain DuckDB query: {f * 1000:.1f} ms")
    print(f"  ratio whole annex / floor: {w / f:.0f}x; indicator part / floor: {p / f:.0f}x")


if __name__ == "__main__":
    main()
