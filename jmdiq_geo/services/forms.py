"""What people type into the app's forms, read as the UI's language writes it."""
from __future__ import annotations

from jmdiq_geo.i18n import DECIMAL_MARK
from jmdiq_geo.io.numbers import parse_number


def read_number(text: str, lang: str) -> float | None:
    """A number typed in ``lang`` (``4,5`` or ``1.500,50`` in German); None for an empty text or
    no number (the form says so)."""
    return parse_number(text, decimal=DECIMAL_MARK[lang])
