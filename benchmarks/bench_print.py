"""Time to make the print files of issue 15 on the real Berlin workspace, each against a bare
baseline measured in the same run.

    .venv/bin/python benchmarks/bench_print.py            # JMDIQ_DB: the demo workspace

- **A4 map PDF of the 542 Planungsräume** (target ≤ 3 s): describe the default map
  (``services.maps``), build its print (``render.print_map.indicator_print``: outlines, labels)
  and render the PDF. Baseline: matplotlib (Agg) filling the same 542 polygons with their colours
  on an A4 figure and saving it as PDF (``GeoDataFrame.plot``, no title, legend, labels, scale bar).
- **Quartiersprofil PDF** (target ≤ 5 s): ``services.profile_report.profile_report_pdf`` of one
  Planungsraum (the first of Moabit West), from a cold start of the layers (nothing cached), and of
  two compared. Baseline: the Steckbrief's own data alone (``services.profile.area_profile``), the
  numbers the page shows before anything is drawn.

Each figure is the median of 3 runs (the first run also warms imports; it is left out).
"""
from __future__ import annotations

import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import matplotlib  # noqa: E402

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.render.print_map import indicator_print, render  # noqa: E402
from jmdiq_geo.services.maps import describe_indicator_map  # noqa: E402
from jmdiq_geo.services.profile import area_profile  # noqa: E402
from jmdiq_geo.services.profile_report import profile_report_pdf  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def timed(fn, runs: int = 3) -> tuple[float, object]:
    fn()                                                   # warm-up (imports, fonts)
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    settings = Settings.from_env()
    with Workspace(settings.db_path, read_only=True) as ws:
        ind = ws.meta()["default_indicator"]
        level = ws.lowest_level()
        period = ws.periods(indicator_id=ind, level=level)[-1]

        def our_map():
            d = describe_indicator_map(ws, indicator_id=ind, period=period, settings=settings)
            return render(indicator_print(ws, d), "pdf", paper="A4"), len(d.layer.areas)

        d = describe_indicator_map(ws, indicator_id=ind, period=period, settings=settings)
        fills = indicator_print(ws, d).fill
        areas = d.layer.areas

        def bare_map():
            fig = Figure(figsize=(11.69, 8.27))
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            areas.plot(ax=ax, color=fills, edgecolor="white", linewidth=0.25)
            ax.set_axis_off()
            buf = io.BytesIO()
            fig.savefig(buf, format="pdf")
            return buf.getvalue()

        t_map, (pdf, n) = timed(our_map)
        t_bare, bare = timed(bare_map)
        print(f"A4 map PDF of {n} areas: {t_map:.2f} s ({len(pdf) / 1e6:.2f} MB); bare matplotlib PDF of the "
              f"same polygons: {t_bare:.2f} s ({len(bare) / 1e6:.2f} MB); ratio {t_map / t_bare:.1f}×  (target ≤ 3 s)")

        plr = ws.area_names(level)
        bzr_level = ws.levels_in_order()[1]
        bzr = ws.area_names(bzr_level)
        west = bzr.loc[bzr["name"] == "Moabit West", "area_id"]
        ids = plr.loc[plr["parent_id"] == west.iloc[0], "area_id"].tolist() if len(west) else plr["area_id"][:2].tolist()

        def profile_one():
            return profile_report_pdf(ws, level=level, area_ids=ids[:1], settings=settings)[0]

        def profile_two():
            return profile_report_pdf(ws, level=level, area_ids=ids[:2], settings=settings)[0]

        def steckbrief_data():
            return area_profile(ws, level=level, area_id=ids[0], settings=settings)

        t_one, one = timed(profile_one)
        t_two, two = timed(profile_two)
        t_base, _ = timed(steckbrief_data)
        print(f"Quartiersprofil PDF (one area, cold layers): {t_one:.2f} s ({len(one) / 1e6:.2f} MB); "
              f"two compared: {t_two:.2f} s; the Steckbrief's data alone: {t_base:.2f} s; "
              f"ratio {t_one / t_base:.1f}×  (target ≤ 5 s)")


if __name__ == "__main__":
    main()
