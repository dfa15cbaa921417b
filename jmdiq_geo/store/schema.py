"""The workspace schema and its migrations (one DuckDB file per workspace).

Long format, versioned, with provenance: every data row points to a ``sources`` row.
Geometry is WKB in the workspace's metric CRS (``meta.work_crs``).
A migration is appended, never edited: ``MIGRATIONS[n]`` brings a workspace from version n to n+1.
"""
from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
        """CREATE TABLE sources (
            source_id VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, publisher VARCHAR, licence VARCHAR,
            attribution VARCHAR, url VARCHAR, reference_date VARCHAR,
            imported_at TIMESTAMP DEFAULT current_timestamp)""",
        # (which files came from a source, with their sha256, is in `imports`)
        """CREATE TABLE imports (
            import_id INTEGER PRIMARY KEY, kind VARCHAR NOT NULL, file VARCHAR NOT NULL, sha256 VARCHAR,
            source_id VARCHAR, options VARCHAR, report VARCHAR, imported_at TIMESTAMP DEFAULT current_timestamp)""",
        """CREATE TABLE area_levels (
            level VARCHAR PRIMARY KEY, label_de VARCHAR, label_en VARCHAR, rank INTEGER NOT NULL,
            parent_level VARCHAR)""",
        """CREATE TABLE areas (
            level VARCHAR NOT NULL, area_id VARCHAR NOT NULL, name VARCHAR, parent_id VARCHAR,
            valid_from DATE NOT NULL, valid_to DATE, area_m2 DOUBLE, geom BLOB NOT NULL, source_id VARCHAR,
            PRIMARY KEY (level, area_id, valid_from))""",
        """CREATE TABLE programme_areas (
            pa_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, programme VARCHAR NOT NULL, since DATE,
            until DATE, members VARCHAR, member_level VARCHAR, area_m2 DOUBLE, geom BLOB NOT NULL,
            source_id VARCHAR)""",
        """CREATE TABLE indicators (
            indicator_id VARCHAR PRIMARY KEY, label_de VARCHAR NOT NULL, label_en VARCHAR, unit VARCHAR,
            kind VARCHAR NOT NULL CHECK (kind IN ('extensive', 'intensive', 'class')),
            denominator VARCHAR, polarity VARCHAR, classes VARCHAR, description VARCHAR, source_id VARCHAR)""",
        """CREATE TABLE indicator_values (
            level VARCHAR NOT NULL, area_id VARCHAR NOT NULL, indicator_id VARCHAR NOT NULL,
            period DATE NOT NULL, value DOUBLE, source_id VARCHAR)""",
        # (no primary key on indicator_values: the index costs more than the whole bulk insert;
        #  uniqueness is kept by put_values, which replaces and is tested for it)
        """CREATE TABLE services (
            service_id VARCHAR PRIMARY KEY, category VARCHAR NOT NULL, name VARCHAR, address VARCHAR,
            languages VARCHAR, opening_hours VARCHAR, barrier_free BOOLEAN, cost VARCHAR,
            age_min DOUBLE, age_max DOUBLE, capacity DOUBLE, attributes VARCHAR,
            origin VARCHAR NOT NULL DEFAULT 'import', geom BLOB NOT NULL, source_id VARCHAR)""",
        """CREATE TABLE grids (
            grid_id VARCHAR PRIMARY KEY, label VARCHAR, variable VARCHAR NOT NULL, kind VARCHAR NOT NULL,
            crs VARCHAR NOT NULL, cell_size_m DOUBLE NOT NULL, period DATE, source_id VARCHAR)""",
        """CREATE TABLE grid_cells (grid_id VARCHAR NOT NULL, x DOUBLE NOT NULL, y DOUBLE NOT NULL, value DOUBLE)""",
    ],
    [
        # composite-index definitions a user copied and changed in the app (JSON of the TOML form)
        """CREATE TABLE index_definitions (
            index_id VARCHAR PRIMARY KEY, label_de VARCHAR NOT NULL, body VARCHAR NOT NULL, based_on VARCHAR,
            updated_at TIMESTAMP DEFAULT current_timestamp)""",
        # derived indicators (data package or app), recomputed when their inputs are imported again
        """CREATE TABLE derived_definitions (indicator_id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL)""",
    ],
    [
        # micro-projects, partners and yearly network ties: organisations and projects only, never
        # personal data of young people; every record carries a version for optimistic locking
        """CREATE TABLE partners (
            partner_id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL, x DOUBLE, y DOUBLE,
            version INTEGER NOT NULL, archived BOOLEAN NOT NULL DEFAULT false,
            updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
        """CREATE TABLE micro_projects (
            project_id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL, x DOUBLE, y DOUBLE,
            version INTEGER NOT NULL, archived BOOLEAN NOT NULL DEFAULT false,
            updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
        """CREATE TABLE network_ties (
            tie_id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL, version INTEGER NOT NULL,
            archived BOOLEAN NOT NULL DEFAULT false, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
        """CREATE TABLE audit_log (
            entry_id INTEGER PRIMARY KEY, entity VARCHAR NOT NULL, record_id VARCHAR NOT NULL,
            action VARCHAR NOT NULL, version INTEGER NOT NULL, changed_at TIMESTAMP NOT NULL, changed_by VARCHAR,
            before VARCHAR, after VARCHAR)""",
    ],
    [
        # walking access: the pedestrian network as straight segments (work CRS), the homes that
        # are the origins, physical barrier features, staff edits of services (kept apart from
        # imported rows so a re-import keeps them) and cached access runs
        """CREATE TABLE networks (
            network_id VARCHAR PRIMARY KEY, label VARCHAR, coverage BLOB, n_segments INTEGER,
            length_km DOUBLE, source_id VARCHAR)""",
        """CREATE TABLE network_segments (
            network_id VARCHAR NOT NULL, x1 DOUBLE NOT NULL, y1 DOUBLE NOT NULL, x2 DOUBLE NOT NULL,
            y2 DOUBLE NOT NULL, fclass VARCHAR)""",
        """CREATE TABLE origins (
            origin_id VARCHAR PRIMARY KEY, x DOUBLE NOT NULL, y DOUBLE NOT NULL, basis DOUBLE NOT NULL,
            kind VARCHAR NOT NULL, source_id VARCHAR)""",
        """CREATE TABLE barriers (
            barrier_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, class VARCHAR, name VARCHAR,
            geom BLOB NOT NULL, source_id VARCHAR)""",
        """CREATE TABLE service_edits (
            service_id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL, deleted BOOLEAN NOT NULL DEFAULT false,
            updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
        """CREATE TABLE access_runs (
            run_key VARCHAR PRIMARY KEY, category VARCHAR NOT NULL, persona VARCHAR, created_at TIMESTAMP NOT NULL,
            origins BLOB NOT NULL, areas BLOB NOT NULL, pairs BLOB NOT NULL, report VARCHAR NOT NULL)""",
    ],
    [
        # the write journal (store/workspace.py, ``Workspace.transaction``): before a write
        # transaction, a row with each table's row count and largest rowid is committed on its
        # own; the transaction deletes it with its writes. A row left on open means the
        # transaction never committed - or committed torn: DuckDB 1.5.5 can bring back the rows
        # of a large append (written to the file before the commit) without the rest of their
        # transaction after a kill in the commit window. Those rows are then removed, and the
        # row stays as the record of that repair (``recovered``: rows removed per table).
        """CREATE TABLE write_journal (txn_id BIGINT PRIMARY KEY, started_at TIMESTAMP NOT NULL,
            tables VARCHAR NOT NULL, recovered VARCHAR)""",
    ],
    [
        # context outlines: areas drawn around the workspace's own (the Kreis and the Land of a
        # Gemeinde starter), outside the level hierarchy, so nothing is aggregated to them
        """CREATE TABLE context_areas (
            kind VARCHAR NOT NULL, area_id VARCHAR NOT NULL, name VARCHAR, label VARCHAR, geom BLOB NOT NULL,
            source_id VARCHAR, PRIMARY KEY (kind, area_id))""",
    ],
    [
        # presentations (stories): a saved sequence of slides (views of the app with a caption) as
        # one JSON body with a ``version`` for optimistic locking; changes go to the audit log
        """CREATE TABLE stories (
            story_id VARCHAR PRIMARY KEY, body VARCHAR NOT NULL, version INTEGER NOT NULL,
            archived BOOLEAN NOT NULL DEFAULT false, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
    ],
    [
        # participation (the young people's needle method, issue 18): sessions staff open for a
        # quarter and a time window, the anonymous participants of a session (a random token, an
        # age band, newcomer yes/no/no answer, the hour they joined) and their pins (a category,
        # a point in the work CRS, an optional comment held for moderation, the hour). No name,
        # account, device id, IP address or exact time of a young person is stored.
        """CREATE TABLE participation_sessions (
            session_id VARCHAR PRIMARY KEY, token VARCHAR NOT NULL UNIQUE, title VARCHAR NOT NULL,
            quarter_label VARCHAR, quarter_kind VARCHAR, quarter_geom BLOB NOT NULL, source_ids VARCHAR,
            starts_at TIMESTAMP NOT NULL, ends_at TIMESTAMP NOT NULL, categories VARCHAR NOT NULL,
            cell_size_m INTEGER NOT NULL, k INTEGER NOT NULL CHECK (k >= 3), max_pins INTEGER NOT NULL,
            closed_at TIMESTAMP, created_at TIMESTAMP NOT NULL, created_by VARCHAR)""",
        """CREATE TABLE participation_participants (
            session_id VARCHAR NOT NULL, participant VARCHAR NOT NULL, age_band VARCHAR, newcomer VARCHAR,
            joined_hour TIMESTAMP NOT NULL, PRIMARY KEY (session_id, participant))""",
        """CREATE TABLE participation_pins (
            pin_id BIGINT PRIMARY KEY, session_id VARCHAR NOT NULL, participant VARCHAR NOT NULL,
            category VARCHAR NOT NULL, x DOUBLE NOT NULL, y DOUBLE NOT NULL, comment VARCHAR,
            comment_status VARCHAR, comment_flags VARCHAR, created_hour TIMESTAMP NOT NULL)""",
    ],
    [
        # the team's activity log: per month (``YYYY-MM``) the shares of working time by category
        # (data/activity/) as a JSON body, versioned like the project register; no personal data
        """CREATE TABLE activity_months (
            month VARCHAR PRIMARY KEY, body VARCHAR NOT NULL, version INTEGER NOT NULL,
            archived BOOLEAN NOT NULL DEFAULT false, updated_at TIMESTAMP NOT NULL, updated_by VARCHAR)""",
    ],
    [
        # context layers of the maps (main streets, water, railways, parks) imported from a file:
        # drawn over the areas for orientation, never analysed (the walking network and the
        # barriers stay in their own tables); geometry simplified, in the work CRS; ``file``: the
        # file a feature came from (a file imported again replaces its features)
        """CREATE TABLE context_features (
            layer VARCHAR NOT NULL, class VARCHAR, name VARCHAR, geom BLOB NOT NULL, source_id VARCHAR,
            file VARCHAR NOT NULL)""",
    ],
]

SCHEMA_VERSION = len(MIGRATIONS)

#: Tables holding workspace content (used for summaries and for "nothing was written" checks).
DATA_TABLES = ("meta", "sources", "imports", "area_levels", "areas", "programme_areas", "indicators",
               "indicator_values", "services", "grids", "grid_cells", "index_definitions", "derived_definitions",
               "partners", "micro_projects", "network_ties", "audit_log", "networks", "network_segments",
               "origins", "barriers", "service_edits", "access_runs", "context_areas", "stories",
               "participation_sessions", "participation_participants", "participation_pins", "activity_months",
               "context_features")
