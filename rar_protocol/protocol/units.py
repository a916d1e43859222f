"""Column units: every table column of a data object declares what its values are, and reports
and exports write each value by its column's unit, never by guessing from the column's label.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

MONEY = "money"  # dollars: $1,214 and -$1,214
PERCENT = "percent"  # a share or rate, 0-100: 41.3%
CHANGE = "change"  # a signed percent change or deviation: +3.2%, -1.0%
COUNT = "count"  # pupils, students, staff FTE, buildings, ranks: 1,234 (one decimal where not whole)
NUMBER = "number"  # ratios, indices, points, distances: 1,234 or 0.8
TEXT = "text"  # names, labels and sentences, written as they are
CODE = "code"  # building and district codes and school years: text, leading zeros kept
FLAG = "flag"  # yes, or blank
UNITS = (MONEY, PERCENT, CHANGE, COUNT, NUMBER, TEXT, CODE, FLAG)


def format_value(value: Any, unit: str) -> str | None:
    """A present value as a report writes it in a column of ``unit``; None for a missing value."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (int, float)):
        if unit == MONEY:
            return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"
        if unit == CHANGE:
            return f"{value:+.1f}%"
        if unit == PERCENT:
            return f"{value:.1f}%"
        # Counts and numbers alike: whole values without decimals, others to one decimal; a text
        # column holding a number (e.g. a count beside "–" placeholders) writes it the same way.
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return str(value)


def declare(
    *,
    money: Iterable[str] = (),
    percent: Iterable[str] = (),
    change: Iterable[str] = (),
    count: Iterable[str] = (),
    number: Iterable[str] = (),
    text: Iterable[str] = (),
    code: Iterable[str] = (),
    flag: Iterable[str] = (),
) -> dict[str, str]:
    """Each column's unit, written unit by unit: ``declare(money=["Cost ($)"], count=["Pupils"])``."""
    declared = {MONEY: money, PERCENT: percent, CHANGE: change, COUNT: count, NUMBER: number, TEXT: text, CODE: code, FLAG: flag}
    return {column: unit for unit, columns in declared.items() for column in columns}
