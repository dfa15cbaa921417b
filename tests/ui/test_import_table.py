"""The Import page's indicator table in Streamlit's AppTest, on a small city that is not Berlin:
without chosen columns every column holding numbers is taken, a wide table's years become its
periods (no period field), the preview shows the values as they will be stored, and the kinds
table gives a rate its denominator."""
import shutil
from datetime import date
from types import SimpleNamespace

import pytest
import streamlit as st

from jmdiq_geo.i18n import t
from jmdiq_geo.services.workspace import open_workspace
from tests.fixtures.apptest import run_page, texts
from tests.fixtures.other_city import build_other_city

WIDE = ("Nr;Junge_2022;Junge_2024;Anteil Neu 2022;Anteil Neu 2024\n"
        "01;100;120;10,5;12,5\n02;70;80;20,0;30,25\n03;140;150;7,5;8,0\n04;90;95;15,0;17,5\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_other_city(tmp_path_factory.mktemp("teststadt_import"))


@pytest.fixture
def city(built, tmp_path, monkeypatch):
    db = tmp_path / "teststadt.duckdb"
    shutil.copy(built, db)
    monkeypatch.setenv("JMDIQ_DB", str(db))
    upload = {"files": None}
    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader",
                        lambda label, **k: upload["files"] if k.get("key") == "import_files" else real(label, **k))
    yield db, upload
    st.cache_resource.clear()


def test_a_wide_table_without_chosen_columns(city):
    db, upload = city
    at = run_page("import", state={"import_kind": "indicators"})
    upload["files"] = [SimpleNamespace(name="jugend_breit.csv", getvalue=lambda: WIDE.encode())]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="imp_key").set_value("Nr").run()
    assert not at.exception and not at.error
    periods = "31.12.2022, 31.12.2024"
    assert t("import_periods_in_table", "de", shape=t("import_shape_wide", "de"), periods=periods) in texts(at.caption)
    assert not [d for d in at.date_input if d.key == "imp_period"]          # the table carries its periods
    preview = at.dataframe[1].value
    assert set(preview[t("map_indicator", "de")]) == {"junge", "anteil_neu"}
    assert set(preview[t("import_column", "de")]) == {"Junge_2022", "Junge_2024", "Anteil Neu 2022", "Anteil Neu 2024"}
    at.text_input(key="imp_src_licence").input("dl-de/by-2-0").run()
    at.button(key="import_run").click().run()
    assert not at.exception and not at.error, texts(at.error)
    ws = open_workspace(db)
    kinds = dict(zip(ws.indicators()["indicator_id"], ws.indicators()["kind"]))
    assert kinds["anteil_neu"] == "intensive" and kinds["junge"] == "extensive"   # new: guessed; known: kept
    assert ws.values("junge", period=date(2022, 12, 31), level="ubz").to_dict() == {"01": 100, "02": 70, "03": 140,
                                                                                    "04": 90}
    got = ws.values("anteil_neu", period=date(2024, 12, 31), level="ubz").to_dict()
    assert got == {"01": 12.5, "02": 30.25, "03": 8.0, "04": 17.5}
    assert ws.values("anteil_neu", period=date(2022, 12, 31), level="ubz")["02"] == 20.0
    ws.close()


PLAIN = "Nr;Junge\n01;100\n02;70\n03;140\n04;90\n"
TITLED = "Junge Menschen nach Unterbezirken, Stand: Juni 2023\n" + PLAIN


def _upload(at, upload, name: str, text: str):
    upload["files"] = [SimpleNamespace(name=name, getvalue=lambda: text.encode())]
    at.run()
    at.selectbox(key="imp_key").set_value("Nr").run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_plain_table_offers_the_period_its_title_names(city):
    """"Stand: Juni 2023" above the header: the period field holds 30.06.2023, said to come from
    the title row; the import stores the values at that date. A second file without a title but
    with a year in its name sets the field anew."""
    db, upload = city
    at = run_page("import", state={"import_kind": "indicators"})
    _upload(at, upload, "junge.csv", TITLED)
    assert at.date_input(key="imp_period").value == date(2023, 6, 30)
    assert t("import_period_from_title", "de", date="30.06.2023") in texts(at.caption)
    at.text_input(key="imp_src_licence").input("dl-de/by-2-0").run()
    at.button(key="import_run").click().run()
    assert not at.exception and not at.error, texts(at.error)
    ws = open_workspace(db)            # (the page's connection is open: the same mode)
    assert ws.values("junge", period=date(2023, 6, 30), level="ubz").to_dict() == {"01": 100, "02": 70, "03": 140,
                                                                                   "04": 90}
    ws.close()
    _upload(at, upload, "junge_2019.csv", PLAIN)
    assert at.date_input(key="imp_period").value == date(2019, 12, 31)
    assert t("import_period_from_file", "de", date="31.12.2019") in texts(at.caption)


def test_a_plain_table_without_a_period_waits_for_one(city):
    """No date in the title, no year in the name: the field is empty, the page asks for the date
    and neither check nor import can start (no made-up date is taken)."""
    db, upload = city
    at = run_page("import", state={"import_kind": "indicators"})
    _upload(at, upload, "junge.csv", PLAIN)
    assert at.date_input(key="imp_period").value is None
    assert t("import_period_give", "de") in texts(at.caption)
    at.text_input(key="imp_src_licence").input("dl-de/by-2-0").run()
    assert at.button(key="import_run").disabled and at.button(key="import_check").disabled
    at.date_input(key="imp_period").set_value(date(2025, 12, 31)).run()
    assert not at.button(key="import_run").disabled


def test_the_census_from_the_import_page(city, nationwide_root):
    """The kind "Zensus 2022" reads no file: one button cuts the nationwide grids to the city and
    gives every area of both levels its residents (the two levels add up to the same)."""
    db, _ = city
    at = run_page("import", state={"import_kind": "zensus"})
    assert t("zensus_intro", "de") in texts(at.markdown) and not at.file_uploader
    at.button(key="zensus_run").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert texts(at.success)[0].startswith("Zensus 2022 übernommen")
    ws = open_workspace(db)
    quarters = ws.values("zensus_ew", period=date(2022, 5, 15), level="ubz")
    districts = ws.values("zensus_ew", period=date(2022, 5, 15), level="sb")
    assert len(quarters) == 4 and len(districts) == 2 and quarters.sum() > 1000
    assert districts.sum() == pytest.approx(quarters.sum())
    assert ws.meta()["zensus"] == "true"
    ws.close()
    at = run_page("import", state={"import_kind": "zensus"})
    assert t("zensus_again", "de") in texts(at.caption)


def test_the_census_can_replace_the_residents_the_workspace_has(city, nationwide_root):
    db, _ = city
    ws = open_workspace(db)
    with ws.transaction():
        ws.set_meta(population_indicator="junge")
    ws.close()
    at = run_page("import", state={"import_kind": "zensus"})
    box = at.checkbox(key="zensus_residents")
    assert not box.value and "„Junge Menschen“" in box.label
    box.check().run()
    at.button(key="zensus_run").click().run()
    assert not at.exception and not at.error, texts(at.error)
    ws = open_workspace(db)
    assert ws.meta()["population_indicator"] == "zensus_ew"
    ws.close()
