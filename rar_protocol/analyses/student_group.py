"""Review option 1: the needs of one student group in one building, against the district and its other buildings.

Each public analysis takes the review and the building under review and returns a
:class:`DataObject` whose observations are written from the numbers. The group comes from the
review's configuration (``option.student_group``) unless a caller names another. Every count of
the group's students, and every figure computed from one, passes :func:`privacy.suppress` before
it is shown or written into a sentence; a district total shown beside the buildings also hides a
second building wherever exactly one is hidden, so the small one cannot be found by subtraction.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from rar_protocol.data.choices import chosen_building, chosen_year, focus_year
from rar_protocol.data.loading import Review
from rar_protocol.measures import finance, outcomes
from rar_protocol.measures.comparison import building_level
from rar_protocol.measures.privacy import minimum_size, reveals_small_group, suppress
from rar_protocol.measures.staffing import staff_in_roles
from rar_protocol.protocol import figures
from rar_protocol.protocol.data_object import DataObject, missing_object
from rar_protocol.protocol.display import for_display, labelled
from rar_protocol.protocol.units import declare
from rar_protocol.protocol.words import (
    COUNT_MEASURES,
    DISTRICT_LABEL,
    GROUPS,
    LEVEL_WORDS,
    SUBJECT_LABELS,
    SUBJECT_ORDER,
    SUBJECT_PHRASES,
    GroupWords,
    capitalized,
    group_privacy_note,
    level_words,
    money,
    points,
    rank_among,
    relative,
    split_not_reported,
    subject_list,
    table_sources,
    years_filter,
)

# Bulletin 1022 functions 120-129 are added needs: special education, compensatory education, CTE.
ADDED_NEEDS_PREFIX = "12"
# Staff who serve students beyond the classroom teacher. Coaches and administrators serve adults
# or the whole school, and "support" in the staff table may be operations staff, so they are left out.
SUPPORT_ROLES = ("counselor", "social_worker", "psychologist", "nurse", "interventionist", "paraprofessional")
SUPPORT_MEASURE = "student-support staff FTE (counselors, social workers, psychologists, nurses, interventionists, paraprofessionals)"


# ---------------------------------------------------------------- the group, the building and shared steps


def chosen_group(review: Review, student_group: str | None = None) -> str:
    """The student group to study: the one named, else the review's ``option.student_group``."""
    return student_group or review.config.option.student_group


def _subject(review: Review, building_code: str, student_group: str | None) -> tuple[str, GroupWords, str, str]:
    """What every analysis starts from: the group, its words, and the building's code and name."""
    group = chosen_group(review, student_group)
    # A name, or a code papermill's -p turned into a number, is accepted; an unknown building is a ParameterError.
    building_code = chosen_building(review, building_code)
    return group, GROUPS[group], building_code, review.building_name(building_code)


def _up_to(review: Review, frame: pd.DataFrame, year: str | None) -> pd.DataFrame:
    """The rows up to the year in focus, for the observations ("the latest" becomes that year); every row without one."""
    chosen = chosen_year(review, year)
    return frame if chosen is None else frame[frame["school_year"] <= chosen]


def report_title(review: Review, student_group: str | None = None) -> str:
    """The report's title, naming the group."""
    return f"Resource Allocation Inquiry: {GROUPS[chosen_group(review, student_group)].heading}"


def relevant_measures(review: Review, student_group: str | None = None) -> list[str]:
    """The inventory measures option 1 uses for this group: what "data we do not have" checks."""
    group = chosen_group(review, student_group)
    counts = [COUNT_MEASURES[group]] if group in COUNT_MEASURES else []
    return ["achievement by student group", *counts, "spending by Bulletin 1022 function", "staff FTE by role", "novice teachers", "teachers rated effective"]


def count_measure(group: str) -> str:
    """The name of the measure "pupils of this group per building", as "data we do not have" lists it."""
    return COUNT_MEASURES.get(group, f"counts of {GROUPS[group].plural} in the enrollment table")


def _with_buildings(review: Review, frame: pd.DataFrame) -> pd.DataFrame:
    buildings = review.tables["buildings"][["building_code", "building_name", "level"]]
    merged = frame.merge(buildings, on="building_code", how="left")
    return merged.sort_values(["school_year", "building_code"], kind="stable").reset_index(drop=True)


def _enrollment(review: Review, group: str) -> pd.DataFrame:
    """Pupils and the group's pupils per building and year (the group NaN where not counted)."""
    enrollment = review.tables["enrollment"]
    frame = enrollment[["building_code", "school_year", "pupils"]].copy()
    frame["group_pupils"] = enrollment[group].astype(float) if group in enrollment.columns else np.nan
    return _with_buildings(review, frame)


def _has_counts(frame: pd.DataFrame) -> bool:
    return bool(frame["group_pupils"].notna().any())


def _district_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The district per year: each column summed over the buildings, so ratios taken afterwards are weighted."""
    sums = frame.groupby("school_year", sort=True)[columns].sum(min_count=1).reset_index()
    return sums.assign(building_code="", building_name=DISTRICT_LABEL, level="")


def hidden_group_counts(review: Review, group: str) -> set[tuple[str, str]]:
    """The (building, year) cells whose count of the group no table may show.

    Decided once for the whole review, so that every data object hides the same buildings: below
    the threshold, or hidden beside one that is, so that the district total cannot reveal it.
    """
    frame = _enrollment(review, group)[["building_code", "school_year", "pupils", "group_pupils"]]
    # The rest of the pupils is a small group too when the group is nearly all of them.
    frame["suppressed"] = reveals_small_group(frame["group_pupils"], frame["pupils"], minimum_size(review)) & frame["group_pupils"].notna()
    checked = suppress(frame, count_column="group_pupils", value_columns=[], minimum=minimum_size(review), complementary_within=["school_year"])
    return set(zip(checked.loc[checked["suppressed"], "building_code"], checked.loc[checked["suppressed"], "school_year"]))


def _protect(review: Review, frame: pd.DataFrame, *, count: str, values: list[str], hidden: set[tuple[str, str]] | None = None) -> pd.DataFrame:
    """Hide the group's counts and what is computed from them: below the threshold, or in a ``hidden`` cell."""
    frame = frame.reset_index(drop=True)
    if hidden is not None:
        frame["suppressed"] = [(code, year) in hidden for code, year in zip(frame["building_code"], frame["school_year"])]
    return suppress(frame, count_column=count, value_columns=values, minimum=minimum_size(review))


def _protected_with_district(review: Review, buildings: pd.DataFrame, district: pd.DataFrame, group: str, *, count: str, values: list[str]) -> pd.DataFrame:
    """Building rows (hiding the review's hidden cells) and district rows, both through the suppression."""
    shown = _protect(review, buildings, count=count, values=values, hidden=hidden_group_counts(review, group))
    totals = _protect(review, district, count=count, values=values)
    return pd.concat([shown, totals], ignore_index=True)


def _pooled(rows: pd.DataFrame, numerator: str, denominator: str, *, scale: float = 1.0) -> float:
    """Summed numerator over summed denominator among rows where both are shown: a weighted figure."""
    usable = rows.dropna(subset=[numerator, denominator])
    usable = usable[~usable.get("suppressed", pd.Series(False, index=usable.index)).astype(bool)]
    total = usable[denominator].sum()
    return float(usable[numerator].sum() / total * scale) if total > 0 else np.nan


def _other_same_level(table: pd.DataFrame, building_code: str, level: str) -> pd.DataFrame:
    return table[(table["level"] == level) & (table["building_code"] != building_code) & (table["building_code"] != "")]


def _category(table: pd.DataFrame, building_code: str, level: str) -> pd.Series:
    """Bar colours: this building, buildings of its level, others."""
    return pd.Series(
        ["this building" if code == building_code else "same level" if row_level == level else "other level" for code, row_level in zip(table["building_code"], table["level"])],
        index=table.index,
    )


def _rank_sentence(table: pd.DataFrame, building_code: str, column: str, wording: str, *, minimum: int, highest_first: bool = True) -> str | None:
    """Where the building ranks among the buildings whose figure is shown, and how many are hidden."""
    buildings = table[table["building_code"] != ""]
    shown = buildings[buildings[column].notna()].sort_values(column, ascending=not highest_first, kind="stable").reset_index(drop=True)
    hidden = int(buildings["suppressed"].fillna(False).astype(bool).sum()) if "suppressed" in buildings else 0
    position = shown.index[shown["building_code"] == building_code]
    if len(shown) < 2 or not len(position):
        return None
    return f"It ranked {rank_among(position[0] + 1, len(shown), hidden, minimum=minimum)}, counting from the {wording}."


# ---------------------------------------------------------------- chart requests


def _building_bars(table: pd.DataFrame, building_code: str, level: str, column: str, **options: object) -> partial[Figure]:
    """How to draw the buildings' bars of one column: this building, its level and the others in their colours."""
    rows = table[table["building_code"] != ""]
    bars = pd.DataFrame({"label": rows["building_name"], "value": rows[column], "category": _category(rows, building_code, level)})
    return partial(figures.bars_by_building, bars, colors=figures.LEVEL_COLORS, **options)


def _building_district_styles(building_name: str) -> dict[str, dict]:
    return {building_name: {"color": figures.BUILDING_COLOR, "linewidth": 2.2}, DISTRICT_LABEL: {"color": "black", "linewidth": 2.2}}


# ---------------------------------------------------------------- achievement


def _subjects(rates: pd.DataFrame) -> list[str]:
    present = set(rates.dropna(subset=["percent_proficient"])["subject"])
    return [subject for subject in SUBJECT_ORDER if subject in present]


def _district_gaps(review: Review, group: str) -> pd.DataFrame:
    """Per year and subject, the district's rate for the group and for all students (summed counts, or pupil-weighted rates)."""
    keys = ["school_year", "subject"]
    group_rates = outcomes.district_proficiency(review, student_group=group).rename(columns={"percent_proficient": "district_group", "tested": "district_group_tested"})
    all_rates = outcomes.district_proficiency(review, student_group="all")[[*keys, "percent_proficient"]].rename(columns={"percent_proficient": "district_all"})
    district = group_rates.merge(all_rates, on=keys, how="outer")
    district["district_gap"] = district["district_group"] - district["district_all"]
    return district


def _in_subject_order(frame: pd.DataFrame, *then: str) -> pd.DataFrame:
    order = frame["subject"].map({subject: index for index, subject in enumerate(SUBJECT_ORDER)})
    return frame.assign(subject_order=order).sort_values(["subject_order", *then], kind="stable").drop(columns="subject_order")


def _subject_gap_table(review: Review, group: str) -> pd.DataFrame:
    """Per building, year and subject: the group's rate (suppressed), all students' rate and the gap in points."""
    group_rates = outcomes.proficiency(review, student_group=group)
    all_rates = outcomes.proficiency(review, student_group="all")
    keys = ["building_code", "school_year", "subject"]
    merged = group_rates[[*keys, "tested", "proficient", "percent_proficient", "suppressed"]].merge(
        all_rates[[*keys, "tested", "proficient", "percent_proficient"]].rename(columns={"tested": "all_tested", "proficient": "all_proficient", "percent_proficient": "all_percent"}),
        on=keys,
        how="left",
    )
    merged["gap"] = merged["percent_proficient"] - merged["all_percent"]
    # Students not in the group: all students less the group, where both are counted. A hidden group
    # hides the rest too (all students minus the rest would give it back), and so does a small rest.
    rest_tested = merged["all_tested"] - merged["tested"]
    rest_percent = (merged["all_proficient"] - merged["proficient"]) / rest_tested.where(rest_tested > 0) * 100
    hidden = merged["suppressed"].fillna(False).astype(bool) | (rest_tested < minimum_size(review))
    merged["others_tested"] = rest_tested.where(~hidden)
    merged["others_percent"] = rest_percent.where(~hidden)
    merged["gap_to_others"] = merged["percent_proficient"] - merged["others_percent"]
    return _with_buildings(review, merged)


def achievement_gap(review: Review, building_code: str, *, student_group: str | None = None, year: str | None = None) -> DataObject:
    """The group's percent proficient against all students in the building and the same group district-wide, over the years."""
    group, words, building_code, building_name = _subject(review, building_code, student_group)
    name = f"{words.title} Achievement Gap Over Time"
    if review.table("outcomes") is None:
        return missing_object(
            review,
            name,
            f"The review has no outcomes table, so the achievement of {words.plural} cannot be compared with all students. Add assessment results by student group (MI School Data's M-STEP files).",
            ("outcomes",),
            ["achievement by student group"],
        )
    table = _subject_gap_table(review, group)
    subjects = _subjects(table)
    if not subjects:
        return missing_object(
            review, name, f"The outcomes table has no result for {words.plural} in any building and year, so their achievement cannot be compared.", ("outcomes",), [f"achievement of {words.plural}"]
        )
    rows = table[(table["building_code"] == building_code) & table["subject"].isin(subjects)]
    if rows.empty:
        return missing_object(review, name, f"The outcomes table has no results for {building_name}, so its gap cannot be shown.", ("outcomes",), [f"achievement results for {building_name}"])
    rows = rows.merge(_district_gaps(review, group), on=["school_year", "subject"], how="left")
    rows["versus_district"] = rows["percent_proficient"] - rows["district_group"]
    rows = _in_subject_order(rows, "school_year")
    shown = labelled(
        rows,
        {
            "School year": "school_year",
            "Subject": rows["subject"].map(SUBJECT_LABELS),
            f"{words.title} tested": "tested",
            f"{words.title} proficient (%)": ("percent_proficient", 1),
            "All students proficient (%)": ("all_percent", 1),
            "Gap to all students (points)": ("gap", 1),
            "Other students tested": "others_tested",
            "Other students proficient (%)": ("others_percent", 1),
            "Gap to other students (points)": ("gap_to_others", 1),
            f"District {words.title} tested": "district_group_tested",
            f"District {words.title} proficient (%)": ("district_group", 1),
            "District all students proficient (%)": ("district_all", 1),
            "District gap (points)": ("district_gap", 1),
            "Building minus district, same group (points)": ("versus_district", 1),
            "District figure weighted by": rows["weighted_by"].fillna(""),
            "Suppressed (too few tested)": "suppressed",
        },
    ).reset_index(drop=True)
    display = for_display(shown.drop(columns=[f"District {words.title} tested", "Other students tested", "District figure weighted by"]))
    observations, missing = _gap_observations(_up_to(review, rows, year), subjects, words, building_name, _up_to(review, table, year))
    lines = []
    for subject in subjects:
        subject_rows = rows[rows["subject"] == subject]
        panel = SUBJECT_LABELS[subject]
        for label, column in (
            (f"{building_name}: {words.plural}", "percent_proficient"),
            (f"{building_name}: all students", "all_percent"),
            (f"District: {words.plural}", "district_group"),
            ("District: all students", "district_all"),
        ):
            lines.append(pd.DataFrame({"panel": panel, "label": label, "school_year": subject_rows["school_year"], "value": subject_rows[column]}))
    styles = {
        f"{building_name}: {words.plural}": {"color": figures.BUILDING_COLOR, "linewidth": 2.2},
        f"{building_name}: all students": {"color": figures.BUILDING_COLOR, "linestyle": "--"},
        f"District: {words.plural}": {"color": "black", "linewidth": 2.2},
        "District: all students": {"color": "black", "linestyle": "--"},
    }
    draw = partial(
        figures.lines_by_year,
        pd.concat(lines, ignore_index=True),
        title=f"{capitalized(words.plural)} and all students: percent proficient at {building_name} and district-wide",
        y_label="Percent proficient",
        axis_format=figures.percent,
        styles=styles,
    )
    notes = [
        group_privacy_note(minimum_size(review)),
        f"Gaps are the group's percent proficient minus another's (negative: the group is behind). The gap to the building's other students (all students tested less the group) tells the most: "
        "all students include the group, so where it is most of the building the gap to all students is small however far behind it is. "
        f"Other students are not shown where they, or the group, number fewer than {minimum_size(review)} tested.",
    ]
    if (rows["weighted_by"] == "building pupils (rates only published)").any():
        notes.append("The source publishes rates, not counts: district figures are the buildings' rates weighted by the buildings' pupils, not by the group's students tested.")
    return DataObject(
        units=declare(
            code=["School year"],
            text=["Subject", "District figure weighted by"],
            count=[f"{words.title} tested", "Other students tested", f"District {words.title} tested"],
            percent=[
                f"{words.title} proficient (%)",
                "All students proficient (%)",
                "Other students proficient (%)",
                f"District {words.title} proficient (%)",
                "District all students proficient (%)",
            ],
            number=["Gap to all students (points)", "Gap to other students (points)", "District gap (points)", "Building minus district, same group (points)"],
            flag=["Suppressed (too few tested)"],
        ),
        name=name,
        table=shown,
        display=display,
        draw=draw,
        observations=observations,
        sources=table_sources(review, "outcomes", "enrollment"),
        filters=[f"building {building_code} ({building_name}) and the district", f"student group: {words.plural}", years_filter(list(rows["school_year"].unique()))],
        notes=notes,
        missing=missing,
    )


OTHER_STUDENTS = "the building's other students"


def _gap_trend(first: pd.Series, latest: pd.Series, phrase: str) -> str:
    """How the building's gap changed from the first year shown to the latest, in words: to the other students where both years have them."""
    column, other = ("gap_to_others", "other students") if pd.notna(first["gap_to_others"]) and pd.notna(latest["gap_to_others"]) else ("gap", "all students")
    before, after = first[column], latest[column]
    sentence = f"The building's gap {phrase} went from {before:+.1f} points in {first['school_year']} to {after:+.1f} points in {latest['school_year']} (group minus {other})"
    if abs(after - before) < 0.05:
        return f"The building's gap {phrase} was {after:+.1f} points in both {first['school_year']} and {latest['school_year']}."
    if (before < 0) != (after < 0) and abs(before) >= 0.05 and abs(after) >= 0.05:
        return sentence + f": the group moved from {'below' if before < 0 else 'above'} {other} to {'below' if after < 0 else 'above'} them."
    trend = "narrowed" if abs(after) < abs(before) else "widened"
    return sentence + f": it {trend} by {abs(abs(after) - abs(before)):.1f} points."


def _gap_observations(rows: pd.DataFrame, subjects: list[str], words: GroupWords, building_name: str, table: pd.DataFrame) -> tuple[list[str], list[str]]:
    observations: list[str] = []
    missing: list[str] = []
    years = sorted(table["school_year"].unique())
    for subject in subjects:
        phrase = SUBJECT_PHRASES[subject]
        subject_rows = rows[rows["subject"] == subject].sort_values("school_year")
        shown = subject_rows.dropna(subset=["percent_proficient", "all_percent"])
        if shown.empty:
            observations.append(f"No result {phrase} for {words.plural} at {building_name} is shown in any year: fewer than the threshold were tested, or the source suppressed it.")
            continue
        latest = shown.iloc[-1]
        lead = f"In {latest['school_year']}, {latest['percent_proficient']:.1f}% of {words.plural} at {building_name} were proficient {phrase}, "
        if pd.notna(latest["others_percent"]):
            # Leads with the comparison that tells the most: the group against the rest of its building.
            observations.append(
                lead + f"{points(latest['gap_to_others'], OTHER_STUDENTS)} ({latest['others_percent']:.1f}%), "
                f"the comparison that tells the most; against all students, who include the group, the gap reads {latest['gap']:+.1f} points ({latest['all_percent']:.1f}%)."
            )
        else:
            observations.append(lead + f"{points(latest['gap'], 'all students in the building')} ({latest['all_percent']:.1f}%); the building's other students cannot be shown apart.")
        if pd.notna(latest["district_group"]):
            district_sentence = f"District-wide, {latest['district_group']:.1f}% of {words.plural} were proficient {phrase}"
            if pd.notna(latest["district_gap"]):
                district_sentence += f" ({points(latest['district_gap'], 'all students')})"
            observations.append(district_sentence + f"; the building's group was {points(latest['versus_district'], 'the same group district-wide')}.")
        if len(shown) >= 2:
            observations.append(_gap_trend(shown.iloc[0], latest, phrase))
        hidden = subject_rows[subject_rows["percent_proficient"].isna()]["school_year"].tolist()
        if hidden:
            observations.append(
                f"Results {phrase} for {words.plural} at the building are not shown for {len(hidden)} of {len(subject_rows)} years ({', '.join(hidden)}): fewer than the threshold tested, or suppressed by the source."
            )
    if len(years) == 1:
        observations.append(f"Only one school year ({years[0]}) is available, so the gap's change over time cannot be shown.")
    all_subjects = set(table.dropna(subset=["all_percent"])["subject"])
    lacking = [s for s in SUBJECT_ORDER if s in all_subjects and s not in subjects and s != "all"]
    if lacking:
        observations.append(f"Results for all students are given for {subject_list(lacking)}, but not for {words.plural}: only {subject_list(subjects)} can be compared.")
        missing.append(f"achievement of {words.plural} by subject ({subject_list(lacking)})")
    return observations, missing


def achievement_by_building(review: Review, building_code: str, *, student_group: str | None = None, year: str | None = None) -> DataObject:
    """The group's percent proficient and gap in every building in the latest year with results, the building's level marked."""
    group, words, building_code, building_name = _subject(review, building_code, student_group)
    name = f"{words.title} Achievement by Building"
    if review.table("outcomes") is None:
        return missing_object(
            review, name, f"The review has no outcomes table, so the achievement of {words.plural} cannot be compared across buildings.", ("outcomes",), ["achievement by student group"]
        )
    table = _subject_gap_table(review, group)
    subjects = _subjects(table)
    if not subjects:
        return missing_object(review, name, f"The outcomes table has no result for {words.plural}, so buildings cannot be compared.", ("outcomes",), [f"achievement of {words.plural}"])
    year = focus_year(review, table.dropna(subset=["percent_proficient"])["school_year"], year)
    level = building_level(review, building_code)
    latest = table[(table["school_year"] == year) & table["subject"].isin(subjects)].copy()
    pupils = review.tables["enrollment"].set_index(["building_code", "school_year"])["pupils"]
    latest["pupils"] = [pupils.get((code, year), np.nan) for code in latest["building_code"]]
    observations = []
    for subject in subjects:
        observations += _subject_ranking(latest[latest["subject"] == subject], subject, year, building_code, building_name, level, words)
    district = _district_gaps(review, group)
    district = district[(district["school_year"] == year) & district["subject"].isin(subjects)]
    district = pd.DataFrame(
        {
            "subject": district["subject"],
            "building_code": "",
            "building_name": DISTRICT_LABEL,
            "level": "",
            "percent_proficient": district["district_group"],
            "all_percent": district["district_all"],
            "gap": district["district_gap"],
            "suppressed": False,
        }
    )
    rows = pd.concat([district, latest], ignore_index=True)
    rows["compared"] = _category(rows, building_code, level).where(rows["building_code"] != "", "district")
    rows["building_row"] = rows["building_code"] != ""
    rows = _in_subject_order(rows, "building_row", "gap")
    shown = labelled(
        rows,
        {
            "Subject": rows["subject"].map(SUBJECT_LABELS),
            "Building code": "building_code",
            "Building": "building_name",
            "Level": rows["level"].map(LEVEL_WORDS).fillna(""),
            "Compared as": "compared",
            f"{words.title} proficient (%)": ("percent_proficient", 1),
            "All students proficient (%)": ("all_percent", 1),
            "Gap to all students (points)": ("gap", 1),
            "Suppressed (too few tested)": rows["suppressed"].astype(bool),
        },
    ).reset_index(drop=True)
    draw = partial(figures.dumbbells, latest, panels=subjects, panel_titles=SUBJECT_LABELS, highlight=building_code, title=f"{capitalized(words.plural)} (filled) and all students (open), {year}")
    return DataObject(
        units=declare(
            code=["Building code"],
            text=["Subject", "Building", "Level", "Compared as"],
            percent=[f"{words.title} proficient (%)", "All students proficient (%)"],
            number=["Gap to all students (points)"],
            flag=["Suppressed (too few tested)"],
        ),
        name=name,
        table=shown,
        display=for_display(shown.drop(columns=["Building code"])),
        draw=draw,
        observations=observations,
        sources=table_sources(review, "outcomes", "buildings", "enrollment"),
        filters=[f"school year {year} (the latest with results for the group)", f"student group: {words.plural}", "all buildings"],
        notes=[
            group_privacy_note(minimum_size(review)),
            "Counts of students tested are left out of this table so that no building's hidden count can be worked out from the district's.",
            "Same-level figures pool the other buildings of the level whose results are shown: all proficient over all tested, or rates weighted by pupils where only rates are published.",
        ],
    )


def _subject_ranking(rows: pd.DataFrame, subject: str, year: str, building_code: str, building_name: str, level: str, words: GroupWords) -> list[str]:
    phrase = SUBJECT_PHRASES[subject]
    observations = []
    shown = rows.dropna(subset=["gap"])
    own = shown[shown["building_code"] == building_code]
    if len(own):
        rank = shown.sort_values("gap", kind="stable").reset_index(drop=True)
        position = int(rank.index[rank["building_code"] == building_code][0]) + 1
        widest = rank.iloc[0]
        narrowest = rank.iloc[-1]
        observations.append(
            f"In {year}, the gap {phrase} at {building_name} ({own['gap'].iloc[0]:+.1f} points) ranked {position} of {len(rank)} buildings with a result shown, "
            f"counting from the group furthest behind; gaps ranged from {widest['gap']:+.1f} ({widest['building_name']}) to {narrowest['gap']:+.1f} points ({narrowest['building_name']})."
        )
    else:
        observations.append(f"{building_name} has no result {phrase} for {words.plural} shown in {year} (fewer than the threshold tested, or suppressed by the source).")
    peers = _other_same_level(shown, building_code, level)
    if len(peers):
        pooled = _pooled_rate(peers)
        own_rate = f"{own['percent_proficient'].iloc[0]:.1f}% at {building_name}" if len(own) else f"no result shown at {building_name}"
        observations.append(f"In the other {len(peers)} {level_words(level)} buildings with a result shown, {pooled:.1f}% of {words.plural} were proficient {phrase} (pooled), against {own_rate}.")
    hidden = rows[rows["percent_proficient"].isna()]
    if len(hidden):
        observations.append(f"{len(hidden)} building(s) have no result {phrase} shown for {words.plural} in {year}: fewer than the threshold tested, or suppressed by the source.")
    return observations


def _pooled_rate(rows: pd.DataFrame) -> float:
    """The group's rate over several buildings: proficient over tested where counts exist, else rates weighted by pupils."""
    counted = rows.dropna(subset=["tested", "proficient"])
    if len(counted) == len(rows) and counted["tested"].sum() > 0:
        return float(counted["proficient"].sum() / counted["tested"].sum() * 100)
    rated = rows.dropna(subset=["percent_proficient", "pupils"])
    return float(np.average(rated["percent_proficient"], weights=rated["pupils"])) if len(rated) else np.nan


# ---------------------------------------------------------------- enrollment share


def group_share(review: Review, building_code: str, *, student_group: str | None = None, year: str | None = None) -> DataObject:
    """The group's share of the building's pupils against the district's and the other buildings', over the years."""
    group, words, building_code, building_name = _subject(review, building_code, student_group)
    name = f"{words.title} Share of Enrollment"
    frame = _enrollment(review, group)
    if not _has_counts(frame):
        return missing_object(
            review,
            name,
            f"The review's enrollment has no counts of {words.plural}, so the group's share of {building_name} cannot be compared with the district's. Add the counts per building and year to the enrollment table (MI School Data publishes enrollment by student group).",
            ("enrollment",),
            [count_measure(group)],
        )
    frame = frame.dropna(subset=["group_pupils"])
    district = _district_rows(frame, ["pupils", "group_pupils"])
    for rows in (frame, district):
        rows["share"] = rows["group_pupils"] / rows["pupils"] * 100
    district_share = district.set_index("school_year")["share"]
    frame["versus_district"] = frame["share"] - frame["school_year"].map(district_share)
    district["versus_district"] = np.nan
    table = _protected_with_district(review, frame, district, group, count="group_pupils", values=["group_pupils", "share", "versus_district"])
    level = building_level(review, building_code)
    year = focus_year(review, table["school_year"], year)
    observations = _share_observations(_up_to(review, table, year), building_code, building_name, level, words, year, minimum=minimum_size(review))
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building code": "building_code",
            "Building": "building_name",
            "Level": table["level"].map(LEVEL_WORDS).fillna(""),
            "Pupils": "pupils",
            f"{words.title} pupils": "group_pupils",
            f"{words.title} share (%)": ("share", 1),
            "Share minus district share (points)": ("versus_district", 1),
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    display = for_display(shown[shown["Building code"].isin([building_code, ""])].drop(columns=["Building code", "Level"]))
    draw = _building_bars(
        table[table["school_year"] == year],
        building_code,
        level,
        "share",
        title=f"{capitalized(words.plural)} as a share of each building's pupils, {year}",
        x_label=f"{capitalized(words.plural)} (% of pupils)",
        axis_format=figures.percent,
        reference=float(district_share.get(year, np.nan)),
        reference_label="District share",
    )
    return DataObject(
        units=declare(
            code=["School year", "Building code"],
            text=["Building", "Level"],
            count=["Pupils", f"{words.title} pupils"],
            percent=[f"{words.title} share (%)"],
            number=["Share minus district share (points)"],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown.reset_index(drop=True),
        display=display.reset_index(drop=True),
        draw=draw,
        observations=observations,
        sources=table_sources(review, "enrollment", "buildings"),
        filters=["all buildings", years_filter(list(table["school_year"].unique()))],
        notes=[group_privacy_note(minimum_size(review)), "District shares are the district's pupils in the group over all its pupils (buildings whose group is not counted are left out of both)."],
    )


def _share_observations(table: pd.DataFrame, building_code: str, building_name: str, level: str, words: GroupWords, year: str, *, minimum: int) -> list[str]:
    observations = []
    own = table[table["building_code"] == building_code].sort_values("school_year")
    district = table[table["building_code"] == ""].set_index("school_year")
    latest = own[own["school_year"] == year]
    if len(latest) and pd.notna(latest["share"].iloc[0]):
        row = latest.iloc[0]
        district_share = district.at[year, "share"]
        ratio = f" ({row['share'] / district_share:.1f} times the district share)" if district_share else ""
        observations.append(
            f"In {year}, {words.plural} made up {row['share']:.1f}% of {building_name}'s {row['pupils']:,.0f} pupils ({row['group_pupils']:,.0f}), "
            f"against {district_share:.1f}% district-wide: {points(row['versus_district'], 'the district share')}{ratio}."
        )
        rank = _rank_sentence(table[table["school_year"] == year], building_code, "share", "highest share", minimum=minimum)
        if rank:
            observations.append(rank)
    else:
        observations.append(
            f"{building_name}'s count of {words.plural} in {year} is not shown: fewer than the threshold, or hidden so that a small count elsewhere cannot be found by subtraction. "
            f"District-wide, {words.plural} made up {district.at[year, 'share']:.1f}% of pupils."
        )
    peers = _other_same_level(table[table["school_year"] == year], building_code, level)
    if len(peers):
        observations.append(
            (f"In the other {len(peers)} {level_words(level)} buildings whose counts are shown" if len(peers) > 1 else f"In the one other {level_words(level)} building whose count is shown")
            + f", {_pooled(peers, 'group_pupils', 'pupils', scale=100):.1f}% of pupils were {words.plural}."
        )
    visible = own.dropna(subset=["share"])
    if len(visible) >= 2:
        first, last = visible.iloc[0], visible.iloc[-1]
        observations.append(
            f"The building's share went from {first['share']:.1f}% in {first['school_year']} to {last['share']:.1f}% in {last['school_year']}; "
            f"the district's from {district.at[first['school_year'], 'share']:.1f}% to {district.at[last['school_year'], 'share']:.1f}%."
        )
    elif len(table["school_year"].unique()) == 1:
        observations.append(f"Only one school year ({year}) is available, so the change in the group's share cannot be shown.")
    return observations


# ---------------------------------------------------------------- resources reaching the group


def _spending(review: Review) -> pd.DataFrame:
    """Per building and year: total, added-needs (function 120s) and federal dollars; added needs NaN without function codes."""
    spending = review.tables["expenditures"]
    coded = spending["function_code"].notna().any()
    added_needs = spending["function_code"].fillna("").astype(str).str.startswith(ADDED_NEEDS_PREFIX)
    frame = (
        spending.assign(
            added_needs_dollars=spending["amount"].where(added_needs, 0.0),
            federal_dollars=spending["amount"].where(spending["fund_source"] == "federal", 0.0),
        )
        .groupby(["building_code", "school_year"], sort=True)[["amount", "added_needs_dollars", "federal_dollars"]]
        .sum()
        .reset_index()
    )
    frame = frame.rename(columns={"amount": "total_dollars"})
    if not coded:
        frame["added_needs_dollars"] = np.nan
    return frame


def added_needs_and_federal_spending(review: Review, building_code: str, *, student_group: str | None = None, year: str | None = None) -> DataObject:
    """Added-needs (function 120s) and federal dollars per pupil of the group: the building against the district and its level."""
    group, words, building_code, building_name = _subject(review, building_code, student_group)
    name = f"{words.title} Added-Needs and Federal Spending"
    if not review.has("expenditures"):
        return missing_object(
            review,
            name,
            f"Building spending is not in this review's data (no expenditures table), so the dollars reaching {words.plural} cannot be shown.",
            ("enrollment",),
            ["per-pupil spending by fund source"],
        )
    frame = _enrollment(review, group).merge(_spending(review), on=["building_code", "school_year"], how="inner")
    coded = frame["added_needs_dollars"].notna().any()
    unsplit = finance.unsplit_years(review, "fund_source")
    split = set(frame["school_year"]) - set(unsplit)
    if not coded and not split:
        return missing_object(
            review,
            name,
            "Spending is given as one total per building, with no fund source and no Bulletin 1022 function codes, so neither federal nor added-needs dollars can be told apart. "
            "Add the fund source (federal, state, local) or function codes to the expenditures table.",
            ("expenditures",),
            ["per-pupil spending by fund source", "spending by Bulletin 1022 function"],
        )
    counted = _has_counts(frame)
    missing = ([] if coded else ["spending by Bulletin 1022 function"]) + ([] if counted else [count_measure(group)]) + ([] if split else ["per-pupil spending by fund source"])
    if counted:
        frame = frame.dropna(subset=["group_pupils"])
    money_columns = (["added_needs_dollars"] if coded else []) + (["federal_dollars"] if split else [])
    # A year whose spending is one total has no federal dollars to show: not reported, never 0.
    frame.loc[frame["school_year"].isin(unsplit), "federal_dollars"] = np.nan
    district = _district_rows(frame, ["pupils", "group_pupils", "total_dollars", *money_columns])
    for rows in (frame, district):
        for column in money_columns:
            measure = column.removesuffix("_dollars")
            rows[f"{measure}_per_pupil"] = rows[column] / rows["pupils"]
            rows[f"{measure}_per_group_pupil"] = rows[column] / rows["group_pupils"]
    per_group = [f"{c.removesuffix('_dollars')}_per_group_pupil" for c in money_columns]
    if counted:
        table = _protected_with_district(review, frame, district, group, count="group_pupils", values=["group_pupils", *per_group])
    else:
        table = pd.concat([frame, district], ignore_index=True).assign(suppressed=False)
    level = building_level(review, building_code)
    per = "per_group_pupil" if counted else "per_pupil"
    per_words = f"per {words.singular}" if counted else "per pupil"
    observations = []
    if not counted:
        observations.append(f"The enrollment has no counts of {words.plural}, so dollars per {words.singular} cannot be computed: the figures below are per pupil of every group.")
    if not coded:
        observations.append(
            "The expenditures have no Bulletin 1022 function codes, so added-needs spending (functions 120-129: special education, compensatory education, career and technical) cannot be separated; only federal dollars are shown."
        )
    if unsplit:
        observations.append(split_not_reported(unsplit))
    observations += _spending_observations(_up_to(review, table, year), building_code, building_name, level, money_columns, per, per_words)
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building code": "building_code",
            "Building": "building_name",
            "Level": table["level"].map(LEVEL_WORDS).fillna(""),
            "Pupils": "pupils",
            f"{words.title} pupils": "group_pupils",
            "Total dollars ($)": ("total_dollars", 2),
            **({"Added-needs dollars, function 120s ($)": table["added_needs_dollars"].round(2)} if coded else {}),
            "Federal dollars ($)": ("federal_dollars", 2),
            **({f"Added needs per {words.singular} ($)": table["added_needs_per_group_pupil"].round(2)} if coded and counted else {}),
            **({f"Federal per {words.singular} ($)": table["federal_per_group_pupil"].round(2)} if counted else {}),
            **({"Added needs per pupil ($)": table["added_needs_per_pupil"].round(2)} if coded else {}),
            "Federal per pupil ($)": ("federal_per_pupil", 2),
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    if not counted:
        shown = shown.drop(columns=[f"{words.title} pupils", "Suppressed (fewer than threshold)"])
    keep = [c for c in shown.columns if c not in ("Building code", "Level", "Pupils") and "dollars" not in c]
    display = for_display(shown[shown["Building code"].isin([building_code, ""])][keep])
    lines = []
    for money_column in money_columns:
        panel = "Added needs (function 120s)" if money_column.startswith("added") else "Federal"
        column = f"{money_column.removesuffix('_dollars')}_{per}"
        lines.append(_building_district_lines(table, building_code, building_name, level, column=column, panel=panel, numerator=money_column, denominator="group_pupils" if counted else "pupils"))
    draw = partial(
        figures.lines_by_year,
        pd.concat(lines, ignore_index=True),
        title=f"Dollars {per_words}: {building_name}, the district and other {level_words(level)} buildings",
        y_label=f"Dollars {per_words}",
        axis_format=figures.dollars,
        styles=_building_district_styles(building_name),
    )
    notes = [
        f"Dollars {per_words} divide all of a building's added-needs (function 120s) or federal dollars by its {words.plural if counted else 'pupils'}. "
        "This assumes those dollars serve the group; they also serve other students (special education serves students with disabilities, "
        "Title I schoolwide programs serve every pupil), so read it as dollars available per pupil of the group, not dollars spent on each of them.",
        "Added-needs and federal dollars overlap (federal dollars coded to functions 120-129 are in both), so the two are not added together. Not adjusted for inflation.",
        group_privacy_note(minimum_size(review)),
    ]
    return DataObject(
        units=declare(
            code=["School year", "Building code"],
            text=["Building", "Level"],
            count=["Pupils", f"{words.title} pupils"],
            money=[
                "Total dollars ($)",
                "Added-needs dollars, function 120s ($)",
                "Federal dollars ($)",
                f"Added needs per {words.singular} ($)",
                f"Federal per {words.singular} ($)",
                "Added needs per pupil ($)",
                "Federal per pupil ($)",
            ],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown.reset_index(drop=True),
        display=display.reset_index(drop=True),
        draw=draw,
        observations=observations,
        sources=table_sources(review, "expenditures", "enrollment", "buildings"),
        filters=["all buildings; district figures are summed dollars over summed pupils", years_filter(list(table["school_year"].unique()))],
        notes=notes,
        missing=missing,
    )


def _building_district_lines(table: pd.DataFrame, building_code: str, building_name: str, level: str, *, column: str, panel: str, numerator: str, denominator: str, scale: float = 1.0) -> pd.DataFrame:
    """The building's line, the district's, and the other same-level buildings' pooled line (from shown figures only)."""
    own = table[table["building_code"] == building_code]
    district = table[table["building_code"] == ""]
    peers = _other_same_level(table, building_code, level)
    pooled = peers.groupby("school_year").apply(lambda rows: _pooled(rows, numerator, denominator, scale=scale), include_groups=False) if len(peers) else pd.Series(dtype=float)
    parts = [
        pd.DataFrame({"panel": panel, "label": building_name, "school_year": own["school_year"], "value": own[column]}),
        pd.DataFrame({"panel": panel, "label": DISTRICT_LABEL, "school_year": district["school_year"], "value": district[column]}),
    ]
    if len(pooled):
        parts.append(pd.DataFrame({"panel": panel, "label": f"Other {level_words(level)} buildings (pooled)", "school_year": pooled.index, "value": pooled.to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def _spending_observations(table: pd.DataFrame, building_code: str, building_name: str, level: str, money_columns: list[str], per: str, per_words: str) -> list[str]:
    observations = []
    own = table[table["building_code"] == building_code].sort_values("school_year")
    district = table[table["building_code"] == ""].set_index("school_year")
    labels = {"added_needs": "on added-needs functions (Bulletin 1022 function 120s)", "federal": "in federal dollars"}
    denominator = "group_pupils" if per == "per_group_pupil" else "pupils"
    for money_column in money_columns:
        measure = money_column.removesuffix("_dollars")
        column = f"{measure}_{per}"
        visible = own.dropna(subset=[column])
        if visible.empty:
            year = max(table["school_year"])
            observations.append(
                f"{building_name}'s dollars {per_words} {labels[measure]} are not shown: the group is below the threshold, or hidden so that a small count elsewhere "
                f"cannot be found by subtraction. The district spent {money(district.at[year, column])} {per_words} {labels[measure]} in {year}."
            )
            continue
        latest = visible.iloc[-1]
        year = latest["school_year"]
        reference = district.at[year, column]
        observations.append(
            f"In {year}, {building_name} spent {money(latest[column])} {per_words} {labels[measure]}, {relative(latest[column], reference)} "
            f"the district's {money(reference)} (summed dollars over summed pupils)."
        )
        peers = _other_same_level(table[table["school_year"] == year], building_code, level)
        pooled = _pooled(peers, money_column, denominator) if len(peers) else np.nan
        if pd.notna(pooled):
            observations.append(f"The other {len(peers)} {level_words(level)} buildings with figures shown spent {money(pooled)} {per_words} {labels[measure]} (pooled).")
        if len(visible) >= 2:
            first = visible.iloc[0]
            observations.append(
                f"From {first['school_year']} to {year}, the building's {measure.replace('_', '-')} dollars {per_words} went from {money(first[column])} to {money(latest[column])} "
                f"({(latest[column] / first[column] - 1) * 100:+.0f}%); the district's from {money(district.at[first['school_year'], column])} to {money(reference)} "
                f"({(reference / district.at[first['school_year'], column] - 1) * 100:+.0f}%)."
            )
    return observations


# ---------------------------------------------------------------- support staff


def support_staff(review: Review, building_code: str, *, student_group: str | None = None, year: str | None = None) -> DataObject:
    """Student-support staff (counselors, social workers, ... ) per 100 students of the group: the building against the district."""
    group, words, building_code, building_name = _subject(review, building_code, student_group)
    name = f"{words.title} Support Staff per 100 Students"
    staff = staff_in_roles(review, SUPPORT_ROLES)
    if staff is None:
        return missing_object(
            review,
            name,
            f"The review has no staff table, so the support staff available to {words.plural} cannot be counted. Add staff FTE by role per building and year.",
            ("staff",),
            ["staff FTE by role"],
        )
    if staff.empty or staff["fte"].sum() == 0:
        return missing_object(
            review,
            name,
            f"The staff table lists no student-support roles ({', '.join(r.replace('_', ' ') for r in SUPPORT_ROLES)}), so the support staff available to {words.plural} cannot be counted.",
            ("staff",),
            [SUPPORT_MEASURE],
        )
    by_role = staff.pivot_table(index=["building_code", "school_year"], columns="role", values="fte", aggfunc="sum", fill_value=0.0)
    roles = [role for role in SUPPORT_ROLES if role in by_role.columns]
    by_role["support_fte"] = by_role[roles].sum(axis=1)
    frame = _enrollment(review, group).merge(by_role.reset_index(), on=["building_code", "school_year"], how="inner")
    counted = _has_counts(frame)
    if counted:
        frame = frame.dropna(subset=["group_pupils"])
    district = _district_rows(frame, ["pupils", "group_pupils", "support_fte", *roles])
    for rows in (frame, district):
        rows["per_hundred_group"] = rows["support_fte"] / rows["group_pupils"] * 100
        rows["per_hundred_pupils"] = rows["support_fte"] / rows["pupils"] * 100
    if counted:
        table = _protected_with_district(review, frame, district, group, count="group_pupils", values=["group_pupils", "per_hundred_group"])
    else:
        table = pd.concat([frame, district], ignore_index=True).assign(suppressed=False)
    level = building_level(review, building_code)
    column = "per_hundred_group" if counted else "per_hundred_pupils"
    per_words = f"per 100 {words.plural}" if counted else "per 100 pupils"
    observations = (
        [] if counted else [f"The enrollment has no counts of {words.plural}, so support staff per 100 {words.plural} cannot be computed: the figures below are per 100 pupils of every group."]
    )
    observations += _support_observations(_up_to(review, table, year), building_code, building_name, level, roles, column, per_words, "group_pupils" if counted else "pupils")
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building code": "building_code",
            "Building": "building_name",
            "Level": table["level"].map(LEVEL_WORDS).fillna(""),
            "Pupils": "pupils",
            f"{words.title} pupils": "group_pupils",
            **{f"{role.replace('_', ' ').capitalize()} FTE": table[role].round(2) for role in roles},
            "Student-support FTE": ("support_fte", 2),
            **({f"Support FTE per 100 {words.plural}": table["per_hundred_group"].round(2)} if counted else {}),
            "Support FTE per 100 pupils": ("per_hundred_pupils", 2),
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    keep = [
        "School year",
        "Building",
        f"{words.title} pupils",
        "Student-support FTE",
        *([f"Support FTE per 100 {words.plural}"] if counted else []),
        "Support FTE per 100 pupils",
        "Suppressed (fewer than threshold)",
    ]
    if not counted:
        shown = shown.drop(columns=[f"{words.title} pupils", "Suppressed (fewer than threshold)"])
        keep = [c for c in keep if c in shown.columns]
    display = for_display(shown[shown["Building code"].isin([building_code, ""])][keep])
    lines = _building_district_lines(
        table, building_code, building_name, level, column=column, panel="Support staff", numerator="support_fte", denominator="group_pupils" if counted else "pupils", scale=100
    )
    draw = partial(
        figures.lines_by_year,
        lines,
        title=f"Student-support staff (FTE) {per_words}",
        y_label=f"FTE {per_words}",
        axis_format=figures.one_decimal,
        styles=_building_district_styles(building_name),
    )
    return DataObject(
        units=declare(
            code=["School year", "Building code"],
            text=["Building", "Level"],
            count=["Pupils", f"{words.title} pupils", "Student-support FTE", *(f"{role.replace('_', ' ').capitalize()} FTE" for role in roles)],
            number=[f"Support FTE per 100 {words.plural}", "Support FTE per 100 pupils"],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown.reset_index(drop=True),
        display=display.reset_index(drop=True),
        draw=draw,
        observations=observations,
        sources=table_sources(review, "staff", "enrollment", "buildings"),
        filters=[f"roles: {', '.join(r.replace('_', ' ') for r in roles)}", years_filter(list(table["school_year"].unique()))],
        notes=[
            f"Support staff per 100 {words.plural} divides all of the building's student-support FTE by the group's students: staff serve every student, so it reads as support available where the group is, not staff assigned to it.",
            "Instructional coaches, administrators and the staff table's generic 'support' role are not counted as student support.",
            group_privacy_note(minimum_size(review)),
        ],
        missing=[] if counted else [count_measure(group)],
    )


def _support_observations(table: pd.DataFrame, building_code: str, building_name: str, level: str, roles: list[str], column: str, per_words: str, denominator: str) -> list[str]:
    observations = []
    own = table[table["building_code"] == building_code].sort_values("school_year")
    district = table[table["building_code"] == ""].set_index("school_year")
    visible = own.dropna(subset=[column])
    if visible.empty:
        year = max(table["school_year"])
        return [
            f"{building_name}'s support staff {per_words} are not shown: the group is below the threshold, or hidden so that a small count elsewhere cannot be found by subtraction. "
            f"District-wide there were {district.at[year, column]:.1f} support FTE {per_words} in {year}."
        ]
    latest = visible.iloc[-1]
    year = latest["school_year"]
    scale = 100
    peers = _other_same_level(table[table["school_year"] == year], building_code, level)
    pooled = _pooled(peers, "support_fte", denominator, scale=scale) if len(peers) else np.nan
    sentence = f"In {year}, {building_name} had {latest[column]:.1f} student-support staff (FTE) {per_words}, against {district.at[year, column]:.1f} district-wide"
    sentence += f" and {pooled:.1f} in the other {len(peers)} {level_words(level)} buildings with figures shown (pooled)." if pd.notna(pooled) else "."
    observations.append(sentence)
    if column != "per_hundred_pupils":
        observations.append(f"Per 100 pupils of every group, the building had {latest['per_hundred_pupils']:.1f} support FTE against {district.at[year, 'per_hundred_pupils']:.1f} district-wide.")
    parts = [f"{latest[role]:.1f} {role.replace('_', ' ')}" for role in roles if latest[role] > 0]
    if parts:
        observations.append(f"The building's {latest['support_fte']:.1f} support FTE in {year}: " + ", ".join(parts) + " FTE.")
    if len(visible) >= 2:
        first = visible.iloc[0]
        observations.append(
            f"From {first['school_year']} to {year}, the building's support staff {per_words} went from {first[column]:.1f} to {latest[column]:.1f}; the district's from {district.at[first['school_year'], column]:.1f} to {district.at[year, column]:.1f}."
        )
    return observations


# ---------------------------------------------------------------- teachers where the group is concentrated


def teacher_experience(review: Review, building_code: str, *, student_group: str | None = None, year: str | None = None) -> DataObject:
    """Novice and effective teacher shares in the buildings where the group is concentrated against the others."""
    group, words, building_code, building_name = _subject(review, building_code, student_group)
    name = f"{words.title} Concentration and Teacher Experience"
    teachers = staff_in_roles(review, ("teacher",))
    if teachers is None or teachers.empty:
        return missing_object(
            review,
            name,
            f"The review has no teacher FTE in a staff table, so teacher experience where {words.plural} are concentrated cannot be compared.",
            ("staff",),
            ["staff FTE by role", "novice teachers"],
        )
    has_novice = teachers["novice_fte"].notna().any()
    has_effective = teachers["effective_fte"].notna().any()
    missing = ([] if has_novice else ["novice teachers"]) + ([] if has_effective else ["teachers rated effective"])
    if not has_novice and not has_effective:
        return missing_object(review, name, "The staff table gives neither novice nor effective teacher FTE, so teacher experience cannot be compared.", ("staff",), missing)
    frame = _enrollment(review, group).merge(
        teachers.groupby(["building_code", "school_year"])[["fte", "novice_fte", "effective_fte"]].sum(min_count=1).reset_index(), on=["building_code", "school_year"], how="inner"
    )
    counted = _has_counts(frame)
    if not counted:
        missing.append(count_measure(group))
    frame["share"] = frame["group_pupils"] / frame["pupils"] * 100
    if counted:
        known = frame.dropna(subset=["group_pupils"])
        district_share = known.groupby("school_year")["group_pupils"].sum() / known.groupby("school_year")["pupils"].sum() * 100
        # Concentration uses the true counts: a yes/no reveals no count, and hiding it would hide the analysis.
        frame["concentrated"] = np.where(frame["group_pupils"].isna(), None, frame["share"] > frame["school_year"].map(district_share))
    else:
        district_share = pd.Series(dtype=float)
        frame["concentrated"] = None
    frame["novice_share"] = frame["novice_fte"] / frame["fte"] * 100
    frame["effective_share"] = frame["effective_fte"] / frame["fte"] * 100
    shown_frame = _protect(review, frame, count="group_pupils", values=["group_pupils", "share"], hidden=hidden_group_counts(review, group)) if counted else frame.assign(suppressed=False)
    sets = _teacher_sets(frame, building_code, counted)
    level = building_level(review, building_code)
    year = focus_year(review, frame["school_year"], year)
    observations = (
        [] if counted else [f"The enrollment has no counts of {words.plural}, so the review cannot tell where the group is concentrated; teacher experience is compared across all buildings instead."]
    )
    identified = review.identified_buildings(year)
    observations += _teacher_observations(sets, frame, building_code, building_name, level, words, year, has_novice, has_effective, counted, district_share, identified)
    if not has_effective:
        observations.append("The staff table gives no effective-teacher FTE, so the share of teachers rated effective cannot be compared.")
    if not has_novice:
        observations.append("The staff table gives no novice-teacher FTE, so teacher experience cannot be compared.")
    set_rows = sets.assign(building_code="", level="", share=np.nan, concentrated=None, suppressed=False)
    table = pd.concat([shown_frame, set_rows], ignore_index=True)
    concentrated_words = table["concentrated"].map({True: "yes", False: "no"}).fillna("")
    shown = labelled(
        table,
        {
            "School year": "school_year",
            "Building code": "building_code",
            "Building or group of buildings": "building_name",
            "Level": table["level"].map(LEVEL_WORDS).fillna(""),
            "Teacher FTE": ("fte", 2),
            "Novice FTE (0-2 years)": ("novice_fte", 2),
            "Novice share (%)": ("novice_share", 1),
            **({"Effective FTE": table["effective_fte"].round(2), "Effective share (%)": table["effective_share"].round(1)} if has_effective else {}),
            **({f"{words.title} share of pupils (%)": table["share"].round(1), "Group share above the district's": concentrated_words} if counted else {}),
            "Suppressed (fewer than threshold)": "suppressed",
        },
    )
    display = shown[(shown["Building code"] == building_code) | (shown["Building code"] == "")].drop(columns=["Building code", "Level"])
    display = for_display(display.drop(columns=[c for c in display.columns if c.endswith("FTE (0-2 years)") or c == "Effective FTE"]))
    measure = "novice_share" if has_novice else "effective_share"
    latest = frame[frame["school_year"] == year].assign(label=lambda rows: rows["building_name"])
    if counted:
        colors = {"this building": figures.BUILDING_COLOR, "group concentrated": figures.PALETTE[1], "other buildings": figures.PALETTE[0], "group not counted": figures.OTHER_LEVEL_COLOR}
        category = [
            "this building" if code == building_code else "group not counted" if flag is None else "group concentrated" if flag else "other buildings"
            for code, flag in zip(latest["building_code"], latest["concentrated"])
        ]
    else:
        colors = figures.LEVEL_COLORS
        category = _category(latest, building_code, level).tolist()
    district_value = sets[(sets["school_year"] == year) & (sets["building_name"] == DISTRICT_LABEL)][measure]
    draw = partial(
        figures.bars_by_building,
        pd.DataFrame({"label": latest["building_name"], "value": latest[measure], "category": category}),
        colors=colors,
        title=f"{'Novice' if measure == 'novice_share' else 'Effective'} share of teacher FTE by building, {year}",
        x_label="Share of teacher FTE (%)",
        axis_format=figures.percent,
        reference=float(district_value.iloc[0]) if len(district_value) else None,
        reference_label="District (FTE-weighted)",
    )
    return DataObject(
        units=declare(
            code=["School year", "Building code"],
            text=["Building or group of buildings", "Level", "Group share above the district's"],
            count=["Teacher FTE", "Novice FTE (0-2 years)", "Effective FTE"],
            percent=["Novice share (%)", "Effective share (%)", f"{words.title} share of pupils (%)"],
            flag=["Suppressed (fewer than threshold)"],
        ),
        name=name,
        table=shown.reset_index(drop=True),
        display=display.reset_index(drop=True),
        draw=draw,
        observations=observations,
        sources=table_sources(review, "staff", "enrollment", "buildings"),
        filters=["teachers only", years_filter(list(frame["school_year"].unique()))],
        notes=[
            f"A building counts as one where {words.plural} are concentrated when its share of them is above the district's share that year. Shares of teachers are summed FTE over summed FTE.",
            "Novice: 0-2 years of experience. Effective: rated effective or highly effective.",
            group_privacy_note(minimum_size(review)),
        ],
        missing=missing,
    )


def _teacher_sets(frame: pd.DataFrame, building_code: str, counted: bool) -> pd.DataFrame:
    """Per year, FTE-weighted novice and effective shares of: the district, and where the group is concentrated or not."""
    rows = []
    for year, members in frame.groupby("school_year", sort=True):
        sets = {DISTRICT_LABEL: members}
        if counted:
            sets["Buildings where the group is concentrated"] = members[members["concentrated"] == True]  # noqa: E712 - None means unknown
            sets["Other buildings"] = members[members["concentrated"] == False]  # noqa: E712
        else:
            sets["Other buildings"] = members[members["building_code"] != building_code]
        for label, part in sets.items():
            fte = part["fte"].sum()
            rows.append(
                {
                    "school_year": year,
                    "building_name": label,
                    "buildings": len(part),
                    "fte": fte,
                    "novice_fte": part["novice_fte"].sum(min_count=1),
                    "effective_fte": part["effective_fte"].sum(min_count=1),
                }
            )
    sets = pd.DataFrame(rows)
    sets["novice_share"] = sets["novice_fte"] / sets["fte"].replace(0, np.nan) * 100
    sets["effective_share"] = sets["effective_fte"] / sets["fte"].replace(0, np.nan) * 100
    return sets


def _teacher_observations(
    sets: pd.DataFrame,
    frame: pd.DataFrame,
    building_code: str,
    building_name: str,
    level: str,
    words: GroupWords,
    year: str,
    has_novice: bool,
    has_effective: bool,
    counted: bool,
    district_share: pd.Series,
    identified: list[str],
) -> list[str]:
    observations = []
    latest = sets[sets["school_year"] == year].set_index("building_name")
    own = frame[(frame["building_code"] == building_code) & (frame["school_year"] == year)]
    measures = [(m, w) for m, w, present in (("novice_share", "novices (0-2 years)", has_novice), ("effective_share", "rated effective", has_effective)) if present]
    if counted and "Buildings where the group is concentrated" in latest.index:
        high = latest.loc["Buildings where the group is concentrated"]
        low = latest.loc["Other buildings"]
        for index, (measure, wording) in enumerate(measures):
            if high["fte"] > 0 and low["fte"] > 0:
                which = f"share above the district's {district_share.get(year, np.nan):.0f}%" if index == 0 else "as above"
                observations.append(
                    f"In {year}, {high[measure]:.0f}% of teacher FTE were {wording} in the {int(high['buildings'])} buildings where {words.plural} are concentrated "
                    f"({which}), against {low[measure]:.0f}% in the other {int(low['buildings'])} buildings."
                )
        earliest = sets[sets["school_year"] == min(sets["school_year"])].set_index("building_name")
        if has_novice and min(sets["school_year"]) != year and "Buildings where the group is concentrated" in earliest.index:
            before = earliest.loc["Buildings where the group is concentrated", "novice_share"] - earliest.loc["Other buildings", "novice_share"]
            after = latest.loc["Buildings where the group is concentrated", "novice_share"] - latest.loc["Other buildings", "novice_share"]
            observations.append(f"The difference in novice share (concentrated minus other buildings) went from {before:+.0f} points in {min(sets['school_year'])} to {after:+.0f} points in {year}.")
    if len(own):
        row = own.iloc[0]
        status = ""
        if counted and row["concentrated"] is not None:
            status = f", one of the buildings where {words.plural} are concentrated," if row["concentrated"] else f", not one of the buildings where {words.plural} are concentrated,"
        parts = [f"{row[m]:.0f}% {w}" for m, w in measures if pd.notna(row[m])]
        district = latest.loc[DISTRICT_LABEL]
        district_parts = [f"{district[m]:.0f}% {w}" for m, w in measures if pd.notna(district[m])]
        observations.append(
            f"{building_name}{status} had {row['fte']:.1f} teacher FTE in {year}: " + " and ".join(parts) + ", against " + " and ".join(district_parts) + " district-wide (FTE-weighted)."
        )
    if has_novice and not counted and identified:
        # Without the group's counts, the ESSA identification is the closest split the data allows.
        latest_frame = frame[frame["school_year"] == year]
        flagged = latest_frame[latest_frame["building_code"].isin(identified)]
        others = latest_frame[~latest_frame["building_code"].isin(identified)]
        if len(flagged) and len(others):
            observations.append(
                f"In the district's {len(flagged)} identified buildings (CSI, ATS or TSI), {_pooled(flagged, 'novice_fte', 'fte', scale=100):.0f}% of teacher FTE were novices in {year}, "
                f"against {_pooled(others, 'novice_fte', 'fte', scale=100):.0f}% in the other {len(others)} buildings."
            )
    if has_novice:
        shown = frame[(frame["school_year"] == year) & (frame["fte"] > 0)].dropna(subset=["novice_share"])
        if len(shown) >= 2:
            low, high = shown.loc[shown["novice_share"].idxmin()], shown.loc[shown["novice_share"].idxmax()]
            observations.append(f"Novice shares ranged from {low['novice_share']:.0f}% ({low['building_name']}) to {high['novice_share']:.0f}% ({high['building_name']}) in {year}.")
        peers = _other_same_level(frame[frame["school_year"] == year], building_code, level)
        if len(peers):
            observations.append(f"In the other {len(peers)} {level_words(level)} buildings, {_pooled(peers, 'novice_fte', 'fte', scale=100):.0f}% of teacher FTE were novices (pooled).")
    if len(frame["school_year"].unique()) == 1:
        observations.append(f"Only one school year ({year}) is available, so the change over time cannot be shown.")
    return observations


# ---------------------------------------------------------------- the report


def data_objects(review: Review, building_code: str, *, student_group: str | None = None) -> list[DataObject]:
    """Every data object of the option 1 inquiry for one building, in report order."""
    return [
        analysis(review, building_code, student_group=student_group)
        for analysis in (achievement_gap, achievement_by_building, group_share, added_needs_and_federal_spending, support_staff, teacher_experience)
    ]
