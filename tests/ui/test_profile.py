"""The profile section (``jmdiq_geo.ui.profile.render_profile``) in Streamlit's AppTest with the
profile service patched to a small plain profile: heading, hierarchy, the indicator table with
numbers, class labels, ranks and reasons as the page language writes them, programmes, services,
youth centres and sources."""
from datetime import date

import numpy as np
import pandas as pd
import pytest

import jmdiq_geo.ui.profile as profile_ui
from jmdiq_geo.i18n import t
from jmdiq_geo.services.profile import Profile
from tests.fixtures.apptest import run_section, texts
from tests.services.test_participation_reports import pinned  # noqa: F401 (a fixture)


def section(compact):
    from jmdiq_geo.ui.profile import render_profile

    render_profile(1.0, "plr", "01000002", compact=compact)


def small_profile() -> Profile:
    indicators = pd.DataFrame([
        # a count, a rate, a class and a hidden value
        {"indicator_id": "ew", "label_de": "Einwohner:innen", "label_en": "Residents", "unit": "Personen",
         "kind": "extensive", "period": date(2024, 12, 31), "value": 12345.0, "value_label_de": None,
         "value_label_en": None, "reason": None, "district": 250000.0, "city": 3897145.0, "rank": 17, "n": 542},
        {"indicator_id": "quote", "label_de": "Arbeitslosenquote", "label_en": "Unemployment rate", "unit": "%",
         "kind": "intensive", "period": date(2024, 12, 31), "value": 7.25, "value_label_de": None,
         "value_label_en": None, "reason": None, "district": 6.5, "city": np.nan, "rank": np.nan, "n": 542},
        {"indicator_id": "mss_status", "label_de": "Statusindex", "label_en": "Status index", "unit": None,
         "kind": "class", "period": date(2020, 12, 31), "value": 1.0, "value_label_de": "hoch",
         "value_label_en": "high", "reason": None, "district": np.nan, "city": np.nan, "rank": np.nan, "n": 542},
        {"indicator_id": "klein", "label_de": "Kleine Zahl", "label_en": None, "unit": "Personen",
         "kind": "extensive", "period": date(2024, 12, 31), "value": np.nan, "value_label_de": None,
         "value_label_en": None, "reason": "small_area", "district": 10.0, "city": 100.0, "rank": np.nan, "n": 542},
    ])
    return Profile(level="plr", area_id="01000002", name="Süd-Straße", area_km2=0.01,
                   hierarchy=[("bzr", "A", "Bezirk A"), ("bezirk", "01", "Mitte")], indicators=indicators,
                   programmes=pd.DataFrame({"name": ["QM Nord"], "programme": ["Quartiersmanagement"],
                                            "share_of_area": [0.456]}),
                   services=pd.DataFrame({"category": ["jugendfreizeit", "kita"], "inside": [1, 0], "nearby": [3, 2]}),
                   youth_centres=pd.DataFrame({"name": ["Jugendclub Ost"], "address": [None], "capacity": [1200.0],
                                               "inside": [True]}),
                   attributions=["Amt für Statistik Berlin-Brandenburg, CC BY 3.0 DE", "Testamt, CC BY 4.0"])


@pytest.fixture
def asked(monkeypatch):
    """``cached_profile`` patched to the small profile; the areas asked for recorded."""
    calls = []
    monkeypatch.setattr(profile_ui, "cached_profile", lambda *key: calls.append(key) or small_profile())
    monkeypatch.setattr(profile_ui, "sessions_in_area", lambda ws, level, area_id: [])
    monkeypatch.setattr(profile_ui, "workspace", lambda: None)
    return calls


def test_profile_in_german(asked):
    at = run_section(section, False)
    assert asked == [(1.0, "plr", "01000002")]
    assert texts(at.subheader) == ["Süd-Straße (01000002)"]
    assert texts(at.caption)[0] == "Bezirk A (A) · Mitte (01) · 0,01 km²"
    table = at.table[0].value
    assert table.index.tolist() == ["Einwohner:innen", "Arbeitslosenquote", "Statusindex", "Kleine Zahl"]
    value, district, city, rank = (t(k, "de") for k in ("col_value", "col_district", "col_city", "tt_rank"))
    # counts without decimals and without the unit "Personen", rates with one decimal and their unit
    assert table.loc["Einwohner:innen", [value, district, city, rank]].tolist() == \
        ["12.345", "250.000", "3.897.145", t("rank_of", "de", rank=17, n=542)]
    assert table.loc["Arbeitslosenquote", [value, district, city, rank]].tolist() == ["7,2 %", "6,5", "–", "–"]
    assert table.loc["Statusindex", value] == "hoch"                                # the class by its name
    assert table.loc["Kleine Zahl", value] == t("reason_small_area", "de")         # why it is hidden
    assert table.loc["Einwohner:innen", t("col_period", "de")] == "31.12.2024"
    programmes, services, youth = (tb.value for tb in at.table[1:])
    assert programmes.loc["QM Nord", t("profile_share", "de")] == "46 %"
    assert services.loc[t("cat_jugendfreizeit", "de"), t("profile_nearby", "de")] == 3
    assert youth.loc["Jugendclub Ost", t("profile_places", "de")] == "1.200"
    assert youth.loc["Jugendclub Ost", t("tt_address", "de")] == "–"
    assert youth.loc["Jugendclub Ost", t("profile_where", "de")] == t("profile_inside", "de")
    assert texts(at.caption)[-1] == t("profile_sources", "de", sources="Amt für Statistik Berlin-Brandenburg, "
                                                                        "CC BY 3.0 DE; Testamt, CC BY 4.0")


def test_profile_in_english_compact(asked):
    at = run_section(section, True, lang="en")
    table = at.table[0].value
    # English labels where there are some, the German one where not
    assert table.index.tolist() == ["Residents", "Unemployment rate", "Status index", "Kleine Zahl"]
    assert table.loc["Residents", t("col_value", "en")] == "12,345"
    assert table.loc["Unemployment rate", t("col_value", "en")] == "7.2 %"
    assert table.loc["Status index", t("col_value", "en")] == "high"
    assert table.loc["Residents", t("col_period", "en")] == "2024-12-31"
    # without a name of the workspace, the whole is "Whole city"
    assert table.loc["Residents", t("col_city", "en")] == "3,897,145"
    # compact (two areas side by side): no youth-centre table
    assert len(at.table) == 3
    assert t("profile_youth_centres", "en") not in " ".join(texts(at.markdown))


def test_the_steckbrief_shows_participation_only_where_k_people_pinned(tiny_ws, pinned, monkeypatch):
    """The Steckbrief names the session over the area and, per category, only the places with at
    least k people (as the profile PDF): area 0 has one (three people say something is missing),
    area 1 only two people (nothing of it shown)."""
    from tests.services.test_participation_reports import _area
    from jmdiq_geo.services.participation_results import sessions_in

    monkeypatch.setattr(profile_ui, "cached_profile", lambda *key: small_profile())
    monkeypatch.setattr(profile_ui, "workspace", lambda: tiny_ws)
    for i in (0, 1):
        monkeypatch.setattr(profile_ui, "sessions_in_area", lambda ws, level, area_id, i=i: sessions_in(ws, _area(ws, i)))
        at = run_section(section, False)
        shown = texts(at.caption)
        assert any("Jugendclub Mittwoch" in c for c in shown)
        # the source line names the session as the profile PDF does
        summary = sessions_in(tiny_ws, _area(tiny_ws, i))[0]
        assert summary.attribution and summary.attribution in shown[-1]
        if i == 0:
            table = at.table[-1].value
            pins = tiny_ws.participation_pins(pinned.session_id)
            here = pins[(pins["category"] == "missing") & (pins["x"] // 100 * 100 == 390000)]
            label = next(c["de"] for c in pinned.categories if c["id"] == "missing")
            assert table.index.tolist() == [label]
            assert table.iloc[0].tolist()[-1] == str(len(here))
        else:
            assert t("part_report_nothing_here", "de", k=3) in shown


def test_the_whole_is_named_as_the_workspace_names_itself(monkeypatch):
    """A Gemeinde starter or the germany workspace is no "Gesamtstadt": the column is the
    workspace's own name."""
    from dataclasses import replace

    monkeypatch.setattr(profile_ui, "cached_profile", lambda *key: replace(small_profile(), city_name="Deutschland"))
    monkeypatch.setattr(profile_ui, "sessions_in_area", lambda ws, level, area_id: [])
    monkeypatch.setattr(profile_ui, "workspace", lambda: None)
    table = run_section(section, False).table[0].value
    assert t("col_city", "de") not in table.columns
    assert table.loc["Einwohner:innen", "Deutschland"] == "3.897.145"
