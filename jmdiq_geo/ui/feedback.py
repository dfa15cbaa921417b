"""Turn JmdiqErrors into readable messages (never a traceback) and show notices."""
from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from jmdiq_geo.errors import JmdiqError, Problem
from jmdiq_geo.i18n import format_problems, markdown_safe
from jmdiq_geo.ui.state import lang, tr


def show_error(exc: JmdiqError, *, title_key: str = "ui_error_title", fields: dict[str, str] | None = None) -> None:
    """``fields``: a form's field labels by id (see ``format_problem``)."""
    lines = "\n".join(f"- {line}" for line in format_problems(exc.problems, lang(), fields=fields,
                                                             escape=markdown_safe))
    st.error(f"**{tr(title_key)}**\n\n{lines}", icon=":material/error:")


def show_notices(problems: list[Problem], *, fields: dict[str, str] | None = None,
                 title_key: str = "ui_notices_title") -> None:
    if problems:
        lines = "\n".join(f"- {line}" for line in format_problems(problems, lang(), fields=fields,
                                                                 escape=markdown_safe))
        st.info(f"**{tr(title_key)}**\n\n{lines}", icon=":material/info:")


@contextmanager
def guard(title_key: str = "ui_error_title"):
    """``with guard(): …`` shows any JmdiqError as a message; the page goes on."""
    try:
        yield
    except JmdiqError as exc:
        show_error(exc, title_key=title_key)
