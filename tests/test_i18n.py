"""Every string key the code uses exists in German and English (one catalogue)."""
import re
from pathlib import Path

from jmdiq_geo.i18n import catalogue, language_label, language_names

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.joinpath("jmdiq_geo").rglob("*.py"), *ROOT.joinpath("views").glob("*.py"), ROOT / "app.py"]
assert len([f for f in SOURCES if f.parent.name == "views"]) >= 10, "the page files moved?"
KEY = re.compile(r"""\b(?:t|tr)\(\s*["']([a-z0-9_-]+)["']\s*[,)]""")
CODE = re.compile(r"""Problem\(\s*["']([a-z0-9_]+)["']""")
#: keys built at run time from a prefix and a value list
DYNAMIC = {"scheme_": ("quantiles", "equal_interval", "natural_breaks", "std_mean", "manual"),
           "import_kind_": ("boundaries", "indicators", "services", "programme-areas", "grid", "network", "origins",
                            "barriers", "service-attributes", "context", "nationwide"),
           "fit_status_": ("fits", "unknown", "lacks"),
           "err_svcattr_bad_": ("languages", "opening_hours", "barrier_free", "cost", "age", "number"),
           "acc_step_": ("network", "snap", "catchments", "estimate", "measures", "done"),
           "acc_view_": ("nominal", "effective", "barrier", "detour"), "access_section_": ("access", "fit", "services", "edit"),
           "persona_mode_": ("none", "preset", "custom", "upload"), "acc_unknown_": ("keep", "drop"),
           "svc_cost_": ("free", "reduced", "paid"), "svc_edit_mode_": ("edit", "add"),
           "access_barrier_": ("rail", "water", "road"), "access_method_": ("network", "estimate", "mixed"),
           "acc_reason_": ("age", "languages", "opening_hours", "cost", "wheelchair"),
           "access_m_": ("share_beyond", "median_min", "n_within", "e2sfca", "detour"),
           "access_s_": ("share_beyond", "median_min", "n_within", "e2sfca", "detour"),
           "svc_": ("age_min", "age_max", "capacity"), "ui_": ("yes", "no"),
           "kind_": ("extensive", "intensive", "class"), "reason_": ("missing", "small_area", "small_count"),
           "cluster_": ("high_high", "low_low", "high_low", "low_high", "not_significant", "island", "no_value"),
           "map_mode_": ("value", "change"), "verdict_": ("met", "not_met", "unknown"),
           "projects_by_": ("area_id", "field", "year"), "projects_tab_": ("list", "form", "partners", "network", "exchange"),
           "network_": ("new", "ended", "strengthened", "weakened", "unchanged"),
           "method_": ("full", "dasymetric", "area"), "quarter_kind_": ("areas", "programme", "drawn", "file"),
           "check_source_": ("areas", "programme", "drawn", "file"),
           "grid_weighting_": ("inhabited", "surface", "mixed", "none"), "map_layer_": ("areas", "grid"),
           "exp_format_": ("gpkg", "parquet", "csv", "csv_de", "xlsx"),
           "exp_layer_": ("areas", "programmes", "services", "projects", "partners"),
           "pp_answer_": ("yes", "no", "na"), "part_status_": ("open", "closed", "expired", "not_started"),
           "part_section_": ("link", "moderation", "results"), "part_unit_": ("grid", "areas"),
           "part_flag_": ("email", "phone", "address", "name"),
           "err_participation_": ("closed", "expired", "not_started")}


def used_keys() -> set[str]:
    keys = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        keys |= set(KEY.findall(text))
        keys |= {f"err_{c}" for c in CODE.findall(text)}
    for prefix, values in DYNAMIC.items():
        keys |= {prefix + v for v in values}
    return keys


def test_all_used_keys_exist_in_both_languages():
    cat = catalogue()
    used = used_keys()
    assert len(used) > 100
    missing = sorted(k for k in used if k not in cat)
    assert not missing, missing
    incomplete = sorted(k for k, v in cat.items() if not v.get("de") or not v.get("en"))
    assert not incomplete, incomplete


def test_placeholders_match_between_languages():
    for key, entry in catalogue().items():
        de = set(re.findall(r"{(\w+)}", entry["de"]))
        en = set(re.findall(r"{(\w+)}", entry["en"]))
        assert de == en, key
        # a singular (count == 1) needs no {count}, but every other placeholder of its plural
        for one in ("de_one", "en_one"):
            if one in entry:
                assert set(re.findall(r"{(\w+)}", entry[one])) == de - {"count"}, (key, one)
        assert ("de_one" in entry) == ("en_one" in entry), key


def test_singular_for_one():
    from jmdiq_geo.i18n import t
    assert t("err_not_numeric", "de", count=1, examples="'x'", rows="2").startswith("1 Wert ist keine Zahl")
    assert t("err_not_numeric", "de", count=3, examples="'x'", rows="2, 3, 4").startswith("3 Werte sind keine Zahlen")
    assert t("err_key_duplicate", "en", count=1, keys="'7' (1, 2)").startswith("1 key occurs")


def test_table_headings_exist():
    from jmdiq_geo.ui.projects import HEADINGS

    missing = sorted(k for k in HEADINGS.values() if k not in catalogue())
    assert not missing, missing


def test_tables_show_numbers_as_the_language_writes_them():
    import numpy as np
    import pandas as pd

    from jmdiq_geo.i18n import number_styler, t

    frame = pd.DataFrame({"Gebiet": ["a", "b"], "Plätze": [1234.567, np.nan], "Personen": [12345.0, 7.0]})

    def shown(lang):
        body = number_styler(frame, lang, {"Personen": 0})._translate(False, False)["body"]
        return [[cell["display_value"] for cell in row[1:]] for row in body]       # row[0] is the index
    assert shown("de") == [["a", "1.234,57", "12.345"], ["b", t("no_value", "de"), "7"]]
    assert shown("en") == [["a", "1,234.57", "12,345"], ["b", t("no_value", "en"), "7"]]
    # the values stay numbers (st.dataframe sorts by them)
    assert number_styler(frame, "de").data["Plätze"].dtype == float


def test_dates_as_the_language_writes_them():
    from datetime import date

    from jmdiq_geo.i18n import format_date
    assert format_date("2024-12-31", "de") == "31.12.2024"
    assert format_date(date(2024, 12, 31), "en") == "2024-12-31"
    assert format_date(None, "de") == "–"


def test_language_names_file_and_label():
    names = language_names()
    assert names["ar"] == {"de": "Arabisch", "en": "Arabic"}
    assert language_label("ar", "de") == "Arabisch (ar)"
    assert language_label("uk", "en") == "Ukrainian (uk)"
    assert language_label("sw", "de") == "sw"
