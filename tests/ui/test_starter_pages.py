"""Every page on a Gemeinde starter (one area, context outlines, grids, three indicators) in
Streamlit's AppTest: no exception, the Karte draws the Gemeinde with the BKG and Zensus sources."""
import shutil

import pyarrow as pa
import pytest

from tests.fixtures.apptest import page_text, run_page
from tests.ui.test_other_city_pages import PAGES

pytestmark = pytest.mark.realdata


@pytest.fixture
def starter(heidelberg_starter, tmp_path, monkeypatch):
    db = tmp_path / "hd.duckdb"
    shutil.copy(heidelberg_starter[0], db)
    monkeypatch.setenv("JMDIQ_DB", str(db))
    return db


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_a_gemeinde_starter(starter, page):
    at = run_page(page)
    assert not at.exception, (page, [e.value for e in at.exception])
    text = page_text(at)
    assert "Traceback" not in text
    if page == "karte":
        assert "jmdiq-legend" in text and "GeoBasis-DE / BKG" in text and "Zensus 2022" in text


def test_the_steckbrief_of_the_only_gemeinde_compares_it_with_nothing(starter):
    """One area is the whole: no second area to compare, no city column, no "1 von 1"."""
    from jmdiq_geo.i18n import t

    at = run_page("steckbrief")
    assert not at.exception
    assert not [w for w in at.toggle if w.label == t("profile_compare", "de")]
    headers = [str(c) for table in at.table for c in table.value.columns]
    assert t("col_value", "de") in headers
    assert t("tt_rank", "de") not in headers and "Heidelberg" not in headers
    # the trend: the Gemeinde's line alone, not a city line that repeats it
    (chart,) = at.get("vega_lite_chart")
    series = {s for d in chart.proto.datasets for s in pa.ipc.open_stream(d.data.data).read_pandas()["series"]}
    assert series == {"Heidelberg (08221000)"}


def test_hot_spots_on_the_only_gemeinde_say_why_not_in_the_page_language(starter):
    from jmdiq_geo.i18n import t

    at = run_page("hotspots")
    assert not at.exception
    text = " ".join(e.value for e in at.error).replace("\\", "")       # (markdown escapes taken out)
    assert t("err_hotspot_not_possible_why", "de") in text and t("err_analysis_hotspot_too_few", "de") in text
    assert t("err_analysis_hotspot_too_few", "en") not in text
