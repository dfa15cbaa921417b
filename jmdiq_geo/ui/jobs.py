"""Heavy work off the page's script run (``services/jobs.py``): the app's one job runner, a job
started for this session under a key, and its progress shown by a fragment that polls itself.

A page starts a job with ``start(key, …)`` and asks ``finished(key, text)`` on every run: while
the job runs, that draws a progress bar which updates itself every second without rerunning the
page (``st.fragment(run_every=…)``) and returns None; when the job is done, the page reruns once
and ``finished`` returns the job (and forgets it), whose ``outcome()`` the page shows or keeps.
Other sessions are not held up: the job runs in one of the runner's worker threads.
"""
from __future__ import annotations

import streamlit as st

from jmdiq_geo.services.jobs import Job, JobRunner
from jmdiq_geo.ui.state import tr

#: jobs at the same time in the whole app (the machine has two cores; pages need one)
WORKERS = 2


@st.cache_resource
def job_runner() -> JobRunner:
    """The app's job runner (one per process, shared by every session)."""
    return JobRunner(workers=WORKERS)


def start(key: str, label: str, work, *args, **kwargs) -> Job:
    """Run ``work(*args, progress=…, **kwargs)`` as this session's job ``key`` (a job still
    running under the key is left to finish; its result is not shown)."""
    job = job_runner().submit(label, work, *args, **kwargs)
    st.session_state[key] = job.job_id
    return job


def finished(key: str, text: str, *, steps: str | None = None) -> Job | None:
    """This session's job ``key`` once it is done (forgotten then: shown once); while it runs, a
    progress bar with ``text`` and None. ``steps``: the catalogue prefix of the job's progress
    messages (e.g. ``acc_step_``), else they are shown as sent."""
    job = job_runner().get(st.session_state.get(key))
    if job is None:
        st.session_state.pop(key, None)
        return None
    if job.done:
        del st.session_state[key]
        job_runner().forget(job.job_id)       # collected: the runner need not keep its result
        return job
    _progress(key, text, steps)
    return None


@st.fragment(run_every=1.0)
def _progress(key: str, text: str, steps: str | None) -> None:
    job = job_runner().get(st.session_state.get(key))
    if job is None or job.done:
        st.rerun()                        # the whole page, which shows the result
    fraction, message = job.progress
    if message and steps:
        message = tr(steps + message)
    if job.waiting:                       # every worker busy: it starts when one is free
        message = tr("job_waiting")
    st.progress(fraction, text=text + (f" ({message})" if message else ""))
