"""Escaping by construction for the maps: every value that reaches a tooltip or a layer name is
text, never HTML. ``SafeTooltip`` is folium's ``GeoJsonTooltip`` with its cells and headings
written as text in the browser (``textContent``-equivalent escaping of ``& < > " '``), whatever
the GeoJSON properties hold; ``html_text`` escapes a string made in Python (a layer name, a
PolyLine tooltip, a legend).

And no value is ever a template. branca (under folium) renders each element's macros and then
makes their output the template of a new ``Element``, which the page's render evaluates a second
time: an area, service or source name holding ``{{ … }}`` was evaluated by Jinja on the server
(``{{ lipsum.__globals__.os… }}`` runs anything), and one holding ``{% x`` broke the map. Importing
this module (every map builder does, through ``render.maps``) makes that second pass verbatim:
``MacroElement.render`` adds the macros' output as text (``_Verbatim``). streamlit-folium renders
each element's script once anyway (``_get_map_string``); folium relies on the second pass only for
a style value that is itself an element (fill patterns), which no map here uses.
"""
from __future__ import annotations

import html
import json

from branca.element import Element, Figure, MacroElement
from folium.template import Template
from jinja2 import Template as JinjaTemplate
from folium.features import GeoJsonTooltip


class _Verbatim(Element):
    """A piece of the page that is text already: rendered as it is, never as a template."""

    def __init__(self, text: str):
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


def _render_macros_once(self, **kwargs) -> None:
    """``branca.element.MacroElement.render`` (branca 0.8), the macros' output kept as text."""
    figure = self.get_root()
    assert isinstance(figure, Figure), "You cannot render this Element if it is not in a Figure."
    for part, container in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
        macro = self._template.module.__dict__.get(part)
        if macro is not None:
            container.add_child(_Verbatim(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


MacroElement.render = _render_macros_once

_ESCAPE_JS = ("let esc = s => String(s).replace(/[&<>\"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', "
              "'\"': '&quot;', \"'\": '&#39;'})[c]);")

_BODY = """
    function(layer){
    let div = L.DomUtil.create('div');
    {% if this.fields %}
    """ + _ESCAPE_JS + """
    let handleObject = feature => {
        if (feature === null || feature === undefined) { return ''; }
        return esc(typeof(feature) == 'object' ? JSON.stringify(feature) : feature);
    }
    let fields = {{ this.fields | tojson | safe }};
    let aliases = {{ this.aliases | tojson | safe }};
    let table = '<table>' + String(fields.map((v, i) =>
        `<tr>{% if this.labels %}<th>${esc(aliases[i])}</th>{% endif %}
         <td>${handleObject(layer.feature.properties[v])}</td></tr>`).join('')) + '</table>';
    div.innerHTML = table;
    {% endif %}
    return div
    }
    """


class SafeTooltip(GeoJsonTooltip):
    """``folium.GeoJsonTooltip`` whose values and aliases are shown as text (see the module)."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(""" + _BODY + """,{{ this.tooltip_options | tojavascript }});
    {% endmacro %}
    """)


class MapScript(MacroElement):
    """``(function(map){…})(the map)``: a piece of Leaflet JavaScript (legend, source line,
    labels, context, kept view …) run with the map as ``map``. The script is data of the
    template, never template text: a title or a name with ``{{ … }}`` in it stays that text, and
    a compiled template per script would lex every label and coordinate (0.7 s for 542 names)."""

    _template = JinjaTemplate("{% macro script(this, kwargs) %}(function(map){{ '{' }}{{ this.js }}"
                              "{{ '}' }})({{ this._parent.get_name() }});{% endmacro %}")

    def __init__(self, js: str):
        super().__init__()
        self._name = "JmdiqMapScript"
        self.js = js


def html_text(value) -> str:
    """A string from outside (a name, a label, a file) as HTML text."""
    return html.escape(str(value), quote=True)


def sources_js(map_expr: str, attributions) -> str:
    """JavaScript that adds ``attributions`` (texts from the workspace's ``sources``, escaped
    here) to the map's source line, each source once: the sources already named there (the
    layer's own, then its context's, e.g. OSM for both) are merged into one line, " · " between."""
    items = json.dumps([html_text(a) for a in attributions], ensure_ascii=False)
    return (f"(function(map,add){{var had=map._jmdiqSources||[],all=had.slice();"
            "add.forEach(function(a){if(all.indexOf(a)<0)all.push(a);});"
            "if(had.length)map.attributionControl.removeAttribution(had.join(' \u00b7 '));"
            "map._jmdiqSources=all;map.attributionControl.addAttribution(all.join(' \u00b7 '));})"
            f"({map_expr},{items});")
