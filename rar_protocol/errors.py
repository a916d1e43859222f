"""The package's errors: one base, RarError, so a caller can catch everything the package raises on purpose.

RarError
├── InputError   a user's input is wrong; carries every Problem found (exit code 2)
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


class InputError(RarError):
    """Inputs are wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        from rar_protocol.data.problems import format_problems

        self.problems = list(problems)
        super().__init__(format_problems(self.problems))


class ReportError(RarError):
    """A report could not be made; the message says which and why."""


class PdfError(ReportError):
    """A PDF could not be produced; the message is one line meant for the user."""
