"""A PostgreSQL workspace's layers for QGIS: the PostGIS views of the store (schema ``qgis``:
areas, programme areas, services, projects, partners, with SRID) get their default styles in
QGIS's ``public.layer_styles`` table, written with the same QML as the GeoPackage export
(``render/qml.py``): services by category in the app's colours, projects and partners in the
map's colours, programme areas dashed as on the Karte."""
from __future__ import annotations

from jmdiq_geo.i18n import t, t_or
from jmdiq_geo.render.access_maps import CATEGORY_COLOURS
from jmdiq_geo.render.indicator_map import PARTNER_COLOUR, PROJECT_COLOUR
from jmdiq_geo.render.qml import categorized_qml, single_qml
from jmdiq_geo.services.auth import authorize
from jmdiq_geo.store.workspace import Workspace

__all__ = ["publish_qgis_styles"]


def qgis_styles(ws: Workspace, lang: str = "de") -> dict[str, tuple[str, str]]:
    """layer → (style name, QML) for the views of ``store.workspace._QGIS_VIEWS``."""
    categories = sorted(ws.service_categories())
    services = categorized_qml("category", categories=[(c, t_or(f"cat_{c}", c, lang),
                                                        CATEGORY_COLOURS.get(c, "#444444")) for c in categories],
                               other=(t("no_value", lang), "#444444"), geometry="point")
    return {
        "areas": (t("pg_layer_areas", lang), single_qml("polygon", "#ffffff", outline="#333333", fill=False,
                                                  outline_width=0.4)),
        "programme_areas": (t("map_programme_areas", lang),
                            single_qml("polygon", "#5e3c99", outline="#5e3c99", fill=False, dashed=True,
                                       outline_width=0.8)),
        "services": (t("col_services", lang), services),
        "projects": (t("projects_projects", lang), single_qml("point", PROJECT_COLOUR)),
        "partners": (t("projects_tab_partners", lang), single_qml("point", PARTNER_COLOUR)),
    }


def publish_qgis_styles(ws: Workspace, lang: str = "de") -> bool:
    """Write the default QGIS styles of a PostgreSQL workspace's layers (nothing for a file);
    True when written."""
    if not ws.is_postgres:
        return False
    authorize("import")
    ws.put_layer_styles(qgis_styles(ws, lang))
    return True
