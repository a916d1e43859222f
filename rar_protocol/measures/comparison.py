"""Comparison groups of a building, and per-pupil dollars for each: the group's dollars over the group's pupils."""

from __future__ import annotations

import pandas as pd

from rar_protocol.data.loading import Review
from rar_protocol.measures import finance


def same_level_peers(review: Review, building_code: str) -> tuple[str, list[str]]:
    """The building's level and the district's other buildings of that level (codes, sorted)."""
    buildings = review.tables["buildings"]
    level = str(buildings.loc[buildings["building_code"] == building_code, "level"].iloc[0])
    peers = sorted(buildings.loc[(buildings["level"] == level) & (buildings["building_code"] != building_code), "building_code"])
    return level, peers


def spending_pupils(review: Review) -> pd.DataFrame:
    """Pupils per building-year that has spending: the denominator every per-pupil comparison uses."""
    return finance.per_pupil(review)[["building_code", "school_year", "pupils"]]


def per_pupil_by(review: Review, groups: dict[str, list[str]], dollars: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per-pupil dollars per school year and ``key`` for each group of buildings (label: codes): its dollars over its pupils.

    ``dollars`` has columns building_code, school_year, ``key`` and amount. A group's pupils are
    all its buildings' pupils, including buildings that spent nothing under a key.
    """
    pupils = spending_pupils(review)
    group_dollars = {label: dollars[dollars["building_code"].isin(codes)].groupby(["school_year", key])["amount"].sum() for label, codes in groups.items()}
    # One row per year and key that any group spent on; a group that spent nothing there has zero dollars.
    wide = pd.DataFrame(group_dollars).fillna(0.0)
    years = wide.index.get_level_values("school_year")
    for label, codes in groups.items():
        group_pupils = pupils[pupils["building_code"].isin(codes)].groupby("school_year")["pupils"].sum()
        wide[label] = wide[label].to_numpy() / years.map(group_pupils).to_numpy(dtype=float)
    return wide.rename_axis(["school_year", key]).reset_index()


def building_level(review: Review, building_code: str) -> str:
    """The building's level ("other" when the buildings table does not list the building)."""
    buildings = review.tables["buildings"]
    match = buildings.loc[buildings["building_code"] == building_code, "level"]
    return str(match.iloc[0]) if len(match) else "other"
