"""Need weights and need-weighted pupils per building and year, with need-group shares suppressed below the threshold."""

from __future__ import annotations

import pandas as pd

from rar_protocol.data import schema
from rar_protocol.data.loading import Review
from rar_protocol.measures import equity, finance
from rar_protocol.measures.privacy import minimum_size, suppress


def need_weights(review: Review) -> tuple[dict[str, float], list[tuple[str, str]]]:
    """The configured need weights for the need groups the review counts, and the groups left out.

    A group is left out as ("group", "unknown") when it is not a need group, and as ("group",
    "uncounted") when the enrollment has no counts of it; in the order the review configures them.
    """
    configured = review.config.option.need_weights
    enrollment = review.tables["enrollment"]
    weights, left_out = {}, []
    for group, weight in configured.items():
        if group not in schema.NEED_GROUPS:
            left_out.append((group, "unknown"))
        elif enrollment[group].notna().sum() == 0:
            left_out.append((group, "uncounted"))
        else:
            weights[group] = float(weight)
    return weights, left_out


def need_table(review: Review) -> pd.DataFrame:
    """Per building and year: pupils, need-weighted pupils, need-group shares (suppressed) and dollars per pupil and per weighted pupil."""
    weights, _ = need_weights(review)
    table = finance.per_pupil(review).merge(review.tables["enrollment"][["building_code", "school_year", *schema.NEED_GROUPS]], on=["building_code", "school_year"], how="left")
    table["weighted_pupils"] = equity.need_weighted_pupils(table["pupils"], {group: table[group] for group in weights}, weights)
    for measure in ("total", "state_local"):
        table[f"{measure}_per_weighted_pupil"] = table[f"{measure}_dollars"] / table["weighted_pupils"]
    minimum = minimum_size(review)
    hidden = pd.Series(False, index=table.index)
    for group in schema.NEED_GROUPS:
        shown = suppress(table.assign(share=table[group] / table["pupils"] * 100), count_column=group, value_columns=["share"], minimum=minimum)
        table[f"{group}_percent"] = shown["share"]
        # Weighted pupils hold the group's count: hide them where the count is hidden, or subtraction would reveal it.
        if group in weights:
            hidden |= shown["suppressed"] & table[group].notna()
    table["weighted_pupils_shown"] = table["weighted_pupils"].where(~hidden)
    # Dollars per weighted pupil beside dollars per pupil would give the weighted pupils back: hide them too.
    for measure in ("total", "state_local"):
        table[f"{measure}_per_weighted_pupil"] = table[f"{measure}_per_weighted_pupil"].where(~hidden)
    table["suppressed"] = hidden
    return table


def spending_equity(review: Review, building_code: str, measures: dict[str, str]) -> pd.DataFrame:
    """Per year and spending measure (label: need-table column): every equity statistic across the buildings not flagged, and the building's value and pupil percentile."""
    table = need_table(review)
    regular = table[table["flag"] == ""]
    has_need = regular["economically_disadvantaged"].notna().sum() >= 3
    rows = []
    for year, buildings in regular.groupby("school_year", sort=True):
        share = buildings["economically_disadvantaged"] / buildings["pupils"] * 100
        this = table[(table["school_year"] == year) & (table["building_code"] == building_code)]
        for label, column in measures.items():
            # Need-weighted figures are weighted by need-weighted pupils, the others by pupils.
            pupil_weights = buildings["weighted_pupils"] if "weighted" in column else buildings["pupils"]
            statistics = equity.statistics(buildings[column], pupil_weights)
            statistics["correlation_with_need"] = equity.weighted_correlation(buildings[column], share, pupil_weights) if has_need else float("nan")
            value = float(this[column].iloc[0]) if len(this) else float("nan")
            rows.append({"school_year": year, "measure": label, **statistics, "building_value": value, "building_percentile": equity.weighted_percentile_rank(buildings[column], pupil_weights, value)})
    return pd.DataFrame(rows)
