"""Review option 4: the Equitable Resource Diagnostic, dimension by dimension, for one building against the district.

The ten dimensions, their key questions and their common causes of inequity follow the framing of
the Alliance for Resource Equity (Education Resource Strategies and The Education Trust). For each
dimension the catalogue lists the measures the diagnostic looks for. A measure is derived from the
review's tables where it can be (spending, staff, enrollment) and otherwise read from the
indicators table; a measure found in neither is "we don't know yet", a finding in itself.

District figures are the district's totals over its totals (pupils per teacher is all pupils over
all teacher FTE); an indicator's district figure is the average of the buildings' values weighted
by the students it was computed from (by pupils when the indicator does not say).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from rar_protocol.data import schema
from rar_protocol.data.loading import Review
from rar_protocol.measures import equity, finance
from rar_protocol.measures.comparison import same_level_peers
from rar_protocol.measures.need import need_table, need_weights
from rar_protocol.measures.privacy import MARKER, minimum_size, suppress
from rar_protocol.measures.staffing import role_by_building
from rar_protocol.protocol import figures
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.units import declare
from rar_protocol.protocol.words import comparison_groups, money, percent, table_sources, years_filter

DOLLARS_PER_PUPIL = "dollars per pupil"
PERCENT = "percent"
COUNSELOR_BENCHMARK = 250  # students per school counselor: the common benchmark (American School Counselor Association)


@dataclass(frozen=True)
class Measure:
    """A measure the diagnostic looks for: derived from the tables (``derive`` names how) or matched among indicators."""

    name: str
    unit: str = ""
    better: str = "neutral"
    derive: str | None = None
    # A regular expression matched against the indicators table's indicator names (case-insensitive).
    indicator: str | None = None


@dataclass(frozen=True)
class Dimension:
    """One dimension of the Equitable Resource Diagnostic."""

    key: str
    number: int
    title: str
    key_questions: tuple[str, ...]
    measures: tuple[Measure, ...]
    common_causes: tuple[str, ...]


CATALOGUE: tuple[Dimension, ...] = (
    Dimension(
        "school_funding",
        1,
        "School Funding",
        (
            "Do schools receive funding that reflects the needs of their students?",
            "Do higher-need schools receive more state and local money per pupil, with federal money on top rather than instead?",
        ),
        (
            Measure("Total per pupil", DOLLARS_PER_PUPIL, "higher", derive="total_per_pupil"),
            Measure("State + local per pupil", DOLLARS_PER_PUPIL, "higher", derive="state_local_per_pupil"),
            # Federal money follows need (Title I, IDEA): more of it is not in itself more favourable.
            Measure("Federal per pupil", DOLLARS_PER_PUPIL, "neutral", derive="federal_per_pupil"),
            Measure("State + local per need-weighted pupil", DOLLARS_PER_PUPIL, "higher", derive="state_local_per_weighted_pupil"),
        ),
        (
            "Staff positions are allocated by enrollment ratios, not by student need.",
            "Budgets are built with district-average salaries, hiding that experienced, higher-paid teachers cluster in some schools.",
            "Federal and categorical funds replace, rather than add to, state and local dollars in high-need schools.",
            "Small schools carry fixed costs that raise their per-pupil spending without more services per pupil.",
        ),
    ),
    Dimension(
        "teaching_quality",
        2,
        "Teaching Quality and Diversity",
        (
            "Do students with the greatest needs have equal access to effective, experienced teachers?",
            "Does the teaching staff reflect the diversity of the students, and do teachers stay?",
        ),
        (
            Measure("Novice teachers (share of teacher FTE)", PERCENT, "lower", derive="novice_teachers"),
            Measure("Teachers rated effective or highly effective (share of teacher FTE)", PERCENT, "higher", derive="effective_teachers"),
            Measure("Teachers' average years of experience", "years", "higher", derive="teacher_experience"),
            Measure("Teacher turnover", PERCENT, "lower", indicator=r"teacher.*(?:turnover|retention|mobility)"),
            Measure("Teachers teaching out of field", PERCENT, "lower", indicator=r"out[ -]of[ -]field"),
            Measure("Teachers of color compared with students of color", PERCENT, "neutral", indicator=r"teachers? of color|teacher.*(?:diversity|race|ethnic)"),
        ),
        (
            "Seniority-based transfer and assignment rules let experienced teachers move away from high-need schools.",
            "Late hiring timelines leave high-need schools with the last, least experienced candidates.",
            "Working conditions and a lack of support drive higher turnover in high-need schools.",
            "No incentives or career paths draw effective teachers to the schools that need them most.",
        ),
    ),
    Dimension(
        "school_leadership",
        3,
        "School Leadership Quality and Diversity",
        (
            "Do all schools, especially the highest-need, have experienced, effective and stable leaders?",
            "Do leaders have the authority and support to shape their school's resources?",
        ),
        (
            Measure("Principal's years in the building", "years", "higher", indicator=r"principal.*(?:years|experience|tenure)"),
            Measure("Principal turnover", PERCENT, "lower", indicator=r"(?:principal|leader).*(?:turnover|changes)"),
            Measure("Administrators' average years of experience", "years", "higher", derive="administrator_experience"),
        ),
        (
            "New principals are placed in the hardest-to-lead schools.",
            "Principal turnover in high-need schools resets improvement plans every few years.",
            "The leadership pipeline does not prepare or support leaders for high-need schools.",
        ),
    ),
    Dimension(
        "rigorous_content",
        4,
        "Empowering, Rigorous Content",
        (
            "Do all students have access to rigorous, engaging courses and materials, including advanced courses and the arts?",
            "Are students of every group enrolled in the advanced courses their school offers?",
        ),
        (
            Measure("Advanced course enrollment", PERCENT, "higher", indicator=r"advanced|\bap\b|dual enrol|\bib\b"),
            Measure("Arts and music courses offered", "courses", "higher", indicator=r"arts|music"),
            Measure("Instructional supplies and materials per pupil", DOLLARS_PER_PUPIL, "higher", derive="materials_per_pupil"),
        ),
        (
            "Advanced courses are offered only where enough students are already 'ready', so high-need schools offer fewer.",
            "Placement criteria and gatekeeping keep some groups out of advanced courses.",
            "Curriculum and materials budgets follow enrollment rather than need, and adopted materials are unevenly used.",
        ),
    ),
    Dimension(
        "instructional_time",
        5,
        "Instructional Time and Attention",
        ("Do students who need more time and attention get it: smaller groups, more instructional time, targeted intervention?",),
        (
            Measure("Pupils per teacher", "pupils per teacher FTE", "lower", derive="pupils_per_teacher"),
            Measure("Average class size", "students", "lower", indicator=r"class size"),
            Measure("Interventionist FTE per 100 pupils", "FTE per 100 pupils", "higher", derive="interventionists_per_100"),
            Measure("Intervention minutes", "minutes", "higher", indicator=r"intervention.*(?:minutes|time)|minutes.*intervention"),
        ),
        (
            "Staffing formulas give every school the same ratios regardless of need.",
            "Schedules are the same everywhere, with no extra time for students who are behind.",
            "Intervention staff are shared across schools or pulled to cover vacancies.",
        ),
    ),
    Dimension(
        "school_climate",
        6,
        "Positive and Inviting School Climate",
        (
            "Do students feel safe, welcomed and supported, and do they come to school?",
            "Are exclusionary discipline practices used more in some schools or with some groups?",
        ),
        (
            Measure("Chronic absence rate", PERCENT, "lower", indicator=r"chronic"),
            Measure("Suspensions", "per 100 students", "lower", indicator=r"suspension|expulsion|exclusionary"),
            Measure("Climate survey results", PERCENT, "higher", indicator=r"survey|climate"),
        ),
        (
            "Discipline policies rely on suspension rather than restorative practices.",
            "Too few adults in pupil support roles to address the causes of absence (health, transportation, housing).",
            "Family engagement and welcoming practices are left to each school without support.",
        ),
    ),
    Dimension(
        "student_supports",
        7,
        "Student Supports and Intervention",
        (
            "Do students with greater needs have access to counselors, social workers, nurses and psychologists?",
            "Are supports allocated by need or by the same ratio everywhere?",
        ),
        (
            Measure("Students per counselor", "pupils per counselor FTE", "lower", derive="pupils_per_counselor"),
            Measure("Students per social worker", "pupils per social worker FTE", "lower", derive="pupils_per_social_worker"),
            Measure("Students per nurse", "pupils per nurse FTE", "lower", derive="pupils_per_nurse"),
            Measure("Students per psychologist", "pupils per psychologist FTE", "lower", derive="pupils_per_psychologist"),
        ),
        (
            "Support staff are allocated per building or per pupil, not by the needs of the students.",
            "Itinerant staff shared across buildings spend their time travelling and on compliance work.",
            "Vacancies in hard-to-fill support roles last longest in high-need schools.",
        ),
    ),
    Dimension(
        "early_learning",
        8,
        "High-Quality Early Learning",
        ("Do children in the building's attendance area have access to high-quality pre-kindergarten?",),
        (Measure("Pre-K seats per 100 pupils", "seats per 100 pupils", "higher", indicator=r"pre-?k|preschool|gsrp|head start"),),
        (
            "Pre-K seats are located where space is available rather than where need is greatest.",
            "Half-day programs and enrollment rules keep working families out.",
        ),
    ),
    Dimension(
        "facilities",
        9,
        "Learning-Ready Facilities",
        ("Are school buildings safe, healthy and equipped for learning, with the technology students need?",),
        (
            Measure("Facility condition index", PERCENT, "lower", indicator=r"condition"),
            Measure("Building age", "years", "neutral", indicator=r"\bage\b|year built"),
            Measure("Devices per student", "devices per student", "higher", indicator=r"device|computer|technology"),
        ),
        (
            "Capital plans follow building age or political pressure rather than need.",
            "Deferred maintenance accumulates in older buildings serving high-need neighbourhoods.",
            "Technology purchases depend on school fundraising or one-time grants.",
        ),
    ),
    Dimension(
        "diverse_classrooms",
        10,
        "Diverse Classrooms and Schools",
        (
            "Do students learn in schools and classrooms that reflect the diversity of the district?",
            "Are economically disadvantaged students concentrated in some buildings?",
        ),
        (
            Measure("Economically disadvantaged pupils", PERCENT, "neutral", derive="share_economically_disadvantaged"),
            Measure("Students with disabilities", PERCENT, "neutral", derive="share_students_with_disabilities"),
            Measure("English learners", PERCENT, "neutral", derive="share_english_learners"),
            Measure("Students of color", PERCENT, "neutral", derive="share_students_of_color"),
            Measure("Isolation or segregation index", "index", "lower", indicator=r"isolation|segregation|dissimilarity"),
        ),
        (
            "Attendance boundaries follow segregated housing patterns.",
            "School choice, magnet and transfer policies draw some families away from some buildings.",
            "Tracking and program placement separate students within buildings.",
        ),
    ),
)
DIMENSIONS = {dimension.key: dimension for dimension in CATALOGUE}
_SPENDING_MEASURES = ("total_per_pupil", "state_local_per_pupil", "federal_per_pupil", "state_local_per_weighted_pupil", "materials_per_pupil")
# A building within this many percent of the district's figure stands "about the same" as the district.
ABOUT_THE_SAME_PERCENT = 5.0
STANDING_NOTE = (
    f"Standing: within {ABOUT_THE_SAME_PERCENT:g}% of the district's figure a building is about the same as the district; beyond it, more or less favourable by the measure's better direction. "
    "Federal dollars, the make-up of the student body and building age have no better direction. "
    "A count such as pre-K seats is compared per 100 pupils; the district's figure is its total over all its pupils."
)
# Indicator units that count things: their district figure is a total per 100 pupils, never an average of counts.
COUNT_UNITS = ("seats", "count", "slots", "students served")
MEASURE_COLUMNS = ["building_code", "school_year", "dimension", "measure", "unit", "better", "numerator", "denominator", "value", "students", "source"]


def chosen_dimensions(review: Review) -> list[str]:
    """The dimensions the review's configuration chose (all ten by default), in catalogue order."""
    chosen = set(review.config.option.dimensions)
    return [dimension.key for dimension in CATALOGUE if dimension.key in chosen]


# ---------------------------------------------------------------- measures from the tables


def _frame(rows: pd.DataFrame, numerator: pd.Series, denominator: pd.Series, *, value: pd.Series | None = None, students: pd.Series | None = None, source: str) -> pd.DataFrame:
    """Measure rows: numerator and denominator kept apart so the district figure is a ratio of sums."""
    frame = pd.DataFrame({"building_code": rows["building_code"].to_numpy(), "school_year": rows["school_year"].to_numpy()})
    frame["numerator"] = np.asarray(numerator, dtype=float)
    frame["denominator"] = np.asarray(denominator, dtype=float)
    frame["value"] = np.asarray(value, dtype=float) if value is not None else frame["numerator"] / frame["denominator"].where(frame["denominator"] > 0)
    frame["students"] = np.asarray(students, dtype=float) if students is not None else np.nan
    frame["source"] = source
    return frame


def _spending(review: Review, measure: str) -> pd.DataFrame | None:
    """Total, federal or state + local dollars over pupils; federal and state + local only in years whose spending is split by fund source."""
    table = finance.per_pupil(review)
    if measure != "total":
        table = table[~table["school_year"].isin(finance.unsplit_years(review, "fund_source"))]
        if table.empty:
            return None
    return _frame(table, table[f"{measure}_dollars"], table["pupils"], source="expenditures and enrollment tables")


def _need_weighted_spending(review: Review) -> pd.DataFrame | None:
    """State + local dollars over need-weighted pupils (the weights of the review YAML)."""
    if not need_weights(review)[0]:
        return None
    table = need_table(review)
    table = table[~table["school_year"].isin(finance.unsplit_years(review, "fund_source"))]
    if table.empty:
        return None
    return _frame(table, table["state_local_dollars"], table["weighted_pupils"], source="expenditures and enrollment tables")


def _materials(review: Review) -> pd.DataFrame | None:
    """Supplies and materials (objects 4000s) bought for instruction (functions 100-199), over pupils."""
    spending = review.tables["expenditures"]
    if spending["object_code"].isna().all() or spending["function_code"].isna().all():
        return None
    materials = spending[spending["object_code"].astype(str).str.startswith("4") & spending["function_code"].astype(str).str.startswith("1")]
    table = finance.per_pupil(review)[["building_code", "school_year", "pupils"]]
    dollars = materials.groupby(["building_code", "school_year"])["amount"].sum()
    numerator = [dollars.get((code, year), 0.0) for code, year in zip(table["building_code"], table["school_year"])]
    return _frame(table, numerator, table["pupils"], source="expenditures and enrollment tables")


def _teacher_share(review: Review, column: str) -> pd.DataFrame | None:
    """Novice or effective teacher FTE as a percent of teacher FTE."""
    teachers = role_by_building(review, "teacher")
    if teachers is None or teachers[column].notna().sum() == 0:
        return None
    teachers = teachers[teachers[column].notna()]
    return _frame(teachers, teachers[column] * 100, teachers["fte"], source="staff table")


def _experience(review: Review, role: str) -> pd.DataFrame | None:
    """Average years of experience of a role, weighted by FTE."""
    people = role_by_building(review, role)
    if people is None or people["average_years_experience"].notna().sum() == 0:
        return None
    people = people[people["average_years_experience"].notna()]
    return _frame(people, people["average_years_experience"] * people["fte"], people["fte"], source="staff table")


def _pupils_per(review: Review, role: str) -> pd.DataFrame | None:
    """Pupils per FTE of a role (all pupils over all FTE for the district)."""
    people = role_by_building(review, role)
    return None if people is None else _frame(people, people["pupils"], people["fte"], source="staff and enrollment tables")


def _per_hundred_pupils(review: Review, role: str) -> pd.DataFrame | None:
    """FTE of a role per 100 pupils."""
    people = role_by_building(review, role)
    return None if people is None else _frame(people, people["fte"] * 100, people["pupils"], source="staff and enrollment tables")


def _group_share(review: Review, group: str | None) -> pd.DataFrame | None:
    """A student group's percent of pupils; ``None`` for students of color (every pupil not counted as white)."""
    enrollment = review.tables["enrollment"]
    counts = enrollment[group] if group is not None else enrollment["pupils"] - enrollment["white"]
    # A share reveals its count, and 100% minus the share the rest of the pupils: both must be large enough.
    students = np.minimum(counts, enrollment["pupils"] - counts)
    known = counts.notna()
    if not known.any():
        return None
    rows = enrollment[known]
    return _frame(rows, counts[known] * 100, rows["pupils"], students=students[known], source="enrollment table")


# How each derived measure is computed; those that need building spending are listed in _SPENDING_MEASURES.
_DERIVATIONS = {
    "total_per_pupil": lambda review: _spending(review, "total"),
    "state_local_per_pupil": lambda review: _spending(review, "state_local"),
    "federal_per_pupil": lambda review: _spending(review, "federal"),
    "state_local_per_weighted_pupil": _need_weighted_spending,
    "materials_per_pupil": _materials,
    "novice_teachers": lambda review: _teacher_share(review, "novice_fte"),
    "effective_teachers": lambda review: _teacher_share(review, "effective_fte"),
    "teacher_experience": lambda review: _experience(review, "teacher"),
    "administrator_experience": lambda review: _experience(review, "administrator"),
    "pupils_per_teacher": lambda review: _pupils_per(review, "teacher"),
    "pupils_per_counselor": lambda review: _pupils_per(review, "counselor"),
    "pupils_per_social_worker": lambda review: _pupils_per(review, "social_worker"),
    "pupils_per_nurse": lambda review: _pupils_per(review, "nurse"),
    "pupils_per_psychologist": lambda review: _pupils_per(review, "psychologist"),
    "interventionists_per_100": lambda review: _per_hundred_pupils(review, "interventionist"),
    "share_economically_disadvantaged": lambda review: _group_share(review, "economically_disadvantaged"),
    "share_students_with_disabilities": lambda review: _group_share(review, "students_with_disabilities"),
    "share_english_learners": lambda review: _group_share(review, "english_learners"),
    "share_students_of_color": lambda review: _group_share(review, None),
}


def derive(review: Review, how: str) -> pd.DataFrame | None:
    """One derived measure for every building and year, or None when the review lacks the data."""
    if how not in _DERIVATIONS:
        raise ValueError(f"unknown derived measure '{how}'")
    if how in _SPENDING_MEASURES and not review.has("expenditures"):
        return None
    return _DERIVATIONS[how](review)


def _as_percent(rows: pd.DataFrame) -> pd.DataFrame:
    """Indicators given as a 0-1 share (North Carolina's chronic absence, say) shown as percents."""
    unit = rows["unit"].fillna("").str.lower()
    share = unit.str.contains(r"0\s*-\s*1|\bshare\b|proportion|fraction", regex=True) & (rows["value"].abs() <= 1)
    rows = rows.copy()
    rows.loc[share, "value"] = rows.loc[share, "value"] * 100
    rows.loc[share, "unit"] = PERCENT
    return rows


def measure_table(review: Review) -> pd.DataFrame:
    """Every diagnostic measure the review has, for every building and year, with the catalogue measure each one fills."""
    frames = []
    indicators = review.table("indicators")
    matched: set[tuple[str, str]] = set()
    for dimension in CATALOGUE:
        for measure in dimension.measures:
            found = derive(review, measure.derive) if measure.derive else None
            if found is None and measure.indicator and indicators is not None:
                rows = indicators[(indicators["dimension"] == dimension.key) & indicators["indicator"].str.contains(measure.indicator, case=False, regex=True)]
                if len(rows):
                    # One indicator fills a catalogue measure; any other match is shown under its own name.
                    name = sorted(rows["indicator"].unique())[0]
                    rows = rows[rows["indicator"] == name]
                    matched.add((dimension.key, name))
                    found = _indicator_frame(review, rows)
                    unit = found["unit"].iloc[0]
                    found = found.drop(columns="unit")
                    found["unit"] = unit if unit else measure.unit
                    found["better"] = found.pop("better_given").where(lambda given: given != "neutral", measure.better)
            if found is None:
                continue
            found = found.assign(dimension=dimension.key, measure=measure.name)
            if "unit" not in found:
                found["unit"] = measure.unit
            if "better" not in found:
                found["better"] = measure.better
            frames.append(found)
    if indicators is not None:
        # Indicators the catalogue does not name are shown too, under their own names.
        for (dimension_key, name), rows in indicators.groupby(["dimension", "indicator"], sort=True):
            if (dimension_key, name) in matched:
                continue
            found = _indicator_frame(review, rows)
            found["better"] = found.pop("better_given")
            frames.append(found.assign(dimension=dimension_key, measure=name))
    if not frames:
        return pd.DataFrame(columns=MEASURE_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    return table[MEASURE_COLUMNS].sort_values(["dimension", "measure", "school_year", "building_code"], kind="stable").reset_index(drop=True)


def _indicator_frame(review: Review, rows: pd.DataFrame) -> pd.DataFrame:
    """Indicator rows as measure rows: the district figure weights each building by its students (or pupils).

    A count (pre-K seats) is not averaged: it becomes a rate per 100 pupils, the district's being its
    total count over all its pupils.
    """
    rows = _as_percent(rows)
    pupils = review.tables["enrollment"].set_index(["building_code", "school_year"])["pupils"]
    building_pupils = pd.Series([pupils.get((code, year), np.nan) for code, year in zip(rows["building_code"], rows["school_year"])], index=rows.index)
    unit = rows["unit"].fillna("")
    if unit.isin(COUNT_UNITS).all() and len(rows):
        frame = _frame(rows, rows["value"] * 100, building_pupils, students=rows["students"], source="indicators and enrollment tables")
        frame["unit"] = (unit + " per 100 pupils").to_numpy()
        frame["better_given"] = rows["better"].fillna("neutral").to_numpy()
        return frame
    weight = rows["students"].where(rows["students"].notna(), building_pupils)
    frame = _frame(rows, rows["value"] * weight, weight, value=rows["value"], students=rows["students"], source="indicators table")
    frame["unit"] = unit.to_numpy()
    frame["better_given"] = rows["better"].fillna("neutral").to_numpy()
    return frame


# ---------------------------------------------------------------- building against district


def _ratio_of_sums(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    sums = rows.groupby(keys, sort=False)[["numerator", "denominator"]].sum()
    return sums["numerator"] / sums["denominator"].where(sums["denominator"] > 0)


def _spread(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    """The pupil-weighted standard deviation of the buildings' values per measure and year (NaN with fewer than 3 buildings)."""

    def spread(group: pd.DataFrame) -> float:
        if group["value"].notna().sum() < 3:
            return np.nan
        return equity.weighted_standard_deviation(group["value"], group["pupils"])

    return rows.groupby(keys, sort=False)[["value", "pupils"]].apply(spread)


def comparison(review: Review, building_code: str, measures: pd.DataFrame) -> pd.DataFrame:
    """Per measure and year: the building's value, the district's, the other same-level buildings', the spread between buildings, and suppression."""
    keys = ["dimension", "measure", "school_year"]
    _, peers = same_level_peers(review, building_code)
    minimum = minimum_size(review)
    mine = measures[measures["building_code"] == building_code]
    if mine.empty:
        return pd.DataFrame()
    # Suppression: a value computed from fewer students than the threshold is not shown (rows without a student count are not student-group values).
    counted = mine[mine["students"].notna()]
    hidden = pd.Series(False, index=mine.index)
    if len(counted):
        hidden[counted.index] = suppress(counted, count_column="students", value_columns=["value"], minimum=minimum)["suppressed"].to_numpy()
    pupils = review.tables["enrollment"][["building_code", "school_year", "pupils"]]
    with_pupils = measures.merge(pupils, on=["building_code", "school_year"], how="left")
    index = pd.MultiIndex.from_frame(mine[keys])
    district = _ratio_of_sums(measures, keys).reindex(index).to_numpy()
    peer_value = _ratio_of_sums(measures[measures["building_code"].isin(peers)], keys).reindex(index).to_numpy() if peers else np.full(len(mine), np.nan)
    table = mine[keys + ["unit", "better", "source"]].reset_index(drop=True)
    table["building"] = mine["value"].where(~hidden).to_numpy()
    table["district"] = district
    # With the building hidden, its peers' figure beside the district's would let it be worked out.
    table["peers"] = np.where(hidden.to_numpy(), np.nan, peer_value)
    table["spread"] = _spread(with_pupils, keys).reindex(index).to_numpy()
    table["suppressed"] = hidden.to_numpy()
    table["no_staff"] = (~hidden & mine["value"].isna() & (mine["denominator"] == 0)).to_numpy()
    table["buildings"] = measures.groupby(keys, sort=False)["value"].count().reindex(index).to_numpy()
    difference = table["building"] - table["district"]
    table["difference"] = difference
    table["difference_percent"] = (difference / table["district"].where(table["district"] != 0) * 100).round(1)
    direction = table["better"].map({"higher": -1.0, "lower": 1.0}).fillna(0.0)
    # Positive: the building is worse off than the district, in spreads between buildings.
    table["gap_in_spreads"] = direction * difference / table["spread"].where(table["spread"] > 0)
    table["distance_in_spreads"] = (difference / table["spread"].where(table["spread"] > 0)).abs()
    return table


def format_value(value: float, unit: str) -> str:
    """A measure's value as people read it: $12,123; 35.1%; 23.0 students."""
    if pd.isna(value):
        return MARKER
    if unit == DOLLARS_PER_PUPIL:
        return money(value)
    if unit.startswith(PERCENT):
        return percent(value)
    return f"{value:,.1f}"


def _unit_words(unit: str) -> str:
    """The unit after a formatted value: nothing for dollars and plain percents, " of grades 11-12" for "percent of grades 11-12"."""
    if unit in (DOLLARS_PER_PUPIL, "") or unit == PERCENT:
        return ""
    return f" {unit.removeprefix(PERCENT).strip()}" if unit.startswith(PERCENT) else f" {unit}"


def _standing(row: pd.Series, tolerance: float = ABOUT_THE_SAME_PERCENT) -> str:
    """Where the building stands: within ``tolerance`` percent of the district it is about the same, whatever the direction."""
    if pd.isna(row["building"]) or pd.isna(row["district"]):
        return ""
    if row["difference"] == 0 or (pd.notna(row["difference_percent"]) and abs(row["difference_percent"]) <= tolerance):
        return "about the same as the district"
    if row["better"] == "neutral":
        return "higher than the district" if row["difference"] > 0 else "lower than the district"
    worse = (row["difference"] < 0) if row["better"] == "higher" else (row["difference"] > 0)
    return "less favourable than the district" if worse else "more favourable than the district"


def _sentence(row: pd.Series, building: str) -> str:
    unit_words = _unit_words(row["unit"])
    if row["suppressed"]:
        return f"{row['measure']} ({row['school_year']}): not shown for {building}, computed from fewer students than the privacy threshold."
    if row["no_staff"]:
        return f"{row['measure']} ({row['school_year']}): {building} had no FTE in this role; the district figure is {format_value(row['district'], row['unit'])}{unit_words}."
    percent = ""
    if pd.notna(row["difference_percent"]):
        percent = f" ({row['difference_percent']:+.1f}%)" if abs(row["difference_percent"]) < 1 else f" ({row['difference_percent']:+.0f}%)"
    text = f"{row['measure']} ({row['school_year']}): {building} {format_value(row['building'], row['unit'])}{unit_words}, district {format_value(row['district'], row['unit'])}{unit_words}{percent}"
    if pd.notna(row["peers"]):
        text += f", other buildings of its level {format_value(row['peers'], row['unit'])}{unit_words}"
    standing = _standing(row)
    return text + (f"; {standing}." if standing and row["better"] != "neutral" else ".")


def catalogue_order(dimension_key: str, measure: str) -> int:
    """A measure's place in its dimension: catalogue measures first, in catalogue order, then indicators the catalogue does not name."""
    names = [item.name for item in DIMENSIONS[dimension_key].measures] if dimension_key in DIMENSIONS else []
    return names.index(measure) if measure in names else len(names)


def missing_measures(review: Review, dimension_key: str, measures: pd.DataFrame | None = None) -> list[str]:
    """The catalogue measures of a dimension that the review has no data for: what we don't know yet."""
    measures = measure_table(review) if measures is None else measures
    present = set(measures.loc[measures["dimension"] == dimension_key, "measure"])
    return [measure.name for measure in DIMENSIONS[dimension_key].measures if measure.name not in present]


# ---------------------------------------------------------------- charts


def measure_panels_chart(table: pd.DataFrame, *, building: str, peers: str | None, title: str) -> Figure:
    """Small multiples: one panel per measure in catalogue order, the building against the district (and its peers) over the school years."""
    measures = list(dict.fromkeys(_latest(table)["measure"]))
    formats = {}
    for measure in measures:
        unit = table[table["measure"] == measure].sort_values("school_year")["unit"].iloc[0]
        formats[measure] = "dollars" if unit == DOLLARS_PER_PUPIL else "percent" if unit.startswith(PERCENT) else ""
    return figures.measure_panels(table, measures=measures, formats=formats, building=building, peers=peers, title=title)


def summary_chart(table: pd.DataFrame, *, title: str) -> Figure:
    """Diverging bars: each measure's distance from the district in between-building spreads, less favourable to the right."""
    labels = [f"{measure} ({DIMENSIONS[dimension].number})" if dimension in DIMENSIONS else measure for measure, dimension in zip(table["measure"], table["dimension"])]
    neutral = table["better"] == "neutral"
    values = table["gap_in_spreads"].where(~neutral, table["distance_in_spreads"])
    return figures.diverging_bars(
        labels,
        values,
        neutral,
        title=title,
        x_label="Distance from the district in between-building spreads (right: less favourable)",
        footnote="Red: less favourable than the district. Blue: more favourable. Grey: neither (distance only). (n) = dimension number.",
    )


# ---------------------------------------------------------------- data objects


def introduction(dimension_key: str) -> HTML:
    """The dimension's heading and key questions, shown before its data object."""
    dimension = DIMENSIONS[dimension_key]
    questions = "".join(f"<li>{html.escape(question)}</li>" for question in dimension.key_questions)
    return HTML(f"<h2>{dimension.number}. {html.escape(dimension.title)}</h2><p><strong>Key questions</strong></p><ul>{questions}</ul>")


def dimension_name(dimension_key: str) -> str:
    """The data object's name: "Diagnostic 2 Teaching Quality and Diversity"."""
    dimension = DIMENSIONS[dimension_key]
    return f"Diagnostic {dimension.number} {dimension.title}"


def dimension_data_object(review: Review, building_code: str, dimension_key: str, measures: pd.DataFrame | None = None) -> DataObject:
    """One dimension for one building: its measures against the district over the years, a small chart, root-cause prompts and what we don't know yet."""
    dimension = DIMENSIONS[dimension_key]
    measures = measure_table(review) if measures is None else measures
    building = review.building_name(building_code)
    groups = list(comparison_groups(review, building_code))
    peers = groups[2] if len(groups) > 2 else None
    compared = comparison(review, building_code, measures[measures["dimension"] == dimension_key])
    unknown = missing_measures(review, dimension_key, measures)
    causes = "Common causes of inequity in this dimension, to test as root causes: " + " ".join(f"({number}) {cause}" for number, cause in enumerate(dimension.common_causes, start=1))
    missing = [f"{dimension.title}: {name}" for name in unknown]
    elsewhere = _reported_elsewhere(measures, dimension_key, set(compared["measure"]) if len(compared) else set(), building)
    if compared.empty:
        unknown_text = f" We don't know yet: {'; '.join(unknown)}." if unknown else ""
        return DataObject(
            name=dimension_name(dimension_key),
            observations=[f"The review has no data for any measure of this dimension for {building}.{unknown_text}", *elsewhere],
            sources=[f"review configuration ({review.config_path.name})"],
            notes=[causes],
            missing=missing,
        )
    years = sorted(compared["school_year"].unique())
    latest = _latest(compared)
    observations = [_sentence(row, building) for _, row in latest.iterrows()] + elsewhere
    if len(years) == 1:
        observations.append(f"Only one school year ({years[0]}) is available, so change over time cannot be shown.")
    if unknown:
        observations.append(f"We don't know yet: {'; '.join(unknown)}.")
    if dimension_key == "student_supports":
        counselors = latest[latest["measure"] == "Students per counselor"]
        if len(counselors) and pd.notna(counselors["building"].iloc[0]):
            ratio = counselors["building"].iloc[0]
            observations.append(f"The common benchmark is {COUNSELOR_BENCHMARK} students per counselor; {building} {'meets' if ratio <= COUNSELOR_BENCHMARK else 'does not meet'} it ({ratio:,.0f}).")
    table = pd.DataFrame(
        {
            "Dimension": dimension.title,
            "Measure": compared["measure"],
            "School year": compared["school_year"],
            "Unit": compared["unit"],
            "Better": compared["better"],
            f"{building}": compared["building"].round(2),
            "District": compared["district"].round(2),
            **({peers: compared["peers"].round(2)} if peers else {}),
            "Deviation from district": compared["difference"].round(2),
            "Deviation from district (%)": compared["difference_percent"],
            "Suppressed": compared["suppressed"],
            "Source": compared["source"],
        }
    )
    display = pd.DataFrame(
        {
            "Measure": latest["measure"],
            "Year": latest["school_year"],
            building: [("no FTE" if no_staff else format_value(value, unit)) for value, unit, no_staff in zip(latest["building"], latest["unit"], latest["no_staff"])],
            "District": [format_value(value, unit) for value, unit in zip(latest["district"], latest["unit"])],
            **({peers: [format_value(value, unit) if pd.notna(value) else "" for value, unit in zip(latest["peers"], latest["unit"])]} if peers else {}),
            "Unit": latest["unit"],
            "Standing": latest.apply(_standing, axis=1),
        }
    )
    draw = partial(measure_panels_chart, compared, building=building, peers=peers, title=f"{dimension.title}: {building} and the district")
    privacy = f"Values computed from fewer than {minimum_size(review)} students are shown as {MARKER}."
    return DataObject(
        units=declare(
            text=["Dimension", "Measure", "Unit", "Better", "Source", "Standing"],
            code=["School year", "Year"],
            number=[building, "District", *([peers] if peers else []), "Deviation from district"],
            change=["Deviation from district (%)"],
            flag=["Suppressed"],
        ),
        name=dimension_name(dimension_key),
        table=table,
        display=display,
        draw=draw,
        observations=observations,
        sources=_source_list(review, compared["source"]),
        filters=[years_filter(review.config.school_years), "district = the district's totals over its totals; indicators weighted by their students (or pupils)"],
        notes=[causes, privacy, STANDING_NOTE],
        missing=missing,
    )


def _reported_elsewhere(measures: pd.DataFrame, dimension_key: str, shown: set[str], building: str) -> list[str]:
    """Sentences for measures the review has for other buildings but not this one (pre-K seats at a high school, say)."""
    rows = measures[measures["dimension"] == dimension_key]
    sentences = []
    for name in sorted(set(rows["measure"]) - shown):
        count = rows.loc[rows["measure"] == name, "building_code"].nunique()
        sentences.append(f"{name}: not reported for {building} (the review has it for {count} other building{'s' if count != 1 else ''}; it may not apply to this building's level).")
    return sentences


def _latest(compared: pd.DataFrame) -> pd.DataFrame:
    """Each measure's latest year, in catalogue order."""
    latest = compared.sort_values("school_year").groupby(["dimension", "measure"], sort=False).tail(1)
    order = [(DIMENSIONS[key].number if key in DIMENSIONS else 99, catalogue_order(key, measure)) for key, measure in zip(latest["dimension"], latest["measure"])]
    return latest.assign(order=order).sort_values("order", kind="stable").drop(columns="order").reset_index(drop=True)


def _source_list(review: Review, sources: pd.Series) -> list[str]:
    """The tables (and their files) behind a set of measure sources, in the data model's order."""
    named = {name for source in sources.unique() for name in schema.TABLES if re.search(rf"\b{name}\b", source)}
    return table_sources(review, *[name for name in schema.TABLES if name in named])


def summary_data_object(review: Review, building_code: str, measures: pd.DataFrame | None = None) -> DataObject:
    """Across the chosen dimensions: where the building stands furthest from the district, latest year of each measure."""
    measures = measure_table(review) if measures is None else measures
    chosen = chosen_dimensions(review)
    building = review.building_name(building_code)
    compared = comparison(review, building_code, measures[measures["dimension"].isin(chosen)])
    unknown = {key: missing_measures(review, key, measures) for key in chosen}
    if compared.empty:
        return DataObject(
            name="Diagnostic Summary Across Dimensions", observations=[f"No diagnostic measure is available for {building}."], sources=[f"review configuration ({review.config_path.name})"]
        )
    latest = _latest(compared)
    latest = latest.assign(order=latest["dimension"].map(lambda key: DIMENSIONS[key].number if key in DIMENSIONS else 99))
    # Less favourable first (largest distance), then the neutral differences, then the more favourable.
    latest["rank_group"] = np.select([latest["better"] == "neutral", latest["gap_in_spreads"] > 0], [1, 0], default=2)
    latest["sort_distance"] = np.where(latest["rank_group"] == 2, latest["distance_in_spreads"], -latest["distance_in_spreads"])
    latest = latest.sort_values(["rank_group", "sort_distance", "order"], na_position="last", kind="stable").reset_index(drop=True)
    observations = []
    worse = latest[(latest["rank_group"] == 0) & latest["distance_in_spreads"].notna()]
    for _, row in worse.head(3).iterrows():
        observations.append(f"{DIMENSIONS[row['dimension']].title}: {_sentence(row, building)[:-1]}, {row['distance_in_spreads']:.1f} between-building spreads from the district.")
    better = latest[(latest["rank_group"] == 2) & latest["distance_in_spreads"].notna()].sort_values("distance_in_spreads", ascending=False)
    if len(better):
        row = better.iloc[0]
        observations.append(
            f"Most favourable: {row['measure'].lower()} ({DIMENSIONS[row['dimension']].title}), {format_value(row['building'], row['unit'])} against {format_value(row['district'], row['unit'])} for the district."
        )
    counts = latest.groupby("dimension")["rank_group"].apply(lambda ranks: int((ranks == 0).sum()))
    observations.append(
        f"{building} is less favourable than the district on {int((latest['rank_group'] == 0).sum())} of the {int((latest['better'] != 'neutral').sum())} measures that have a better direction, "
        f"in {int((counts > 0).sum())} of the {len(chosen)} chosen dimensions"
        + (f"; most often in {DIMENSIONS[counts.idxmax()].title} ({counts.max()} measure{'s' if counts.max() != 1 else ''})." if counts.max() > 0 else ".")
    )
    without = [DIMENSIONS[key].title for key in chosen if key not in set(latest["dimension"])]
    unknown_total = sum(len(names) for names in unknown.values())
    catalogue_total = sum(len(DIMENSIONS[key].measures) for key in chosen)
    observations.append(
        f"{unknown_total} of the {catalogue_total} measures the diagnostic looks for in these dimensions are not in the review's data: we don't know them yet (listed under data we do not have)"
        + (f"; no data at all for {', '.join(without)}." if without else ".")
    )
    shown = pd.DataFrame(
        {
            "Dimension": [DIMENSIONS[key].title if key in DIMENSIONS else key for key in latest["dimension"]],
            "Measure": latest["measure"],
            "Year": latest["school_year"],
            building: [format_value(value, unit) for value, unit in zip(latest["building"], latest["unit"])],
            "District": [format_value(value, unit) for value, unit in zip(latest["district"], latest["unit"])],
            "Unit": latest["unit"],
            "Deviation (%)": latest["difference_percent"],
            "Spreads from district": [f"{value:.1f}" if pd.notna(value) else "" for value in latest["distance_in_spreads"]],
            "Standing": latest.apply(_standing, axis=1),
        }
    )
    table = pd.DataFrame(
        {
            "Dimension": shown["Dimension"],
            "Measure": latest["measure"],
            "School year": latest["school_year"],
            "Unit": latest["unit"],
            "Better": latest["better"],
            building: latest["building"].round(2),
            "District": latest["district"].round(2),
            "Deviation from district (%)": latest["difference_percent"],
            "Spread between buildings": latest["spread"].round(3),
            "Distance in spreads (positive: less favourable)": latest["gap_in_spreads"].round(2),
            "Standing": shown["Standing"],
            "Suppressed": latest["suppressed"],
        }
    )
    charted = latest[latest["distance_in_spreads"].notna()]
    draw = partial(summary_chart, charted, title=f"Where {building} stands furthest from the district") if len(charted) else None
    missing_lines = [f"{DIMENSIONS[key].title}: {name}" for key, names in unknown.items() for name in names]
    return DataObject(
        units=declare(
            text=["Dimension", "Measure", "Unit", "Better", "Standing", "Spreads from district"],
            code=["School year", "Year"],
            number=[building, "District", "Spread between buildings", "Distance in spreads (positive: less favourable)"],
            change=["Deviation from district (%)", "Deviation (%)"],
            flag=["Suppressed"],
        ),
        name="Diagnostic Summary Across Dimensions",
        table=table,
        display=shown,
        draw=draw,
        observations=observations,
        sources=_source_list(review, latest["source"]),
        filters=[f"the latest year of each measure; dimensions chosen: {', '.join(DIMENSIONS[key].title for key in chosen)}"],
        notes=[
            "Spreads: the building's distance from the district divided by the pupil-weighted standard deviation of the district's buildings on that measure, so measures in different units can be compared. Measures with no better direction (the make-up of the student body, building age) show the distance only.",
            STANDING_NOTE,
        ],
        missing=missing_lines,
    )


def data_objects(review: Review, building_code: str) -> list[DataObject]:
    """Every data object of review option 4 for one building: one per chosen dimension, then the summary."""
    measures = measure_table(review)
    objects = [dimension_data_object(review, building_code, key, measures) for key in chosen_dimensions(review)]
    return objects + [summary_data_object(review, building_code, measures)]
