"""Import page, kind "service attributes": a team's table of languages, hours, cost, age … per
service, matched by id or by name and address and saved as staff edits."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from jmdiq_geo.services.access_edits import categories
from jmdiq_geo.services.imports import ATTRIBUTE_KEYS, Source, import_attributes
from jmdiq_geo.ui.access import category_label
from jmdiq_geo.ui.auth import current_name
from jmdiq_geo.ui.feedback import guard, show_notices
from jmdiq_geo.ui.state import settings, tr, workspace


def attributes_form(path: Path) -> None:
    ws = workspace()
    st.write(tr("svcattr_intro"))
    c1, c2 = st.columns(2)
    key = c1.radio(tr("svcattr_key"), ATTRIBUTE_KEYS, horizontal=True, key="svcattr_key",
                   format_func=lambda k: tr("svcattr_key_service_id") if k == "service_id"
                   else tr("svcattr_key_name_address"))
    cats = categories(ws.services())
    category = c2.selectbox(tr("svc_category"), [None, *cats], key="svcattr_category",
                            format_func=lambda c: tr("svcattr_all_categories") if c is None else category_label(c))
    # the team's own knowledge: no licence asked; the import log names the file
    source = Source(source_id=path.stem, title=path.name)
    b1, b2 = st.columns(2)
    check = b1.button(tr("import_check"), key="svcattr_check")
    go = b2.button(tr("import_run"), type="primary", key="svcattr_run")
    if check or go:
        with guard("import_failed"):
            report = import_attributes(ws, path, source, key=key, category=category, dry_run=check,
                                       max_bytes=settings().max_file_bytes,
                                       user=current_name())
            st.success(tr("svcattr_checked" if check else "svcattr_done", matched=report.details["matched"],
                          rows=report.rows, written=report.written, changed=report.details["changed"]))
            show_notices(report.notices)
            if go:
                st.cache_data.clear()
