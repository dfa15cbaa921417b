"""Heavy work beside the page (``ui/jobs.py``) in AppTest on the Berlin demo workspace: the
annual annex is started by its button, the run that started it ends at once with a progress bar,
and the run after the job finished offers the files the service made."""
from __future__ import annotations

import pytest

from jmdiq_geo.config import Settings
from jmdiq_geo.services.annual import annex_pdf, annual_annex
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.apptest import run_page

pytestmark = pytest.mark.realdata


def test_the_annex_is_made_beside_the_page(berlin_db, monkeypatch):
    from jmdiq_geo.ui.jobs import job_runner

    monkeypatch.setenv("JMDIQ_DB", str(berlin_db))
    at = run_page("mikroprojekte", state={"projects_section": "annex", "annual_year": 2024})
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="annual_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = job_runner().get(at.session_state["annual_annex_job"])
    assert job is not None and job.label == "annual annex"
    assert job.wait(300)
    year, area, pdf, zipped = job.outcome()
    assert (year, area) == (2024, None) and pdf[:5] == b"%PDF-" and len(zipped) > 0
    at.run()                                          # the run the finished job asks for
    assert not at.exception, [e.value for e in at.exception]
    assert "annual_annex_job" not in at.session_state
    assert at.session_state["annual_annex_files"][:2] == (2024, None)
    with Workspace(berlin_db) as ws:         # (the page's connection is open: same mode) the service alone
        alone = annex_pdf(annual_annex(ws, year=2024, area_id=None, lang="de", settings=Settings.from_env()))
    assert len(alone) == pytest.approx(len(at.session_state["annual_annex_files"][2]), rel=0.05)
