"""Heavy work beside the pages (``services/jobs.py``): a job runs in a worker while the caller
goes on, reports progress, keeps its error for the page, runs as the actor who asked, and no
more jobs run at once than the runner has workers."""
import threading
import time
from contextvars import copy_context

import pytest

from jmdiq_geo.errors import InputError, Problem
from jmdiq_geo.services.auth import Actor, act_as, current_actor
from jmdiq_geo.services.jobs import JobRunner


@pytest.fixture
def runner():
    r = JobRunner(workers=2)
    yield r
    r.shutdown()


@pytest.mark.backend_free
def test_the_caller_goes_on_while_the_job_runs_and_sees_its_progress(runner):
    release, reached = threading.Event(), threading.Event()

    def work(n, *, progress):
        progress(0.5, "halb")
        reached.set()
        release.wait(10)
        return sum(range(n))
    job = runner.submit("Summe", work, 1000)
    assert reached.wait(10)
    assert not job.done and job.progress == (0.5, "halb")        # submit returned; the job is running
    with pytest.raises(RuntimeError):
        job.outcome()
    release.set()
    assert job.wait(10) and job.outcome() == sum(range(1000)) and job.fraction == 1.0
    assert runner.get(job.job_id) is job and runner.running() == []


@pytest.mark.backend_free
def test_an_error_is_kept_for_the_page_and_the_worker_lives_on(runner):
    def fails(*, progress):
        raise InputError(Problem("not_aggregatable", {"indicator": "x"}))
    bad = runner.submit("kaputt", fails)
    bad.wait(10)
    assert isinstance(bad.error, InputError)
    with pytest.raises(InputError):
        bad.outcome()
    good = runner.submit("heil", lambda *, progress: 42)
    assert good.wait(10) and good.outcome() == 42


@pytest.mark.backend_free
def test_the_job_acts_as_who_asked():
    runner = JobRunner(workers=1)
    try:
        def ask():
            act_as(Actor("eva", "editor", "test"))
            return runner.submit("wer", lambda *, progress: current_actor())
        job = copy_context().run(ask)                 # the asking page's context, not this test's
        assert job.wait(10) and job.outcome() == Actor("eva", "editor", "test")
        assert current_actor() != Actor("eva", "editor", "test")
    finally:
        runner.shutdown()


@pytest.mark.backend_free
def test_no_more_jobs_at_once_than_workers(runner):
    lock, now, most = threading.Lock(), [0], [0]

    def work(*, progress):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.05)
        with lock:
            now[0] -= 1
        return True
    jobs = [runner.submit(f"j{i}", work) for i in range(6)]
    assert all(j.wait(10) for j in jobs) and all(j.outcome() for j in jobs)
    assert most[0] == 2
    assert all(j.started >= j.submitted and j.finished >= j.started for j in jobs)
