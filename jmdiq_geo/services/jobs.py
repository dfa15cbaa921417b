"""Heavy work beside the pages: a small pool of worker threads that runs a job (an access run, a
PDF report, the annual annex) while the page that asked for it goes on, and reports its progress.

A page's script run should take a fraction of a second, because every session of the app shares
the server's interpreter; a job of tens of seconds inside it holds that session's page and, for its
Python parts, slows everybody else's. ``JobRunner.submit`` returns at once with a ``Job``; the page
shows ``job.progress`` while ``job.done`` is false (polling, e.g. ``st.fragment(run_every=…)``)
and then ``job.result`` or ``job.error``. At most ``workers`` jobs run at the same time (the rest
wait in order), so a dozen users asking for reports do not crowd out the pages.

The job runs in the caller's context (``contextvars``): the actor the services authorise
(``services.auth``) is the one who asked. Whoever creates a runner owns it (the app keeps one in
``st.cache_resource``; tests make their own) and ends it with ``shutdown``.
"""
from __future__ import annotations

import contextvars
import itertools
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

Progress = Callable[[float, str], None]


@dataclass
class Job:
    """One piece of work and what is known about it (read by any thread; written by its worker)."""
    job_id: int
    label: str
    fraction: float = 0.0
    message: str = ""
    result: Any = None
    error: BaseException | None = None
    started: float | None = None
    finished: float | None = None
    submitted: float = field(default_factory=time.monotonic)
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def waiting(self) -> bool:
        """Submitted but not started (all workers busy)."""
        return self.started is None and not self.done

    @property
    def progress(self) -> tuple[float, str]:
        return self.fraction, self.message

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job is done (for the CLI and tests; pages poll instead)."""
        return self._done.wait(timeout)

    def outcome(self) -> Any:
        """The result; the job's error raised again."""
        if not self.done:
            raise RuntimeError(f"job {self.job_id} ({self.label}) has not finished")
        if self.error is not None:
            raise self.error
        return self.result


def steps(progress: Progress | None, text: Callable[[int, int, str], str] | None = None):
    """A job's ``progress(fraction, message)`` as the step callback the builds take,
    ``step(i, total, label)`` (step ``i`` of ``total`` has started; ``text`` makes the message,
    else the label); None for None."""
    if progress is None:
        return None

    def step(i: int, total: int, label: str) -> None:
        progress(min(1.0, (i + 1) / total) if total else 0.0, text(i, total, label) if text else label)
    return step


class JobRunner:
    """A bounded pool of workers for jobs, and the jobs of the last while by id."""

    def __init__(self, workers: int = 2, *, keep: int = 200, keep_seconds: float = 900.0):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jmdiq-job")
        self._jobs: OrderedDict[int, Job] = OrderedDict()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.keep = keep
        #: a finished job nobody collected (its page was closed) is dropped after this long: it
        #: may hold a report of megabytes
        self.keep_seconds = keep_seconds

    def submit(self, label: str, work: Callable[..., Any], *args, **kwargs) -> Job:
        """Run ``work(*args, progress=…, **kwargs)`` in a worker: ``progress(fraction, message)``
        updates the job. Returns the job at once."""
        job = Job(next(self._ids), label)
        context = contextvars.copy_context()          # the actor (and language) of the caller

        def progress(fraction: float, message: str = "") -> None:
            job.fraction, job.message = min(max(float(fraction), 0.0), 1.0), message

        def run() -> None:
            job.started = time.monotonic()
            try:
                job.result = context.run(work, *args, progress=progress, **kwargs)
                job.fraction = 1.0
            except BaseException as exc:              # kept for the page; the worker lives on
                job.error = exc
            finally:
                job.finished = time.monotonic()
                job._done.set()
        with self._lock:
            self._jobs[job.job_id] = job
            self._drop_stale()
            while len(self._jobs) > self.keep:
                oldest = next(iter(self._jobs.values()))
                if not oldest.done:
                    break
                self._jobs.popitem(last=False)
        self._pool.submit(run)
        return job

    def _drop_stale(self) -> None:
        """Forget the jobs that finished more than ``keep_seconds`` ago (lock held)."""
        limit = time.monotonic() - self.keep_seconds
        for job_id in [i for i, j in self._jobs.items() if j.finished is not None and j.finished < limit]:
            del self._jobs[job_id]

    def get(self, job_id: int | None) -> Job | None:
        with self._lock:
            self._drop_stale()
            return self._jobs.get(job_id) if job_id is not None else None

    def forget(self, job_id: int) -> None:
        """Drop a finished job whose result has been collected (its page shows or keeps it)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job.done:
                del self._jobs[job_id]

    def running(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if not j.done]

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
