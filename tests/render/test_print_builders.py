"""The prints of the access and quarter maps take the interactive maps' classes and colours
(``render.access_maps.access_classes``, the quarter map's methods) and render to a PDF page."""
import geopandas as gpd
import pandas as pd
import shapely

from jmdiq_geo.i18n import t
from jmdiq_geo.render.access_maps import access_map
from jmdiq_geo.render.maps import NO_VALUE_COLOUR, standalone_html
from jmdiq_geo.render.print_map import access_print, quarter_print, render
from tests.render.test_print_map import coloured, pdf_pages, pdf_text

X0, Y0 = 390000, 5820000


def areas(n: int = 5) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"area_id": [f"a{i}" for i in range(n)], "name": [f"Kiez {i}" for i in range(n)]},
                            geometry=[shapely.box(X0 + i * 500, Y0, X0 + (i + 1) * 500, Y0 + 500) for i in range(n)],
                            crs="EPSG:25833")


def test_access_print_has_the_legend_of_the_access_map(tmp_path):
    table = pd.DataFrame({"area": ["a0", "a1", "a2", "a3"], "share_beyond": [2.0, 30.0, 60.0, 90.0],
                          "method": ["network", "network", "estimate", "network"]})
    pm = access_print(areas(), table, measure="share_beyond", title="Anteil über 15 Minuten", lang="de",
                      attributions=["Testamt, CC BY 4.0"], coverage=shapely.box(X0, Y0, X0 + 1000, Y0 + 500))
    html = standalone_html(access_map(areas(), table, measure="share_beyond", title="Anteil über 15 Minuten",
                                      lang="de", attributions=["Testamt, CC BY 4.0"], asset_base="/app/static/vendor"))
    for _, label, _ in pm.legend_rows:                  # the class bounds as the access map writes them
        assert label in html
    assert pm.fill[4] == NO_VALUE_COLOUR and pm.legend_rows[-1][1:] == (t("no_value", "de"), 1)
    assert t("access_legend_estimates", "de", n=1) in pm.legend_title       # the estimated area is named
    assert pm.highlight is not None                                          # the networked area outlined
    pdf = render(pm, "pdf")
    assert coloured(pdf_pages(pdf, tmp_path)[0]) > 0.02
    assert "Anteil über 15 Minuten" in pdf_text(pdf, tmp_path)


def test_quarter_print_counts_areas_by_how_they_entered(tmp_path):
    weights = pd.DataFrame({"area_id": ["a0", "a1", "a2"], "method": ["full", "full", "dasymetric"],
                            "weight": [1.0, 1.0, 0.4]})
    quarter = gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 1200, Y0 + 500)], crs="EPSG:25833")
    pm = quarter_print(quarter, areas=areas(), weights=weights, title="Testquartier", lang="de",
                       attributions=["Testamt, CC BY 4.0"])
    assert [row[2] for row in pm.legend_rows] == [2, 1, 0] and len(pm.areas) == 3
    text = pdf_text(render(pm, "pdf"), tmp_path)
    assert "Testquartier" in text and t("method_full", "de") in text and "Testamt, CC BY 4.0" in text
