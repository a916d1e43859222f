"""The package's errors: one base, RarError, so a caller can catch everything the package raises on purpose.

RarError
├── InputError   a user's input is wrong; carries every Problem found (exit code 2)
│   └── ParameterError  one report parameter (building, school year, comparison) the review does not have
└── ReportError  a report could not be made (one building's failure; the batch goes on)
    ├── PdfError       a PDF could not be produced; the message is one line meant for the user
    └── ReportFailure  (rar_protocol.report.execute) the failing cell, exception name and message
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rar_protocol.data.problems import Problem


class RarError(Exception):
    """Base class of every error the package raises on purpose."""

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: in a notebook the package's own errors
        # read as the message alone, as the `rar` command prints them, not as a trace into the library.
        return [f"{type(self).__name__}: {line}" if number == 0 else line for number, line in enumerate(str(self).splitlines() or [""])]


class InputError(RarError):
    """Inputs are wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        from rar_protocol.data.problems import format_problems

        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


class ParameterError(InputError):
    """A report parameter names something the review does not have; the message is one line with the choices."""

    def __init__(self, parameter: str, message: str) -> None:
        from rar_protocol.data.problems import Problem

        self.problems = [Problem(parameter, message)]
        self.parameter = parameter
        RarError.__init__(self, message)


class ReportError(RarError):
    """A report could not be made; the message says which and why."""


class PdfError(ReportError):
    """A PDF could not be produced; the message is one line meant for the user."""
