"""Every district at once: load and validate state-wide tables, then each district's metrics.

Used for state or ISD-wide comparisons and by the benchmark's scale test: the same loading and
validation as a single review, and the same weighting (summed dollars over summed pupils).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rar_protocol.data.config import TableSource
from rar_protocol.data.loading import load_table
from rar_protocol.data.reading import ROW
from rar_protocol.errors import InputError

STATEWIDE_TABLES = ("buildings", "enrollment", "designations", "expenditures", "outcomes", "staff")


def load_statewide(folder: Path) -> dict[str, pd.DataFrame]:
    """Read and validate ``<table>.csv`` for each state-wide table in ``folder`` (all problems together)."""
    tables, problems = {}, []
    for name in STATEWIDE_TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        frame, table_problems, _ = load_table(name, TableSource(file=path.name), folder)
        problems += table_problems
        tables[name] = frame.drop(columns=[ROW], errors="ignore")
    if problems:
        raise InputError(problems)
    return tables


def district_metrics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per district and year: pupils, per-pupil spending by source, need, proficiency and novice share."""
    district_of = tables["buildings"].set_index("building_code")["district_code"]
    keys = ["district_code", "school_year"]
    enrollment = tables["enrollment"].assign(district_code=lambda frame: frame["building_code"].map(district_of))
    metrics = enrollment.groupby(keys)[["pupils", "economically_disadvantaged"]].sum(min_count=1)
    metrics["economically_disadvantaged_percent"] = metrics["economically_disadvantaged"] / metrics["pupils"] * 100
    spending = tables["expenditures"]
    spending = spending.assign(
        district_code=spending["building_code"].map(district_of),
        source=spending["fund_source"].where(spending["fund_source"] == "federal", "state_local"),
    )
    dollars = spending.pivot_table(index=keys, columns="source", values="amount", aggfunc="sum", fill_value=0.0)
    metrics["total_per_pupil"] = dollars.sum(axis=1) / metrics["pupils"]
    for source in ("federal", "state_local"):
        metrics[f"{source}_per_pupil"] = dollars.get(source, 0.0) / metrics["pupils"]
    if "outcomes" in tables:
        outcomes = tables["outcomes"]
        everyone = outcomes[outcomes["student_group"] == "all"].assign(district_code=lambda frame: frame["building_code"].map(district_of))
        counts = everyone.groupby([*keys, "subject"])[["proficient", "tested"]].sum(min_count=1)
        rates = (counts["proficient"] / counts["tested"] * 100).unstack("subject")
        metrics = metrics.join(rates.add_suffix("_percent_proficient"))
    if "staff" in tables:
        teachers = tables["staff"][tables["staff"]["role"] == "teacher"].assign(district_code=lambda frame: frame["building_code"].map(district_of))
        staffing = teachers.groupby(keys)[["fte", "novice_fte"]].sum(min_count=1)
        metrics["novice_teacher_percent"] = staffing["novice_fte"] / staffing["fte"] * 100
        metrics["pupils_per_teacher"] = metrics["pupils"] / staffing["fte"]
    if "designations" in tables:
        identified = tables["designations"][tables["designations"]["designation"] != "none"].assign(district_code=lambda frame: frame["building_code"].map(district_of))
        metrics["identified_buildings"] = identified.groupby(keys).size()
        metrics["identified_buildings"] = metrics["identified_buildings"].fillna(0).astype(int)
    return metrics.reset_index()


def statewide_metrics(folder: Path) -> pd.DataFrame:
    """Load, validate and compute every district's metrics from the state-wide tables in ``folder``."""
    return district_metrics(load_statewide(folder))
