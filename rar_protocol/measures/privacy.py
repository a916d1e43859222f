"""Small-group suppression: no count or rate from fewer than the threshold leaves the library.

One function, :func:`suppress`, is applied to every student-group table before it is shown,
charted or exported. It hides small cells and, where a row or column total is shown, hides one
more cell (the smallest remaining) so that a hidden count cannot be recovered by subtraction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from rar_protocol.data.loading import Review

MARKER = "<n"  # shown in place of a suppressed value; explained in every report's notes


def minimum_size(review: Review) -> int:
    """The smallest number of students whose figures the review may show (``thresholds.minimum_group_size``)."""
    return review.config.thresholds.minimum_group_size


def reveals_small_group(counts: pd.Series, pupils: pd.Series, minimum: int) -> pd.Series:
    """True where a group's count, or its share of ``pupils``, would reveal fewer than ``minimum`` students.

    Both sides count: 98% economically disadvantaged of 300 pupils tells the reader that 6 are not.
    An unknown count reveals nothing but cannot be shown either, so it is hidden too.
    """
    counts = pd.to_numeric(counts, errors="coerce")
    rest = pd.to_numeric(pupils, errors="coerce") - counts
    return counts.isna() | (counts < minimum) | (rest < minimum)


def marked(values: pd.Series, hidden: pd.Series) -> pd.Series:
    """``values`` with the privacy marker in place of each hidden one, for tables and exports."""
    return values.astype(object).where(~hidden.fillna(False).astype(bool).to_numpy(), MARKER)


def share_note(minimum: int) -> str:
    """The sentence every table of group shares carries."""
    return f"A group's share is not shown ({MARKER}) where the group, or the rest of the building's pupils, numbers fewer than {minimum}: either would reveal a small group."


def suppress(
    table: pd.DataFrame,
    *,
    count_column: str,
    value_columns: Sequence[str],
    minimum: int = 10,
    complementary_within: Sequence[str] = (),
) -> pd.DataFrame:
    """Hide ``value_columns`` (and the count) where ``count_column`` is below ``minimum``.

    Parameters
    ----------
    table
        One row per group (and whatever else: year, building, subject).
    count_column
        The number of students behind each row's values.
    value_columns
        Counts and rates computed from those students.
    minimum
        The smallest number of students whose figures may be shown.
    complementary_within
        Columns that identify a set of rows summing to a total shown elsewhere (for instance
        building and year for the groups of one building). Where exactly one row of such a set is
        suppressed, the next smallest row of the set is suppressed too.

    Returns a copy with a boolean ``suppressed`` column; suppressed values are NaN (never zero).
    """
    result = table.copy()
    counts = pd.to_numeric(result[count_column], errors="coerce")
    hidden = counts.isna() | (counts < minimum)
    if "suppressed" in result.columns:
        hidden |= result["suppressed"].fillna(False).astype(bool)
    if complementary_within:
        hidden = _complementary(counts, hidden, result, list(complementary_within))
    columns = list(dict.fromkeys([count_column, *value_columns]))
    for column in columns:
        result[column] = result[column].astype(float).where(~hidden, np.nan)
    result["suppressed"] = hidden
    return result


def _complementary(counts: pd.Series, hidden: pd.Series, table: pd.DataFrame, keys: list[str]) -> pd.Series:
    hidden = hidden.copy()
    for _, members in table.groupby(keys, sort=False, dropna=False).indices.items():
        members = table.index[members]
        if int(hidden[members].sum()) != 1 or len(members) < 2:
            continue
        visible = counts[members][~hidden[members]].dropna()
        if not visible.empty:
            hidden[visible.idxmin()] = True
    return hidden


def format_suppressed(value: float, *, style: str = "{:,.0f}") -> str:
    """A value for display: the marker when suppressed, else the formatted number."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return MARKER
    return style.format(value)
