"""The data object: what a team studies with the protocol's prompts and uploads to MICIP.

A data object is a named table and/or figure, its sources and filters, and factual observations
written from the numbers. Every column of its table declares its unit (``units``), and its figure
is drawn on demand: an analysis hands over how to draw the chart, so building data objects only
to read their names or words draws nothing. ``display`` shows it in a report, ``export`` writes
its MICIP files, ``prompts`` holds the questions asked of it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from rar_protocol.protocol.figures import figure_png, fit_texts
from rar_protocol.protocol.units import UNITS
from rar_protocol.protocol.words import SPENDING_MEASURE, table_sources

if TYPE_CHECKING:
    from rar_protocol.data.loading import Review


@dataclass
class DataObject:
    """One data set the team studies with the protocol and uploads to MICIP."""

    name: str
    observations: list[str]
    sources: list[str]
    filters: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    # How to draw the figure; called once, the first time the figure is shown or exported.
    draw: Callable[[], Figure] | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list)
    # A narrower view of the table for the printed report; exports always hold the whole table.
    display: pd.DataFrame | None = None
    # Measures this analysis needed but the review did not have: listed as "data we do not have".
    missing: list[str] = field(default_factory=list)
    # The unit of every column of the table and the display (rar_protocol.protocol.units).
    units: dict[str, str] = field(default_factory=dict)
    _figure: Figure | None = field(default=None, init=False, repr=False)
    _png: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # A column without a unit would be written by guesswork; say which, where the table is made.
        columns = [column for frame in (self.table, self.display) if frame is not None for column in frame.columns]
        undeclared = sorted({str(column) for column in columns if column not in self.units})
        unknown = sorted({unit for unit in self.units.values() if unit not in UNITS})
        if undeclared or unknown:
            raise ValueError(f"data object {self.name!r}: " + "; ".join(filter(None, [f"no unit declared for {undeclared}" if undeclared else "", f"unknown units {unknown}" if unknown else ""])))

    @property
    def figure(self) -> Figure | None:
        """The figure, drawn the first time it is asked for (None when the data object has no chart)."""
        if self._figure is None and self.draw is not None:
            self._figure = fit_texts(self.draw())
        return self._figure

    def png(self) -> bytes | None:
        """The figure as PNG bytes, drawn once however many times it is shown or exported."""
        if self.figure is None:
            return None
        if self._png is None:
            self._png = figure_png(self.figure)
        return self._png

    @property
    def key(self) -> str:
        """The name as a responses-file key: lower case, words joined by hyphens."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def missing_object(review: Review, name: str, observation: str, tables: tuple[str, ...], missing: list[str], **more: object) -> DataObject:
    """A data object for an analysis the review's data cannot support: it says so and names what is missing."""
    return DataObject(name=name, observations=[observation], sources=table_sources(review, *tables), missing=missing, **more)


def without_spending(review: Review, name: str, what: str) -> DataObject:
    """The data object of an analysis that needs building spending, when the review has none: it says so."""
    return missing_object(
        review,
        name,
        f"Building spending is not in this review's data (it has no expenditures table), so {what} cannot be shown. "
        "Michigan publishes spending by building from 2018-19 on (MI School Data's School-Level Expenditure Report); "
        "a district can also sum its own general ledger into building spending (expenditures: {from_ledger: true}).",
        ("enrollment",),
        [SPENDING_MEASURE],
    )


def without_fund_split(review: Review, name: str, what: str, year: str) -> DataObject:
    """The data object of an analysis that needs federal and state + local dollars apart, when the year's spending is one total: it says so."""
    return missing_object(
        review,
        name,
        f"Spending in {year} is given as one total per building, not split by fund source, so {what} cannot be shown. "
        "Add the fund source (federal, state, local) to the expenditures table: MI School Data's School-Level Expenditure Report publishes federal and state/local per pupil.",
        ("expenditures",),
        [SPENDING_MEASURE],
    )
