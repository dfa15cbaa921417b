"""Start the real app on a free port with a copy of the Berlin workspace; drive it in Debian's
Chromium (Playwright with executable_path=/usr/bin/chromium; never `playwright install`).
Every request that leaves the app's host is aborted and recorded: pages must work offline."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path | str, extra_env: dict | None = None, address: str = "127.0.0.1", log_dir: Path | None = None):
    """Run the app on a free port with workspace ``db`` (a file, or a PostgreSQL URL with
    ``log_dir``; single-user on 127.0.0.1 unless ``extra_env`` says otherwise); yields its URL."""
    port = _free_port()
    env = {**os.environ, "JMDIQ_DB": str(db), "JMDIQ_AUTH": "single", **(extra_env or {})}
    log_path = (log_dir or Path(db).parent) / f"streamlit-{port}.log"
    log = log_path.open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--server.fileWatcherType", "none", "--server.address", address],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("the app did not start: " + log_path.read_text(errors="replace")[-2000:])
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _chromium_or_skip() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it)")


@pytest.fixture(scope="session")
def app_url(berlin_db, tmp_path_factory):
    _chromium_or_skip()
    db = tmp_path_factory.mktemp("app") / "berlin.duckdb"
    shutil.copy(berlin_db, db)
    with serve(db) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    _chromium_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic"])
        yield b
        b.close()


@pytest.fixture(scope="session")
def warm_app(browser, app_url):
    """Open the start page once, so the first test does not wait for the app's first run."""
    pg = browser.new_page()
    pg.goto(app_url, wait_until="networkidle")
    pg.get_by_role("heading", name="Sozialraumanalyse – Übersicht").wait_for(timeout=60000)
    pg.close()
    return app_url


@contextmanager
def offline_page(browser, app_url: str):
    """A German browser page on ``app_url`` that aborts and records every request leaving the
    app's host (``pg.outside_requests``) and records script errors (``pg.page_errors``)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    pg = context.new_page()
    host = urlparse(app_url).netloc
    pg.outside_requests = []
    pg.page_errors = []

    def route(r):
        if urlparse(r.request.url).netloc == host:
            return r.continue_()
        pg.outside_requests.append(r.request.url)
        return r.abort()
    pg.route("**/*", route)
    pg.on("pageerror", lambda e: pg.page_errors.append(str(e)))
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def page(browser, warm_app):
    with offline_page(browser, warm_app) as pg:
        yield pg


def shot_dir() -> Path:
    out = ROOT / "out" / "e2e"
    out.mkdir(parents=True, exist_ok=True)
    return out
