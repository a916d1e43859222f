"""Building expenditures summed from a district's general ledger (Bulletin 1022 account strings).

Used by ``expenditures: {from_ledger: true}`` in a review YAML: the ledger's actuals become the
expenditures table, so a district with only its ledger export still gets per-pupil spending by
building, fund source, function and object. Which lines count, and what happens to district-level
lines, is the :class:`~rar_protocol.data.config.FromLedger` rule (written out in the data dictionary).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rar_protocol.data.config import FromLedger
from rar_protocol.data.problems import Problem
from rar_protocol.data.reading import ROW

EXPENDITURE_KEY = ["building_code", "school_year", "fund_source", "category", "function_code", "object_code", "central"]


def counted_lines(ledger: pd.DataFrame, rule: FromLedger) -> pd.DataFrame:
    """The ledger lines the rule counts as school spending (by fund and function prefixes)."""
    funds = ledger["fund"].fillna("").astype(str)
    functions = ledger["function_code"].fillna("").astype(str)
    keep = funds.str.startswith(tuple(rule.funds)) & functions.str.startswith(tuple(rule.functions))
    return ledger.loc[keep]


def category_of(object_codes: pd.Series) -> pd.Series:
    """personnel for objects 1000s (salaries) and 2000s (benefits), non_personnel for the rest."""
    first_digit = object_codes.fillna("").astype(str).str.strip().str[:1]
    return pd.Series(np.where(first_digit.isin(["1", "2"]), "personnel", "non_personnel"), index=object_codes.index, dtype=object)


def building_expenditures(ledger: pd.DataFrame, *, buildings: set[str], enrollment: pd.DataFrame, rule: FromLedger, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The expenditures table from ledger actuals: building lines where they are, district lines per pupil.

    ``ledger`` is the parsed ledger table (with its ``_row`` column); returns the expenditures rows
    (one per key, amounts summed) and the problems that keep lines from being assigned.
    """
    lines = counted_lines(ledger, rule)
    problems = _fund_source_problems(lines, label)
    if problems:
        return pd.DataFrame(columns=[*EXPENDITURE_KEY, "amount", ROW]), problems
    lines = lines.assign(category=category_of(lines["object_code"]), amount=lines["actual"])
    at_building = lines["location"].isin(buildings)
    if len(lines) and not at_building.any():
        # Vendor location numbers that are not building codes would share every dollar per pupil.
        found = ", ".join(sorted(set(lines["location"].dropna().astype(str)))[:10])
        return pd.DataFrame(columns=[*EXPENDITURE_KEY, "amount", ROW]), [
            Problem(
                label,
                f"No counted ledger line is at one of the review's buildings: the locations found ({found}) are not building codes.",
                'Recode the ledger\'s locations to building codes in its mapping, e.g. values: {location: {"101": "04937"}} (or a join with a crosswalk file).',
                column="location",
            )
        ]
    own = lines.loc[at_building].assign(building_code=lambda frame: frame["location"], central=False)
    pieces = [own]
    district = lines.loc[~at_building]
    if rule.district_lines == "allocate_per_pupil" and len(district):
        allocated, allocation_problems = allocate_per_pupil(district, buildings, enrollment, label)
        pieces.append(allocated)
        problems += allocation_problems
    return summed_by_key(pd.concat(pieces, ignore_index=True)), problems


def summed_by_key(lines: pd.DataFrame) -> pd.DataFrame:
    """Expenditure lines added up per key (a building's own and its shared lines stay apart by ``central``)."""
    return lines.groupby(EXPENDITURE_KEY, sort=True, dropna=False).agg(amount=("amount", "sum"), **{ROW: (ROW, "min")}).reset_index()


def _fund_source_problems(lines: pd.DataFrame, label: str) -> list[Problem]:
    """Every counted line needs its fund source: federal money is the first thing a review separates."""
    blank = lines.index[lines["fund_source"].isna()]
    problems = [
        Problem(
            label,
            f"Ledger line (fund {lines.at[index, 'fund']}, function {lines.at[index, 'function_code']}, object {lines.at[index, 'object_code']}) has no fund_source, so its spending cannot be put under federal, state or local.",
            "Derive fund_source in the ledger's mapping, e.g. cases: {fund_source: [{when: {program: {matches: '^(T1|IDEA)'}}, value: federal}, {value: state_local}]}.",
            row=int(lines.at[index, ROW]),
            column="fund_source",
        )
        for index in blank
    ]
    return problems


def allocate_per_pupil(
    district: pd.DataFrame,
    buildings: set[str],
    enrollment: pd.DataFrame,
    label: str,
    *,
    what: str = "District-level ledger lines",
    fix: str = "Add that year's enrollment, or set from_ledger: {district_lines: leave_out}.",
    column: str = "location",
) -> tuple[pd.DataFrame, list[Problem]]:
    """District-level lines shared among the buildings by their pupils that year (as Michigan's report does), marked central.

    ``what``, ``fix`` and ``column`` word the problem of a year without pupils for the rows' own table.
    """
    pupils = enrollment.loc[enrollment["building_code"].isin(buildings), ["building_code", "school_year", "pupils"]]
    shares = pupils.assign(share=pupils["pupils"] / pupils.groupby("school_year")["pupils"].transform("sum"))
    uncovered = sorted(set(district["school_year"].dropna()) - set(shares["school_year"]))
    problems = [
        Problem(
            label,
            f"{what} in {year} cannot be shared among buildings: the enrollment has no pupils that year.",
            fix,
            column=column,
        )
        for year in uncovered
    ]
    allocated = district.drop(columns=["building_code"], errors="ignore").merge(shares[["building_code", "school_year", "share"]], on="school_year", how="inner")
    allocated["amount"] = allocated["amount"] * allocated["share"]
    return allocated.drop(columns=["share"]).assign(central=True), problems
