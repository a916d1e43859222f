"""Need weights and need-weighted pupils per building and year, with need-group shares suppressed below the threshold."""

from __future__ import annotations

import pandas as pd

from rar_protocol.data import schema
from rar_protocol.data.loading import Review
from rar_protocol.measures import equity, finance
from rar_protocol.measures.privacy import marked, minimum_size, reveals_small_group, suppress


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


def group_shares(review: Review, groups: tuple[str, ...] = schema.NEED_GROUPS + schema.RACE_GROUPS) -> pd.DataFrame:
    """Per building and year of the enrollment: pupils and each group's percent of them (``{group}_percent``).

    A share is a student-group figure: it is NaN, with ``{group}_hidden`` true, wherever the group or
    the rest of the pupils is under the review's privacy threshold, and in a second building of the
    year where only one would be hidden. An unknown count gives NaN without ``{group}_hidden``.
    """
    enrollment = review.tables["enrollment"].reset_index(drop=True)
    table = enrollment[["building_code", "school_year", "pupils"]].copy()
    minimum = minimum_size(review)
    for group in groups:
        counts = enrollment[group].astype(float)
        frame = table.assign(count=counts, share=counts / enrollment["pupils"].where(enrollment["pupils"] > 0) * 100)
        frame["suppressed"] = reveals_small_group(counts, enrollment["pupils"], minimum) & counts.notna()
        # One hidden building in a year is hidden beside another, or the district's total would give it back.
        shown = suppress(frame, count_column="count", value_columns=["share"], minimum=minimum, complementary_within=["school_year"])
        table[f"{group}_percent"] = shown["share"]
        table[f"{group}_hidden"] = shown["suppressed"] & counts.notna()
    return table


def shown_share(frame: pd.DataFrame, group: str) -> pd.Series:
    """A group's percent (a ``group_shares`` column) to one decimal for a table, the privacy marker where hidden."""
    return marked(frame[f"{group}_percent"].round(1), frame[f"{group}_hidden"])


def need_table(review: Review) -> pd.DataFrame:
    """Per building and year: pupils, need-weighted pupils, need-group shares (suppressed) and dollars per pupil and per weighted pupil."""
    weights, _ = need_weights(review)
    table = finance.per_pupil(review).merge(review.tables["enrollment"][["building_code", "school_year", *schema.NEED_GROUPS]], on=["building_code", "school_year"], how="left")
    table["weighted_pupils"] = equity.need_weighted_pupils(table["pupils"], {group: table[group] for group in weights}, weights)
    for measure in ("total", "state_local"):
        table[f"{measure}_per_weighted_pupil"] = table[f"{measure}_dollars"] / table["weighted_pupils"]
    table = table.merge(group_shares(review, schema.NEED_GROUPS).drop(columns="pupils"), on=["building_code", "school_year"], how="left")
    hidden = pd.Series(False, index=table.index)
    for group in weights:
        # Weighted pupils hold the group's count: hide them where the count is hidden, or subtraction would reveal it.
        hidden |= table[f"{group}_hidden"].fillna(False).astype(bool)
    table["weighted_pupils_shown"] = table["weighted_pupils"].where(~hidden)
    # Dollars per weighted pupil beside dollars per pupil would give the weighted pupils back: hide them too.
    for measure in ("total", "state_local"):
        table[f"{measure}_per_weighted_pupil"] = table[f"{measure}_per_weighted_pupil"].where(~hidden)
    table["suppressed"] = hidden
    return table


def district_need_figures(review: Review) -> pd.DataFrame:
    """Per year: the district's own state + local and total dollars over its own need-weighted pupils, and its need index.

    The one definition of the district's need-weighted figures: every building whose need-weighted
    pupils are known, hidden or not (a district total reveals no building), over all their pupils.
    """
    table = need_table(review)
    known = table[table["weighted_pupils"].notna()]
    district = known.groupby("school_year", sort=True)[["state_local_dollars", "total_dollars", "pupils", "weighted_pupils"]].sum()
    for measure in ("total", "state_local"):
        district[f"{measure}_per_weighted_pupil"] = district[f"{measure}_dollars"] / district["weighted_pupils"]
    district["need_index"] = district["weighted_pupils"] / district["pupils"]
    return district


def spending_equity(review: Review, building_code: str, measures: dict[str, str]) -> pd.DataFrame:
    """Per year and spending measure (label: need-table column): every equity statistic across the buildings not flagged, and the building's value and pupil percentile."""
    table = need_table(review)
    regular = table[table["flag"] == ""]
    has_need = regular["economically_disadvantaged_percent"].notna().sum() >= 3
    rows = []
    for year, buildings in regular.groupby("school_year", sort=True):
        # Hidden shares stay out: a correlation over a small group's share is a figure of that group.
        share = buildings["economically_disadvantaged_percent"]
        this = table[(table["school_year"] == year) & (table["building_code"] == building_code)]
        for label, column in measures.items():
            # Need-weighted figures are weighted by need-weighted pupils, the others by pupils.
            pupil_weights = buildings["weighted_pupils"] if "weighted" in column else buildings["pupils"]
            statistics = equity.statistics(buildings[column], pupil_weights)
            statistics["correlation_with_need"] = equity.weighted_correlation(buildings[column], share, pupil_weights) if has_need else float("nan")
            value = float(this[column].iloc[0]) if len(this) else float("nan")
            rows.append({"school_year": year, "measure": label, **statistics, "building_value": value, "building_percentile": equity.weighted_percentile_rank(buildings[column], pupil_weights, value)})
    return pd.DataFrame(rows)
