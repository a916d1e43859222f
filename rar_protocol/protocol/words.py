"""Words written from numbers: money, school-year spans and source lines, the same in every report."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rar_protocol.data.loading import Review


def money(value: float) -> str:
    """Dollars as people write them: $1,214 (negative: -$1,214)."""
    return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"


def years_filter(years: list[str]) -> str:
    """The school years a data object covers, as a filter line."""
    years = sorted(years)
    return f"school years {years[0]} to {years[-1]}" if len(years) > 1 else f"school year {years[0]}"


def table_sources(review: Review, *tables: str) -> list[str]:
    """A source line for each named table the review provides: "staff table (staff.csv)"."""
    lines = []
    for name in tables:
        source = review.config.tables.get(name)
        if source is None:
            continue
        # Building spending may be summed from the general ledger instead of read from its own file.
        if source.from_ledger and "ledger" in review.config.tables:
            lines.append(f"{name} table (summed from the ledger, {review.config.tables['ledger'].file})")
        else:
            lines.append(f"{name} table ({source.file})")
    return lines
