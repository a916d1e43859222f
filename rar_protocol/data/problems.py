"""Problems found in a user's input, reported together with file, row, column and a fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, said so a person can fix it.

    ``row`` is the row number a person sees in Excel or a text editor (the header is a row too);
    ``column`` is the column name as written in the file, or a YAML key.
    """

    file: str
    message: str
    fix: str = ""
    row: int | None = None
    column: str | None = None


def format_problems(problems: list[Problem], *, limit: int = 200) -> str:
    """A plain-text table of problems, one per line, capped at ``limit`` lines."""
    lines = [f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found:", ""]
    for problem in problems[:limit]:
        where = problem.file
        if problem.row is not None:
            where += f", row {problem.row}"
        if problem.column:
            where += f", column '{problem.column}'"
        line = f"- {where}: {problem.message}"
        if problem.fix:
            line += f" Fix: {problem.fix}"
        lines.append(line)
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more of the same kinds.")
    return "\n".join(lines)
