"""Escaping by construction for the maps: every value that reaches a tooltip or a layer name is
text, never HTML. ``SafeTooltip`` is folium's ``GeoJsonTooltip`` with its cells and headings
written as text in the browser (``textContent``-equivalent escaping of ``& < > " '``), whatever
the GeoJSON properties hold; ``html_text`` escapes a string made in Python (a layer name, a
PolyLine tooltip, a legend)."""
from __future__ import annotations

import html

from folium.template import Template
from folium.features import GeoJsonTooltip

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


def html_text(value) -> str:
    """A string from outside (a name, a label, a file) as HTML text."""
    return html.escape(str(value), quote=True)
