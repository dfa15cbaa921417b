"""QGIS layer styles (QML) for exported layers, so a GeoPackage opens in QGIS as the app draws it.

- ``graduated_qml``: a graduated renderer with the app's class bounds, colours and legend labels
  (``analysis.classify`` / ``render.maps.palette_colours``);
- ``categorized_qml``: one category per official class (e.g. the MSS status index) with its
  label, and the app's grey for areas without a value ("all other values");
- ``single_qml``: one symbol (programme areas as dashed outlines, services, projects, partners).

Every style also carries the fields' aliases (the column headers people read). The text is the
QML QGIS 3.22 writes itself (``<renderer-v2>`` with ``<Option>`` maps), built with ElementTree
so names and labels are escaped.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from matplotlib.colors import to_rgba

#: outline of the areas in the app's maps
AREA_OUTLINE = "#777777"
QGIS_VERSION = "3.22.16-Białowieża"


def qgis_colour(colour: str, alpha: float | None = None) -> str:
    """``#rrggbb`` → QGIS' ``r,g,b,a`` (0–255)."""
    r, g, b, a = to_rgba(colour, alpha)
    return ",".join(str(round(255 * v)) for v in (r, g, b, a))


def _options(parent: ET.Element, values: dict[str, str]) -> None:
    box = ET.SubElement(parent, "Option", type="Map")
    for key, value in values.items():
        ET.SubElement(box, "Option", type="QString", name=key, value=str(value))


def _symbol(parent: ET.Element, name: str, geometry: str, colour: str, *, outline: str = AREA_OUTLINE,
            outline_width: float = 0.15, fill: bool = True, dashed: bool = False) -> None:
    """One symbol: a filled polygon (``geometry`` "polygon") or a circle marker ("point")."""
    kind = "marker" if geometry == "point" else "fill"
    symbol = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1", clip_to_extent="1", force_rhr="0")
    if kind == "fill":
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"})
        _options(layer, {"color": qgis_colour(colour), "style": "solid" if fill else "no",
                         "outline_color": qgis_colour(outline), "outline_style": "dash" if dashed else "solid",
                         "outline_width": outline_width, "outline_width_unit": "MM", "joinstyle": "bevel",
                         "offset": "0,0", "offset_unit": "MM"})
    else:
        layer = ET.SubElement(symbol, "layer", {"class": "SimpleMarker", "enabled": "1", "locked": "0", "pass": "0"})
        _options(layer, {"name": "circle", "color": qgis_colour(colour), "outline_color": qgis_colour(outline),
                         "outline_style": "solid", "outline_width": outline_width, "outline_width_unit": "MM",
                         "size": "2", "size_unit": "MM", "angle": "0", "offset": "0,0", "offset_unit": "MM",
                         "scale_method": "diameter", "joinstyle": "bevel"})


def _labeling(field: str, up_to_scale: int | None) -> ET.Element:
    """Area names as labels (dark text with a white halo, inside the polygon), like the app's;
    with ``up_to_scale`` only from that scale on inwards (e.g. 1:75 000), so a city-wide view of
    hundreds of small areas is not buried under names."""
    labeling = ET.Element("labeling", type="simple")
    settings = ET.SubElement(labeling, "settings", calloutType="simple")
    style = ET.SubElement(settings, "text-style", fieldName=field, isExpression="0", fontFamily="DejaVu Sans",
                          fontSize="8", fontSizeUnit="Point", textColor="34,34,34,255", textOpacity="1",
                          namedStyle="Book", fontWeight="50", fontItalic="0", fontUnderline="0",
                          fontStrikeout="0", fontWordSpacing="0", fontLetterSpacing="0", multilineHeight="1",
                          blendMode="0", previewBkgrdColor="255,255,255,255", capitalization="0")
    ET.SubElement(style, "text-buffer", bufferDraw="1", bufferSize="0.7", bufferSizeUnits="MM",
                  bufferColor="255,255,255,255", bufferOpacity="0.85", bufferNoFill="1", bufferJoinStyle="128",
                  bufferBlendMode="0")
    ET.SubElement(settings, "text-format", wrapChar="", autoWrapLength="18", useMaxLineLengthForAutoWrap="1",
                  multilineAlign="3", addDirectionSymbol="0", formatNumbers="0", plussign="0", decimals="3",
                  reverseDirectionSymbol="0", placeDirectionSymbol="0", leftDirectionSymbol="<",
                  rightDirectionSymbol=">")
    ET.SubElement(settings, "placement", placement="1", centroidInside="1", centroidWhole="0", fitInPolygonOnly="0",
                  priority="5", dist="0", distUnits="MM", offsetType="0", quadOffset="4", xOffset="0", yOffset="0",
                  offsetUnits="MM", rotationAngle="0", placementFlags="10", overrunDistance="0",
                  overrunDistanceUnit="MM", repeatDistance="0", repeatDistanceUnits="MM", maxCurvedCharAngleIn="25",
                  maxCurvedCharAngleOut="-25", preserveRotation="1", layerType="PolygonGeometry")
    ET.SubElement(settings, "rendering", scaleVisibility="1" if up_to_scale else "0", scaleMin="0",
                  scaleMax=str(up_to_scale or 0), obstacle="1", obstacleFactor="1", obstacleType="1",
                  displayAll="0", upsidedownLabels="0", labelPerPart="0", mergeLines="0", limitNumLabels="0",
                  maxNumLabels="2000", minFeatureSize="0", fontLimitPixelSize="0", fontMinPixelSize="3",
                  fontMaxPixelSize="10000", zIndex="0", drawLabels="1", unplacedVisibility="0")
    return labeling


def _document(renderer: ET.Element, aliases: dict[str, str] | None,
              labels: tuple[str, int | None] | None = None) -> str:
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology|Labeling|Fields",
                      labelsEnabled="1" if labels else "0")
    root.append(renderer)
    if labels:
        root.append(_labeling(*labels))
    if aliases:
        box = ET.SubElement(root, "aliases")
        for i, (field, label) in enumerate(aliases.items()):
            ET.SubElement(box, "alias", field=field, index=str(i), name=label)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


def _renderer(kind: str, **attrs: str) -> ET.Element:
    return ET.Element("renderer-v2", type=kind, symbollevels="0", forceraster="0", enableorderby="0",
                      referencescale="-1", **attrs)


def graduated_qml(field: str, *, lower: list[float], upper: list[float], colours: list[str], labels: list[str],
                  aliases: dict[str, str] | None = None, names: tuple[str, int | None] | None = None) -> str:
    """A graduated renderer on ``field``: class ``i`` from ``lower[i]`` to ``upper[i]`` in
    ``colours[i]``, named ``labels[i]`` in the legend. ``names``: (field, up to scale) of the
    features' labels on the map."""
    renderer = _renderer("graduatedSymbol", attr=field, graduatedMethod="GraduatedColor")
    ranges = ET.SubElement(renderer, "ranges")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (lo, hi, colour, label) in enumerate(zip(lower, upper, colours, labels)):
        ET.SubElement(ranges, "range", render="true", symbol=str(i), lower=repr(float(lo)), upper=repr(float(hi)),
                      label=label)
        _symbol(symbols, str(i), "polygon", colour)
    return _document(renderer, aliases, names)


def category_value(code) -> str:
    """A category as QGIS matches it: text as it is, a number as QGIS writes it (``1.0`` → ``1``)."""
    return code if isinstance(code, str) else format(float(code), "g")


def categorized_qml(field: str, *, categories: list[tuple[object, str, str]], other: tuple[str, str] | None = None,
                    geometry: str = "polygon", aliases: dict[str, str] | None = None,
                    names: tuple[str, int | None] | None = None) -> str:
    """A categorized renderer on ``field``: ``categories`` = [(value, label, colour)]; ``other``
    = (label, colour) for every other value and no value. ``geometry``: "polygon" or "point"."""
    renderer = _renderer("categorizedSymbol", attr=field)
    cats = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    rows = [(category_value(code), label, colour) for code, label, colour in categories]
    if other:
        rows.append(("", *other))
    for i, (value, label, colour) in enumerate(rows):
        ET.SubElement(cats, "category", render="true", symbol=str(i), value=value, label=label)
        _symbol(symbols, str(i), geometry, colour, **({} if geometry == "polygon" else {"outline": "#222222",
                                                                                          "outline_width": 0.2}))
    return _document(renderer, aliases, names)


def single_qml(geometry: str, colour: str, *, outline: str = "#222222", dashed: bool = False, fill: bool = True,
               outline_width: float = 0.2, aliases: dict[str, str] | None = None,
               names: tuple[str, int | None] | None = None) -> str:
    """One symbol for every feature (``geometry`` "polygon" or "point")."""
    renderer = _renderer("singleSymbol")
    symbols = ET.SubElement(renderer, "symbols")
    _symbol(symbols, "0", geometry, colour, outline=outline, outline_width=outline_width, fill=fill, dashed=dashed)
    return _document(renderer, aliases, names)
