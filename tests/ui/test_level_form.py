"""The level of a boundary import (``jmdiq_geo.ui.level_form``) in Streamlit's AppTest: the
workspace's levels plus "Neue Ebene …" (the only choice without levels), the new level's fields,
and the ``LevelSpec`` the import gets from them; the edition's date (empty: undated)."""
from datetime import date

import pandas as pd

from jmdiq_geo.config import UNDATED_EDITION
from jmdiq_geo.i18n import t
from jmdiq_geo.services.imports import LevelSpec
from tests.fixtures.apptest import run_section, texts

NONE = pd.DataFrame({"level": [], "label_de": [], "label_en": []})
TWO = pd.DataFrame({"level": ["ubz", "sb"], "label_de": ["Unterbezirk", "Stadtbezirk"],
                    "label_en": ["Sub-district", "District"]})


def section(levels):
    import streamlit as st

    from jmdiq_geo.ui.level_form import level_select, new_level_spec

    chosen = level_select(st.container(), levels, st.session_state.get("lang", "de"))
    st.session_state["out"] = (chosen, new_level_spec(levels))


def test_without_levels_a_new_level_is_the_only_choice():
    at = run_section(section, NONE)
    [select] = [s for s in at.selectbox if s.key == "imp_boundary_level"]
    assert select.options == [t("import_new_level", "de")]
    assert at.session_state["out"] == (None, None)                  # no name yet: nothing to import
    assert t("import_level_label_needed", "de") in texts(at.caption)
    parent = at.selectbox(key="imp_new_level_parent")
    assert parent.options == [t("import_level_on_top", "de")]
    at.text_input(key="imp_new_level_de").input("Unterbezirk").run()
    assert at.session_state["out"] == ("unterbezirk", LevelSpec("unterbezirk", "Unterbezirk"))
    at.text_input(key="imp_new_level_id").input("ubz").run()
    at.text_input(key="imp_new_level_en").input("Sub-district").run()
    assert at.session_state["out"] == ("ubz", LevelSpec("ubz", "Unterbezirk", label_en="Sub-district"))


def test_with_levels_the_new_one_lies_below_the_smallest_or_on_top():
    at = run_section(section, TWO)
    select = at.selectbox(key="imp_boundary_level")
    assert select.options == ["Unterbezirk", "Stadtbezirk", t("import_new_level", "de")]
    assert at.session_state["out"] == ("ubz", None)                 # an existing level: nothing to create
    select.set_value("__new__").run()
    assert at.selectbox(key="imp_new_level_parent").options == [t("import_level_on_top", "de"), "Unterbezirk"]
    at.text_input(key="imp_new_level_de").input("Block").run()
    at.selectbox(key="imp_new_level_parent").set_value("ubz").run()
    assert at.session_state["out"] == ("block", LevelSpec("block", "Block", parent_level="ubz"))
    # an id the workspace has, or one that cannot be an id: a warning, and nothing to import
    at.text_input(key="imp_new_level_id").input("sb").run()
    assert at.session_state["out"] == (None, None)
    assert texts(at.warning) == [t("import_level_exists", "de", level="sb")]
    at.text_input(key="imp_new_level_id").input("Stadt teil").run()
    assert texts(at.warning) == [t("import_level_id_bad", "de", level="Stadt teil")]


def test_umlauts_in_the_label_make_a_plain_id():
    at = run_section(section, NONE, state={"imp_new_level_de": "Stadtteil Süd-Ost"})
    assert at.session_state["out"][0] == "stadtteil_sued_ost"


def test_in_english():
    at = run_section(section, TWO, lang="en", state={"imp_boundary_level": "__new__"})
    assert at.selectbox(key="imp_boundary_level").options == ["Sub-district", "District", "New level …"]
    assert at.selectbox(key="imp_new_level_parent").options == ["— (on top)", "Sub-district"]


def boundary_form():
    import streamlit as st

    from jmdiq_geo.ui.import_form import spec_form

    levels = st.session_state["levels"]
    st.session_state["out"] = spec_form("boundaries", ["nr", "name"], levels, set(), "de")


def test_a_boundary_edition_without_a_date_holds_for_every_period():
    """The date the edition is valid from stays empty unless the user sets it: the boundaries are
    undated (as on the command line), so tables of any period find their areas."""
    at = run_section(boundary_form, state={"levels": TWO})
    assert at.date_input(key="imp_valid_from").value is None
    assert at.session_state["out"].valid_from == UNDATED_EDITION
    at.date_input(key="imp_valid_from").set_value(date(2019, 1, 1)).run()
    assert at.session_state["out"].valid_from == "2019-01-01"
