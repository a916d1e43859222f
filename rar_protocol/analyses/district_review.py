"""Phase 2, the district financial review: per-pupil spending by building over the years, beside performance and need.

Each public function returns a :class:`DataObject` with its observations written from the numbers.
"""

from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np
import pandas as pd

from rar_protocol.data import schema
from rar_protocol.data.choices import focus_year
from rar_protocol.data.loading import Review
from rar_protocol.measures import finance, outcomes, privacy
from rar_protocol.measures.need import group_shares, shown_share
from rar_protocol.protocol import figures
from rar_protocol.protocol.data_object import DataObject, without_fund_split, without_spending
from rar_protocol.protocol.display import labelled
from rar_protocol.protocol.units import declare
from rar_protocol.protocol.words import SPENDING_MEASURE, money, split_not_reported, state_caveat, table_sources, years_filter

QUADRANTS = {
    (True, True): "higher spending, higher proficiency",
    (True, False): "higher spending, lower proficiency",
    (False, True): "lower spending, higher proficiency",
    (False, False): "lower spending, lower proficiency",
}


def identified_by_year(review: Review) -> pd.DataFrame:
    """Designation per building and year ("none" where the review has no designations)."""
    designations = review.table("designations")
    if designations is None:
        return pd.DataFrame(columns=["building_code", "school_year", "designation"])
    return designations[["building_code", "school_year", "designation"]]


def spending_table(review: Review) -> pd.DataFrame:
    """Per-pupil spending per building and year beside the district's weighted figure, with deviations."""
    table = finance.per_pupil(review)
    district = finance.district_per_pupil(review).set_index("school_year")
    table = table.merge(identified_by_year(review), on=["building_code", "school_year"], how="left")
    table["designation"] = table["designation"].fillna("none")
    for measure in ("total", "state_local"):
        district_value = table["school_year"].map(district[f"{measure}_per_pupil"])
        table[f"district_{measure}_per_pupil"] = district_value
        table[f"{measure}_deviation"] = table[f"{measure}_per_pupil"] - district_value
        table[f"{measure}_deviation_percent"] = table[f"{measure}_deviation"] / district_value * 100
    return table


def _deviation_sentence(row: pd.Series, measure: str, wording: str) -> str:
    deviation = row[f"{measure}_deviation"]
    percent = row[f"{measure}_deviation_percent"]
    direction = "more" if deviation >= 0 else "less"
    return (
        f"{row['building_name']} spent {money(abs(deviation))} ({abs(percent):.0f}%) {direction} per pupil {wording} than the "
        f"district's enrollment-weighted average in {row['school_year']} ({money(row[f'{measure}_per_pupil'])} vs "
        f"{money(row[f'district_{measure}_per_pupil'])})."
    )


def _rise_sentence(shown: pd.DataFrame) -> str:
    """The largest and the smallest change across buildings, rounded as printed; ties named together, one building said once."""
    change = shown["Change (%)"].round(1)
    if len(shown) == 1:
        row = shown.iloc[0]
        return f"{row['Building']} changed {change.iloc[0]:+.1f}% ({money(row['Change ($)'])})."
    if change.max() == change.min():
        return f"Every building changed by {change.max():+.1f}%."
    highest = shown[change == change.max()]
    lowest = shown[change == change.min()]
    rise = f"The largest rise was at {' and '.join(highest['Building'])} ({change.max():+.1f}%" + (f", {money(highest['Change ($)'].iloc[0])})" if len(highest) == 1 else ")")
    return rise + f"; the smallest change at {' and '.join(lowest['Building'])} ({change.min():+.1f}%)."


def per_pupil_by_building(review: Review, *, year: str | None = None) -> DataObject:
    """Total, federal and state+local per-pupil spending by building and year, against the district; the observations are about ``year`` (default: the latest)."""
    if not review.has("expenditures"):
        return without_spending(review, "Per-Pupil Spending by Building and Year", "per-pupil spending by building")
    table = spending_table(review)
    focus = focus_year(review, table["school_year"], year)
    latest = table[table["school_year"] == focus]
    measure = finance.compared_measure(review, focus)
    wording, label = ("from state and local funds", "state and local") if measure == "state_local" else ("in total", "total")
    unsplit = finance.unsplit_years(review, "fund_source")
    observations = [split_not_reported(unsplit)] if unsplit else []
    identified = latest[latest["designation"] != "none"].sort_values(f"{measure}_deviation")
    for _, row in identified.iterrows():
        observations.append(_deviation_sentence(row, measure, wording) + f" It is identified for {row['designation']}.")
    regular = latest[latest["flag"] == ""]
    if len(regular) >= 2:
        low = regular.loc[regular[f"{measure}_per_pupil"].idxmin()]
        high = regular.loc[regular[f"{measure}_per_pupil"].idxmax()]
        observations.append(
            f"In {low['school_year']}, {label} spending per pupil ranged from {money(low[f'{measure}_per_pupil'])} "
            f"({low['building_name']}) to {money(high[f'{measure}_per_pupil'])} ({high['building_name']}), a gap of "
            f"{money(high[f'{measure}_per_pupil'] - low[f'{measure}_per_pupil'])} per pupil among buildings not flagged as outliers."
        )
    district_latest = latest["district_total_per_pupil"].iloc[0] if len(latest) else np.nan
    observations.append(f"The district spent {money(district_latest)} per pupil in total in {latest['school_year'].iloc[0]} (all dollars over all pupils).")
    shown = labelled(
        table,
        {
            "Building code": "building_code",
            "Building": "building_name",
            "School year": "school_year",
            "Designation": "designation",
            "Pupils": "pupils",
            "Total per pupil ($)": ("total_per_pupil", 2),
            "Federal per pupil ($)": ("federal_per_pupil", 2),
            "State + local per pupil ($)": ("state_local_per_pupil", 2),
            "District state + local per pupil ($)": ("district_state_local_per_pupil", 2),
            "State + local deviation ($)": ("state_local_deviation", 2),
            "State + local deviation (%)": ("state_local_deviation_percent", 1),
            "Total deviation ($)": ("total_deviation", 2),
            "Total deviation (%)": ("total_deviation_percent", 1),
            "Total dollars ($)": ("total_dollars", 2),
            "Federal dollars ($)": ("federal_dollars", 2),
            "State + local dollars ($)": ("state_local_dollars", 2),
            "Flag": "flag",
        },
    )
    latest_view = shown[shown["School year"] == latest["school_year"].iloc[0]]
    display = latest_view[
        ["Building", "Designation", "Pupils", "Total per pupil ($)", "Federal per pupil ($)", "State + local per pupil ($)", "State + local deviation ($)", "State + local deviation (%)", "Flag"]
    ]
    return DataObject(
        units=declare(
            code=["Building code", "School year"],
            text=["Building", "Designation", "Flag"],
            count=["Pupils"],
            money=[
                "Total per pupil ($)",
                "Federal per pupil ($)",
                "State + local per pupil ($)",
                "District state + local per pupil ($)",
                "State + local deviation ($)",
                "Total deviation ($)",
                "Total dollars ($)",
                "Federal dollars ($)",
                "State + local dollars ($)",
            ],
            change=["State + local deviation (%)", "Total deviation (%)"],
        ),
        name="Per-Pupil Spending by Building and Year",
        table=shown,
        display=display,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment", "designations"),
        filters=[years_filter(review.config.school_years), "all buildings; district figures are summed dollars over summed pupils"],
        notes=[state_caveat(review)],
    )


def change_over_time(review: Review) -> DataObject:
    """Each building's per-pupil spending from the first to the last year, and its largest year-over-year change."""
    name = "Per-Pupil Spending Change Over Time"
    if not review.has("expenditures"):
        return without_spending(review, name, "the change in per-pupil spending over time")
    table = spending_table(review)
    years = sorted(table["school_year"].unique())
    if len(years) < 2:
        return DataObject(
            name=name,
            observations=[
                f"Only one school year ({years[0]}) is available, so change over time cannot be shown. Adding earlier years' spending and enrollment would show the trend the review asks about."
            ],
            sources=table_sources(review, "expenditures", "enrollment"),
            filters=[years_filter(review.config.school_years)],
        )
    rows = []
    for code, group in table.sort_values("school_year").groupby("building_code", sort=True):
        values = group.set_index("school_year")["total_per_pupil"]
        steps = values.diff().dropna()
        largest = steps.abs().idxmax() if len(steps) else None
        rows.append(
            {
                "Building code": code,
                "Building": group["building_name"].iloc[0],
                "First year": values.index[0],
                "Last year": values.index[-1],
                "Total per pupil, first year ($)": round(values.iloc[0], 2),
                "Total per pupil, last year ($)": round(values.iloc[-1], 2),
                "Change ($)": round(values.iloc[-1] - values.iloc[0], 2),
                "Change (%)": round((values.iloc[-1] / values.iloc[0] - 1) * 100, 1),
                "Largest yearly change ($)": round(steps[largest], 2) if largest else np.nan,
                "Largest yearly change, year": largest or "",
            }
        )
    shown = pd.DataFrame(rows)
    district = finance.district_per_pupil(review).set_index("school_year")["total_per_pupil"]
    observations = [
        f"District total spending per pupil went from {money(district.iloc[0])} in {district.index[0]} to {money(district.iloc[-1])} in {district.index[-1]} ({(district.iloc[-1] / district.iloc[0] - 1) * 100:+.1f}%)."
    ]
    observations.append(_rise_sentence(shown))
    step = shown.loc[shown["Largest yearly change ($)"].abs().idxmax()]
    observations.append(f"The largest single-year change was {money(step['Largest yearly change ($)'])} per pupil at {step['Building']} in {step['Largest yearly change, year']}.")
    identified_codes = set(review.identified_buildings())
    lines = pd.DataFrame({"label": table["building_name"], "school_year": table["school_year"], "value": table["total_per_pupil"]})
    lines = pd.concat([lines, pd.DataFrame({"label": "District (weighted)", "school_year": district.index, "value": district.values})])
    highlight = sorted(table.loc[table["building_code"].isin(identified_codes), "building_name"].unique())
    draw = partial(figures.trend, lines, title="Total per-pupil spending by building, identified buildings highlighted", y_label="Total per pupil (dollars)", highlight=highlight)
    return DataObject(
        units=declare(
            code=["Building code", "First year", "Last year", "Largest yearly change, year"],
            text=["Building"],
            money=["Total per pupil, first year ($)", "Total per pupil, last year ($)", "Change ($)", "Largest yearly change ($)"],
            change=["Change (%)"],
        ),
        name=name,
        table=shown,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment"),
        filters=[years_filter(review.config.school_years)],
        notes=["Per-pupil figures are not adjusted for inflation."],
    )


def layered_ranking(review: Review, *, year: str | None = None) -> DataObject:
    """Buildings ranked by state+local per pupil with federal on top, in ``year`` (default: the latest): do federal dollars supplement or replace?"""
    if not review.has("expenditures"):
        return without_spending(review, "State and Local Per-Pupil Spending Ranked", "whether federal dollars add to state and local spending")
    table = spending_table(review)
    year = focus_year(review, table["school_year"], year)
    if finance.compared_measure(review, year) == "total":
        return without_fund_split(review, "State and Local Per-Pupil Spending Ranked", "whether federal dollars add to state and local spending", year)
    latest = table[table["school_year"] == year].sort_values("state_local_per_pupil", ascending=False).reset_index(drop=True)
    district_state_local = latest["district_state_local_per_pupil"].iloc[0]
    district_total = latest["district_total_per_pupil"].iloc[0]
    observations = []
    identified = latest[latest["designation"] != "none"]
    if len(identified):
        below = identified[identified["state_local_per_pupil"] < district_state_local]
        lifted = below[below["total_per_pupil"] >= district_total]
        observations.append(
            f"In {year}, {len(below)} of {len(identified)} identified buildings received less state and local money per pupil than the district average ({money(district_state_local)}); "
            f"federal dollars lifted {len(lifted)} of those to or above the district's total per-pupil average ({money(district_total)})."
        )
    federal_median = latest["federal_per_pupil"].median()
    high_federal = latest[latest["federal_per_pupil"] > federal_median]
    low_federal = latest[latest["federal_per_pupil"] <= federal_median]
    if len(high_federal) and len(low_federal):
        high_sl = high_federal["state_local_dollars"].sum() / high_federal["pupils"].sum()
        low_sl = low_federal["state_local_dollars"].sum() / low_federal["pupils"].sum()
        verb = "less" if high_sl < low_sl else "more"
        observations.append(
            f"Buildings above the median in federal dollars per pupil received {money(abs(high_sl - low_sl))} {verb} state and local money per pupil "
            f"({money(high_sl)}) than the others ({money(low_sl)}), pupil-weighted. " + ("Federal money should add to equitable state and local spending, not replace it." if verb == "less" else "")
        )
    shown = pd.DataFrame(
        {
            "Rank (state + local)": np.arange(1, len(latest) + 1),
            "Building code": latest["building_code"],
            "Building": latest["building_name"],
            "Designation": latest["designation"],
            "State + local per pupil ($)": latest["state_local_per_pupil"].round(2),
            "Federal per pupil ($)": latest["federal_per_pupil"].round(2),
            "Total per pupil ($)": latest["total_per_pupil"].round(2),
            "Flag": latest["flag"],
        }
    )
    chart_rows = latest.assign(label=latest["building_name"], identified=latest["designation"] != "none")
    draw = partial(figures.layered_ranking, chart_rows, title=f"State + local per pupil by building, federal on top ({year})", district_state_local=district_state_local)
    return DataObject(
        units=declare(
            count=["Rank (state + local)"], code=["Building code"], text=["Building", "Designation", "Flag"], money=["State + local per pupil ($)", "Federal per pupil ($)", "Total per pupil ($)"]
        ),
        name="State and Local Per-Pupil Spending Ranked",
        table=shown,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment", "designations"),
        filters=[f"school year {year}"],
        notes=[state_caveat(review)],
    )


def spending_vs_performance(review: Review, *, subject: str, year: str | None = None) -> DataObject:
    """Total per-pupil spending against percent proficient in one subject (``ela``, ``math``, ``all``...) in ``year``
    (default: the latest year with both), with quadrants at the district averages."""
    label = {"ela": "ELA", "math": "Math", "all": "All Subjects"}.get(subject, subject.title())
    name = f"Spending and {label} Proficiency by Building"
    if not review.has("expenditures"):
        return without_spending(review, name, f"spending beside {label} proficiency")
    proficiency = outcomes.proficiency(review, student_group="all", subjects=(subject,))
    if proficiency is None or proficiency["percent_proficient"].notna().sum() == 0:
        return DataObject(
            name=name,
            observations=[f"No {label} results for all students are in the review's outcomes, so spending cannot be set beside {label} proficiency."],
            sources=table_sources(review, "outcomes"),
        )
    spending = spending_table(review)
    years_with_both = sorted(set(proficiency.dropna(subset=["percent_proficient"])["school_year"]) & set(spending["school_year"]))
    if not years_with_both:
        return DataObject(name=name, observations=[f"No school year has both spending and {label} results."], sources=table_sources(review, "outcomes", "expenditures"))
    year = focus_year(review, years_with_both, year)
    merged = spending[spending["school_year"] == year].merge(proficiency[proficiency["school_year"] == year][["building_code", "percent_proficient", "suppressed"]], on="building_code", how="left")
    merged = _with_need_shares(review, merged, ("economically_disadvantaged",))
    merged["need"] = merged["economically_disadvantaged_percent"]
    plotted = merged.dropna(subset=["percent_proficient"])
    district_rate = outcomes.district_proficiency(review)
    rate_row = district_rate[(district_rate["school_year"] == year) & (district_rate["subject"] == subject)]
    y_line = float(rate_row["percent_proficient"].iloc[0]) if len(rate_row) and pd.notna(rate_row["percent_proficient"].iloc[0]) else float(plotted["percent_proficient"].mean())
    x_line = float(merged["district_total_per_pupil"].iloc[0])
    merged["quadrant"] = [QUADRANTS[(s >= x_line, p >= y_line)] if pd.notna(p) else "no result shown" for s, p in zip(merged["total_per_pupil"], merged["percent_proficient"])]
    observations = []
    for _, row in merged[merged["designation"] != "none"].iterrows():
        if pd.isna(row["percent_proficient"]):
            observations.append(f"{row['building_name']} ({row['designation']}) has no {label} result shown for {year} (suppressed or missing).")
        else:
            observations.append(
                f"{row['building_name']} ({row['designation']}) sits in the {row['quadrant']} quadrant: {money(row['total_per_pupil'])} per pupil and {row['percent_proficient']:.1f}% proficient in {label} in {year}."
            )
    counts = merged["quadrant"].value_counts()
    observations.append("Buildings per quadrant: " + "; ".join(f"{quadrant}: {counts.get(quadrant, 0)}" for quadrant in QUADRANTS.values()) + ".")
    observations.append(
        f"District averages used for the quadrant lines: {money(x_line)} per pupil (weighted by pupils) and {y_line:.1f}% proficient ({'all proficient over all tested' if len(rate_row) and rate_row['weighted_by'].iloc[0] == 'students tested' else 'rates weighted by pupils'})."
    )
    draw = partial(
        figures.spending_vs_performance,
        plotted.assign(label=plotted["building_name"], spending=plotted["total_per_pupil"], proficiency=plotted["percent_proficient"], identified=plotted["designation"] != "none"),
        title=f"Spending and {label} proficiency, {year}: who sits in which quadrant",
        x_label="Total per-pupil expenditure (dollars)",
        y_label=f"{label}: percent proficient (all students)",
        x_line=x_line,
        y_line=y_line,
    )
    shown = labelled(
        merged,
        {
            "Building code": "building_code",
            "Building": "building_name",
            "Designation": "designation",
            "Pupils": "pupils",
            "Total per pupil ($)": ("total_per_pupil", 2),
            f"{label} proficient (%)": ("percent_proficient", 1),
            "Economically disadvantaged (%)": shown_share(merged, "economically_disadvantaged"),
            "Quadrant": "quadrant",
        },
    )
    return DataObject(
        units=declare(
            code=["Building code"], text=["Building", "Designation", "Quadrant"], count=["Pupils"], money=["Total per pupil ($)"], percent=[f"{label} proficient (%)", "Economically disadvantaged (%)"]
        ),
        name=name,
        table=shown,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment", "outcomes", "designations"),
        filters=[f"school year {year}", "all students"],
        notes=["Results of fewer tested students than the privacy threshold are not shown.", privacy.share_note(privacy.minimum_size(review))],
    )


def _with_need_shares(review: Review, frame: pd.DataFrame, groups: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` (building rows of one year) with each group's percent of pupils and whether it is hidden for privacy."""
    shares = group_shares(review, groups).drop(columns="pupils")
    merged = frame.drop(columns=[c for c in shares.columns if c in frame.columns and c not in ("building_code", "school_year")]).merge(shares, on=["building_code", "school_year"], how="left")
    return merged.set_axis(frame.index)


def spending_vs_need(review: Review, *, year: str | None = None) -> DataObject:
    """Per-pupil spending against each building's share of need, and the personnel share of spending, in ``year`` (default: the latest)."""
    if not review.has("expenditures"):
        return student_need(review, year=year)
    table = spending_table(review)
    year = focus_year(review, table["school_year"], year)
    latest = table[table["school_year"] == year].reset_index(drop=True)
    latest = _with_need_shares(review, latest, schema.NEED_GROUPS)
    for group in schema.NEED_GROUPS:
        latest[group] = latest[f"{group}_percent"]
    latest["personnel_share"] = latest["personnel_dollars"] / latest["total_dollars"] * 100
    observations = []
    has_need = latest["economically_disadvantaged"].notna().sum() >= 3
    draw = None
    if has_need:
        regular = latest[latest["flag"] == ""].dropna(subset=["economically_disadvantaged"])
        split = finance.compared_measure(review, year) == "state_local"
        for measure, wording in (("state_local_per_pupil", "state and local"), ("federal_per_pupil", "federal")) if split else (("total_per_pupil", "total"),):
            r = np.corrcoef(regular["economically_disadvantaged"], regular[measure])[0, 1]
            tendency = "more" if r > 0 else "less"
            observations.append(
                f"Across buildings in {year}, {wording} spending per pupil and the share of economically disadvantaged pupils correlate at r = {r:.2f}: higher-need buildings tend to get {tendency} {wording} money per pupil."
            )
        draw = partial(
            figures.scatter_with_fit,
            regular.assign(
                label=regular["building_name"], x=regular["economically_disadvantaged"], y=regular["state_local_per_pupil" if split else "total_per_pupil"], identified=regular["designation"] != "none"
            ),
            title=f"{'State + local' if split else 'Total'} per pupil against economically disadvantaged share, {year}",
            x_label="Economically disadvantaged pupils (%)",
            y_label=f"{'State + local' if split else 'Total'} per pupil (dollars)",
        )
    else:
        observations.append("The review's enrollment has no counts of economically disadvantaged pupils, so spending cannot be compared with need. Add those counts to the enrollment table.")
    share = latest["personnel_share"]
    if share.notna().any():
        low = latest.loc[share.idxmin()]
        high = latest.loc[share.idxmax()]
        observations.append(
            f"Personnel (salaries and benefits) made up between {low['personnel_share']:.0f}% ({low['building_name']}) and {high['personnel_share']:.0f}% ({high['building_name']}) of building spending in {year}."
        )
    shown = labelled(
        latest,
        {
            "Building code": "building_code",
            "Building": "building_name",
            "Designation": "designation",
            "Economically disadvantaged (%)": shown_share(latest, "economically_disadvantaged"),
            "Students with disabilities (%)": shown_share(latest, "students_with_disabilities"),
            "English learners (%)": shown_share(latest, "english_learners"),
            "State + local per pupil ($)": ("state_local_per_pupil", 2),
            "Federal per pupil ($)": ("federal_per_pupil", 2),
            "Personnel share (%)": ("personnel_share", 1),
            "Flag": "flag",
        },
    )
    return DataObject(
        units=declare(
            code=["Building code"],
            text=["Building", "Designation", "Flag"],
            percent=["Economically disadvantaged (%)", "Students with disabilities (%)", "English learners (%)", "Personnel share (%)"],
            money=["State + local per pupil ($)", "Federal per pupil ($)"],
        ),
        name="Per-Pupil Spending and Student Need",
        table=shown,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment", "designations"),
        filters=[f"school year {year}", "correlations exclude flagged buildings and hidden shares"],
        notes=[privacy.share_note(privacy.minimum_size(review)), state_caveat(review)],
    )


def student_need(review: Review, *, year: str | None = None) -> DataObject:
    """Each building's share of need and its designation in ``year`` (default: the latest): what a review without building spending can show."""
    enrollment = review.tables["enrollment"]
    year = review.latest_year if year in (None, "") else focus_year(review, enrollment["school_year"], year)
    rows = enrollment[enrollment["school_year"] == year].merge(review.tables["buildings"][["building_code", "building_name"]], on="building_code", how="left")
    rows = rows.merge(identified_by_year(review), on=["building_code", "school_year"], how="left")
    rows["designation"] = rows["designation"].fillna("none")
    groups = {"economically_disadvantaged": "Economically disadvantaged", "students_with_disabilities": "Students with disabilities", "english_learners": "English learners"}
    # A group the enrollment has no counts for at all is left out of the table, not shown as suppressed.
    absent = [label[0].lower() + label[1:] if group != "english_learners" else label for group, label in groups.items() if rows[group].isna().all()]
    groups = {group: label for group, label in groups.items() if rows[group].notna().any()}
    minimum = privacy.minimum_size(review)
    shares = group_shares(review, tuple(groups)).drop(columns="pupils")
    shown = rows.merge(shares, on=["building_code", "school_year"], how="left").sort_values("building_code").reset_index(drop=True)
    observations = without_spending(review, "", "spending beside need").observations
    known = rows.dropna(subset=["economically_disadvantaged"])
    if len(known) and "economically_disadvantaged" in groups:
        district_share = known["economically_disadvantaged"].sum() / known["pupils"].sum() * 100
        observations.append(f"Across the district's buildings, {district_share:.1f}% of pupils were economically disadvantaged in {year} (all such pupils over all pupils).")
        for _, row in shown[(shown["designation"] != "none") & shown["economically_disadvantaged_percent"].notna()].iterrows():
            difference = row["economically_disadvantaged_percent"] - district_share
            observations.append(
                f"{row['building_name']} ({row['designation']}) had {row['economically_disadvantaged_percent']:.1f}% economically disadvantaged pupils, {abs(difference):.1f} points {'above' if difference >= 0 else 'below'} the district."
            )
        ranked = shown.dropna(subset=["economically_disadvantaged_percent"])
        if len(ranked) >= 2:
            low = ranked.loc[ranked["economically_disadvantaged_percent"].idxmin()]
            high = ranked.loc[ranked["economically_disadvantaged_percent"].idxmax()]
            observations.append(
                f"The share ranged from {low['economically_disadvantaged_percent']:.1f}% ({low['building_name']}) to {high['economically_disadvantaged_percent']:.1f}% ({high['building_name']})."
            )
    if absent:
        observations.append(f"The enrollment table has no counts of {' or '.join(absent)}, so their shares are not shown.")
    table = pd.DataFrame(
        {
            "Building code": shown["building_code"],
            "Building": shown["building_name"],
            "Designation": shown["designation"],
            "Pupils": shown["pupils"],
            **{f"{label} (%)": shown_share(shown, group) for group, label in groups.items()},
        }
    )
    return DataObject(
        units=declare(code=["Building code"], text=["Building", "Designation"], count=["Pupils"], percent=["Economically disadvantaged (%)", "Students with disabilities (%)", "English learners (%)"]),
        name="Student Need by Building",
        table=table,
        observations=observations,
        sources=table_sources(review, "enrollment", "designations"),
        filters=[f"school year {year}"],
        notes=[privacy.share_note(minimum)],
        missing=[SPENDING_MEASURE],
    )


def flagged_figures(review: Review, *, small_building_pupils: float | None = None, per_pupil_low: float | None = None, per_pupil_high: float | None = None) -> DataObject:
    """Building-years whose per-pupil figures need care, with the reason: flagged, never dropped.

    The three thresholds default to the review YAML's ``thresholds``; a value given here changes this
    table only (the other sections keep the YAML's rule, so change it there to change them too).
    """
    if not review.has("expenditures"):
        return without_spending(review, "Flagged Per-Pupil Figures", "flagged per-pupil figures")
    chosen = {"small_building_pupils": small_building_pupils, "per_pupil_low": per_pupil_low, "per_pupil_high": per_pupil_high}
    chosen = {key: float(value) for key, value in chosen.items() if value is not None}
    if chosen:
        thresholds = review.config.thresholds.model_copy(update=chosen)
        review = dataclasses.replace(review, config=review.config.model_copy(update={"thresholds": thresholds}))
    table = spending_table(review)
    thresholds = review.config.thresholds
    flagged = table[table["flag"] != ""]
    rule = (
        f"Rule: a building-year is flagged when it has fewer than {thresholds.small_building_pupils:,.0f} pupils, or spends more than "
        f"{money(thresholds.per_pupil_high)} or less than {money(thresholds.per_pupil_low)} per pupil, or when its state + local per pupil lies more than "
        f"{thresholds.outlier_spreads:g} interquartile ranges outside the middle half of its level's buildings, or of all buildings where the level has fewer than four "
        "(all set under thresholds in the review YAML)."
    )
    if flagged.empty:
        observations = ["No building-year was flagged: every per-pupil figure is within the plausible range and every building has enough pupils.", rule]
    else:
        observations = [f"{len(flagged)} building-year(s) flagged; they stay in every table and chart, marked, and are left out of correlations.", rule]
        observations += [
            f"{row['building_name']} ({row['school_year']}): "
            + (f"{money(row['total_per_pupil'])} per pupil with {row['pupils']:,.0f} pupils" if pd.notna(row["total_per_pupil"]) else f"{money(row['total_dollars'])} with no pupils")
            + f"; {row['flag']}."
            for _, row in flagged.iterrows()
        ]
    shown = labelled(
        flagged,
        {
            "Building code": "building_code",
            "Building": "building_name",
            "School year": "school_year",
            "Pupils": "pupils",
            "Total dollars ($)": ("total_dollars", 2),
            "Total per pupil ($)": ("total_per_pupil", 2),
            "Reason": "flag",
        },
    )
    return DataObject(
        units=declare(code=["Building code", "School year"], text=["Building", "Reason"], count=["Pupils"], money=["Total dollars ($)", "Total per pupil ($)"]),
        name="Flagged Per-Pupil Figures",
        table=shown,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment"),
        filters=[years_filter(review.config.school_years)],
    )


def data_objects(review: Review) -> list[DataObject]:
    """Every data object of the district financial review, in report order."""
    objects = [per_pupil_by_building(review), change_over_time(review), layered_ranking(review)]
    objects += [spending_vs_performance(review, subject=subject) for subject in ("ela", "math")]
    objects += [spending_vs_need(review), flagged_figures(review)]
    return objects


def option_evidence(review: Review) -> dict[int, list[str]]:
    """Findings of this review that point to each of the four review options."""
    evidence: dict[int, list[str]] = {1: [], 2: [], 3: [], 4: []}
    identified = set(review.identified_buildings())
    year = review.latest_year
    group = review.config.option.student_group
    all_students = outcomes.proficiency(review, student_group="all")
    group_rates = outcomes.proficiency(review, student_group=group)
    if all_students is not None and group_rates is not None:
        merged = all_students.merge(group_rates, on=["building_code", "school_year", "subject"], suffixes=("_all", "_group"))
        merged = merged[merged["building_code"].isin(identified) & (merged["school_year"] == year)].dropna(subset=["percent_proficient_all", "percent_proficient_group"])
        if len(merged):
            merged["gap"] = merged["percent_proficient_group"] - merged["percent_proficient_all"]
            widest = merged.loc[merged["gap"].idxmin()]
            evidence[1].append(
                f"The widest gap in an identified building: {group.replace('_', ' ')} at {review.building_name(widest['building_code'])} were {abs(widest['gap']):.1f} points {'below' if widest['gap'] < 0 else 'above'} all students in {widest['subject'].upper() if widest['subject'] == 'ela' else widest['subject']} ({year})."
            )
    strategies = review.table("strategies")
    if strategies is not None:
        in_identified = strategies[strategies["building_code"].isin(identified) & (strategies["school_year"] == year)]
        if len(in_identified):
            evidence[2].append(f"{in_identified['strategy'].nunique()} MICIP strategies cost {money(in_identified['cost'].sum())} in identified buildings in {year}.")
    table = spending_table(review) if review.has("expenditures") else pd.DataFrame(columns=["school_year", "building_code", "state_local_deviation"])
    latest = table[(table["school_year"] == year) & table["building_code"].isin(identified)]
    below = latest[latest["state_local_deviation"] < 0]
    if len(latest):
        evidence[3].append(f"{len(below)} of {len(latest)} identified buildings received less state and local money per pupil than the district average in {year}.")
    indicators = review.table("indicators")
    if indicators is not None:
        evidence[4].append(f"The review has diagnostic indicators in {indicators['dimension'].nunique()} of 10 dimensions.")
    return evidence
