"""Size and build time of a five-slide Berlin story as one standalone HTML file, against five
separate standalone map files of the same views.

    .venv/bin/python benchmarks/bench_story.py [--db WORKSPACE]

The story: five city-wide maps (the worst case for size; Netzwerkkarte and profile slides are
a few kB) — the JMD target group on the 542 Planungsräume, its change 2021–2024, the MSS 2021
overall index, the share of foreigners on the Bezirksregionen with Moabit highlighted, and the
share with a migration background. Without ``--db`` the demo workspace is built from the data
package into a temporary folder first (JMDIQ_DATA_ROOT or ../shared/data).

Baseline: each slide written on its own as the map pages and ``jmdiq-geo map`` export it
(``standalone_html``: Leaflet inlined per file, the app's 15 m geometry), sizes summed. Also
shown: the story at the app's 15 m instead of the story's coarser geometry, and the time until
Chromium has drawn every polygon of all five slides (median of 3; needs /usr/bin/chromium).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.render.maps import standalone_html  # noqa: E402
from jmdiq_geo.services.auth import local_admin, set_default_actor  # noqa: E402
from jmdiq_geo.services.catalogue import usable_indices  # noqa: E402
from jmdiq_geo.services.maps import outline_shapes  # noqa: E402
from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path  # noqa: E402
from jmdiq_geo.services.stories import (STORY_DECIMALS, STORY_TOLERANCE_M, Slide, _Geometry, add_slide, create_story,  # noqa: E402
                                        export_story, render_slide)
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def five_slides(ws: Workspace) -> list[Slide]:
    periods = ws.periods(indicator_id="jmd_zg_anteil", level="plr")
    mss = usable_indices(ws, on_unusable=lambda exc: None)["mss2021"]
    mss_period = ws.periods(indicator_id=mss.components[0].indicators[0].id, level=mss.level)[-1]
    regions = ws.area_names("bzr")
    moabit = regions[regions["name"].str.contains("Moabit")]["area_id"].tolist()
    last, first = periods[-1].isoformat(), periods[0].isoformat()
    return [Slide("indicator_map", caption="Zielgruppe", level="plr", indicator_id="jmd_zg_anteil", period=last),
            Slide("change_map", caption="Veränderung", level="plr", indicator_id="jmd_zg_anteil", period=last,
                  period_from=first),
            Slide("index_map", caption="MSS 2021", level=mss.level, index_key="mss2021", index_part="overall",
                  period=mss_period.isoformat()),
            Slide("indicator_map", caption="Moabit", level="bzr", indicator_id="ew_ausl_anteil", period=last,
                  highlight=moabit),
            Slide("indicator_map", caption="Migrationshintergrund", level="plr", indicator_id="ew_mh_anteil",
                  period=last)]


def draw_ms(path: Path, expected: int) -> float | None:
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright

    times = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            start = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function(f"document.querySelectorAll('.leaflet-overlay-pane path').length >= {expected}",
                                   timeout=120000)
            times.append(1000 * (time.perf_counter() - start))
            page.close()
        browser.close()
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="a Berlin demo workspace (copied; default: build one)")
    args = parser.parse_args()
    set_default_actor(local_admin("bench"))
    tmp = Path(tempfile.mkdtemp(prefix="bench_story_"))
    db = tmp / "berlin.duckdb"
    settings = Settings.from_env().with_(db_path=db)
    if args.db:
        shutil.copy(args.db, db)
    else:
        build_workspace(load_manifest(manifest_path("berlin"), data_root=settings.data_root), settings=settings)
    try:
        with Workspace(db) as ws:
            slides = five_slides(ws)
            sid, v = create_story(ws, "Benchmark: fünf Berliner Folien")
            for slide in slides:
                v = add_slide(ws, sid, slide, expected_version=v)
            start = time.perf_counter()
            story = export_story(ws, sid, settings=settings)
            build_s = time.perf_counter() - start
            story_app_geometry = export_story(ws, sid, settings=settings, tolerance_m=15.0, decimals=5)
            start = time.perf_counter()
            geometry = _Geometry(ws, 15.0)
            separate = [standalone_html(render_slide(ws, s, settings=settings, lang="de",
                                                     asset_base="/app/static/vendor", geometry=geometry).map)
                        for s in slides]
            separate_s = time.perf_counter() - start
            expected = sum(len(ws.areas(s.level)) + len(outline_shapes(ws, s.level)) + len(s.highlight)
                           for s in slides)
        out = tmp / "story.html"
        out.write_text(story, encoding="utf-8")
        size = len(story.encode("utf-8"))
        size_15 = len(story_app_geometry.encode("utf-8"))
        size_sep = sum(len(h.encode("utf-8")) for h in separate)
        ms = draw_ms(out, expected)
        print(f"story, 5 Berlin map slides ({STORY_TOLERANCE_M:.0f} m geometry, {STORY_DECIMALS} decimals): {size / 1e6:.2f} MB, "
              f"built in {build_s:.1f} s; target ≤ 3 MB {'met' if size <= 3e6 else 'NOT met'}")
        print(f"the same story at the app's 15 m geometry and 5 decimals: {size_15 / 1e6:.2f} MB")
        print(f"baseline, five separate standalone map files (15 m, Leaflet in each): {size_sep / 1e6:.2f} MB, "
              f"built in {separate_s:.1f} s")
        print(f"ratio story / baseline: size {size / size_sep:.2f}×, build time {build_s / separate_s:.2f}×")
        if ms is not None:
            print(f"Chromium: all {expected} polygons of the five slides drawn after {ms:.0f} ms (median of 3)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
