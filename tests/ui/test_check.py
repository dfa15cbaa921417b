"""The result section of *Quartier prüfen* (``jmdiq_geo.ui.check.show_results``) in Streamlit's
AppTest, the services it calls patched to plain data: the figures as the page language writes
them, one message and one table per rule set, the downloads."""
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import jmdiq_geo.ui.check as check
from jmdiq_geo.config import Settings
from jmdiq_geo.i18n import t
from tests.fixtures.apptest import run_section, texts

X0, Y0 = 390000, 5820000
MIN = Settings.from_env().min_residents


def section(results):
    from jmdiq_geo.ui.check import show_results

    show_results(1.0, results)


class FakeWorkspace:
    work_crs = "EPSG:25833"

    def lowest_level(self):
        return "plr"

    def top_level(self):
        return "bzr"

    def areas(self, level):
        return gpd.GeoDataFrame({"area_id": [level]}, geometry=[shapely.box(X0, Y0, X0 + 400, Y0 + 100)],
                                crs="EPSG:25833")

    def context_areas(self):       # the print's outlines: no Kreis or Land around
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:25833")


def checked(label, verdict, criteria, *, population=12345.4, share_partial=0.25, methods=None, too_small=False,
            grids=None):
    """A check result (what ``run_check`` returns) with its plain form as ``result_to_dict`` gives it."""
    numbers = SimpleNamespace(population=population, share_partial=share_partial,
                              methods=methods or {"full": 2, "dasymetric": 1},
                              weights=SimpleNamespace(table=pd.DataFrame()), too_small=too_small)
    plain = {"verdict": verdict, "ruleset": {"label": label}, "reason": f"Begründung {label}",
             "criteria": [{"label": c, "status": s, "reason": r} for c, s, r in criteria], "grids": grids}
    return SimpleNamespace(numbers=numbers, attributions=["Testamt, CC BY 4.0"], plain=plain,
                           quarter=SimpleNamespace(geometry=shapely.box(X0, Y0, X0 + 200, Y0 + 100), label="Testkiez"))


@pytest.fixture
def patched(monkeypatch):
    """The workspace, the result's plain form, the map and the PDF patched; the calls recorded."""
    calls = {"pdf": [], "map": [], "folium": []}
    monkeypatch.setattr(check, "workspace", FakeWorkspace)
    monkeypatch.setattr(check, "result_to_dict", lambda result, lang="de": {**result.plain, "lang": lang})
    monkeypatch.setattr(check, "quarter_map", lambda *a, **k: calls["map"].append(k) or "map")
    monkeypatch.setattr(check, "st_folium", lambda m, **k: calls["folium"].append((m, k)))
    monkeypatch.setattr(check, "readable", lambda m, version, **k: calls["map"].append(("readable", k)))
    monkeypatch.setattr(check, "quarter_png", lambda *a: b"\x89PNG")
    monkeypatch.setattr(check, "justification_pdf", lambda dicts, **k: calls["pdf"].append((dicts, k)) or b"%PDF-1.4")
    return calls


def test_results_in_german(patched):
    results = [checked("Regeln A", "met", [("Arbeitslosenquote", "met", "12,0 % > 9,6 %"),
                                           ("Programmgebiet", "unknown", "keine Daten")]),
               checked("Regeln B", "not_met", [("Kinderarmut", "not_met", "3,0 % < 5,0 %")])]
    at = run_section(section, results)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {t("check_population_estimated", "de"): "12.345", t("check_partial", "de"): "25 %",
                       "km²": "0,02"}
    assert texts(at.success) == [f"**Regeln A: {t('verdict_met', 'de')}** — Begründung Regeln A"]
    assert texts(at.error) == [f"**Regeln B: {t('verdict_not_met', 'de')}** — Begründung Regeln B"]
    assert not at.warning                                     # no area fell back to its surface share
    first, second = (table.value for table in at.table)
    assert first.index.name == t("col_indicator", "de")
    assert first.to_dict("index") == {
        "Arbeitslosenquote": {t("check_outcome", "de"): t("verdict_met", "de"), t("check_reason", "de"): "12,0 % > 9,6 %"},
        "Programmgebiet": {t("check_outcome", "de"): t("verdict_unknown", "de"), t("check_reason", "de"): "keine Daten"}}
    assert second[t("check_outcome", "de")].tolist() == [t("verdict_not_met", "de")]
    # the downloads: the PDF of both rule sets in the page's language, and the JSON
    assert [b.label for b in at.get("download_button")] == [t("export_download", "de"), t("check_pdf", "de"),
                                                           t("check_json", "de")]
    [(dicts, kwargs)] = patched["pdf"]
    assert [d["ruleset"]["label"] for d in dicts] == ["Regeln A", "Regeln B"] and kwargs["lang"] == "de"
    assert kwargs["map_png"] == b"\x89PNG"
    assert patched["folium"][0][0] == "map" and patched["map"][0]["lang"] == "de"


def test_results_in_english_with_exact_population_and_a_fallback_warning(patched):
    results = [checked("Rules A", "unknown", [("Programme area", "unknown", "no data")], population=4321.0,
                       share_partial=0.0, methods={"full": 3, "area": 2})]
    at = run_section(section, results, lang="en")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {t("check_population", "en"): "4,321", t("check_partial", "en"): "0 %", "km²": "0.02"}
    assert texts(at.info) == [f"**Rules A: {t('verdict_unknown', 'en')}** — Begründung Rules A"]
    assert texts(at.warning) == [t("check_fallback", "en", n=2)]
    assert patched["pdf"][0][1]["lang"] == "en"


GRIDS = {"lines": [{"role": "residents", "label": "Einwohner:innen (Raster)", "text": "1.234"},
                   {"role": "foreigners", "label": "Personen mit ausländischer Staatsangehörigkeit (Raster)",
                    "text": "321"},
                   {"role": "foreigners_share", "label": "Anteil (Raster)", "text": "26,0 %"}],
         "weighting_text": "Einwohner:innen aus „1 km“, verteilt auf den bewohnten Teil."}


def test_grid_lines_and_the_weighting_are_shown(patched):
    """Residents from the grids only (no share from partly covered areas): the foreign citizens
    take the second metric; the grid lines are a table and the weighting is said below it."""
    at = run_section(section, [checked("Regeln A", "unknown", [("Arbeitslosenquote", "unknown", "Rolle fehlt")],
                                       population=1234.0, share_partial=float("nan"), grids=GRIDS)])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[t("check_population_estimated", "de")] == "1.234"
    assert metrics["Personen mit ausländischer Staatsangehörigkeit (Raster)"] == "321"
    grid_table = at.table[0].value
    assert grid_table[t("check_value", "de")].tolist() == ["1.234", "321", "26,0 %"]
    assert GRIDS["weighting_text"] in texts(at.caption)


def test_a_small_quarter_shows_no_population(patched):
    at = run_section(section, [checked("Regeln A", "unknown", [("X", "unknown", "–")], population=120.0,
                                       too_small=True)])
    assert {m.label: m.value for m in at.metric}[t("check_population_estimated", "de")] == \
        t("check_population_small", "de", n=MIN)
    assert t("check_too_small", "de", n=MIN) in texts(at.warning)
