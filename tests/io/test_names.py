"""Area names (``jmdiq_geo.io.names``): normalised alike however they are written; a join by name
reports what is missing or ambiguous on both sides."""
import pytest

from jmdiq_geo.io.names import match_names, normalise_name


@pytest.mark.parametrize("a,b", [("Neukölln-Nord", "NEUKOELLN NORD"), ("Straße & Platz", "strasse und platz"),
                                 ("Alt-Treptow  ", "Alt – Treptow"), ("Karl-Marx-Str.", "karl marx strasse")])
def test_name_normalisation(a, b):
    assert normalise_name(a) == normalise_name(b)


def test_name_join_reports_both_sides():
    report = match_names(["Neukölln Nord", "Unbekannt", "Mitte"], {"1": "Neukölln-Nord", "2": "Mitte", "3": "MITTE",
                                                                   "4": "Wedding"})
    assert report.mapping == {"Neukölln Nord": "1"}
    assert report.ambiguous == ["Mitte"] and report.table_unmatched == ["Unbekannt"]
    assert report.areas_unmatched == ["2", "3", "4"]
