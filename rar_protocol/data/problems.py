"""Problems found in a user's input, reported together with file, row, column and a fix."""

from __future__ import annotations

import re
from dataclasses import dataclass

GROUP_FROM = 3  # this many problems of one cause in one column are one line listing their rows


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


def _cause(problem: Problem) -> tuple[str, str | None, str, str]:
    """Problems of one cause: same file, column and fix, and the same message but for numbers and the cell's own
    value ("'abc' is not a number"); a name quoted inside a message (Building '9000') keeps its line."""
    shape = re.sub(r"\d[\d,.]*", "_", re.sub(r"^'[^']*'", "_", problem.message))
    return (problem.file, problem.column, problem.fix, shape)


def row_ranges(rows: list[int]) -> str:
    """Rows as ranges: [2, 3, 4, 9] -> "2-4, 9"."""
    ordered = sorted(set(rows))
    ranges: list[str] = []
    start = previous = ordered[0]
    for row in [*ordered[1:], None]:
        if row is not None and row == previous + 1:
            previous = row
            continue
        ranges.append(str(start) if start == previous else f"{start}-{previous}")
        if row is not None:
            start = previous = row
    return ", ".join(ranges)


def _line(problem: Problem, *, rows: list[int] | None = None, alike: bool = True) -> str:
    where = problem.file
    if rows is None and problem.row is not None:
        where += f", row {problem.row}"
    if problem.column:
        where += f", column '{problem.column}'"
    if rows is None:
        line = f"- {where}: {problem.message}"
    else:
        message = problem.message.rstrip(".") + ("" if alike else " (and others like it)")
        line = f"- {where}: {len(rows):,} rows: {message}, rows {row_ranges(rows)}."
    if problem.fix:
        line += f" Fix: {problem.fix}"
    return line


def format_problems(problems: list[Problem], *, limit: int = 200) -> str:
    """A plain-text table of problems, one per line, capped at ``limit`` lines; the count is every problem
    found, and problems of one cause on many rows are one line naming their rows."""
    groups: dict[tuple[str, str | None, str, str], list[Problem]] = {}
    for problem in problems:
        key = _cause(problem) if problem.row is not None else (problem.file, problem.column, problem.fix, f"\0{len(groups)}{problem.message}")
        groups.setdefault(key, []).append(problem)
    lines: list[str] = []
    for members in groups.values():
        if len(members) >= GROUP_FROM:
            rows = [member.row for member in members if member.row is not None]
            lines.append(_line(members[0], rows=rows, alike=len({member.message for member in members}) == 1))
        else:
            lines += [_line(member) for member in members]
    grouped = f" (in {len(lines):,} line{'s' if len(lines) != 1 else ''})" if len(lines) < len(problems) else ""
    header = [f"{len(problems):,} problem{'s' if len(problems) != 1 else ''} found{grouped}:", ""]
    shown = lines[:limit]
    if len(lines) > limit:
        shown.append(f"... and {len(lines) - limit:,} more lines of problems.")
    return "\n".join(header + shown)
