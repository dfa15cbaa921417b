"""Typed errors that carry every problem found, each naming file, row, column and the fix.

A ``Problem`` holds a catalogue code and its parameters, not a finished sentence, so that the
same problem reads in German in the app and in English with ``--lang en``
(see ``jmdiq_geo.i18n.format_problem``). Validation collects all problems and raises once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from jmdiq_geo.i18n import format_problems


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    file: str | None = None
    #: 1-based data row (for CSV: the row after the header) or feature number.
    row: int | None = None
    column: str | None = None
    #: "error" stops the import; "notice" is reported and the import goes on.
    severity: str = "error"


class JmdiqError(Exception):
    """Base class; ``problems`` lists everything that is wrong at once."""

    def __init__(self, problems: Problem | Iterable[Problem]):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        if not self.problems:
            raise ValueError("JmdiqError needs at least one problem")
        super().__init__(self._english())

    def _english(self) -> str:
        return "\n".join(format_problems(self.problems, "en"))

    def render(self, lang: str = "de") -> list[str]:
        """The problems as lines, at most ``i18n.PROBLEMS_SHOWN`` and "… and N more"."""
        return format_problems(self.problems, lang)


class InputError(JmdiqError):
    """The file cannot be read or holds values that cannot be used."""


class SchemaError(JmdiqError):
    """Columns are missing, duplicated or of the wrong kind; a manifest is malformed."""


class CrsError(JmdiqError):
    """A coordinate reference system is missing or two layers disagree."""


class JoinError(JmdiqError):
    """Keys or names do not match the areas they are meant for."""


class AnalysisError(JmdiqError, ValueError):
    """An analysis cannot run on these values or with these options (too few areas, all values
    equal, an unknown method). Also a ``ValueError``, so code that expects one keeps working."""


class MissingValuesError(JmdiqError, KeyError):
    """Values an analysis needs are not there (an index component without its indicators)."""


class ParseError(InputError, ValueError):
    """One value cannot be read (an opening time, a cost, a yes/no); its message is the detail
    that names the position or the value."""


class ConflictError(JmdiqError):
    """A record was changed by someone else since it was read."""


class AccessDenied(JmdiqError):
    """The logged-in user's role does not allow the action (or nobody is logged in)."""


def raise_if_errors(problems: list[Problem], cls: type[JmdiqError] = InputError) -> list[Problem]:
    """Raise ``cls`` with every error in ``problems``; return the notices otherwise."""
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise cls(errors)
    return [p for p in problems if p.severity != "error"]
