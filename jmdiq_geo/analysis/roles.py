"""Indicator roles: what a rule set, an index or a profile needs, named once for every city.

A rule "unemployment clearly above the city value" means Berlin's MSS indicator S1 in Berlin and
``unemployed_pct`` in Dortmund. Rule sets, index definitions and the Steckbrief ask for a *role*;
each workspace maps the roles to its own indicators (in its manifest's ``[roles]`` or on the
Daten page). An unmapped role makes a criterion "unknown — assign role X", never an error.
"""
from __future__ import annotations

#: role → (German label, English label); the order is the order the app lists them in
ROLES: dict[str, tuple[str, str]] = {
    "residents": ("Einwohner:innen", "Residents"),
    "target_group": ("JMD-Zielgruppe (Anzahl)", "JMD target group (count)"),
    "target_group_share": ("JMD-Zielgruppe (Anteil)", "JMD target group (share)"),
    "migration_background_share": ("Anteil mit Migrationshintergrund", "Share with migration background"),
    "foreigners_share": ("Anteil Ausländer:innen", "Share of foreign nationals"),
    "unemployment_share": ("Arbeitslosigkeit (Anteil)", "Unemployment (share)"),
    "youth_unemployment_share": ("Jugendarbeitslosigkeit (Anteil)", "Youth unemployment (share)"),
    "transfer_share": ("Transferbezug (SGB II/XII, Anteil)", "Transfer payments (SGB II/XII, share)"),
    "child_poverty_share": ("Kinderarmut (Anteil)", "Child poverty (share)"),
    "status_class": ("Sozialer Status (Klasse)", "Social status (class)"),
    "dynamics_class": ("Dynamik (Klasse)", "Dynamics (class)"),
}

#: roles the Steckbrief shows first, in this order (where the city maps them)
PROFILE_ROLES = ("residents", "target_group", "target_group_share", "migration_background_share",
                 "foreigners_share", "unemployment_share", "transfer_share", "child_poverty_share",
                 "status_class", "dynamics_class")


#: grid roles: which of a workspace's population grids holds what a quarter needs (``meta``
#: ``grid_roles``, set by a data package's ``role`` on a grid variable). ``residents``: a count of
#: residents per cell (e.g. Zensus 1 km "Einwohner"); ``foreigners``: a count of persons of foreign
#: citizenship per cell (e.g. Zensus 100 m), also the finer grid that shows where people live.
GRID_ROLES: dict[str, tuple[str, str]] = {
    "residents": ("Einwohner:innen", "Residents"),
    "foreigners": ("Personen mit ausländischer Staatsangehörigkeit", "Persons of foreign citizenship"),
}


def role_label(role: str, lang: str) -> str:
    de, en = ROLES.get(role) or GRID_ROLES.get(role) or (role, role)
    return en if lang == "en" else de


def resolve(role_or_id: str | None, mapping: dict[str, str]) -> str | None:
    """The indicator id of a role in ``mapping``; a plain indicator id is returned as it is."""
    if role_or_id is None:
        return None
    return mapping.get(role_or_id) if role_or_id in ROLES else role_or_id
