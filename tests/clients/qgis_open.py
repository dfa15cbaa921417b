"""Open a GeoPackage in QGIS itself (run with the SYSTEM python3 and Debian's python3-qgis, not the
venv) and print what QGIS made of each layer as JSON: valid or not, feature count, whether a
default style was stored and applied, the renderer's classes (ranges, categories) with colours
and labels, the layer's abstract, and how many pixels of a rendered PNG are not background.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/clients/qgis_open.py FILE.gpkg OUT_DIR [LAYER ...]
"""
import json
import sys
from pathlib import Path

from osgeo import ogr
from qgis.core import (QgsApplication, QgsMapRendererParallelJob, QgsMapSettings, QgsVectorLayer)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

BACKGROUND = QColor(255, 255, 255)


def colour(symbol):
    return symbol.color().name() if symbol is not None else None


def render(layer, out: Path) -> int:
    """Render ``layer`` alone to ``out`` (PNG); the number of pixels that are not background."""
    settings = QgsMapSettings()
    settings.setLayers([layer])
    settings.setBackgroundColor(BACKGROUND)
    settings.setOutputSize(QSize(400, 400))
    settings.setDestinationCrs(layer.crs())
    settings.setExtent(layer.extent().buffered(max(layer.extent().width(), 1) * 0.02))
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(str(out), "PNG")
    bg = BACKGROUND.rgb()
    return sum(1 for y in range(0, image.height(), 2) for x in range(0, image.width(), 2) if image.pixel(x, y) != bg)


def main(path: str, out_dir: str, wanted: list[str]) -> dict:
    ds = ogr.Open(path)
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    out = {}
    for name in wanted or names:
        if name == "layer_styles":
            continue
        layer = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
        info = {"valid": layer.isValid(), "features": layer.featureCount(), "abstract": layer.metadata().abstract()}
        count, ids, style_names, descriptions, error = layer.listStylesInDatabase()
        info["stored_styles"] = count
        info["style_names"] = list(style_names)
        if layer.isSpatial():
            renderer = layer.renderer()
            info["renderer"] = renderer.type()
            if renderer.type() == "graduatedSymbol":
                info["field"] = renderer.classAttribute()
                info["ranges"] = [{"lower": r.lowerValue(), "upper": r.upperValue(), "label": r.label(),
                                   "colour": colour(r.symbol())} for r in renderer.ranges()]
            elif renderer.type() == "categorizedSymbol":
                info["field"] = renderer.classAttribute()
                info["categories"] = [{"value": c.value(), "label": c.label(), "colour": colour(c.symbol())}
                                      for c in renderer.categories()]
            else:
                info["colour"] = colour(renderer.symbol())
            info["aliases"] = {f.name(): f.alias() for f in layer.fields() if f.alias()}
            info["labels_enabled"] = layer.labelsEnabled()
            if layer.labelsEnabled() and layer.labeling() is not None:
                pal = layer.labeling().settings()
                info["label_field"] = pal.fieldName
                info["label_up_to_scale"] = pal.minimumScale if pal.scaleVisibility else None
            png = Path(out_dir) / f"{name}.png"
            info["painted_pixels"] = render(layer, png)
            info["png"] = str(png)
        out[name] = info
    return out


if __name__ == "__main__":
    app = QgsApplication([], False)
    app.initQgis()
    try:
        result = main(sys.argv[1], sys.argv[2], sys.argv[3:])
    finally:
        app.exitQgis()
    print(json.dumps(result, ensure_ascii=False, default=str))
