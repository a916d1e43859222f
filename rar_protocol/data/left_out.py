"""Spending rows a review leaves out, counted and said out loud: never dropped silently.

Rows leave a spending table three ways: ``only_known_buildings`` drops rows of buildings the
buildings table lacks, a ``filter`` drops rows, and ``district_rows: {..., share: leave_out}`` drops
district-level costs. Each is recorded per table and year with its rows and dollars, so `rar validate`
prints it and the reports' sources notes say it. Two kinds of dropped rows are not the district's
spending and are not recorded: rows of other districts in a state-wide file, and totals rows (whose
dollars equal their building's other rows), which a filter rightly keeps from being counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rar_protocol.data.config import Condition, ConditionValue, TableSource
from rar_protocol.data.mapping import conditions_hold, map_table, match_headers
from rar_protocol.data.parsing import normalize_school_year, parse_code, parse_number
from rar_protocol.data.reading import ROW, RawTable
from rar_protocol.errors import InputError

# The dollars column of each table that holds spending.
SPENDING_COLUMNS = {"expenditures": "amount", "strategies": "cost", "ledger": "actual"}
DISTRICT_ROWS = "district_rows"
DISTRICT_LINES = "district_lines"
NOT_IN_BUILDINGS = "not_in_buildings"
FILTERED = "filter"
# A totals row may differ from its parts by the rounding of each part (NC rounds every source).
_TOTALS_TOLERANCE = 0.001


@dataclass(frozen=True)
class LeftOut:
    """Rows of one table and year a review leaves out: how many, their dollars (None when unreadable) and why."""

    table: str
    file: str
    school_year: str | None
    rows: int
    dollars: float | None
    reason: str
    buildings: tuple[str, ...] = ()


def describe(record: LeftOut) -> str:
    """One line: "expenditures, 2023-24: 12 rows ($1,010,000) of building 9000, not in the buildings table, left out (only_known_buildings)"."""
    year = record.school_year or "year not read"
    rows = f"{record.rows:,} row{'s' if record.rows != 1 else ''}"
    dollars = f" (${record.dollars:,.0f})" if record.dollars is not None else ""
    codes = ", ".join(record.buildings[:5]) + (f" and {len(record.buildings) - 5} more" if len(record.buildings) > 5 else "")
    of = f" of building{'s' if len(record.buildings) != 1 else ''} {codes}" if record.buildings else ""
    if record.reason == DISTRICT_ROWS:
        return f"{record.table}, {year}: {rows}{dollars} of district-level rows left out (district_rows: share: leave_out)"
    if record.reason == DISTRICT_LINES:
        return f"{record.table}, {year}: {rows}{dollars} of district-level ledger lines left out (from_ledger: district_lines: leave_out)"
    if record.reason == NOT_IN_BUILDINGS:
        return f"{record.table}, {year}: {rows}{dollars}{of}, not in the buildings table, left out (only_known_buildings)"
    return f"{record.table}, {year}: {rows}{dollars}{of} left out by the filter"


def describe_all(records: list[LeftOut], table: str | None = None) -> list[str]:
    """A line per record (of one table, when given), in table and year order."""
    chosen = [record for record in records if table is None or record.table == table]
    return [describe(record) for record in sorted(chosen, key=lambda record: (record.table, record.school_year or "", record.reason))]


def _names_district(condition: ConditionValue, district_code: str | None) -> bool:
    """Whether a filter condition selects the review's district (rows failing it are another district's)."""
    if not district_code:
        return False
    codes = {district_code, district_code.lstrip("0")}
    if isinstance(condition, Condition):
        written = [condition.equals, *(condition.one_of or [])]
        return any(str(value) in codes for value in written if value is not None)
    if isinstance(condition, list):
        return any(str(value) in codes for value in condition)
    return str(condition) in codes


def dropped_spending(
    table: str,
    raw: RawTable,
    source: TableSource,
    kept: pd.DataFrame,
    folder: Path,
    label: str,
    known_buildings: set[str] | None,
    district_code: str | None,
) -> list[LeftOut]:
    """The district's spending rows that the filter or only_known_buildings dropped, per year.

    ``kept`` is the parsed table (with ``_row``); the dropped rows are mapped the same way, with no
    filter, to read their building, year and dollars.
    """
    column = SPENDING_COLUMNS.get(table)
    if column is None:
        return []
    frame = match_headers(raw.frame, source) if source.format or source.headers else raw.frame
    raw = RawTable(frame, raw.path, raw.header_row)
    dropped = frame.loc[~frame[ROW].isin(set(kept[ROW]))]
    selecting = {name: condition for name, condition in source.filter.items() if _names_district(condition, district_code)}
    if selecting and len(dropped):
        dropped = dropped.loc[conditions_hold(dropped, selecting, label)]
    if dropped.empty:
        return []
    passed_filter = set(dropped.loc[conditions_hold(dropped, source.filter, label), ROW])
    lenient = source.model_copy(update={"filter": {}, "only_known_buildings": False, "district_rows": None})
    try:
        mapped, _ = map_table(RawTable(dropped.reset_index(drop=True), raw.path, raw.header_row), lenient, folder, label)
    except InputError:
        mapped = pd.DataFrame({ROW: dropped[ROW]})
    rows = _per_row(mapped, column)
    rows["reason"] = [NOT_IN_BUILDINGS if row in passed_filter else FILTERED for row in rows[ROW]]
    known = known_buildings or set()
    unknown = rows["building_code"].notna() & ~rows["building_code"].isin(known)
    if unknown.any() and rows.loc[unknown, "building_code"].nunique() > max(10, len(known)):
        # More unknown buildings than the district has: a file of several districts, not the district's spending.
        rows = rows.loc[~unknown]
    rows = rows.loc[~_totals_rows(rows, kept, column)]
    records = []
    for (year, reason), group in rows.groupby([rows["school_year"].fillna(""), "reason"], sort=True):
        dollars = None if group["dollars"].isna().all() else float(group["dollars"].sum())
        codes = tuple(sorted(set(group["building_code"].dropna()) - known))
        records.append(LeftOut(table, label, year or None, len(group), dollars, reason, codes))
    return records


def _per_row(mapped: pd.DataFrame, column: str) -> pd.DataFrame:
    """One line per file row: its building, year and dollars (a row made long by wide_to_long adds up)."""
    pieces = pd.DataFrame({ROW: mapped[ROW]})
    pieces["building_code"] = parse_code(mapped["building_code"])[0] if "building_code" in mapped.columns else None
    pieces["school_year"] = mapped["school_year"].map(normalize_school_year) if "school_year" in mapped.columns else None
    pieces["dollars"] = parse_number(mapped[column])[0] if column in mapped.columns else float("nan")
    grouped = pieces.groupby(ROW, sort=True)
    return pd.DataFrame({"building_code": grouped["building_code"].first(), "school_year": grouped["school_year"].first(), "dollars": grouped["dollars"].sum(min_count=1)}).reset_index()


def _totals_rows(rows: pd.DataFrame, kept: pd.DataFrame, column: str) -> pd.Series:
    """Dropped rows that are totals, not spending left out: a building's (equal to its kept rows that year)
    or the district's (equal to every other row of the year)."""
    if not {"building_code", "school_year", column} <= set(kept.columns) or rows.empty:
        return pd.Series(False, index=rows.index)

    def close(found: pd.Series, expected: pd.Series) -> pd.Series:
        return (expected.notna() & found.notna() & ((found - expected).abs() <= (_TOTALS_TOLERANCE * expected.abs()).clip(lower=1.0))).astype(bool)

    by_building = kept.groupby(["building_code", "school_year"])[column].sum()
    building_total = pd.Series([by_building.get((code, year)) for code, year in zip(rows["building_code"], rows["school_year"])], index=rows.index, dtype=float)
    dropped_by_building = rows.groupby(["building_code", "school_year"], dropna=False)["dollars"].transform("sum")
    by_year = kept.groupby("school_year")[column].sum()
    dropped_by_year = rows.groupby(rows["school_year"].fillna(""))["dollars"].transform("sum")
    others_of_year = pd.Series([by_year.get(year) for year in rows["school_year"]], index=rows.index, dtype=float) + dropped_by_year - rows["dollars"]
    return close(dropped_by_building, building_total) | close(rows["dollars"], others_of_year)
