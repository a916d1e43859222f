"""Review option 3, financial resource distribution and utilization: one building against the district.

Each public function takes the review and a building code and returns a :class:`DataObject`
whose observations are written from the numbers. Every comparison puts the building beside the
district (all buildings, enrollment-weighted: summed dollars over summed pupils) and beside the
district's other buildings of the same level, over every school year the review has.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rar_protocol.data import schema
from rar_protocol.data.choices import chosen_building, focus_year
from rar_protocol.data.loading import Review
from rar_protocol.measures import comparison, finance
from rar_protocol.measures.need import district_need_figures, need_table, need_weights, shown_share, spending_equity
from rar_protocol.measures.privacy import minimum_size, share_note
from rar_protocol.protocol import figures
from rar_protocol.protocol.data_object import DataObject, missing_object, without_fund_split, without_spending
from rar_protocol.protocol.display import labelled
from rar_protocol.protocol.units import declare
from rar_protocol.protocol.words import (
    DISTRICT_LABEL,
    capitalized,
    comparison_groups,
    money,
    more_or_less,
    need_weight_notes,
    ordinal,
    rank_among,
    split_not_reported,
    state_caveat,
    table_sources,
    years_filter,
)

# Bulletin 1022 functions, by code where the accounting manual names them in our domain notes,
# otherwise by the group their first two digits belong to.
FUNCTION_NAMES = {
    "122": "Added needs: special education",
    "125": "Added needs: compensatory education",
    "127": "Added needs: career and technical education",
    "212": "Pupil support: guidance",
    "221": "Instructional staff support: improvement of instruction",
}
FUNCTION_GROUPS = {
    "11": "Basic programs",
    "12": "Added needs",
    "21": "Pupil support",
    "22": "Instructional staff support",
    "23": "General administration",
    "24": "School administration",
    "25": "Business services",
    "26": "Operations and maintenance",
    "27": "Transportation",
    "28": "Central services",
    "29": "Other supporting services",
}
OBJECT_GROUPS = {"1": "Salaries", "2": "Benefits", "3": "Purchased services", "4": "Supplies and materials", "5": "Capital outlay", "6": "Other", "7": "Other", "8": "Other", "9": "Other"}
SOURCE_ORDER = ["Federal", "State", "Local", "State and local (reported together)", "State + local", "Total"]
FUND_SOURCE_LABELS = {"federal": "Federal", "state": "State", "local": "Local", "state_local": "State and local (reported together)"}
# The ledger's own "state_local" marks unrestricted general-fund lines, not a combined report.
LEDGER_SOURCE_LABELS = {"federal": "Federal", "state": "State", "local": "Local", "state_local": "State and local"}
GENERAL_FUNDS = "General funds (no grant)"
# Grant codes read as Title I, Part A (the sample ledger writes T1A); compared without spaces, dots or hyphens.
TITLE_I_PROGRAMS = {"T1A", "TITLEI", "TITLEIA", "TITLE1", "TITLE1A"}
# The function that holds compensatory education, where Title I is usually spent: a stand-in when no ledger says which grant paid.
COMPENSATORY_FUNCTION = "125"
NEED_WEIGHTS_NOTE = (
    "Need weights (set under option.need_weights in the review YAML): each economically disadvantaged pupil counts as 1 + {economically_disadvantaged} pupils, "
    "each student with a disability as 1 + {students_with_disabilities}, each English learner as 1 + {english_learners}; a pupil in two groups gets both extras. "
    "The defaults (0.35, 0.9, 0.5) are illustrative, in the range state funding formulas use for poverty, special education and English learner weights; "
    "a district should set weights that reflect what its own programs cost."
)


# ---------------------------------------------------------------- comparison groups


def per_pupil_by(review: Review, building_code: str, dollars: pd.DataFrame, key: str, compare_with: str | list[str] = "level") -> pd.DataFrame:
    """Per-pupil dollars per school year and ``key`` for the building, the district and the building's peers (see :func:`comparison.per_pupil_by`)."""
    return comparison.per_pupil_by(review, comparison_groups(review, building_code, compare_with), dollars, key)


def with_need_weights(review: Review, weights: Mapping[str, float] | None) -> Review:
    """The review with ``weights`` as its need weights (None: those of the YAML's option.need_weights)."""
    if weights is None or dict(weights) == review.config.option.need_weights:
        return review
    option = review.config.option.model_copy(update={"need_weights": {group: float(weight) for group, weight in weights.items()}})
    return dataclasses.replace(review, config=review.config.model_copy(update={"option": option}))


def _comparison_table(per_pupil: pd.DataFrame, review: Review, building_code: str, key: str, key_label: str, compare_with: str | list[str] = "level") -> pd.DataFrame:
    """The per-pupil comparison with readable columns and the building's deviation from the district."""
    groups = list(comparison_groups(review, building_code, compare_with))
    building, district = groups[0], "District"
    table = pd.DataFrame({"School year": per_pupil["school_year"], key_label: per_pupil[key]})
    for label in groups:
        table[f"{label} per pupil ($)"] = per_pupil[label].round(2)
    # Adding 0.0 turns a rounded -0.0 into 0.0, so an equal building never reads as "-0.0%".
    table["Deviation from district ($)"] = (per_pupil[building] - per_pupil[district]).round(2) + 0.0
    table["Deviation from district (%)"] = ((per_pupil[building] / per_pupil[district] - 1) * 100).replace([np.inf, -np.inf], np.nan).round(1) + 0.0
    return table


# ---------------------------------------------------------------- spending by function and by fund source


def function_label(code: object) -> str:
    """A Bulletin 1022 function code with its name: "125 Added needs: compensatory education"."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return "No function code"
    code = str(code)
    if code.startswith("11"):
        # Basic programs are coded by the level taught (111 elementary, 112 middle, 113 high): one line compares buildings of any level.
        return "111-119 Basic programs (all levels)"
    if code in FUNCTION_NAMES:
        return f"{code} {FUNCTION_NAMES[code]}"
    group = FUNCTION_GROUPS.get(code[:2]) or ("Community services" if code.startswith("3") else "Other")
    return f"{code} {group}"


def function_group(label: str) -> str:
    """The group of a labelled function ("Added needs" for "125 Added needs: compensatory education")."""
    prefix = label[:2]
    return FUNCTION_GROUPS.get(prefix) or ("Community services" if prefix.startswith("3") else "Other")


def spending_by_function(review: Review, building_code: str, *, year: str | None = None, compare_with: str | list[str] = "level") -> DataObject:
    """Per-pupil spending by Bulletin 1022 function, the building against the district and its peers, every year."""
    name = "Per-Pupil Spending by Function"
    building_code = chosen_building(review, building_code)
    if not review.has("expenditures"):
        return without_spending(review, name, "spending by function")
    spending = review.tables["expenditures"]
    if spending["function_code"].notna().sum() == 0:
        return DataObject(
            name=name,
            observations=[
                "The review's expenditures carry no Bulletin 1022 function codes, so spending cannot be split into instruction, added needs, support services and administration. Spending by fund source and by object follows."
            ],
            sources=table_sources(review, "expenditures"),
            missing=["spending by Bulletin 1022 function"],
        )
    dollars = spending.assign(function=spending["function_code"].map(function_label))
    per_pupil = per_pupil_by(review, building_code, dollars, "function", compare_with)
    table = _comparison_table(per_pupil, review, building_code, "function", "Function", compare_with)
    groups = list(comparison_groups(review, building_code, compare_with))
    building = groups[0]
    year = focus_year(review, table["School year"], year)
    latest = table[table["School year"] == year].reset_index(drop=True)
    deviation = latest["Deviation from district ($)"]
    observations = []
    # The two functions most above the district and the two most below (fewer when there are few functions).
    for index in dict.fromkeys([*deviation.nlargest(2).index, *deviation.nsmallest(2).index]):
        row = latest.loc[index]
        observations.append(
            f"In {year} {building} spent {money(row[f'{building} per pupil ($)'])} per pupil on {row['Function']}, "
            f"{more_or_less(row['Deviation from district ($)'])} than the district ({money(row['District per pupil ($)'])})."
        )
    instruction = latest[latest["Function"].str.match(r"1\d\d[ -]")]
    building_share = instruction[f"{building} per pupil ($)"].sum() / latest[f"{building} per pupil ($)"].sum() * 100
    district_share = instruction["District per pupil ($)"].sum() / latest["District per pupil ($)"].sum() * 100
    observations.append(f"Instruction (functions 100-199) was {building_share:.1f}% of {building}'s spending in {year}, against {district_share:.1f}% for the district.")
    if spending["central"].any():
        observations.append("District-level costs allocated to buildings (central costs such as transportation and central services) are included, as the expenditure report allocates them.")
    grouped = latest.assign(group=latest["Function"].map(function_group))
    chart_rows = grouped.groupby("group", sort=False)[[f"{label} per pupil ($)" for label in groups]].sum().reset_index()
    draw = partial(
        figures.grouped_bars,
        chart_rows.rename(columns={f"{label} per pupil ($)": label for label in groups}),
        category="group",
        series=groups,
        title=f"Per-pupil spending by function group, {year}",
        x_label="Dollars per pupil",
    )
    display = latest[["Function", *[f"{label} per pupil ($)" for label in groups], "Deviation from district ($)", "Deviation from district (%)"]]
    return _comparison_object(review, name, groups, "Function", table, display, draw, observations, scope="all fund sources; district = all buildings' dollars over all their pupils")


def _fund_source_dollars(review: Review) -> pd.DataFrame:
    """Dollars per building, year and fund source, with the state + local subtotal and the total added."""
    spending = review.tables["expenditures"]
    by_source = spending.groupby(["building_code", "school_year", "fund_source"], as_index=False)["amount"].sum()
    by_source["source"] = by_source["fund_source"].map(FUND_SOURCE_LABELS)
    subtotal = by_source[by_source["fund_source"] != "federal"].groupby(["building_code", "school_year"], as_index=False)["amount"].sum().assign(source="State + local")
    total = by_source.groupby(["building_code", "school_year"], as_index=False)["amount"].sum().assign(source="Total")
    return pd.concat([by_source[["building_code", "school_year", "source", "amount"]], subtotal, total], ignore_index=True)


def _unsplit_focus(review: Review, year: str | None) -> str | None:
    """The report's focus year when its spending is one total per building (not split by fund source), else None."""
    focus = focus_year(review, review.tables["expenditures"]["school_year"], year)
    return focus if finance.compared_measure(review, focus) == "total" else None


def spending_by_fund_source(review: Review, building_code: str, *, year: str | None = None, compare_with: str | list[str] = "level") -> DataObject:
    """Per-pupil spending by fund source, the building against the district and its peers, every year."""
    name = "Per-Pupil Spending by Fund Source"
    building_code = chosen_building(review, building_code)
    if not review.has("expenditures"):
        return without_spending(review, name, "spending by fund source")
    unsplit = _unsplit_focus(review, year)
    if unsplit:
        return without_fund_split(review, name, "spending by fund source", unsplit)
    per_pupil = per_pupil_by(review, building_code, _fund_source_dollars(review), "source", compare_with)
    per_pupil["order"] = per_pupil["source"].map(SOURCE_ORDER.index)
    per_pupil = per_pupil.sort_values(["school_year", "order"]).drop(columns="order").reset_index(drop=True)
    table = _comparison_table(per_pupil, review, building_code, "source", "Fund source", compare_with)
    groups = list(comparison_groups(review, building_code, compare_with))
    building = groups[0]
    years = sorted(table["School year"].unique())
    observations = []
    state_local = table[table["Fund source"] == "State + local"].set_index("School year")
    federal = table[table["Fund source"] == "Federal"].set_index("School year")
    year = focus_year(review, years, year)
    row = state_local.loc[year]
    percent = row["Deviation from district (%)"]
    observations.append(
        f"{building} spent {money(abs(row['Deviation from district ($)']))} ({abs(percent):.0f}%) {'more' if percent >= 0 else 'less'} per pupil from state and local funds "
        f"than the district's enrollment-weighted average in {year} ({money(row[f'{building} per pupil ($)'])} vs {money(row['District per pupil ($)'])})."
    )
    if len(groups) > 2:
        observations.append(f"The district's {groups[2].lower()} spent {money(row[f'{groups[2]} per pupil ($)'])} per pupil from state and local funds in {year}.")
    if year in federal.index:
        observations.append(
            f"Federal funds added {money(federal.loc[year, f'{building} per pupil ($)'])} per pupil at {building} and {money(federal.loc[year, 'District per pupil ($)'])} across the district in {year}."
        )
    if len(years) > 1:
        first = state_local.loc[years[0], "Deviation from district ($)"]
        last = state_local.loc[years[-1], "Deviation from district ($)"]
        below = int((state_local["Deviation from district ($)"] < 0).sum())
        observations.append(
            f"The state and local deviation from the district went from {money(first)} per pupil in {years[0]} to {money(last)} in {years[-1]}; "
            f"{building} was below the district in {below} of {len(years)} years."
        )
    else:
        observations.append(f"Only one school year ({year}) is available, so change over time cannot be shown.")
    lines = per_pupil[per_pupil["source"].isin(["State + local", "Federal"])].melt(id_vars=["school_year", "source"], value_vars=groups, var_name="group", value_name="value")
    draw = partial(
        figures.trend_panels, lines.rename(columns={"source": "measure"}), panels=["State + local", "Federal"], groups=groups, title="Per-pupil spending by fund source", y_label="Dollars per pupil"
    )
    display = table[table["Fund source"].isin(["State + local", "Federal", "Total"])]
    return _comparison_object(review, name, groups, "Fund source", table, display, draw, observations, scope="district = all buildings' dollars over all their pupils")


# ---------------------------------------------------------------- need-weighted spending


def need_weighted_spending(review: Review, building_code: str, *, year: str | None = None, weights: Mapping[str, float] | None = None) -> DataObject:
    """State + local and total dollars per need-weighted pupil: does spending follow need?"""
    name = "Need-Weighted Per-Pupil Spending"
    building_code = chosen_building(review, building_code)
    if not review.has("expenditures"):
        return without_spending(review, name, "need-weighted spending")
    review = with_need_weights(review, weights)
    weights, left_out = need_weights(review)
    weight_notes = need_weight_notes(left_out)
    if not weights:
        return DataObject(
            name=name,
            observations=[
                "The review's enrollment has no counts of economically disadvantaged pupils, students with disabilities or English learners, so spending cannot be weighted by need. Adding those counts would show whether higher-need buildings receive more."
            ],
            sources=table_sources(review, "enrollment"),
            notes=weight_notes,
            missing=["counts of economically disadvantaged pupils", "counts of students with disabilities", "counts of English learners"],
        )
    table = need_table(review)
    building = review.building_name(building_code)
    years = sorted(table["school_year"].unique())
    year = focus_year(review, years, year)
    # State + local is compared where the split is reported (federal money follows need); else total spending.
    measure = finance.compared_measure(review, year)
    money_words = "state and local money" if measure == "state_local" else "total spending"
    district = table.groupby("school_year")[["state_local_dollars", "total_dollars", "pupils"]].sum(min_count=1)
    for each in ("state_local", "total"):
        district[f"{each}_per_pupil"] = district[f"{each}_dollars"] / district["pupils"]
    weighted = district_need_figures(review)
    for each in ("state_local", "total"):
        district[f"{each}_per_weighted_pupil"] = weighted[f"{each}_per_weighted_pupil"]
    district["need_index"] = weighted["need_index"]
    observations = [split_not_reported(finance.unsplit_years(review, "fund_source"))] if measure == "total" else []
    latest = table[table["school_year"] == year].reset_index(drop=True)
    row = latest[latest["building_code"] == building_code].iloc[0]
    per_weighted = f"{measure}_per_weighted_pupil"
    if pd.isna(row["weighted_pupils_shown"]):
        observations.append(f"{building}'s need-group counts for {year} are incomplete or too small to show, so its need-weighted figure is not shown.")
    else:
        index = row["weighted_pupils"] / row["pupils"]
        unweighted_gap = row[f"{measure}_per_pupil"] - district.loc[year, f"{measure}_per_pupil"]
        weighted_gap = row[per_weighted] - district.loc[year, per_weighted]
        observations.append(
            f"Weighted for need, {building}'s {row['pupils']:,.0f} pupils count as {index:.2f} pupils each in {year} (the district's average is {district.loc[year, 'need_index']:.2f})."
        )
        observations.append(
            f"{building} received {money(row[per_weighted])} of {money_words} per need-weighted pupil in {year}, "
            f"{more_or_less(weighted_gap)} than the district ({money(district.loc[year, per_weighted])}); "
            f"unweighted, it received {more_or_less(unweighted_gap)} per pupil than the district."
        )
        ranked = latest.dropna(subset=[per_weighted]).sort_values(per_weighted, ascending=False).reset_index(drop=True)
        rank = int(ranked.index[ranked["building_code"] == building_code][0]) + 1
        among = rank_among(rank, len(ranked), len(latest) - len(ranked), minimum=minimum_size(review))
        observations.append(f"{building} ranks {among} in {money_words} per need-weighted pupil in {year} (1st = most).")
    own = table[table["building_code"] == building_code].set_index("school_year")[per_weighted].dropna()
    if len(years) > 1 and len(own):
        # Only the years whose figure is shown count: a hidden year is neither above nor below.
        below = int(sum(value < district.loc[each_year, per_weighted] for each_year, value in own.items()))
        shown_years = f"{len(own)} years" if len(own) == len(years) else f"{len(own)} years whose figure is shown (of {len(years)})"
        observations.append(f"{building} was below the district in {money_words} per need-weighted pupil in {below} of {shown_years}.")
    rows = pd.concat([table, _district_need_rows(table, district, weighted)], ignore_index=True)
    shown = labelled(
        rows,
        {
            "Building code": "building_code",
            "Building": "building_name",
            "School year": "school_year",
            "Pupils": "pupils",
            "Economically disadvantaged (%)": shown_share(rows, "economically_disadvantaged"),
            "Students with disabilities (%)": shown_share(rows, "students_with_disabilities"),
            "English learners (%)": shown_share(rows, "english_learners"),
            "Need-weighted pupils": ("weighted_pupils_shown", 1),
            "State + local per pupil ($)": ("state_local_per_pupil", 2),
            "State + local per need-weighted pupil ($)": ("state_local_per_weighted_pupil", 2),
            "Total per need-weighted pupil ($)": ("total_per_weighted_pupil", 2),
            "Flag": "flag",
            "Suppressed": "suppressed",
        },
    )
    display = shown[shown["School year"] == year].drop(columns=["Building code", "School year", "Flag"])
    draw = partial(
        figures.ranked_bars,
        latest["building_name"],
        latest[per_weighted],
        highlight=building,
        reference=district.loc[year, per_weighted],
        reference_label=f"District (its {'state + local' if measure == 'state_local' else 'total'} dollars over all its need-weighted pupils)",
        title=f"{'State + local' if measure == 'state_local' else 'Total'} dollars per need-weighted pupil, {year}",
        x_label="Dollars per need-weighted pupil",
    )
    privacy_note = f"{share_note(minimum_size(review))} Nor are the need-weighted pupils and dollars per need-weighted pupil that contain a hidden group. The district figure counts every building, hidden or not."
    return DataObject(
        units=declare(
            code=["Building code", "School year"],
            text=["Building", "Flag"],
            count=["Pupils"],
            number=["Need-weighted pupils"],
            percent=["Economically disadvantaged (%)", "Students with disabilities (%)", "English learners (%)"],
            money=["State + local per pupil ($)", "State + local per need-weighted pupil ($)", "Total per need-weighted pupil ($)"],
            flag=["Suppressed"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment"),
        filters=[years_filter(review.config.school_years)],
        notes=[NEED_WEIGHTS_NOTE.format(**{group: review.config.option.need_weights.get(group, 0) for group in schema.NEED_GROUPS}), *weight_notes, privacy_note],
    )


def _district_need_rows(table: pd.DataFrame, district: pd.DataFrame, weighted: pd.DataFrame) -> pd.DataFrame:
    """One row per year for the district as a whole, in the columns of the need table: its own dollars over its own pupils."""
    rows = pd.DataFrame({"school_year": district.index, "building_code": "", "building_name": DISTRICT_LABEL, "flag": "", "suppressed": False})
    rows["pupils"] = district["pupils"].to_numpy()
    rows["state_local_per_pupil"] = district["state_local_per_pupil"].to_numpy()
    rows["total_per_pupil"] = district["total_per_pupil"].to_numpy()
    for column in ("weighted_pupils", "state_local_per_weighted_pupil", "total_per_weighted_pupil"):
        rows[column] = weighted[column].reindex(district.index).to_numpy()
    rows["weighted_pupils_shown"] = rows["weighted_pupils"]
    for group in schema.NEED_GROUPS:
        known = table.dropna(subset=[group]).groupby("school_year")[[group, "pupils"]].sum()
        rows[f"{group}_percent"] = (known[group] / known["pupils"] * 100).reindex(district.index).to_numpy()
        rows[f"{group}_hidden"] = False
    return rows


# ---------------------------------------------------------------- equity statistics


def equity_table(review: Review, building_code: str) -> pd.DataFrame:
    """Per year and spending measure: every equity statistic across the buildings not flagged, and the building's value and pupil percentile."""
    measures = {"State + local per pupil": "state_local_per_pupil", "Total per pupil": "total_per_pupil"}
    if need_weights(review)[0]:
        measures["State + local per need-weighted pupil"] = "state_local_per_weighted_pupil"
    if set(review.tables["expenditures"]["school_year"]) <= set(finance.unsplit_years(review, "fund_source")):
        # No year splits the sources: the statistics are of total spending only.
        measures = {label.replace("State + local", "Total"): column.replace("state_local", "total") for label, column in measures.items()}
    return spending_equity(review, building_code, measures)


def equity_statistics(review: Review, building_code: str, *, year: str | None = None, weights: Mapping[str, float] | None = None) -> DataObject:
    """Equity statistics of per-pupil spending across the district's buildings, every year, and where the building sits."""
    name = "Spending Equity Statistics"
    building_code = chosen_building(review, building_code)
    if not review.has("expenditures"):
        return without_spending(review, name, "the spread of spending across buildings")
    review = with_need_weights(review, weights)
    table = need_table(review)
    regular = table[table["flag"] == ""]
    excluded = sorted(set(table.loc[table["flag"] != "", "building_name"]))
    has_need = regular["economically_disadvantaged"].notna().sum() >= 3
    statistics_table = equity_table(review, building_code)
    building = review.building_name(building_code)
    year = focus_year(review, statistics_table["school_year"], year)
    measure = finance.compared_measure(review, year)
    label, money_words = ("State + local per pupil", "state and local") if measure == "state_local" else ("Total per pupil", "total")
    latest = statistics_table[(statistics_table["school_year"] == year) & (statistics_table["measure"] == label)].iloc[0]
    observations = [split_not_reported(finance.unsplit_years(review, "fund_source"))] if measure == "total" else []
    observations += [
        f"In {year}, {money_words} spending per pupil across the district's {latest['buildings']} buildings had a pupil-weighted coefficient of variation of {latest['coefficient_of_variation']:.3f} "
        f"({'within' if latest['coefficient_of_variation'] <= 0.10 else 'above'} the 0.10 often used as an equity standard).",
        f"McLoone index {latest['mcloone_index']:.3f}: pupils below the median ({money(latest['weighted_median'])}) received {latest['mcloone_index'] * 100:.1f}% of what bringing them all to the median would cost (0.95 is the usual standard).",
        f"The 95th-percentile pupil's building spent {money(latest['percentile_95'])} and the 5th-percentile pupil's {money(latest['percentile_5'])} of {money_words} money per pupil: a restricted range ratio of {latest['restricted_range_ratio']:.3f}; "
        f"the full range between buildings was {money(latest['range'])}.",
    ]
    if has_need and pd.notna(latest["correlation_with_need"]):
        tendency = "more" if latest["correlation_with_need"] > 0 else "less"
        observations.append(
            f"{capitalized(money_words)} per-pupil spending and the percent of economically disadvantaged pupils correlate at r = {latest['correlation_with_need']:.2f} (pupil-weighted): higher-need buildings tend to receive {tendency} {money_words} money per pupil."
        )
    if pd.notna(latest["building_value"]):
        observations.append(
            f"{building}'s {money(latest['building_value'])} of {money_words} money per pupil sits at the {ordinal(latest['building_percentile'])} percentile of the district's pupils in {year}."
        )
    years = sorted(statistics_table["school_year"].unique())
    if len(years) > 1:
        compared = statistics_table[statistics_table["measure"] == label].set_index("school_year")
        observations.append(
            f"The coefficient of variation of {money_words} spending per pupil went from {compared.loc[years[0], 'coefficient_of_variation']:.3f} in {years[0]} to {compared.loc[years[-1], 'coefficient_of_variation']:.3f} in {years[-1]}."
        )
    shown = labelled(
        statistics_table,
        {
            "School year": "school_year",
            "Measure": "measure",
            "Buildings": "buildings",
            "Pupils": "pupils",
            "Pupil-weighted mean ($)": ("weighted_mean", 2),
            "Pupil-weighted median ($)": ("weighted_median", 2),
            "Coefficient of variation": ("coefficient_of_variation", 4),
            "McLoone index": ("mcloone_index", 4),
            "Range ($)": ("range", 2),
            "Range ratio": ("range_ratio", 4),
            "5th percentile pupil ($)": ("percentile_5", 2),
            "95th percentile pupil ($)": ("percentile_95", 2),
            "Restricted range ratio": ("restricted_range_ratio", 4),
            "Correlation with % economically disadvantaged": ("correlation_with_need", 3),
            f"{building} ($)": ("building_value", 2),
            f"{building}: percentile of pupils": ("building_percentile", 1),
        },
    )
    latest_rows = shown[shown["School year"] == year]
    display = pd.DataFrame({"Measure": latest_rows["Measure"]})
    for column in ("Coefficient of variation", "McLoone index", "Range ratio", "Restricted range ratio", "Correlation with % economically disadvantaged"):
        display[column] = [f"{value:.3f}" if pd.notna(value) else "not available" for value in latest_rows[column]]
    display["Range ($)"] = latest_rows["Range ($)"]
    display[f"{building} ($)"] = latest_rows[f"{building} ($)"]
    display[f"{building}: percentile of pupils"] = [f"{value:.0f}" if pd.notna(value) else "" for value in latest_rows[f"{building}: percentile of pupils"]]
    chart_rows = regular[regular["school_year"] == year]
    draw = partial(
        figures.pupil_distribution,
        pd.DataFrame({"label": chart_rows["building_name"], "value": chart_rows["state_local_per_pupil"], "pupils": chart_rows["pupils"]}),
        highlight=building,
        statistics=latest.to_dict(),
        title=f"State + local per pupil along the district's pupils, {year}",
        y_label="State + local per pupil (dollars)",
    )
    notes = [
        "Definitions. Coefficient of variation: pupil-weighted standard deviation over pupil-weighted mean (0 = every pupil has the same). "
        "McLoone index: dollars spent on pupils below the pupil-weighted median over what it would cost to bring them to the median (1 = equal). "
        "Range: highest minus lowest building (every building counts once). Restricted range ratio: the 95th percentile pupil's building over the 5th percentile pupil's (pupils lined up by their building's spending). "
        "Correlation: pupil-weighted Pearson correlation of per-pupil spending with the percent of economically disadvantaged pupils.",
    ]
    if not has_need:
        notes.append("The correlation with need is not available: the enrollment has no counts of economically disadvantaged pupils.")
    filters = [years_filter(review.config.school_years)]
    if excluded:
        filters.append("left out as flagged per-pupil figures (few pupils or implausible spending): " + ", ".join(excluded))
    return DataObject(
        units=declare(
            code=["School year"],
            text=["Measure"],
            count=["Buildings", "Pupils"],
            money=["Pupil-weighted mean ($)", "Pupil-weighted median ($)", "Range ($)", "5th percentile pupil ($)", "95th percentile pupil ($)", f"{building} ($)"],
            number=["Coefficient of variation", "McLoone index", "Range ratio", "Restricted range ratio", "Correlation with % economically disadvantaged", f"{building}: percentile of pupils"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment"),
        filters=filters,
        notes=notes,
        missing=[] if has_need else ["counts of economically disadvantaged pupils"],
    )


# ---------------------------------------------------------------- excluding federal and Title I


def _normalized_program(code: object) -> str:
    return re.sub(r"[\s.\-_]", "", str(code)).upper() if code is not None and not (isinstance(code, float) and np.isnan(code)) else ""


def title_i_dollars(review: Review) -> tuple[pd.DataFrame | None, str]:
    """Title I dollars per building and year, and where they came from: the ledger's Title I grant, else federal function 125, else None."""
    ledger = review.table("ledger")
    if ledger is not None:
        lines = ledger[ledger["program"].map(_normalized_program).isin(TITLE_I_PROGRAMS)]
        if len(lines):
            dollars = lines.groupby(["location", "school_year"], as_index=False)["actual"].sum().rename(columns={"location": "building_code", "actual": "amount"})
            codes = ", ".join(sorted(lines["program"].unique()))
            return (
                dollars,
                f"Title I is the ledger's actual spending coded to grant {codes} at each building's location (district-level Title I lines, such as set-asides, are not assigned to buildings).",
            )
    spending = review.tables["expenditures"]
    if spending["function_code"].isna().all():
        return None, "Title I dollars cannot be told apart: the review has no ledger grant codes and no function codes, so only the exclusion of all federal funds is shown."
    lines = spending[(spending["fund_source"] == "federal") & (spending["function_code"] == COMPENSATORY_FUNCTION)]
    dollars = lines.groupby(["building_code", "school_year"], as_index=False)["amount"].sum()
    return (
        dollars,
        f"Title I is approximated by federal spending on function {COMPENSATORY_FUNCTION} (compensatory education): the review has no ledger grant codes that say which federal dollars were Title I.",
    )


def spending_excluding_federal(review: Review, building_code: str, *, year: str | None = None, compare_with: str | list[str] = "level") -> DataObject:
    """Per-pupil spending in total, without Title I, and without any federal dollars, the building against the district."""
    name = "Per-Pupil Spending Excluding Federal and Title I"
    building_code = chosen_building(review, building_code)
    if not review.has("expenditures"):
        return without_spending(review, name, "spending without federal and Title I dollars")
    spending = review.tables["expenditures"]
    unsplit = _unsplit_focus(review, year)
    if unsplit:
        return without_fund_split(review, name, "spending without federal dollars", unsplit)
    title_i, title_i_source = title_i_dollars(review)
    total = spending.groupby(["building_code", "school_year"], as_index=False)["amount"].sum()
    state_local = spending[spending["fund_source"] != "federal"].groupby(["building_code", "school_year"], as_index=False)["amount"].sum()
    parts = [total.assign(measure="Total"), state_local.assign(measure="Excluding all federal funds")]
    if title_i is not None:
        without_title_i = total.merge(title_i, on=["building_code", "school_year"], how="left", suffixes=("", "_title_i"))
        without_title_i["amount"] = without_title_i["amount"] - without_title_i["amount_title_i"].fillna(0.0)
        parts.insert(1, without_title_i[["building_code", "school_year", "amount"]].assign(measure="Excluding Title I"))
    order = [part["measure"].iloc[0] for part in parts]
    per_pupil = per_pupil_by(review, building_code, pd.concat(parts, ignore_index=True), "measure", compare_with)
    per_pupil = per_pupil.assign(order=per_pupil["measure"].map(order.index)).sort_values(["school_year", "order"]).drop(columns="order").reset_index(drop=True)
    table = _comparison_table(per_pupil, review, building_code, "measure", "Spending", compare_with)
    groups = list(comparison_groups(review, building_code, compare_with))
    building = groups[0]
    year = focus_year(review, table["School year"], year)
    latest = table[table["School year"] == year].set_index("Spending")
    observations = []
    for measure in order:
        row = latest.loc[measure]
        observations.append(
            f"{measure} ({year}): {building} {money(row[f'{building} per pupil ($)'])} per pupil, district {money(row['District per pupil ($)'])}, a deviation of {money(row['Deviation from district ($)'])} ({row['Deviation from district (%)']:+.1f}%)."
        )
    if title_i is not None:
        building_title_i = title_i.loc[(title_i["building_code"] == building_code) & (title_i["school_year"] == year), "amount"].sum()
        pupils = comparison.spending_pupils(review)
        building_pupils = pupils.loc[(pupils["building_code"] == building_code) & (pupils["school_year"] == year), "pupils"].sum()
        observations.append(f"Title I paid {money(building_title_i)} at {building} in {year} ({money(building_title_i / building_pupils)} per pupil).")
    else:
        observations.append(title_i_source)
    chart_rows = latest.reset_index()[["Spending", *[f"{label} per pupil ($)" for label in groups]]].rename(columns={f"{label} per pupil ($)": label for label in groups})
    draw = partial(figures.grouped_bars, chart_rows, category="Spending", series=groups, title=f"Per-pupil spending with and without federal dollars, {year}", x_label="Dollars per pupil")
    return DataObject(
        units=_comparison_units(groups, "Spending"),
        name=name,
        table=table,
        display=table[table["School year"] == year],
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment", "ledger"),
        filters=[years_filter(review.config.school_years)],
        notes=[title_i_source, "Spending excluding all federal funds is the state + local figure ESSA asks states to publish."],
        missing=[] if title_i is not None else ["Title I spending by building (ledger grant codes or function codes)"],
    )


# ---------------------------------------------------------------- utilization from the ledger


def _no_ledger(name: str, review: Review, what: str) -> DataObject:
    return DataObject(
        name=name,
        observations=[f"The review has no general ledger, so {what} cannot be shown. A ledger export with budget, actual, program (grant) and the grant's final year would answer it."],
        sources=[f"review configuration ({review.config_path.name})"],
        missing=["general ledger (budget and actual)"],
    )


def _grant_label(program: object) -> str:
    return str(program) if _normalized_program(program) else GENERAL_FUNDS


def ledger_lines(review: Review) -> pd.DataFrame:
    """Ledger lines with a grant label, unspent dollars (budget - actual) and lapsing dollars (unspent in the grant's final year)."""
    ledger = review.tables["ledger"].copy()
    ledger["grant"] = ledger["program"].map(_grant_label)
    ledger["fund_source"] = ledger["fund_source"].map(LEDGER_SOURCE_LABELS).fillna("Not given")
    ledger["unspent"] = ledger["budget"] - ledger["actual"]
    final_year = ledger["grant_final_year"].notna() & (ledger["grant_final_year"] == ledger["school_year"])
    ledger["lapsing"] = ledger["unspent"].where(final_year, 0.0)
    ledger["carried"] = ledger["unspent"].where(ledger["grant_final_year"].notna() & ~final_year, 0.0)
    return ledger


def budget_and_actual(review: Review, building_code: str, *, year: str | None = None) -> DataObject:
    """Budget against actual by fund, fund source and grant, for the building's location and the whole district, every year."""
    name = "Budget and Actual by Fund and Grant"
    building_code = chosen_building(review, building_code)
    if not review.has("ledger"):
        return _no_ledger(name, review, "budget against actual spending")
    ledger = ledger_lines(review)
    budgeted = ledger[ledger["budget"].notna()]
    building = review.building_name(building_code)
    keys = ["school_year", "fund", "fund_source", "grant"]
    frames = []
    for label, lines in ((building, budgeted[budgeted["location"] == building_code]), ("District (all locations)", budgeted)):
        sums = lines.groupby(keys, as_index=False)[["budget", "actual", "unspent"]].sum().assign(scope=label)
        frames.append(sums)
    sums = pd.concat(frames, ignore_index=True)
    sums["spent_percent"] = sums["actual"] / sums["budget"].replace(0, np.nan) * 100
    table = (
        labelled(
            sums,
            {
                "Scope": "scope",
                "School year": "school_year",
                "Fund": "fund",
                "Fund source": "fund_source",
                "Grant": "grant",
                "Budget ($)": ("budget", 2),
                "Actual ($)": ("actual", 2),
                "Unspent ($)": ("unspent", 2),
                "Spent of budget (%)": ("spent_percent", 1),
            },
        )
        .sort_values(["Scope", "School year", "Fund", "Grant"], kind="stable")
        .reset_index(drop=True)
    )
    year = focus_year(review, table["School year"], year)
    observations = []
    at_building = table[(table["Scope"] == building) & (table["School year"] == year)]
    in_district = table[(table["Scope"] != building) & (table["School year"] == year)]
    if at_building.empty:
        observations.append(f"The ledger has no budgeted lines at {building}'s location ({building_code}) in {year}.")
    else:
        spent = at_building["Actual ($)"].sum() / at_building["Budget ($)"].sum() * 100
        district_spent = in_district["Actual ($)"].sum() / in_district["Budget ($)"].sum() * 100
        observations.append(
            f"In {year}, ledger lines at {building} spent {spent:.1f}% of a {money(at_building['Budget ($)'].sum())} budget ({money(at_building['Unspent ($)'].sum())} unspent), against {district_spent:.1f}% across the district."
        )
        grants = at_building[at_building["Grant"] != GENERAL_FUNDS]
        if len(grants):
            lowest = grants.loc[grants["Spent of budget (%)"].idxmin()]
            observations.append(
                f"The grant least spent at {building} in {year} was {lowest['Grant']} ({lowest['Fund source']}): {lowest['Spent of budget (%)']:.1f}% of {money(lowest['Budget ($)'])}, leaving {money(lowest['Unspent ($)'])}."
            )
    unbudgeted = int(ledger["budget"].isna().sum())
    notes = ["Unspent = final amended budget minus actual; a negative figure is spending above budget."]
    if unbudgeted:
        notes.append(f"{unbudgeted} ledger lines have no budget and are left out.")
    chart = at_building.merge(in_district, on=["Fund source", "Grant", "Fund"], suffixes=(" building", " district"))
    draw = None
    if len(chart):
        chart_rows = pd.DataFrame(
            {"category": chart["Grant"] + ", " + chart["Fund source"].str.lower(), building: chart["Spent of budget (%) building"], "District": chart["Spent of budget (%) district"]}
        )
        draw = partial(
            figures.percent_bars, chart_rows, category="category", series=[building, "District"], title=f"Share of the budget spent by grant, {year}", x_label="Actual as a percent of budget"
        )
    return DataObject(
        units=declare(text=["Scope", "Fund", "Fund source", "Grant"], code=["School year"], money=["Budget ($)", "Actual ($)", "Unspent ($)"], percent=["Spent of budget (%)"]),
        name=name,
        table=table,
        display=table[table["School year"] == year],
        draw=draw,
        observations=observations,
        sources=table_sources(review, "ledger"),
        filters=[years_filter(review.config.school_years), f"building scope: ledger location {building_code}"],
        notes=notes,
    )


def unspent_and_lapsing_grants(review: Review, building_code: str) -> DataObject:
    """Grant dollars left unspent each year at the building and in the district, split into lapsing and still available."""
    name = "Unspent and Lapsing Grant Dollars"
    building_code = chosen_building(review, building_code)
    if not review.has("ledger"):
        return _no_ledger(name, review, "unspent and lapsing grant dollars")
    ledger = ledger_lines(review)
    grants = ledger[(ledger["grant"] != GENERAL_FUNDS) & ledger["budget"].notna()]
    if grants.empty:
        return DataObject(
            name=name,
            observations=["The ledger has no budgeted grant lines (no program codes), so unspent grant dollars cannot be shown."],
            sources=table_sources(review, "ledger"),
            missing=["grant codes in the ledger"],
        )
    building = review.building_name(building_code)
    keys = ["school_year", "grant", "fund_source", "grant_final_year"]
    frames = []
    for label, lines in ((building, grants[grants["location"] == building_code]), ("District (all locations)", grants)):
        frames.append(lines.groupby(keys, as_index=False, dropna=False)[["budget", "actual", "unspent", "lapsing", "carried"]].sum().assign(scope=label))
    sums = pd.concat(frames, ignore_index=True)
    table = (
        labelled(
            sums,
            {
                "Scope": "scope",
                "School year": "school_year",
                "Grant": "grant",
                "Fund source": "fund_source",
                "Grant final year": sums["grant_final_year"].fillna("not given"),
                "Budget ($)": ("budget", 2),
                "Actual ($)": ("actual", 2),
                "Unspent ($)": ("unspent", 2),
                "Lapsing ($)": ("lapsing", 2),
                "Unspent, still available later ($)": ("carried", 2),
            },
        )
        .sort_values(["Scope", "School year", "Grant"], kind="stable")
        .reset_index(drop=True)
    )
    at_building = table[table["Scope"] == building]
    observations = []
    if at_building.empty:
        observations.append(f"No grant lines are coded to {building}'s location ({building_code}).")
    else:
        lapsed = at_building["Lapsing ($)"].sum()
        observations.append(
            f"Over {years_filter(review.config.school_years)}, {money(at_building['Unspent ($)'].sum())} of grant budgets at {building} went unspent, of which {money(lapsed)} lapsed (unspent in the grant's final year)."
        )
        by_grant = at_building.groupby("Grant")["Lapsing ($)"].sum().sort_values(ascending=False)
        if by_grant.iloc[0] > 0:
            observations.append(f"The largest lapse at {building} was in {by_grant.index[0]}: {money(by_grant.iloc[0])}.")
        share = at_building["Unspent ($)"].sum() / at_building["Budget ($)"].sum() * 100
        district = table[table["Scope"] != building]
        district_share = district["Unspent ($)"].sum() / district["Budget ($)"].sum() * 100
        observations.append(f"{share:.1f}% of {building}'s grant budgets went unspent over these years, against {district_share:.1f}% across the district.")
    by_year = at_building.groupby("School year")[["Lapsing ($)", "Unspent, still available later ($)"]].sum()
    labels = ("Lapsing (final year)", "Unspent, still available later")
    draw = (
        partial(
            figures.lapsing_bars,
            by_year.index,
            by_year["Lapsing ($)"],
            by_year["Unspent, still available later ($)"],
            title=f"Unspent grant dollars at {building}",
            y_label="Unspent grant dollars",
            labels=labels,
        )
        if len(by_year)
        else None
    )
    notes = ["Lapsing: budget minus actual on a grant whose final year is the line's school year; unspent dollars before the final year may still be spent later (carryover rules vary by grant)."]
    return DataObject(
        units=declare(
            text=["Scope", "Grant", "Fund source"], code=["School year", "Grant final year"], money=["Budget ($)", "Actual ($)", "Unspent ($)", "Lapsing ($)", "Unspent, still available later ($)"]
        ),
        name=name,
        table=table,
        display=at_building,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "ledger"),
        filters=[years_filter(review.config.school_years), "grant lines (with a program code) that have a budget"],
        notes=notes,
    )


# ---------------------------------------------------------------- people


def seniority_table(review: Review) -> pd.DataFrame:
    """Teacher salary cost per building and year at the building's average salary and at the district's FTE-weighted average."""
    staff = review.tables["staff"]
    teachers = staff[(staff["role"] == "teacher") & staff["average_salary"].notna() & (staff["fte"] > 0)].copy()
    teachers["actual_cost"] = teachers["fte"] * teachers["average_salary"]
    district = teachers.groupby("school_year")[["actual_cost", "fte"]].sum()
    teachers["district_average_salary"] = teachers["school_year"].map(district["actual_cost"] / district["fte"])
    teachers["cost_at_district_average"] = teachers["fte"] * teachers["district_average_salary"]
    teachers["seniority_effect"] = teachers["actual_cost"] - teachers["cost_at_district_average"]
    teachers = teachers.merge(review.tables["enrollment"][["building_code", "school_year", "pupils"]], on=["building_code", "school_year"], how="left")
    teachers["seniority_effect_per_pupil"] = teachers["seniority_effect"] / teachers["pupils"]
    teachers["building_name"] = teachers["building_code"].map(review.building_name)
    return teachers.sort_values(["school_year", "building_code"]).reset_index(drop=True)


def seniority_effect(review: Review, building_code: str, *, year: str | None = None) -> DataObject:
    """The seniority effect: teacher salaries at the building's actual averages against the district's average salary."""
    name = "Seniority Effect on Teacher Salary Cost"
    building_code = chosen_building(review, building_code)
    staff = review.table("staff")
    if staff is None or staff["average_salary"].notna().sum() == 0:
        return DataObject(
            name=name,
            observations=[
                "The review has no staff salaries, so the seniority effect (how much of a building's spending gap comes from where experienced, higher-paid teachers work) cannot be computed. Teacher FTE and average salary per building would answer it."
            ],
            sources=table_sources(review, "staff") or [f"review configuration ({review.config_path.name})"],
            missing=["staff salaries"],
        )
    table = seniority_table(review)
    building = review.building_name(building_code)
    mine = table[table["building_code"] == building_code].set_index("school_year")
    observations = []
    if mine.empty:
        observations.append(f"The staff table has no teachers with salaries at {building}.")
    else:
        year = focus_year(review, mine.index, year)
        row = mine.loc[year]
        direction = "less" if row["seniority_effect"] < 0 else "more"
        observations.append(
            f"In {year} {building}'s {row['fte']:.1f} teacher FTE cost {money(row['actual_cost'])} in salaries at the building's average salary ({money(row['average_salary'])}); "
            f"at the district's FTE-weighted average ({money(row['district_average_salary'])}) they would cost {money(row['cost_at_district_average'])}: "
            f"{money(abs(row['seniority_effect']))} {direction}, or {money(abs(row['seniority_effect_per_pupil']))} per pupil."
        )
        if pd.notna(row.get("average_years_experience")):
            district_years = table[table["school_year"] == year]
            experience = np.average(district_years["average_years_experience"].dropna(), weights=district_years.loc[district_years["average_years_experience"].notna(), "fte"])
            observations.append(f"Teachers at {building} averaged {row['average_years_experience']:.1f} years of experience in {year}, against {experience:.1f} across the district (FTE-weighted).")
        if len(mine) > 1:
            below = int((mine["seniority_effect"] < 0).sum())
            observations.append(
                f"{building}'s teacher salaries were below the district average in {below} of {len(mine)} years; over those years the seniority effect summed to {money(mine['seniority_effect'].sum())}."
            )
        observations.append("Salaries only: benefits that follow salary would widen the effect.")
    latest = table[table["school_year"] == (focus_year(review, mine.index, year) if len(mine) else table["school_year"].max())]
    draw = partial(
        figures.ranked_bars,
        latest["building_name"],
        latest["seniority_effect_per_pupil"],
        highlight=building,
        reference=0.0,
        reference_label="Teachers paid at the district average",
        title=f"Seniority effect per pupil by building, {latest['school_year'].iloc[0]}",
        x_label="Teacher salaries above (+) or below (-) the district average, dollars per pupil",
    )
    shown = labelled(
        table,
        {
            "Building code": "building_code",
            "Building": "building_name",
            "School year": "school_year",
            "Teacher FTE": ("fte", 2),
            "Average teacher salary ($)": ("average_salary", 2),
            "District average teacher salary ($)": ("district_average_salary", 2),
            "Salary cost at actual salaries ($)": ("actual_cost", 2),
            "Salary cost at district average ($)": ("cost_at_district_average", 2),
            "Seniority effect ($)": ("seniority_effect", 2),
            "Seniority effect per pupil ($)": ("seniority_effect_per_pupil", 2),
            "Average years of experience": ("average_years_experience", 1),
        },
    )
    return DataObject(
        units=declare(
            code=["Building code", "School year"],
            text=["Building"],
            count=["Teacher FTE"],
            money=[
                "Average teacher salary ($)",
                "District average teacher salary ($)",
                "Salary cost at actual salaries ($)",
                "Salary cost at district average ($)",
                "Seniority effect ($)",
                "Seniority effect per pupil ($)",
            ],
            number=["Average years of experience"],
        ),
        name=name,
        table=shown,
        display=shown[shown["Building code"] == building_code].drop(columns=["Building code", "Building"]),
        draw=draw,
        observations=observations,
        sources=table_sources(review, "staff", "enrollment"),
        filters=[years_filter(review.config.school_years), "teachers with a known average salary"],
        notes=["District average salary: total teacher salary dollars over total teacher FTE (FTE-weighted). Seniority effect = FTE x building average salary - FTE x district average salary."],
    )


def object_label(code: object) -> str:
    """An object code's group ("Salaries" for the 1000s), or the code as written when it is not a Michigan object code."""
    if code is None or (isinstance(code, float) and np.isnan(code)):
        return "No object code"
    code = str(code)
    if code[:1].isdigit():
        return OBJECT_GROUPS.get(code[0], "Other")
    return code.capitalize()


def personnel_and_non_personnel(review: Review, building_code: str, *, year: str | None = None, compare_with: str | list[str] = "level") -> DataObject:
    """Personnel and non-personnel spending per pupil, and by object, the building against the district and its peers."""
    name = "Personnel and Non-Personnel Spending"
    building_code = chosen_building(review, building_code)
    if not review.has("expenditures"):
        return without_spending(review, name, "personnel and non-personnel spending")
    spending = review.tables["expenditures"]
    unsplit = finance.unsplit_years(review, "category")
    if focus_year(review, spending["school_year"], year) in unsplit:
        return missing_object(
            review,
            name,
            f"Spending in {', '.join(unsplit)} is not split into personnel and non-personnel (the expenditures table has no category), so the two cannot be compared. "
            "Add a category column (personnel for salaries and benefits, non_personnel for the rest), or map the source's object codes to it.",
            ("expenditures",),
            ["spending by personnel and non-personnel category"],
        )
    by_category = spending.assign(category_label=spending["category"].map({"personnel": "Personnel", "non_personnel": "Non-personnel"}))
    per_pupil = per_pupil_by(review, building_code, by_category, "category_label", compare_with)
    groups = list(comparison_groups(review, building_code, compare_with))
    building = groups[0]
    table = _comparison_table(per_pupil, review, building_code, "category_label", "Spending", compare_with)
    shares = per_pupil.pivot(index="school_year", columns="category_label", values=groups)
    observations = []
    year = focus_year(review, table["School year"], year)
    building_share = shares.loc[year, (building, "Personnel")] / (shares.loc[year, (building, "Personnel")] + shares.loc[year, (building, "Non-personnel")]) * 100
    district_share = shares.loc[year, ("District", "Personnel")] / (shares.loc[year, ("District", "Personnel")] + shares.loc[year, ("District", "Non-personnel")]) * 100
    latest = table[table["School year"] == year].set_index("Spending")
    observations.append(f"Personnel (salaries and benefits) was {building_share:.1f}% of {building}'s spending in {year}, against {district_share:.1f}% for the district.")
    for category in ("Personnel", "Non-personnel"):
        row = latest.loc[category]
        observations.append(
            f"{category} spending per pupil in {year}: {building} {money(row[f'{building} per pupil ($)'])}, district {money(row['District per pupil ($)'])} ({more_or_less(row['Deviation from district ($)'])} per pupil at {building})."
        )
    objects = None
    if spending["object_code"].notna().any():
        by_object = spending.assign(object_group=spending["object_code"].map(object_label))
        objects = _comparison_table(per_pupil_by(review, building_code, by_object, "object_group", compare_with), review, building_code, "object_group", "Spending", compare_with)
        latest_objects = objects[objects["School year"] == year]
        widest = latest_objects.loc[latest_objects["Deviation from district ($)"].abs().idxmax()]
        observations.append(
            f"By object, the widest gap in {year} was in {widest['Spending'].lower()}: {money(widest[f'{building} per pupil ($)'])} per pupil at {building} against {money(widest['District per pupil ($)'])} for the district."
        )
        table = pd.concat([table.assign(Breakdown="category"), objects.assign(Breakdown="object")], ignore_index=True)
    else:
        table = table.assign(Breakdown="category")
    chart_rows = table[table["School year"] == year][["Spending", *[f"{label} per pupil ($)" for label in groups]]].rename(columns={f"{label} per pupil ($)": label for label in groups})
    draw = partial(figures.grouped_bars, chart_rows, category="Spending", series=groups, title=f"Personnel and non-personnel spending per pupil, {year}", x_label="Dollars per pupil")
    return DataObject(
        units={**_comparison_units(groups, "Spending"), **declare(text=["Breakdown"])},
        name=name,
        table=table,
        display=table[table["School year"] == year].drop(columns=["Breakdown"]),
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment"),
        filters=[years_filter(review.config.school_years), "all fund sources"],
        notes=[
            "Personnel: salaries and benefits. By object: Bulletin 1022 object series (1000s salaries, 2000s benefits, 3000s purchased services, 4000s supplies, 5000s capital outlay), or the source's own object classes as written."
        ],
        missing=[] if objects is not None else ["spending by object code"],
    )


def data_objects(review: Review, building_code: str) -> list[DataObject]:
    """Every data object of review option 3 for one building, in report order."""
    return [
        spending_by_function(review, building_code),
        spending_by_fund_source(review, building_code),
        need_weighted_spending(review, building_code),
        equity_statistics(review, building_code),
        spending_excluding_federal(review, building_code),
        budget_and_actual(review, building_code),
        unspent_and_lapsing_grants(review, building_code),
        seniority_effect(review, building_code),
        personnel_and_non_personnel(review, building_code),
    ]


def _comparison_object(
    review: Review, name: str, groups: list[str], key_label: str, table: pd.DataFrame, display: pd.DataFrame, draw: Callable[[], Figure], observations: list[str], *, scope: str
) -> DataObject:
    """The data object of a per-pupil comparison by ``key_label`` (function or fund source), read from the expenditure report."""
    sources = table_sources(review, "expenditures", "enrollment", "buildings")
    filters = [years_filter(review.config.school_years), scope]
    return DataObject(
        name=name, table=table, display=display, draw=draw, observations=observations, sources=sources, filters=filters, notes=[state_caveat(review)], units=_comparison_units(groups, key_label)
    )


def _comparison_units(groups: list[str], key_label: str) -> dict[str, str]:
    """The units of a per-pupil comparison table's columns (see ``_comparison_table``)."""
    return declare(code=["School year"], text=[key_label], money=[*(f"{label} per pupil ($)" for label in groups), "Deviation from district ($)"], change=["Deviation from district (%)"])
