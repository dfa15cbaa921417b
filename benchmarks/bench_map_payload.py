"""Payload and draw time of one choropleth of the 542 Planungsräume, against a naive map.

    .venv/bin/python benchmarks/bench_map_payload.py

Ours: coverage-simplified geometry (15 m, shared edges kept), coordinates rounded to 5 decimals,
Leaflet served by the app. Naive: the same layer at full resolution with unrounded coordinates
(folium.GeoJson of the GeoDataFrame as it is). Both are written as standalone HTML with Leaflet
inlined and opened in Debian's Chromium; the draw time is from navigation start until all 542
polygons exist in the DOM (median of 5). Needs the demo workspace (JMDIQ_DB) and chromium.

    .venv/bin/python benchmarks/bench_map_payload.py --app http://127.0.0.1:8501

also times, in the running app, a change of indicator: from choosing the option until the new
legend and all polygons are drawn (Streamlit rerun, map build, transfer, Leaflet draw).
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import folium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jmdiq_geo.analysis.classify import classify  # noqa: E402
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.crs import to_display_crs  # noqa: E402
from jmdiq_geo.services.layers import indicator_layer  # noqa: E402
from jmdiq_geo.render.maps import choropleth, inline_assets, localise_assets, standalone_html  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def naive_html(layer) -> str:
    """What one would write first: the layer as it is (full resolution, all decimals) in a GeoJson
    with a style function, tooltip of name and value."""
    classes = classify(layer.areas["value"])
    colours = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
    gdf = to_display_crs(layer.areas[["area_id", "name", "value", "geometry"]]).assign(
        fill=[colours[c] if c >= 0 else "#e0e0e0" for c in classes.assignment])
    m = folium.Map(tiles=None)
    folium.GeoJson(gdf.to_json(), style_function=lambda f: {"fillColor": f["properties"]["fill"], "weight": 0.6},
                   tooltip=folium.GeoJsonTooltip(["name", "value"])).add_to(m)
    localise_assets(m, "/app/static/vendor")
    return inline_assets(m.get_root().render())


def draw_ms(html_path: Path, expected: int) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        times = []
        for _ in range(5):
            page = browser.new_page()
            start = time.perf_counter()
            page.goto(html_path.as_uri())
            page.wait_for_function(f"document.querySelectorAll('path.leaflet-interactive').length >= {expected}",
                                   timeout=60000)
            times.append(1000 * (time.perf_counter() - start))
            page.close()
        browser.close()
    return statistics.median(times)


def app_redraw_ms(url: str) -> list[tuple[str, float]]:
    from playwright.sync_api import sync_playwright

    wait_map = ("() => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                " f.contentDocument.querySelectorAll('path.leaflet-interactive').length > 500)")
    wait_legend = ("t => Array.from(document.querySelectorAll('iframe')).some(f => f.contentDocument &&"
                   " (f.contentDocument.querySelector('.jmdiq-legend')||{}).innerText?.includes(t) &&"
                   " f.contentDocument.querySelectorAll('path.leaflet-interactive').length > 500)")
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="networkidle")
        page.goto(url.rstrip("/") + "/karte", wait_until="networkidle")
        page.wait_for_function(wait_map, timeout=60000)
        for target in ["Anteil Ausländer", "S1 Arbeitslosigkeit", "Anteil Einwohner:innen mit Migrationshintergrund",
                       "Anteil Ausländer"]:
            page.locator('[data-testid="stSelectbox"]').filter(has_text="Indikator").first.click()
            page.keyboard.type(target)
            option = page.locator('[role="option"]').filter(has_text=target).first
            option.wait_for()
            start = time.perf_counter()
            option.click()
            page.wait_for_function(wait_legend, arg=target, timeout=30000)
            out.append((target, 1000 * (time.perf_counter() - start)))
        browser.close()
    return out


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--app", help="URL of a running app to time an indicator change in")
    args = parser.parse_args()
    settings = Settings.from_env()
    with Workspace(settings.db_path, read_only=True) as ws:
        layer = indicator_layer(ws, indicator_id="jmd_zg_anteil", period=date(2024, 12, 31), level="plr",
                                settings=settings)
    start = time.perf_counter()
    m = choropleth(layer.areas, classes=classify(layer.areas["value"]), palette="YlOrRd", title="JMD-Zielgruppe",
                   unit="%", lang="de", attributions=layer.attributions, city_value=layer.city_value)
    ours_app = m.get_root().render()
    build_ms = 1000 * (time.perf_counter() - start)
    ours = standalone_html(m)
    naive = naive_html(layer)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "ours.html", Path(tmp) / "naive.html"
        a.write_text(ours, encoding="utf-8")
        b.write_text(naive, encoding="utf-8")
        ours_ms, naive_ms = draw_ms(a, 542), draw_ms(b, 542)
    leaflet = len(ours) - len(ours_app)
    print("choropleth of 542 Planungsräume (standalone HTML, Leaflet inlined)")
    print(f"  map payload in the app (without Leaflet): {len(ours_app) / 1e6:5.2f} MB   (target ≤ 1.5 MB)")
    print(f"  ours : {len(ours) / 1e6:5.2f} MB, drawn in {ours_ms:6.0f} ms   (build in Python {build_ms:.0f} ms)")
    print(f"  naive: {len(naive) / 1e6:5.2f} MB, drawn in {naive_ms:6.0f} ms")
    print(f"  ratio naive/ours: size {len(naive) / len(ours):.1f}×, draw {naive_ms / ours_ms:.1f}×"
          f"   (Leaflet itself: {leaflet / 1e3:.0f} kB)")
    if args.app:
        print("change of indicator in the running app (target ≤ 1 s):")
        for target, ms in app_redraw_ms(args.app):
            print(f"  → {target:<50} {ms:6.0f} ms")


if __name__ == "__main__":
    from jmdiq_geo.services.auth import local_admin, set_default_actor
    set_default_actor(local_admin("benchmark"))      # the services check the actor's role
    main()
