"""Many sessions at once: page runs of the Karte and Mikroprojekte pages under load.

    .venv/bin/python benchmarks/bench_sessions.py [--db WORKSPACE] [--sessions 20] [--browsers 5] [--seconds 60]

Starts the app on 127.0.0.1 (single-user mode) with the workspace (``--db``: anything ``JMDIQ_DB``
accepts, a DuckDB file or a database URL, handed to the app as it is; default: the Berlin demo,
built into a temporary folder first), then drives ``--sessions`` light clients at once: each is a
client of Streamlit's own websocket protocol (``tests/e2e/streamlit_wire.py``: a rerun, then the
forward messages until the run has finished), not a browser, so the 2-core machine measures the
server and not 20 Chromiums. Each session alternates the Karte and Mikroprojekte pages until
``--seconds`` have passed, without pause. Beside them, in the same run, ``--browsers`` real
browser tabs (Debian's Chromium through Playwright, one context each) open the Karte again and
again and time it from navigation until the map's 542 polygons are drawn.

Printed: page runs, errors (a failed connection, a timeout or a traceback on the page), median
and 95th percentile time per page run, the browsers' drawn-map times, the server's peak memory
(VmHWM), and the same figures for one session alone (and one browser alone) measured first in
the same run, after one untimed run of each page that fills the caches (the baseline: ratio =
p95 under load ÷ p95 alone). The issue's target: no errors, p95 ≤ 2 s with 20 sessions.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jmdiq_geo.config import Settings  # noqa: E402
from tests.e2e.conftest import serve  # noqa: E402
from tests.e2e.streamlit_wire import Session  # noqa: E402

PAGES = ("karte", "mikroprojekte")
CHROMIUM = "/usr/bin/chromium"
#: the Karte's map is drawn: its iframe holds the polygons of the areas (more than 500 of Berlin's 542)
MAP_DRAWN = ("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
             " f.contentDocument.querySelectorAll('path.leaflet-interactive').length > 500)")


def _server_pid(port: str) -> int | None:
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in b" ".join(cmd) and port.encode() in cmd:
            return int(proc.name)
    return None


def _memory_mb(pid: int | None, field: str = "VmHWM") -> float | None:
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return None


async def _session(url: str, until: float, times: dict, errors: list) -> None:
    try:
        async with Session(url) as s:
            await s.run()
            i = 0
            while time.perf_counter() < until:
                page = PAGES[i % len(PAGES)]
                start = time.perf_counter()
                try:
                    run = await s.run(page=page, timeout=120)
                except (TimeoutError, OSError) as exc:
                    errors.append(f"{page}: {type(exc).__name__}")
                    return
                times[page].append(time.perf_counter() - start)
                errors.extend(f"{page}: {e}" for e in run.exceptions)
                i += 1
    except OSError as exc:
        errors.append(f"connect: {exc}")


async def _warm_up(url: str) -> None:
    async with Session(url) as s:
        await s.run()
        for page in PAGES:
            await s.run(page=page, timeout=300)


async def _browser(browser, url: str, until: float, drawn: list, errors: list) -> None:
    """One browser tab: open the Karte until the map is drawn, then the Mikroprojekte page, again
    and again; the drawn-map times."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    page = await context.new_page()
    try:
        while time.perf_counter() < until:
            start = time.perf_counter()
            await page.goto(url + "/karte", wait_until="commit")
            await page.wait_for_function(MAP_DRAWN, timeout=180000, polling=100)
            drawn.append(time.perf_counter() - start)
            await page.goto(url + "/mikroprojekte", wait_until="commit")
            await page.get_by_role("heading", name="Mikroprojekte und Netzwerk").wait_for(timeout=180000)
    except Exception as exc:          # a timeout or a crashed tab: counted, the others go on
        errors.append(f"browser: {type(exc).__name__}: {str(exc)[:120]}")
    finally:
        await context.close()


async def _load(url: str, sessions: int, seconds: float, browsers: int = 0) -> tuple[dict, list, list]:
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: list[str] = []
    drawn: list[float] = []
    until = time.perf_counter() + seconds
    clients = [_session(url, until, times, errors) for _ in range(sessions)]
    if not browsers:
        await asyncio.gather(*clients)
        return times, errors, drawn
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        await asyncio.gather(*clients, *(_browser(browser, url, until, drawn, errors) for _ in range(browsers)))
        await browser.close()
    return times, errors, drawn


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _line(name: str, times: dict, errors: list, drawn: list | None = None) -> str:
    every = [t for v in times.values() for t in v]
    per_page = "; ".join(f"{p} median {statistics.median(v):.2f} s, p95 {_p95(v):.2f} s"
                         for p, v in times.items() if v)
    line = (f"{name}: {len(every)} page runs, {len(errors)} errors; median {statistics.median(every):.2f} s, "
            f"p95 {_p95(every):.2f} s ({per_page})" if every else f"{name}: {len(errors)} errors")
    if drawn:
        line += (f"; browsers: {len(drawn)} Karte loads, map drawn after median {statistics.median(drawn):.2f} s, "
                 f"p95 {_p95(drawn):.2f} s")
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a workspace as JMDIQ_DB takes it (a DuckDB file or a URL)")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--browsers", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
            settings = Settings.from_env()
            db = str(Path(tmp) / "berlin.duckdb")
            print("building the Berlin demo workspace …", flush=True)
            build_workspace(load_manifest(manifest_path("berlin"), data_root=settings.data_root),
                            settings=settings.with_(db_path=Path(db)))
        # the app gets the value as it is; the server's log goes into the temporary folder
        with serve(Path(tmp) / "app", extra_env={"JMDIQ_DB": db}) as url:
            pid = _server_pid(url.rsplit(":", 1)[1])
            asyncio.run(_warm_up(url))          # the first run of a page fills the caches: not timed
            alone = asyncio.run(_load(url, 1, min(args.seconds, 30)))
            browser_alone = asyncio.run(_load(url, 0, min(args.seconds, 20), 1)) if args.browsers else None
            start_mb = _memory_mb(pid, "VmRSS")
            loaded = asyncio.run(_load(url, args.sessions, args.seconds, args.browsers))
            peak_mb = _memory_mb(pid)
    name = db.rsplit("@", 1)[-1] if "://" in db else Path(db).name
    print(f"the app on loopback, workspace {name}; pages {', '.join(PAGES)} in turn, no pause; {args.seconds:.0f} s")
    print("  " + _line("1 session (baseline)", *alone))
    if browser_alone:
        print("  " + _line("1 browser alone (baseline)", *browser_alone))
    print("  " + _line(f"{args.sessions} sessions + {args.browsers} browsers at once", *loaded))
    every_alone = [t for v in alone[0].values() for t in v]
    every = [t for v in loaded[0].values() for t in v]
    if every and every_alone:
        print(f"  ratio p95 under load / p95 alone: {_p95(every) / _p95(every_alone):.1f}×   (target: p95 ≤ 2 s, no errors)")
    print(f"  server memory: {start_mb or 0:.0f} MB after the baseline, peak {peak_mb or 0:.0f} MB")
    for e in sorted(set(loaded[1] + alone[1] + (browser_alone[1] if browser_alone else [])))[:10]:
        print("  error:", e)


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
