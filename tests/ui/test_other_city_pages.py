"""Every page on a workspace that is not Berlin (a small city built with the services, as the app
builds one) and on a new, empty workspace, in Streamlit's AppTest: no exception, nothing that
names Berlin or its Planungsräume, and a message where the workspace lacks what a page needs.
Also the Übersicht's form that starts a new workspace without a file."""
import pyogrio
import pytest

from jmdiq_geo.i18n import format_date, t
from jmdiq_geo.config import Settings
from jmdiq_geo.services.new_city import nationwide_available, new_city
from tests.fixtures.apptest import page_text, run_page, texts
from tests.fixtures.other_city import CITY, build_other_city

PAGES = ["uebersicht", "karte", "steckbrief", "indizes", "hotspots", "pruefen", "zugang", "mikroprojekte", "praesentation",
         "import", "daten"]
#: words of the Berlin demo that another city's pages must not show
BERLIN_WORDS = ("Berlin", "Planungsr", "planning area", "Moabit", "LOR")


@pytest.fixture(scope="module")
def city_db(tmp_path_factory):
    return build_other_city(tmp_path_factory.mktemp("teststadt"))


@pytest.fixture
def city(city_db, monkeypatch):
    monkeypatch.setenv("JMDIQ_DB", str(city_db))
    return city_db


@pytest.fixture
def empty(tmp_path, monkeypatch):
    db = tmp_path / "leer.duckdb"
    new_city(db, name="Leerstadt").close()
    monkeypatch.setenv("JMDIQ_DB", str(db))
    return db


def clean(at, *, page: str) -> str:
    assert not at.exception, (page, [e.value for e in at.exception])
    text = page_text(at)
    assert "Traceback" not in text, page
    for word in BERLIN_WORDS:
        assert word not in text, (page, word)
    return text


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_another_city(city, page, lang):
    clean(run_page(page, lang=lang), page=page)


@pytest.mark.parametrize("page, state", [
    ("pruefen", {"check_source": "programme"}), ("pruefen", {"check_source": "drawn"}),
    ("pruefen", {"check_source": "file"}), ("zugang", {"access_section": "services"}),
    ("zugang", {"access_section": "edit"}), ("mikroprojekte", {"projects_section": "form"}),
    ("mikroprojekte", {"projects_section": "partners"}), ("mikroprojekte", {"projects_section": "network"}),
    ("mikroprojekte", {"projects_section": "exchange"}), ("mikroprojekte", {"projects_section": "activity"}),
    ("mikroprojekte", {"projects_section": "annex"}), ("karte", {"map_level": "sb"}),
    ("steckbrief", {"profile_level": "sb"}), ("import", {"import_kind": "indicators"})])
def test_every_section_of_another_city(city, page, state):
    clean(run_page(page, state=state), page=f"{page} {state}")


def test_map_and_profile_show_the_city_own_indicators(city):
    at = run_page("karte", state={"map_indicator": "neu_anteil"})
    text = clean(at, page="karte")
    assert texts(at.title) == [t("map_title", "de")]
    captions = texts(at.caption)
    # the share has no denominator: the page says why it stays on the smallest level
    assert t("map_rate_without_denominator", "de") in captions
    map_caption = next(c for c in captions if "4 von 4 Gebieten" in c)
    assert "Anteil Neuzugewanderte" in map_caption
    assert "jmdiq-legend" in text and "Anteil Neuzugewanderte" in text          # the map's legend
    at = run_page("steckbrief", state={"profile_level": "ubz", "profile_a_ubz": "02"})
    clean(at, page="steckbrief")
    assert texts(at.subheader)[0] == "Westerfilde (02)"
    assert texts(at.caption)[0].startswith("Ost (O) · ")                        # its Stadtbezirk
    # no role named yet: the profile shows every indicator the city has
    table = at.table[0].value
    assert table.loc["Junge Menschen", t("col_value", "de")] == "80"
    assert table.loc["Anteil Neuzugewanderte", t("col_value", "de")] == "30,2 %"
    # compared with its Stadtbezirk, named as this city names the level (a rate without its
    # denominator cannot be summed up there)
    assert table.loc["Junge Menschen", "Stadtbezirk"] == "175"
    assert table.loc["Anteil Neuzugewanderte", "Stadtbezirk"] == "–"
    assert t("profile_no_services", "de") in texts(at.caption)
    at = run_page("steckbrief", state={"profile_level": "ubz", "profile_a_ubz": "02"}, lang="en")
    assert "District" in at.table[0].value.columns


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_overview_names_boundaries_without_a_date_as_undated(city, lang):
    """Boundaries imported without a date hold for every period; the Übersicht says "ohne Datum"
    (not the stored 1900-01-01) and writes the periods as the language writes dates."""
    at = run_page("uebersicht", lang=lang)
    clean(at, page="uebersicht")
    levels, periods = at.table[0].value, at.table[1].value
    assert set(levels[t("col_editions", lang)]) == {t("edition_undated", lang)}
    assert "1900" not in page_text(at)
    assert list(periods[t("col_period", lang)]) == [format_date("2024-12-31", lang)]


def test_the_check_of_another_city_says_what_it_lacks(city):
    at = run_page("pruefen", state={"check_source": "areas", "check_areas": ["01", "02"]})
    at.button(key="check_run").click().run()
    clean(at, page="pruefen")
    assert at.info, "each rule set's verdict, unknown without the roles it needs"
    assert all(t("verdict_unknown", "de") in m.value for m in at.info if m.value.startswith("**"))


NEEDS_AREAS = {"karte", "steckbrief", "indizes", "hotspots", "pruefen", "zugang", "praesentation"}


def test_shipped_index_definitions_that_do_not_fit_are_folded_away(city):
    """Another city's Indizes page: the shipped definitions its data cannot serve are counted in
    a folded section, each with what it lacks, not in a box above everything."""
    from jmdiq_geo.services.catalogue import usable_indices
    from jmdiq_geo.store.workspace import Workspace

    lacking = []
    with Workspace(city) as ws:          # (the pages' connection may be open: the same mode)
        usable_indices(ws, on_unusable=lambda exc: lacking.extend(exc.problems))
    files = {p.file for p in lacking}
    assert files                                     # the Berlin MSS at least needs Berlin's indicators
    at = run_page("indizes")
    clean(at, page="indizes")
    [folded] = [e for e in at.expander if e.label == t("index_definitions_unusable", "de", n=len(files))]
    assert all(p.file in " ".join(texts(folded.info)) for p in lacking)



@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_a_new_empty_workspace(empty, page):
    at = run_page(page)
    clean(at, page=page)
    infos = texts(at.info)
    if page in NEEDS_AREAS:
        assert t("ui_no_areas_yet", "de") in infos
    if page == "uebersicht":
        assert t("overview_next_boundaries", "de") in infos
        assert texts(at.caption)[-1] == t("overview_crs_pending", "de")
    if page == "import":
        at.selectbox(key="import_kind").set_value("indicators").run()
        assert t("import_boundaries_first", "de") in texts(at.info)


def test_new_workspace_from_the_overview(tmp_path, monkeypatch):
    db = tmp_path / "neu" / "stadt.duckdb"
    monkeypatch.setenv("JMDIQ_DB", str(db))
    at = run_page("uebersicht")
    assert not at.exception
    # the form first, a Gemeinde or all of Germany from the nationwide layers (where the data root
    # has them); the Berlin demo is offered below
    starter = ([t("new_ws_gemeinde_title", "de"), t("new_ws_germany_title", "de")]
               if nationwide_available(Settings.from_env().data_root) else [])
    assert texts(at.subheader) == [t("new_ws_title", "de"), *starter, t("new_ws_demo_title", "de")]

    def submit(name, crs=""):
        at.text_input(key="new_ws_name").input(name)
        at.text_input(key="new_ws_crs").input(crs)
        next(b for b in at.button if b.label == t("new_ws_create", "de")).click()
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return " ".join(texts(at.error))

    # refusals are messages, and nothing is written
    assert t("err_city_name_missing", "de") in submit("  ")
    assert t("err_crs_not_metric", "de", crs="EPSG:4326") in submit(CITY, "EPSG:4326")
    assert t("err_crs_unknown", "de", crs="UTM 32") in submit(CITY, "UTM 32")
    assert not db.exists()
    assert submit(CITY, "EPSG:25832") == ""
    assert db.exists()
    at.run()
    assert [m.value for m in at.metric][:1] == [CITY]
    assert t("overview_next_boundaries", "de") in texts(at.info)
    assert texts(at.caption)[-1] == t("overview_crs", "de", crs="EPSG:25832")
    # the same name again, now that a workspace exists there: a message, not a traceback
    with pytest.raises(Exception) as refused:
        new_city(db, name=CITY)
    assert refused.value.problems[0].code == "workspace_exists"


@pytest.mark.realdata
def test_a_gemeinde_starter_from_the_overview(tmp_path, monkeypatch, nationwide_root):
    """A name that several Gemeinden share: the candidates with their Kreis, nothing written
    until one is chosen; then the starter is built and the Übersicht shows it."""
    db = tmp_path / "neu" / "gemeinde.duckdb"
    monkeypatch.setenv("JMDIQ_DB", str(db))
    monkeypatch.setenv("JMDIQ_DATA_ROOT", str(nationwide_root))
    at = run_page("uebersicht")
    at.text_input(key="new_ws_gemeinde").input("Mühlhausen").run()
    assert not at.exception, [e.value for e in at.exception]
    picker = at.selectbox(key="new_ws_gemeinde_ags")
    assert len(picker.options) == 3 and any("Rhein-Neckar-Kreis" in o for o in picker.options)
    assert picker.value is None and not db.exists()
    create = next(b for b in at.button if b.label == t("new_ws_gemeinde_create", "de"))
    assert create.disabled
    picker.set_value("08226054").run()
    next(b for b in at.button if b.label == t("new_ws_gemeinde_create", "de")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    # the build is a job beside the page (ui/jobs.py): the run that started it ends at once
    from jmdiq_geo.ui.jobs import job_runner
    job = job_runner().get(at.session_state["new_ws_job"])
    assert job is not None and job.label == "starter 08226054"
    assert job.wait(300) and job.error is None, job.error
    assert db.exists() and job.outcome().db_path == db
    at.run()                              # the run the finished job asks for: the new workspace
    assert not at.exception, [e.value for e in at.exception]
    assert "new_ws_job" not in at.session_state
    assert [m.value for m in at.metric][:1] == ["Mühlhausen"]


@pytest.mark.realdata
def test_the_germany_workspace_is_built_beside_the_overview(tmp_path, monkeypatch, nationwide_root):
    """The national build is a job: the run that starts it ends at once; while it runs, the
    Übersicht shows only its progress (another run of the page meanwhile draws the bar, not the
    forms); the run after it has finished opens the germany workspace."""
    from jmdiq_geo.ui.jobs import job_runner

    db = tmp_path / "de" / "germany.duckdb"
    monkeypatch.setenv("JMDIQ_DB", str(db))
    monkeypatch.setenv("JMDIQ_DATA_ROOT", str(nationwide_root))
    at = run_page("uebersicht")
    at.button(key="new_ws_germany_create").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = job_runner().get(at.session_state["new_ws_job"])
    assert job is not None and job.label == "germany workspace"
    # the click's run ended while the job ran (unless it was already done): the bar, no forms
    assert job.done or not [b for b in at.button if b.key == "new_ws_germany_create"]
    assert job.wait(300) and job.error is None, job.error
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "new_ws_job" not in at.session_state
    assert [m.value for m in at.metric][:1] == [t("starter_germany", "de")]
    gemeinden = pyogrio.read_info(nationwide_root / "germany" / "VG5000_GEM.shp")["features"]
    assert job.outcome().areas["gemeinde"] == gemeinden
