"""The Daten page's forms for indicator roles and a rate's denominator (``jmdiq_geo.ui.roles_form``)
and the Prüfen page's upload of a rule set of one's own (``jmdiq_geo.ui.rules_upload``), in
Streamlit's AppTest on a small city that is not Berlin: what the forms offer, what a save writes
(read back through the services), the toast, and errors as messages, never a traceback."""
import shutil
from types import SimpleNamespace
from pathlib import Path

import pytest
import streamlit as st

import jmdiq_geo.ui.roles_form as roles_form
from jmdiq_geo.analysis.roles import ROLES, role_label
from jmdiq_geo.errors import Problem, SchemaError
from jmdiq_geo.i18n import t
from jmdiq_geo.services.catalogue import (check_rule_sets, remove_rule_set, rule_set_names, store_rule_set,
                                          stored_rule_sets)
from jmdiq_geo.services.workspace import open_workspace
from tests.fixtures.apptest import page_text, run_page, run_section, shown_table, texts
from tests.fixtures.other_city import OWN_INDEX, build_other_city

RULES = """
[ruleset]
id = "eigene_regeln"
label_de = "Eigene Regeln"
label_en = "Own rules"

[[criteria]]
id = "neu"
type = "compare_city"
label_de = "Viele Neuzugewanderte"
role = "target_group_share"

[[paths]]
label_de = "Viele Neuzugewanderte"
criteria = ["neu"]
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_other_city(tmp_path_factory.mktemp("teststadt_roles"))


@pytest.fixture
def city(built, tmp_path, monkeypatch):
    """A fresh copy of the small city for each test, as the app's workspace."""
    db = tmp_path / "teststadt.duckdb"
    shutil.copy(built, db)
    monkeypatch.setenv("JMDIQ_DB", str(db))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield db
    st.cache_resource.clear()          # the app's connection to the copy is closed with the cache


def roles_section():
    import streamlit as st

    from jmdiq_geo.services.roles import indicator_roles
    from jmdiq_geo.ui.roles_form import roles_form, show_toast
    from jmdiq_geo.ui.state import workspace

    show_toast()
    roles_form()
    st.session_state["out"] = indicator_roles(workspace())



def test_roles_are_offered_saved_and_read_back(city):
    at = run_section(roles_section, state={"check_result": "an old check"})
    selects = {s.key: s for s in at.selectbox}
    assert [selects[f"role_{r}"].label for r in ROLES] == [role_label(r, "de") for r in ROLES]
    first = selects["role_residents"]
    assert first.options == ["—", "Anteil Neuzugewanderte", "Junge Menschen"]
    assert first.value == ""                                      # nothing mapped yet
    assert at.session_state["out"] == {}
    at.selectbox(key="role_target_group").set_value("junge")
    at.selectbox(key="role_target_group_share").set_value("neu_anteil")
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["out"] == {"target_group": "junge", "target_group_share": "neu_anteil"}
    assert texts(at.toast) == [t("roles_done", "de", n=2, total=len(ROLES))]
    assert "check_result" not in at.session_state                # a check of the old mapping is forgotten
    # a role given up again
    at.selectbox(key="role_target_group").set_value("")
    at.button[0].click().run()
    assert at.session_state["out"] == {"target_group_share": "neu_anteil"}


def test_a_mapping_is_the_preset_and_the_labels_are_english(city):
    ws = open_workspace(city)
    from jmdiq_geo.services.roles import set_indicator_roles
    set_indicator_roles(ws, {"residents": "junge"})
    ws.close()
    at = run_section(roles_section, lang="en")
    select = at.selectbox(key="role_residents")
    assert select.label == "Residents"
    assert select.value == "junge"
    assert select.options == ["—", "Share of newcomers", "Young people"]


def test_a_refused_mapping_is_a_message(city, monkeypatch):
    def refuse(ws, mapping):
        raise SchemaError(Problem("role_indicator_unknown", {"role": "residents", "indicator": "weg"}))
    monkeypatch.setattr(roles_form, "set_indicator_roles", refuse)
    at = run_section(roles_section)
    at.selectbox(key="role_residents").set_value("junge")
    at.button[0].click().run()
    assert not at.exception
    [error] = texts(at.error)
    assert t("err_role_indicator_unknown", "de", role="residents", indicator="weg") in error
    assert not at.toast


def test_the_daten_page_sets_a_denominator_and_shows_it(city):
    at = run_page("daten")
    assert not at.exception
    assert at.selectbox(key="denominator_rate").options == ["Anteil Neuzugewanderte"]
    count = at.selectbox(key="denominator_count_neu_anteil")
    assert count.options == ["—", "Junge Menschen"] and count.value == ""
    count.set_value("junge")
    at.button(key="denominator_save").click().run()
    assert not at.exception
    assert texts(at.toast) == [t("denominator_done", "de", rate="Anteil Neuzugewanderte", count="Junge Menschen")]
    table = shown_table(next(d for d in at.dataframe if t("col_denominator", "de") in shown_table(d).columns))
    row = table[table[t("tt_id", "de")] == "neu_anteil"].iloc[0]
    assert row[t("col_denominator", "de")] == "junge"
    assert at.selectbox(key="denominator_count_neu_anteil").value == "junge"
    # and taken away again
    at.selectbox(key="denominator_count_neu_anteil").set_value("")
    at.button(key="denominator_save").click().run()
    assert not at.exception
    table = shown_table(next(d for d in at.dataframe if t("col_denominator", "de") in shown_table(d).columns))
    assert table[table[t("tt_id", "de")] == "neu_anteil"].iloc[0][t("col_denominator", "de")] in (None, "", "–")


def test_roles_section_on_the_daten_page(city):
    at = run_page("daten", lang="en")
    assert not at.exception
    assert "Indicator roles" in page_text(at)
    assert at.selectbox(key="role_unemployment_share").label == "Unemployment (share)"


# --------------------------------------------------------------------------- rule sets of one's own

def test_a_rule_set_is_stored_offered_and_removed(city):
    ws = open_workspace(city)
    key, ruleset = store_rule_set(ws, RULES.encode(), file="eigen.toml")
    assert key == "ws:eigene_regeln" and ruleset.label_en == "Own rules"
    assert list(check_rule_sets(ws)) == [*rule_set_names(), key]
    store_rule_set(ws, RULES.replace("Eigene Regeln", "Meine Regeln"), file="eigen2.toml")     # same id: replaced
    assert [r.label_de for r in stored_rule_sets(ws).values()] == ["Meine Regeln"]
    remove_rule_set(ws, key)
    assert stored_rule_sets(ws) == {}
    ws.close()


@pytest.mark.parametrize("data, code", [(b"[ruleset\nid = 1", "ruleset_syntax"), ("\xff".encode("latin-1"), "ruleset_encoding"),
                                        (RULES.replace('criteria = ["neu"]', 'criteria = ["alt"]'), "rule_path_unknown"),
                                        (RULES.replace('role = "target_group_share"', 'role = "gibtsnicht"'),
                                         "rule_role_unknown")])
def test_a_bad_rule_set_is_refused_with_its_problems(city, data, code):
    ws = open_workspace(city)
    with pytest.raises(SchemaError) as err:
        store_rule_set(ws, data, file="eigen.toml")
    assert code in [p.code for p in err.value.problems]
    assert all(p.file == "eigen.toml" for p in err.value.problems)
    assert stored_rule_sets(ws) == {}
    ws.close()


def uploaded(name, data):
    return SimpleNamespace(file_id=f"id-{name}-{len(data)}", name=name, getvalue=lambda: data)


def test_the_pruefen_page_takes_an_uploaded_rule_set(city, monkeypatch):
    upload = {"file": None}
    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader",
                        lambda label, **k: upload["file"] if k.get("key") == "check_rules_file" else real(label, **k))
    at = run_page("pruefen")
    shipped = at.multiselect(key="check_rules").options
    upload["file"] = uploaded("kaputt.toml", b"[ruleset\n")
    at.run()
    assert not at.exception
    [error] = texts(at.error)
    assert t("check_rules_refused", "de") in error and "kaputt.toml" in error
    assert at.multiselect(key="check_rules").options == shipped
    upload["file"] = uploaded("eigen.toml", RULES.encode())
    at.run()
    assert not at.exception and not at.error and not at.warning
    assert texts(at.success) == [t("check_rules_stored", "de", file="eigen.toml")]
    chosen = at.multiselect(key="check_rules")
    # its role is not mapped yet: offered, marked as having no data here (the verdict below)
    assert chosen.options[-1] == f"Eigene Regeln ({t('check_rules_own', 'de')}) – {t('check_rules_no_data', 'de')}"
    assert "ws:eigene_regeln" in chosen.value
    # the check runs it as a shipped one: without the role mapped, its criterion is unknown
    chosen.set_value(["ws:eigene_regeln"])
    at.radio(key="check_source").set_value("areas")
    at.run()
    at.multiselect(key="check_areas").set_value(["01", "02"])
    at.run()
    at.button(key="check_run").click().run()
    assert not at.exception
    [verdict] = [m.value for m in at.info if m.value.startswith("**")]
    assert verdict.startswith(f"**Eigene Regeln: {t('verdict_unknown', 'de')}**")
    # kept in the workspace: a new session offers it too, and it can be removed
    upload["file"] = None
    at = run_page("pruefen")
    assert at.multiselect(key="check_rules").options[-1].startswith("Eigene Regeln")
    at.button(key="check_rules_remove").click().run()
    assert not at.exception and not at.warning
    assert at.multiselect(key="check_rules").options == shipped


def test_cli_check_runs_the_rule_sets_uploaded_into_the_workspace(city, capsys):
    from jmdiq_geo.cli import main as cli_main

    ws = open_workspace(city)
    store_rule_set(ws, RULES.encode(), file="eigen.toml")
    ws.close()
    assert cli_main(["--lang", "de", "check", "--db", str(city), "--area", "01,02"]) == 0
    out = capsys.readouterr().out
    assert f"Eigene Regeln: {t('verdict_unknown', 'de')}" in out       # with the shipped ones
    assert cli_main(["--lang", "de", "check", "--db", str(city), "--area", "01", "--rules", "eigene_regeln"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Eigene Regeln: {t('verdict_unknown', 'de')}")
    assert cli_main(["--lang", "de", "check", "--db", str(city), "--area", "01", "--rules", "gibtsnicht"]) == 2
    assert "gibtsnicht" in capsys.readouterr().err


# --------------------------------------------------------------------------- index definitions of one's own



def test_an_uploaded_index_definition_resolves_roles_and_is_stored(city):
    from jmdiq_geo.services.catalogue import store_index_file, usable_indices
    from jmdiq_geo.services.roles import set_indicator_roles

    ws = open_workspace(city)
    with pytest.raises(SchemaError) as err:          # the role is not mapped yet: nothing stored
        store_index_file(ws, OWN_INDEX.encode(), file="neu.toml")
    assert [p.code for p in err.value.problems] == ["index_role_unmapped"] and err.value.problems[0].file == "neu.toml"
    assert "neu_index" not in usable_indices(ws, on_unusable=lambda exc: None)
    set_indicator_roles(ws, {"target_group_share": "neu_anteil"})
    definition = store_index_file(ws, OWN_INDEX.encode(), file="neu.toml")
    assert definition.indicator_ids() == ["neu_anteil"] and definition.level == "ubz"
    assert usable_indices(ws, on_unusable=lambda exc: None)["neu_index"] == definition
    ws.close()


def test_the_indizes_page_takes_an_uploaded_index_definition(city, monkeypatch):
    from jmdiq_geo.services.roles import set_indicator_roles

    ws = open_workspace(city)
    set_indicator_roles(ws, {"target_group_share": "neu_anteil"})
    ws.close()
    upload = {"file": None}
    real = st.file_uploader
    monkeypatch.setattr(st, "file_uploader",
                        lambda label, **k: upload["file"] if k.get("key") == "index_upload_file" else real(label, **k))
    at = run_page("indizes")
    assert not at.exception
    upload["file"] = uploaded("kaputt.toml", b"[index\n")
    at.run()
    [error] = texts(at.error)
    assert t("index_upload_refused", "de") in error and "kaputt.toml" in error
    upload["file"] = uploaded("neu.toml", OWN_INDEX.encode())
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key="index_definition").value == "neu_index"
    assert texts(at.success) == [t("index_upload_stored", "de", file="neu.toml")]


def test_a_rule_set_is_changed_as_text_and_saved_as_the_workspaces_own(city):
    at = run_page("pruefen")
    assert not at.exception
    at.selectbox(key="check_rules_edit_choice").set_value("paragraf_171e").run()
    area = at.text_area(key="check_rules_edit_text_paragraf_171e")
    shipped = (Path(__file__).resolve().parents[2] / "data" / "rules" / "paragraf_171e.toml").read_text(encoding="utf-8")
    assert area.value == shipped
    area.set_value(shipped + "\n[[broken").run()
    at.button(key="check_rules_edit_save").click().run()
    [error] = texts(at.error)
    assert t("check_rules_refused", "de") in error and "paragraf_171e.toml" in error
    ws = open_workspace(city)
    assert stored_rule_sets(ws) == {}
    ws.close()
    changed = shipped.replace('label_de = "', 'label_de = "Geändert: ', 1)
    at.text_area(key="check_rules_edit_text_paragraf_171e").set_value(changed).run()
    at.button(key="check_rules_edit_save").click().run()
    assert not at.exception and not at.error
    ws = open_workspace(city)
    [(key, ruleset)] = stored_rule_sets(ws).items()
    ws.close()
    assert ruleset.label_de.startswith("Geändert: ") and key in at.multiselect(key="check_rules").value
    assert texts(at.success)[-1].startswith(t("check_rules_edit_saved", "de", label="")[:10])
