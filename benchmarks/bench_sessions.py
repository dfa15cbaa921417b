"""Many sessions at once: page runs of the Karte and Mikroprojekte pages under load.

    .venv/bin/python benchmarks/bench_sessions.py [--db WORKSPACE] [--sessions 20] [--seconds 60]

Starts the app on 127.0.0.1 (single-user mode) with the workspace (default: the Berlin demo,
built into a temporary folder first), then drives ``--sessions`` light clients at once: each is a
client of Streamlit's own websocket protocol (``tests/e2e/streamlit_wire.py``: a rerun, then the
forward messages until the run has finished), not a browser, so the 2-core machine measures the
server and not 20 Chromiums. Each session alternates the Karte and Mikroprojekte pages until
``--seconds`` have passed. Printed: page runs, errors (a failed connection, a timeout or a
traceback on the page), median and 95th percentile time per page run, the server's peak memory
(VmHWM), and the same figures for one session alone measured first in the same run, after one untimed
run of each page that fills the caches (the
baseline: ratio = p95 under load ÷ p95 alone). The issue's target: no errors, p95 ≤ 2 s with 20
sessions.
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


async def _load(url: str, sessions: int, seconds: float) -> tuple[dict, list]:
    times: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: list[str] = []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(_session(url, until, times, errors) for _ in range(sessions)))
    return times, errors


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _line(name: str, times: dict, errors: list) -> str:
    every = [t for v in times.values() for t in v]
    per_page = "; ".join(f"{p} median {statistics.median(v):.2f} s" for p, v in times.items() if v)
    return (f"{name}: {len(every)} page runs, {len(errors)} errors; median {statistics.median(every):.2f} s, "
            f"p95 {_p95(every):.2f} s ({per_page})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            from jmdiq_geo.services.city import build_workspace, load_manifest, manifest_path
            settings = Settings.from_env()
            db = Path(tmp) / "berlin.duckdb"
            print("building the Berlin demo workspace …", flush=True)
            build_workspace(load_manifest(manifest_path("berlin"), data_root=settings.data_root),
                            settings=settings.with_(db_path=db))
        with serve(db) as url:
            pid = _server_pid(url.rsplit(":", 1)[1])
            asyncio.run(_warm_up(url))          # the first run of a page fills the caches: not timed
            alone = asyncio.run(_load(url, 1, min(args.seconds, 30)))
            start_mb = _memory_mb(pid, "VmRSS")
            loaded = asyncio.run(_load(url, args.sessions, args.seconds))
            peak_mb = _memory_mb(pid)
    print(f"the app on loopback, workspace {db.name}; pages {', '.join(PAGES)} in turn; {args.seconds:.0f} s")
    print("  " + _line("1 session (baseline)", *alone))
    print("  " + _line(f"{args.sessions} sessions at once", *loaded))
    every_alone = [t for v in alone[0].values() for t in v]
    every = [t for v in loaded[0].values() for t in v]
    if every and every_alone:
        print(f"  ratio p95 under load / p95 alone: {_p95(every) / _p95(every_alone):.1f}×   (target: p95 ≤ 2 s, no errors)")
    print(f"  server memory: {start_mb or 0:.0f} MB after the baseline, peak {peak_mb or 0:.0f} MB")
    for e in sorted(set(loaded[1] + alone[1]))[:10]:
        print("  error:", e)


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
