"""The result of a walking-access run on *Einrichtungen und Zugang* (``jmdiq_geo.ui.access_results``)
in Streamlit's AppTest, the services it calls patched to plain data: the headline a working group
can quote, the report's figures, the area table beside the map, the downloads and what the
persona excluded."""
from datetime import date
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import jmdiq_geo.ui.access_results as results_ui
from jmdiq_geo.i18n import t
from tests.fixtures.apptest import run_section, shown_table, texts

X0, Y0 = 390000, 5820000


def section(nominal, effective):
    from jmdiq_geo.ui.access_results import show_result

    show_result(nominal, effective, 1.0)


class FakeWorkspace:
    work_crs = "EPSG:25833"

    def indicators(self):
        return pd.DataFrame({"indicator_id": ["jmd_zg", "ew_u6"], "label_de": ["Zielgruppe JMD", "Kinder unter 6"],
                             "label_en": ["JMD target group", "Children under 6"]})

    def areas(self, level):
        return gpd.GeoDataFrame({"area_id": ["a1", "a2", "a3"], "name": ["Nord", "Süd", "Mitte"], "source_id": "amt"},
                                geometry=[shapely.box(X0 + i * 100, Y0, X0 + (i + 1) * 100, Y0 + 100) for i in range(3)],
                                crs="EPSG:25833")

    def network_coverage(self):
        return shapely.box(X0, Y0, X0 + 200, Y0 + 100)

    def networks(self):
        return pd.DataFrame({"source_id": ["osm"]})

    def origins(self):
        return pd.DataFrame({"source_id": ["osm"]})

    def barriers(self, within=None):
        return pd.DataFrame({"source_id": []})

    def attributions(self, sources):
        return [f"Quelle {s}" for s in sources]

    def top_level(self):          # one level: no district outlines over the print
        return "plr"

    def context_areas(self):
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:25833")


def report(**over) -> dict:
    base = {"category": "jugendfreizeit", "level": "plr", "thresholds": (5, 10, 15), "has_capacity": False,
            "target_indicator": "jmd_zg", "target_period": date(2024, 12, 31), "demand_indicator": "jmd_zg",
            "origins": 2389, "origins_on_network": 2300, "origins_unreachable": 12, "services_on_network": 401,
            "services": 407, "detour_factor": 1.3456, "detour_calibrated": True, "detour_pairs": 5000,
            "share_beyond_all": 23.4, "share_beyond_network": 18.6,
            "services_off_network": ["Jugendclub am Rand", "Jugendfarm"], "services_excluded": 0,
            "services_kept_unknown": 0, "services_unknown_any": 0}
    base.update(over)
    return base


def run(report_, *, fit=None):
    return SimpleNamespace(result=SimpleNamespace(report=report_, origins=pd.DataFrame(), pairs=pd.DataFrame()),
                           services=pd.DataFrame({"source_id": ["jfe"]}), fit=fit)


AREA_TABLE = pd.DataFrame({"name": ["Nord", "Süd", "Mitte"], "share_beyond": [12.5, 80.25, None],
                           "median_min": [6.5, 17.0, None], "target_group": [1234.0, 56.0, None],
                           "method_label": ["Netz", "geschätzt", "–"], "area": ["a1", "a2", "a3"]})


@pytest.fixture
def patched(monkeypatch):
    calls = {"maps": [], "downloads": []}
    monkeypatch.setattr(results_ui, "workspace", FakeWorkspace)
    monkeypatch.setattr(results_ui, "area_table", lambda ws, access, lang: AREA_TABLE.copy())
    monkeypatch.setattr(results_ui, "access_map", lambda *a, **k: calls["maps"].append(k) or "map")
    monkeypatch.setattr(results_ui, "standalone_html", lambda m: "<html>offline</html>")
    monkeypatch.setattr(results_ui, "show_map", lambda m, **k: calls["maps"].append(("shown", k["key"])))
    monkeypatch.setattr(results_ui, "display_geometry_of", lambda version, level: None)
    # names, context and "zoom to" come from the shared map helpers (tested on the real workspace)
    monkeypatch.setattr(results_ui, "zoom_controls", lambda version, **k: (("bezirk", "01"), False))
    monkeypatch.setattr(results_ui, "readable", lambda m, version, **k: calls["maps"].append(("readable", k)))
    monkeypatch.setattr(results_ui, "table_downloads", lambda ws, access, lang: calls["downloads"].append(lang)
                        or (b"csv", b"gpkg"))
    monkeypatch.setattr(results_ui, "report_bytes", lambda access: b"{}")
    monkeypatch.setattr(results_ui, "excluded_services", lambda ws, access: pd.DataFrame(
        {"name": ["Jugendclub West"], "reasons": [["languages", "cost"]], "unknown": [["opening_hours"]]}))
    return calls


def test_nominal_result_in_german(patched):
    at = run_section(section, run(report()), None)
    category = t("cat_jugendfreizeit", "de")
    assert texts(at.subheader) == [t("acc_result_title", "de", category=category)]
    assert {m.label: m.value for m in at.metric} == {
        t("acc_origins", "de"): "2.389", t("acc_unreachable", "de"): "12", t("acc_services", "de"): "401 / 407",
        t("acc_detour", "de"): "1,35"}
    assert t("acc_target", "de", indicator="Zielgruppe JMD", period="31.12.2024") in texts(at.caption)
    # the headline: shares without decimals, the farthest threshold, the category's name
    assert f"**{t('acc_headline', 'de', share='23', minutes='15', category=category, network_share='19')}**" \
        in texts(at.markdown)
    # the area table beside the map: worst first, numbers in German, persons without decimals
    table = shown_table(at.dataframe[0])
    assert table[t("tt_area", "de")].tolist() == ["Süd", "Nord", "Mitte"]
    assert table.iloc[0].tolist()[1:3] == ["80,25", "56"] and table.iloc[1].tolist()[1:3] == ["12,50", "1.234"]
    measure = at.selectbox(key="acc_measure")
    assert measure.value == "share_beyond"
    assert measure.options[:2] == [results_ui.measure_label(m, "de", far=15) for m in ("share_beyond", "median_min")]
    assert at.radio(key="acc_view").options == [t("acc_view_nominal", "de"), t("acc_view_detour", "de")]
    assert t("acc_estimate_note", "de", factor="1,35") in texts(at.caption)
    # the map: drawn from the sources of areas, services and network, offered as an offline file
    drawn = next(k for k in patched["maps"] if isinstance(k, dict))
    assert drawn["measure"] == "share_beyond" and drawn["attributions"] == ["Quelle amt", "Quelle jfe", "Quelle osm"]
    assert ("shown", "acc_map_nominal") in patched["maps"]
    assert ("readable", {"level": "plr", "key": "acc_map_nominal", "target": ("bezirk", "01")}) in patched["maps"]
    labels = [b.label for b in at.get("download_button")]
    assert labels == [t("export_download", "de"), t("acc_download", "de", view=t("acc_view_nominal", "de")),
                      t("acc_download_gpkg", "de", view=t("acc_view_nominal", "de")), t("acc_download_report", "de")]
    assert patched["downloads"] == ["de"]
    # the services off the network are listed by name
    assert at.expander[0].label == t("acc_off_network", "de", n=2)
    assert at.expander[0].dataframe[0].value[t("tt_service", "de")].tolist() == ["Jugendclub am Rand", "Jugendfarm"]


def test_persona_result_in_english_names_what_it_excluded(patched):
    nominal = run(report())
    effective = run(report(share_beyond_all=41.0, services_excluded=1, services_kept_unknown=3,
                           services_unknown_any=300), fit=pd.DataFrame({"fits": [False]}))
    at = run_section(section, nominal, effective, lang="en")
    headline = t("acc_headline", "en", share="23", minutes="15", category=t("cat_jugendfreizeit", "en"),
                 network_share="19") + " " + t("acc_headline_effective", "en", share="41")
    assert f"**{headline}**" in texts(at.markdown)
    # 300 of 407 services lack what the persona asks about: it can tell little apart
    assert texts(at.warning) == [t("acc_persona_little_known", "en", unknown=300, total=407)]
    assert at.radio(key="acc_view").options == [t(f"acc_view_{v}", "en") for v in
                                                ("nominal", "effective", "barrier", "detour")]
    excluded = next(e for e in at.expander if e.label == t("acc_excluded", "en", n=1, kept=3))
    row = excluded.dataframe[0].value.iloc[0].tolist()
    assert row == ["Jugendclub West", f"{t('acc_reason_languages', 'en')}, {t('acc_reason_cost', 'en')}",
                   t("acc_reason_opening_hours", "en")]
    assert patched["downloads"] == ["en", "en"]                  # nominal and effective tables
