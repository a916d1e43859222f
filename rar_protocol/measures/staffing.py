"""Staff FTE per building and year, by role: the counts behind pupils per staff member and staff per pupil."""

from __future__ import annotations

import pandas as pd

from rar_protocol.data.loading import Review


def staff_in_roles(review: Review, roles: tuple[str, ...]) -> pd.DataFrame | None:
    """The staff table's rows of the given roles (None when the review has no staff table)."""
    staff = review.table("staff")
    if staff is None:
        return None
    return staff[staff["role"].isin(roles)]


def role_by_building(review: Review, role: str) -> pd.DataFrame | None:
    """Staff rows of one role joined to every building-year with pupils (0 FTE where the role is absent), or None without such staff."""
    staff = review.table("staff")
    if staff is None or not (staff["role"] == role).any():
        return None
    rows = staff[staff["role"] == role].drop(columns="role")
    pupils = review.tables["enrollment"][["building_code", "school_year", "pupils"]]
    # Only buildings and years the staff table covers: a year with no staff rows at all is unknown, not zero.
    covered = staff[["building_code", "school_year"]].drop_duplicates()
    joined = pupils.merge(covered, on=["building_code", "school_year"]).merge(rows, on=["building_code", "school_year"], how="left")
    joined["fte"] = joined["fte"].fillna(0.0)
    return joined
