"""Open the PostGIS layers of a live PostgreSQL workspace in QGIS itself (SYSTEM python3 with
Debian's python3-qgis, headless) and print, per layer, as JSON: valid, feature count, CRS,
the renderer (and its categories) of the default style QGIS found in ``layer_styles``, and how
many pixels of a rendered PNG are not background.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/clients/qgis_postgis.py SOCKET_DIR DBNAME USER OUT_DIR LAYER...
"""
import json
import sys
from pathlib import Path

from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer

sys.path.insert(0, str(Path(__file__).parent))
from qgis_open import colour, render  # noqa: E402


def main(host: str, dbname: str, user: str, out_dir: str, layers: list[str]) -> dict:
    out = {}
    for name in layers:
        uri = QgsDataSourceUri()
        uri.setConnection(host, "5432", dbname, user, "")
        uri.setDataSource("qgis", name, "geometry", "", "fid")
        layer = QgsVectorLayer(uri.uri(False), name, "postgres")
        info = {"valid": layer.isValid(), "features": layer.featureCount(), "crs": layer.crs().authid()}
        if layer.isValid():
            count, ids, style_names, descriptions, error = layer.listStylesInDatabase()
            info["stored_styles"] = count
            renderer = layer.renderer()
            info["renderer"] = renderer.type()
            if renderer.type() == "categorizedSymbol":
                info["categories"] = {str(c.value()): colour(c.symbol()) for c in renderer.categories()}
            else:
                info["colour"] = colour(renderer.symbol())
            png = Path(out_dir) / f"{name}.png"
            info["painted_pixels"] = render(layer, png)
            info["png"] = str(png)
        out[name] = info
    return out


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    try:
        result = main(*sys.argv[1:5], sys.argv[5:])
    finally:
        app.exitQgis()
    print(json.dumps(result, ensure_ascii=False, default=str))
