"""One writer process of ``test_postgres.py``'s many-writers test (like a second app process):
saves project ``p1`` ``n`` times (a conflict is re-read and saved again, as a user would),
creates ``n`` projects of its own and adds ``n`` services, against one PostgreSQL workspace;
prints what it did as JSON."""
from __future__ import annotations

import json
import sys

from jmdiq_geo.errors import ConflictError
from jmdiq_geo.services.auth import local_admin, set_default_actor
from jmdiq_geo.services.projects import create_project, get_record, save_project
from jmdiq_geo.store.workspace import Workspace
from tests.fixtures.projects import INSIDE, make_project

url, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
set_default_actor(local_admin(name))
saves, conflicts, created = 0, 0, []
with Workspace(url) as ws:
    for i in range(n):
        while True:
            _, version, _ = get_record(ws, "project", "p1")
            try:
                save_project(ws, make_project(title=f"{name} {i}"), expected_version=version, user=name)
                saves += 1
                break
            except ConflictError:
                conflicts += 1
        pid, _, _ = create_project(ws, make_project(project_id="", title=f"{name} neu {i}"), user=name)
        created.append(pid)
        ws.add_service({"category": "jugendfreizeit", "name": f"{name} Treff {i}"}, x=INSIDE[0], y=INSIDE[1])
print(json.dumps({"saves": saves, "conflicts": conflicts, "created": created}))
