"""Achievement: percent proficient per building, year, subject and student group.

Rates are computed from counts (proficient over tested) wherever counts exist; sources that
publish only the rate (North Carolina, say) are used as published. Every table passes the
privacy suppression before it is returned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rar_protocol.data.loading import Review
from rar_protocol.measures.privacy import suppress


def proficiency(review: Review, *, student_group: str = "all", subjects: tuple[str, ...] | None = None) -> pd.DataFrame | None:
    """Percent proficient per building, year and subject for one student group, suppressed below the threshold.

    Returns None when the review has no outcomes table.
    """
    outcomes = review.table("outcomes")
    if outcomes is None:
        return None
    rows = outcomes[outcomes["student_group"] == student_group].copy()
    if subjects is not None:
        rows = rows[rows["subject"].isin(subjects)]
    from_counts = rows["proficient"] / rows["tested"].replace(0, np.nan) * 100
    rows["percent_proficient"] = from_counts.where(rows["tested"].notna(), rows["percent_proficient"])
    rows["rate_only"] = rows["tested"].isna() & rows["percent_proficient"].notna() & ~rows["suppressed"]
    minimum = review.config.thresholds.minimum_group_size
    # A published rate without its count was already screened by the state; keep it, flagged.
    students = rows["tested"].where(~rows["rate_only"], float(minimum))
    shown = suppress(rows.assign(students=students), count_column="students", value_columns=["tested", "proficient", "percent_proficient"], minimum=minimum)
    shown = shown.drop(columns=["students"])
    return shown.sort_values(["school_year", "building_code", "subject"]).reset_index(drop=True)


def district_proficiency(review: Review, *, student_group: str = "all") -> pd.DataFrame | None:
    """The district's percent proficient per year and subject: all proficient over all tested.

    Where only rates are published, the rates are weighted by the buildings' pupils instead, and
    ``weighted_by`` says so.
    """
    outcomes = review.table("outcomes")
    if outcomes is None:
        return None
    rows = outcomes[outcomes["student_group"] == student_group]
    pupils = review.tables["enrollment"][["building_code", "school_year", "pupils"]]
    rows = rows.merge(pupils, on=["building_code", "school_year"], how="left")
    results = []
    for (year, subject), group in rows.groupby(["school_year", "subject"], sort=True):
        counted = group.dropna(subset=["tested", "proficient"])
        if len(counted) and counted["tested"].sum() > 0:
            rate = counted["proficient"].sum() / counted["tested"].sum() * 100
            results.append((year, subject, rate, counted["tested"].sum(), "students tested"))
            continue
        rated = group.dropna(subset=["percent_proficient", "pupils"])
        if len(rated):
            rate = float(np.average(rated["percent_proficient"], weights=rated["pupils"]))
            results.append((year, subject, rate, np.nan, "building pupils (rates only published)"))
    table = pd.DataFrame(results, columns=["school_year", "subject", "percent_proficient", "tested", "weighted_by"])
    minimum = review.config.thresholds.minimum_group_size
    small = table["tested"].notna() & (table["tested"] < minimum)
    table.loc[small, ["percent_proficient", "tested"]] = np.nan
    return table
