"""The data analysis protocol: data objects, their prompts, the team's answers, and MICIP exports.

A data object is what a team studies and uploads to MICIP: a named table and/or figure, its
sources and filters, factual observations written from the numbers, and the protocol prompts
(Predict, Observe, Infer, Additional data needed by default) with the team's answers, or blank
lines to write on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure

from rar_protocol.protocol.figures import figure_png


@dataclass
class DataObject:
    """One data set the team studies with the protocol and uploads to MICIP."""

    name: str
    observations: list[str]
    sources: list[str]
    filters: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    figure: Figure | None = None
    notes: list[str] = field(default_factory=list)
    # A narrower view of the table for the printed report; exports always hold the whole table.
    display: pd.DataFrame | None = None
    # Measures this analysis needed but the review did not have: listed as "data we do not have".
    missing: list[str] = field(default_factory=list)
    _png: bytes | None = field(default=None, init=False, repr=False)

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
