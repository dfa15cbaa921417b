"""What the job runner keeps (``services/jobs.py``): a collected job is forgotten at once, a
finished job nobody collected after ``keep_seconds``, a running one never; and the step
callback of the builds as a job's progress."""
import threading

import pytest

from jmdiq_geo.services.jobs import JobRunner, steps

#: the runner and its steps, no workspace: skipped as not applicable in the PostgreSQL pass
pytestmark = pytest.mark.backend_free


@pytest.fixture
def runner():
    r = JobRunner(workers=1)
    yield r
    r.shutdown()


def test_a_collected_job_is_forgotten_a_running_one_is_not(runner):
    release = threading.Event()
    running = runner.submit("wartet", lambda *, progress: release.wait(10))
    runner.forget(running.job_id)
    assert runner.get(running.job_id) is running          # still running: kept
    release.set()
    assert running.wait(10)
    runner.forget(running.job_id)
    assert runner.get(running.job_id) is None
    assert running.outcome() is True                      # the caller's object keeps its result


def test_finished_jobs_nobody_collects_are_dropped_after_keep_seconds(runner):
    runner.keep_seconds = 3600.0
    done = runner.submit("fertig", lambda *, progress: b"%PDF-" * 1000)
    assert done.wait(10)
    assert runner.get(done.job_id) is done
    runner.keep_seconds = 0.0                             # its time is up
    release = threading.Event()
    running = runner.submit("läuft", lambda *, progress: release.wait(10))
    assert runner.get(done.job_id) is None
    assert runner.get(running.job_id) is running and not running.done
    release.set()
    assert running.wait(10)


def test_the_build_steps_become_fractions_and_messages():
    seen = []
    step = steps(lambda fraction, message: seen.append((fraction, message)))
    for i in range(4):
        step(i, 4, f"Schritt {i + 1}")
    assert seen == [(0.25, "Schritt 1"), (0.5, "Schritt 2"), (0.75, "Schritt 3"), (1.0, "Schritt 4")]
    labelled = steps(lambda fraction, message: seen.append((fraction, message)),
                     lambda i, total, label: f"{i + 1}/{total}: {label}")
    labelled(0, 2, "lor.gpkg")
    assert seen[-1] == (0.5, "1/2: lor.gpkg")
    assert steps(None) is None
