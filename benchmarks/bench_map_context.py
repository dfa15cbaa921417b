"""What readable maps cost: the Karte map of the 542 Planungsräume with the context layers
(railways, water, Moabit's main streets) and the area names by zoom, against the same map
without them, measured in the same run.

    .venv/bin/python benchmarks/bench_map_context.py      (JMDIQ_DB: the Berlin demo workspace)

Sizes are of the map as the app sends it (Leaflet not inlined) and as a standalone file; the draw
time is Chromium's, from navigation until the 542 polygons exist (median of 5). "Naive context"
is the context layers as stored, one GeoJSON feature each, unsimplified (what one would write first).
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_map_payload import draw_ms  # noqa: E402
from jmdiq_geo.config import Settings  # noqa: E402
from jmdiq_geo.crs import to_display_crs  # noqa: E402
from jmdiq_geo.render.indicator_map import draw  # noqa: E402
from jmdiq_geo.render.map_context import context_display  # noqa: E402
from jmdiq_geo.render.maps import standalone_html  # noqa: E402
from jmdiq_geo.services.context import context_layers  # noqa: E402
from jmdiq_geo.services.maps import describe_indicator_map  # noqa: E402
from jmdiq_geo.store.workspace import Workspace  # noqa: E402


def main() -> None:
    settings = Settings.from_env()
    with Workspace(settings.db_path, read_only=True) as ws:
        t0 = time.perf_counter()
        layers = context_layers(ws)
        shown = context_display(layers)
        context_ms = 1000 * (time.perf_counter() - t0)
        kw = dict(indicator_id="jmd_zg_anteil", period=date(2024, 12, 31), level="plr", settings=settings)
        bare_d = describe_indicator_map(ws, **kw, context={}, labels=[])
        ours_d = describe_indicator_map(ws, **kw, context=layers)
    t0 = time.perf_counter()
    bare = draw(bare_d, context={})
    bare_app = bare.get_root().render()
    bare_ms = 1000 * (time.perf_counter() - t0)
    t0 = time.perf_counter()
    ours = draw(ours_d, context=shown)
    ours_app = ours.get_root().render()
    ours_ms = 1000 * (time.perf_counter() - t0)
    naive_context = sum(len(to_display_crs(f[["geometry"]]).to_json()) for f in layers.values())
    bare_html, ours_html = standalone_html(draw(bare_d, context={})), standalone_html(draw(ours_d, context=shown))
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "bare.html", Path(tmp) / "ours.html"
        a.write_text(bare_html, encoding="utf-8")
        b.write_text(ours_html, encoding="utf-8")
        bare_draw, ours_draw = draw_ms(a, 542), draw_ms(b, 542)
    n = {k: len(v) for k, v in layers.items()}
    print(f"context layers: {n}; read and prepared for display in {context_ms:.0f} ms")
    print(f"  map payload in the app: bare {len(bare_app) / 1e6:.2f} MB, with context and labels "
          f"{len(ours_app) / 1e6:.2f} MB ({len(ours_app) / len(bare_app):.2f}×; target ≤ 1.5 MB)")
    print(f"  context as drawn {(len(ours_app) - len(bare_app)) / 1e6:.2f} MB (incl. labels) vs naive context "
          f"{naive_context / 1e6:.2f} MB ({naive_context / max(1, len(ours_app) - len(bare_app)):.1f}× larger)")
    print(f"  build in Python: bare {bare_ms:.0f} ms, ours {ours_ms:.0f} ms ({ours_ms / bare_ms:.2f}×)")
    print(f"  drawn in Chromium (standalone): bare {bare_draw:.0f} ms, ours {ours_draw:.0f} ms "
          f"({ours_draw / bare_draw:.2f}×)")


if __name__ == "__main__":
    main()
