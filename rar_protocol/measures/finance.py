"""Per-pupil spending, computed from dollars and pupils and weighted by pupils.

Dollars and pupils are kept separately until the last step: a district figure is the district's
dollars over the district's pupils, never an average of buildings' per-pupil figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rar_protocol.data.loading import Review

SOURCE_GROUPS = {"federal": "federal", "state": "state_local", "local": "state_local", "state_local": "state_local"}


def unsplit_years(review: Review, column: str) -> list[str]:
    """The school years whose spending is not split by ``column`` (fund_source "total", or a blank category) in some row.

    A year split for some buildings only is treated as not split at all, so that every district
    figure of that year is over the same buildings as its total.
    """
    spending = review.tables["expenditures"]
    unsplit = spending[column].isna() | (spending[column] == "total")
    return sorted(spending.loc[unsplit, "school_year"].unique())


def compared_measure(review: Review, year: str) -> str:
    """The spending buildings are compared on in ``year``: "state_local" (federal money follows need) where the split is reported, else "total"."""
    return "total" if year in unsplit_years(review, "fund_source") else "state_local"


def building_dollars(review: Review) -> pd.DataFrame:
    """Dollars per building and year: total, federal and state+local, personnel and non-personnel.

    Federal and state + local are NaN (not reported, never 0) in a year the fund source is not
    split; personnel and non-personnel likewise in a year the category is not reported.
    """
    spending = review.tables["expenditures"].copy()
    spending["source_group"] = spending["fund_source"].map(SOURCE_GROUPS).fillna("total")
    keys = ["building_code", "school_year"]
    by_source = spending.pivot_table(index=keys, columns="source_group", values="amount", aggfunc="sum", fill_value=0.0)
    by_category = spending.assign(category=spending["category"].fillna("unreported")).pivot_table(index=keys, columns="category", values="amount", aggfunc="sum", fill_value=0.0)
    by_category = by_category.reindex(by_source.index, fill_value=0.0)
    dollars = pd.DataFrame(index=by_source.index)
    dollars["total_dollars"] = by_source.sum(axis=1)
    dollars["federal_dollars"] = by_source.get("federal", 0.0)
    dollars["state_local_dollars"] = by_source.get("state_local", 0.0)
    dollars["personnel_dollars"] = by_category.get("personnel", 0.0)
    dollars["non_personnel_dollars"] = by_category.get("non_personnel", 0.0)
    years = dollars.index.get_level_values("school_year")
    for columns, unsplit in (
        (["federal_dollars", "state_local_dollars"], unsplit_years(review, "fund_source")),
        (["personnel_dollars", "non_personnel_dollars"], unsplit_years(review, "category")),
    ):
        dollars.loc[years.isin(unsplit), columns] = np.nan
    return dollars.reset_index()


def per_pupil(review: Review) -> pd.DataFrame:
    """Per-pupil expenditure per building and year (total, federal, state+local), with outlier flags."""
    dollars = building_dollars(review)
    pupils = review.tables["enrollment"][["building_code", "school_year", "pupils"]]
    table = dollars.merge(pupils, on=["building_code", "school_year"], how="left", validate="one_to_one")
    for measure in ("total", "federal", "state_local", "personnel", "non_personnel"):
        # No pupils, no per-pupil figure: NaN and a flag, never a division by zero.
        table[f"{measure}_per_pupil"] = table[f"{measure}_dollars"] / table["pupils"].where(table["pupils"] > 0)
    buildings = review.tables["buildings"][["building_code", "building_name", "level"]]
    table = buildings.merge(table, on="building_code", how="right")
    table["flag"] = outlier_reasons(table, review)
    return table.sort_values(["school_year", "building_code"]).reset_index(drop=True)


def outlier_reasons(table: pd.DataFrame, review: Review) -> pd.Series:
    """Why a building-year's per-pupil figure needs care ("" when it does not): flagged, never dropped."""
    thresholds = review.config.thresholds

    def reasons(pupils: float, total_per_pupil: float) -> str:
        found = []
        if pupils == 0:
            return "no pupils: spending without pupils (a closed building?), so no per-pupil figure"
        if pupils < thresholds.small_building_pupils:
            found.append(f"few pupils ({pupils:,.0f}): per-pupil figures swing widely")
        if total_per_pupil > thresholds.per_pupil_high:
            found.append(f"above ${thresholds.per_pupil_high:,.0f} per pupil: check dollars and pupils")
        if total_per_pupil < thresholds.per_pupil_low:
            found.append(f"below ${thresholds.per_pupil_low:,.0f} per pupil: check dollars and pupils")
        return "; ".join(found)

    found = pd.Series([reasons(p, t) for p, t in zip(table["pupils"], table["total_per_pupil"])], index=table.index, dtype=object)
    relative = far_from_level(table, thresholds.outlier_spreads)
    return pd.Series(["; ".join(part for part in (fixed, far) if part) for fixed, far in zip(found, relative)], index=table.index, dtype=object)


# A level with fewer buildings than this is compared with all the district's buildings instead.
LEVEL_MINIMUM = 4


def far_from_level(table: pd.DataFrame, spreads: float) -> pd.Series:
    """Why a building-year's state + local per pupil lies beyond ``spreads`` interquartile ranges of its level's buildings that year ("" when it does not).

    Tukey's fences over the buildings (not pupils) of the same level, or of the whole district where
    the level has fewer than four buildings; a building far from its peers needs a look, not a drop.
    """
    reasons = pd.Series("", index=table.index, dtype=object)
    for _, year in table.groupby("school_year", sort=False):
        for level, rows in year.groupby(year["level"].fillna(""), sort=False):
            peers, wording = (rows, f"{level} buildings") if len(rows) >= LEVEL_MINIMUM else (year, "the district's buildings")
            values = peers["state_local_per_pupil"].dropna()
            if len(values) < LEVEL_MINIMUM:
                continue
            low, high = values.quantile([0.25, 0.75])
            spread = high - low
            for index, value in rows["state_local_per_pupil"].items():
                if pd.notna(value) and (value > high + spreads * spread or value < low - spreads * spread):
                    reasons[index] = (
                        f"state + local per pupil (${value:,.0f}) beyond {spreads:g} interquartile ranges of {wording} (middle half ${low:,.0f} to ${high:,.0f}): check what the building serves"
                    )
    return reasons


def district_per_pupil(review: Review) -> pd.DataFrame:
    """The district's enrollment-weighted per-pupil figures per year: summed dollars over summed pupils."""
    table = per_pupil(review)
    # min_count: a year whose split is not reported stays NaN, never a sum of nothing (0).
    sums = table.groupby("school_year")[["total_dollars", "federal_dollars", "state_local_dollars", "personnel_dollars", "non_personnel_dollars", "pupils"]].sum(min_count=1)
    for measure in ("total", "federal", "state_local", "personnel", "non_personnel"):
        sums[f"{measure}_per_pupil"] = sums[f"{measure}_dollars"] / sums["pupils"].replace(0, np.nan)
    return sums.reset_index()
