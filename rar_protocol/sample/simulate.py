"""Simulating a plan: each table drawn from the seeded generator, then laid out as the canonical tables.

What reconciles, so that a finance officer checking the files finds no loose ends:

- building personnel dollars in ``expenditures`` (objects 1000 and 2000, not central) are the
  ``staff`` table's fte x average_salary, plus benefits at the year's rate;
- ``ledger`` actuals, summed by location, year, function and object, equal ``expenditures``
  (central costs sit at location 00000 in the ledger and are allocated per pupil in
  ``expenditures``); unrestricted general-fund lines carry fund_source ``state_local`` in the
  ledger and are split between state and local by the district's revenue share in
  ``expenditures``;
- ``strategies`` costs are sums of tagged ledger lines;
- ``outcomes`` "all" counts are the sum of the race groups (including the two not listed);
- race groups in ``enrollment`` sum to pupils.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rar_protocol.data import schema
from rar_protocol.sample.plan import (
    ABSENCE_BUMP,
    DISTRICT_YEARS,
    ESSER_FINAL_YEAR,
    ESSER_SHARE,
    GROUP_LOGIT,
    LATEST_YEAR,
    LEVELS,
    STRATEGY_MEASURES,
    TEACHER_TURNOVER_BUMP,
    UNTESTED_START_YEARS,
    YEAR_LOGIT,
    Plan,
    district_plan,
    state_plan,
)

# Published Michigan assessment files suppress groups of fewer than 10 students.
SUPPRESSION_THRESHOLD = 10
CENTRAL_LOCATION = "00000"
GENERAL_FUND = "11"
# An unrestricted general-fund line: the expenditure report splits it between state and local.
_GENERAL = "general"
SUBJECTS = ("ela", "math")
# Alphabetical, so that frames built in this order are sorted by their key.
OUTCOME_GROUPS = (
    "all",
    "asian",
    "black",
    "economically_disadvantaged",
    "english_learners",
    "hispanic",
    "students_with_disabilities",
    "two_or_more_races",
    "white",
)
# The tables each generator makes, in the order they are written; the district-only ones (ledger,
# strategies, indicators) draw from the generator after the simulation, in this order.
DISTRICT_TABLES = ("buildings", "enrollment", "designations", "expenditures", "ledger", "outcomes", "staff", "strategies", "indicators")
STATE_TABLES = ("buildings", "enrollment", "designations", "expenditures", "outcomes", "staff")


@dataclass
class _Role:
    """One staff role per building and year; FTE parts say who pays."""

    fte: np.ndarray
    novice_fte: np.ndarray
    effective_fte: np.ndarray
    average_years_experience: np.ndarray
    average_salary: np.ndarray


@dataclass(frozen=True)
class _Line:
    """One general-ledger account per building and year, its dollars as a (buildings, years) array."""

    function_code: str
    object_code: str
    fund_source: str  # federal, state, local, or _GENERAL (split between state and local)
    program: str | None
    amount: np.ndarray
    description: str
    central: bool = False
    strategy: str | None = None
    funding_type: str = "recurring"


@dataclass
class _Simulation:
    """Everything drawn for a set of buildings, before it is laid out as tables."""

    plan: Plan
    pupils: np.ndarray
    need_counts: dict[str, np.ndarray]
    race_counts: np.ndarray  # (buildings, years, races) in schema.RACE_GROUPS order
    roles: dict[str, _Role]
    interventionist_parts: dict[str, np.ndarray]
    lines: list[_Line]
    state_share: np.ndarray  # (buildings, years)
    title_one: np.ndarray  # (buildings,) bool
    tested: np.ndarray  # (buildings, years, subjects, groups)
    proficient: np.ndarray
    square_feet: np.ndarray
    capital_project: np.ndarray  # (buildings, years) ESSER ventilation and heating projects


# --------------------------------------------------------------------------- plans

# --------------------------------------------------------------------------- simulation


def _level_values(level: np.ndarray, attribute: str) -> np.ndarray:
    return np.array([getattr(LEVELS[item], attribute) for item in level])


def _by_year(mapping: dict[int, float], start_years: np.ndarray, default: float = 0.0) -> np.ndarray:
    return np.array([mapping.get(int(year), default) for year in start_years])


def _role(
    rng: np.random.Generator,
    fte: np.ndarray,
    novice_share: np.ndarray,
    experienced_years: np.ndarray,
    salary_start: float | np.ndarray,
    salary_step: float,
    pay_scale: np.ndarray,
    effective_share: np.ndarray | float = 0.92,
) -> _Role:
    """A role's FTE, novices and salary: novices are paid the first step, the others by experience."""
    shape = fte.shape
    fte = np.round(np.maximum(fte, 0), 1)
    novice_share = np.clip(novice_share + rng.normal(0, 0.02, shape), 0, 0.8)
    novice_fte = np.minimum(np.round(fte * novice_share, 1), fte)
    share = np.divide(novice_fte, fte, out=np.zeros(shape), where=fte > 0)
    experienced = np.maximum(experienced_years + rng.normal(0, 0.8, shape), 4)
    experience = share * 1.0 + (1 - share) * experienced
    salary = pay_scale * (share * salary_start + (1 - share) * (salary_start + salary_step * experienced))
    effective = np.minimum(np.round(fte * np.clip(effective_share + rng.normal(0, 0.02, shape), 0.5, 1.0), 1), fte)
    staffed = fte > 0
    return _Role(
        fte=fte,
        novice_fte=novice_fte,
        effective_fte=effective,
        average_years_experience=np.where(staffed, np.round(experience, 1), np.nan),
        average_salary=np.where(staffed, np.round(salary), np.nan),
    )


def _simulate(rng: np.random.Generator, plan: Plan) -> _Simulation:
    """Draw enrollment, staff, spending and results for every building and year of ``plan``."""
    count, count_years = len(plan.codes), len(plan.years)
    shape = (count, count_years)
    district = plan.district_index
    level = plan.level
    need = plan.need[:, None]
    start_years = plan.start_years
    year_index = np.arange(count_years)
    alternative = (level == "alternative")[:, None]
    identified = plan.designation != "none"

    # ---- enrollment
    low, high = _level_values(level, "pupils").T
    base_pupils = rng.uniform(low, high)
    trend = plan.district_enrollment_trend[district][:, None]
    pupils = base_pupils[:, None] * (1 + trend) ** year_index * np.exp(rng.normal(0, 0.015, shape))
    # Alternative schools stay small (60 to 90 pupils): their per-pupil cost is the top of the range.
    floor = np.where(level == "alternative", 60, 0.85 * low)[:, None]
    ceiling = np.where(level == "alternative", 90, 1.15 * high)[:, None]
    pupils = np.rint(np.clip(pupils, floor, ceiling)).astype(np.int64)

    # Shares drift slowly from year to year (cohorts move through), they do not jump.
    def drifting(base: np.ndarray, building_spread: float, yearly_step: float, minimum: float, maximum: float) -> np.ndarray:
        drift = np.cumsum(rng.normal(0, yearly_step, shape), axis=1)
        return np.clip(base + rng.normal(0, building_spread, (count, 1)) + drift - drift[:, :1], minimum, maximum)

    economically_disadvantaged_share = drifting(0.12 + 0.78 * need, 0.02, 0.01, 0.03, 0.97)
    disability_share = drifting(0.10 + 0.07 * need + 0.08 * alternative, 0.01, 0.004, 0.04, 0.4)
    learner_share = drifting((0.005 + 0.16 * need**1.5) * plan.district_english_learner_factor[district][:, None], 0.003, 0.002, 0, 0.6)
    economically_disadvantaged = np.rint(pupils * economically_disadvantaged_share).astype(np.int64)
    students_with_disabilities = np.rint(pupils * disability_share).astype(np.int64)
    english_learners = np.rint(pupils * learner_share).astype(np.int64)
    for building, fixed in plan.fixed_english_learners.items():
        english_learners[building] = fixed

    # Race shares (schema.RACE_GROUPS order); higher-need buildings are more often Black and Hispanic.
    race_weights = np.column_stack(
        [
            np.full(count, 0.006),
            (0.05 * (1 - plan.need) + 0.01),
            (0.03 + 0.40 * plan.need**1.3) * plan.district_black_factor[district],
            (0.04 + 0.16 * plan.need) * plan.district_hispanic_factor[district],
            np.full(count, 0.002),
            np.zeros(count),
            0.05 + 0.02 * plan.need,
        ]
    ) * np.exp(rng.normal(0, 0.15, (count, 7)))
    race_weights[:, 5] = np.maximum(1 - race_weights.sum(axis=1), 0.05)
    yearly = race_weights[:, None, :] * np.exp(rng.normal(0, 0.03, (*shape, 7)))
    race_counts = _apportion(pupils, yearly / yearly.sum(axis=2, keepdims=True))

    # ---- money drivers
    growth_noise = np.cumsum(rng.normal(0, 0.006, (len(plan.district_codes), count_years)), axis=1)
    growth = (1.029 ** (start_years - 2020))[None, :] * np.exp(growth_noise - growth_noise[:, :1])
    pay = (growth * plan.district_salary_scale[:, None])[district]  # (buildings, years)
    prices = growth[district]
    benefit_rate = np.broadcast_to(0.60 + 0.008 * (start_years - 2020), shape)
    state_share = plan.district_state_share[district]
    esser = np.broadcast_to(_by_year(ESSER_SHARE, start_years), shape)
    title_one = economically_disadvantaged_share.mean(axis=1) >= 0.40

    # ---- staff
    profile_ratio = _level_values(level, "pupils_per_teacher")[:, None]
    # Lower-need buildings keep more small electives and specials sections, so fewer pupils per teacher.
    general_teachers = pupils / (profile_ratio * (1 + 0.14 * (need - 0.4))) * np.exp(rng.normal(0, 0.03, shape))
    special_teachers = students_with_disabilities / 14
    teacher_novice = 0.07 + 0.36 * need**1.5
    roles: dict[str, _Role] = {}
    roles["teacher"] = _role(rng, general_teachers + special_teachers, teacher_novice, 16 - 6 * need, 41_500, 1_750, pay, 0.93 - 0.25 * teacher_novice)
    teacher_special_share = special_teachers / (general_teachers + special_teachers)

    is_elementary = np.isin(level, ("elementary", "k12"))[:, None]
    general_paras = np.where(is_elementary, pupils / 110, np.where(alternative, 0.5, 0.5 + pupils / 800))
    special_paras = students_with_disabilities / 13
    roles["paraprofessional"] = _role(rng, general_paras + special_paras, 0.15 + 0.15 * need, 7 - 2 * need, 26_500, 450, pay, 0.9)
    para_special_share = special_paras / (general_paras + special_paras)

    counselors = np.maximum(pupils / _level_values(level, "pupils_per_counselor")[:, None], 0.5)
    roles["counselor"] = _role(rng, counselors, 0.10 + 0.10 * need, 13 - 3 * need, 52_000, 1_350, pay)
    social_workers = pupils * (0.3 + need) / 600
    roles["social_worker"] = _role(rng, social_workers, 0.10 + 0.15 * need, 11 - 3 * need, 50_000, 1_300, pay)
    roles["nurse"] = _role(rng, np.broadcast_to(_level_values(level, "nurse_fte")[:, None], shape), np.full(shape, 0.05), np.full(shape, 12.0), 50_000, 1_000, pay)

    # Interventionists: Title I in schoolwide buildings, section 31a at-risk money elsewhere, ESSER on top.
    title_part = np.where(title_one[:, None], economically_disadvantaged / 140, 0.0)
    at_risk_part = np.where(title_one[:, None], economically_disadvantaged / 600, economically_disadvantaged / 260)
    esser_part = economically_disadvantaged * esser / 230
    interventionist_raw = title_part + at_risk_part + esser_part
    roles["interventionist"] = _role(rng, interventionist_raw, 0.25 + 0.2 * need, 8 - 3 * need, 41_500, 1_750, pay)
    parts_total = np.where(interventionist_raw > 0, interventionist_raw, 1.0)
    interventionist_parts = {name: roles["interventionist"].fte * part / parts_total for name, part in (("T1A", title_part), ("31A", at_risk_part), ("ESSER", esser_part))}

    # One coach in each identified building, half paid by Title II, half by ESSER while it lasted.
    roles["instructional_coach"] = _role(rng, identified.astype(float), np.zeros(shape), np.full(shape, 13.0), 41_500, 1_750, pay, 0.97)

    administrators = np.select(
        [level == "elementary", level == "middle", level == "high", level == "alternative"],
        [1.0 + 0.5 * (base_pupils > 480), 1.0 + np.round(base_pupils / 600 * 2) / 2, 1.0 + np.round(base_pupils / 450 * 2) / 2, np.full(count, 0.5)],
        1.0,
    )[:, None] * np.ones(shape)
    # Secondary principals are paid more than elementary ones.
    principal_start = 92_000 + np.select([level == "high", level == "middle"], [8_000.0, 4_000.0], 0.0)[:, None]
    roles["administrator"] = _role(rng, administrators, 0.08 + 0.2 * need, 14 - 6 * need, principal_start, 1_100, pay)

    # ---- spending lines
    lines: list[_Line] = []
    basic = _level_values(level, "basic_function")

    def personnel(function: str | np.ndarray, fund_source: str, program: str | None, role: str, fte: np.ndarray, description: str, **tags: str) -> None:
        salary = np.nan_to_num(roles[role].average_salary)
        salaries = np.round(fte * salary, 2)
        for code, amount in _by_function(function, salaries):
            lines.append(_Line(code, "1000", fund_source, program, amount, f"{description} salaries", **tags))
            lines.append(_Line(code, "2000", fund_source, program, np.round(amount * benefit_rate, 2), f"{description} benefits", **tags))

    def other(function: str | np.ndarray, object_code: str, fund_source: str, program: str | None, amount: np.ndarray, description: str, **tags: str) -> None:
        for code, part in _by_function(function, np.round(amount, 2)):
            lines.append(_Line(code, object_code, fund_source, program, part, description, **tags))

    teacher_fte = roles["teacher"].fte
    personnel(basic, _GENERAL, None, "teacher", teacher_fte * (1 - teacher_special_share), "General education teachers and paraprofessionals")
    para_fte = roles["paraprofessional"].fte
    personnel(basic, _GENERAL, None, "paraprofessional", para_fte * (1 - para_special_share), "General education teachers and paraprofessionals")

    # IDEA pays part of special-education staff; the general fund pays the rest.
    special_cost = teacher_fte * teacher_special_share * np.nan_to_num(roles["teacher"].average_salary) + para_fte * para_special_share * np.nan_to_num(roles["paraprofessional"].average_salary)
    idea_share = np.clip(np.divide(students_with_disabilities * 650 * prices, special_cost, out=np.zeros(shape), where=special_cost > 0), 0, 0.35)
    for fund_source, program, share in (("federal", "IDEA", idea_share), (_GENERAL, None, 1 - idea_share)):
        suffix = " (IDEA)" if program else ""
        personnel("122", fund_source, program, "teacher", teacher_fte * teacher_special_share * share, "Special education teachers and paraprofessionals" + suffix)
        personnel("122", fund_source, program, "paraprofessional", para_fte * para_special_share * share, "Special education teachers and paraprofessionals" + suffix)

    reading = is_elementary & np.ones(shape, dtype=bool)
    tier_two = "Tier 2 reading intervention"
    for program, fund_source, funding_type in (("T1A", "federal", "recurring"), ("31A", "state", "recurring"), ("ESSER", "federal", "one_time")):
        fte = interventionist_parts[program]
        label = {"T1A": "Title I interventionist", "31A": "At-risk (31a) interventionist", "ESSER": "ESSER interventionist"}[program]
        if program == "ESSER":
            personnel("125", fund_source, program, "interventionist", fte, label)
            continue
        # Elementary interventionists deliver the Tier 2 reading strategy; secondary ones do not.
        personnel("125", fund_source, program, "interventionist", fte * reading, label, strategy=tier_two, funding_type=funding_type)
        personnel("125", fund_source, program, "interventionist", fte * ~reading, label)

    coaching = "Instructional coaching"
    coach_fte = roles["instructional_coach"].fte
    esser_years = esser > 0
    personnel("221", "federal", "T2A", "instructional_coach", coach_fte * 0.5, "Instructional coach (Title II)", strategy=coaching)
    personnel("221", "federal", "ESSER", "instructional_coach", coach_fte * 0.5 * esser_years, "Instructional coach (ESSER)", strategy=coaching, funding_type="one_time")
    # After ESSER the district kept its coaches with local money: the "ESSER cliff" decision.
    personnel("221", "local", None, "instructional_coach", coach_fte * 0.5 * ~esser_years, "Instructional coach (local)", strategy=coaching)

    counselor_fte = roles["counselor"].fte
    personnel("212", _GENERAL, None, "counselor", counselor_fte, "Counselor")
    social_fte = roles["social_worker"].fte
    at_risk_social = np.minimum(0.6, need) * np.ones(shape)
    personnel("216", "state", "31A", "social_worker", social_fte * at_risk_social, "Social worker (31a)")
    personnel("216", _GENERAL, None, "social_worker", social_fte * (1 - at_risk_social), "Social worker")
    personnel("213", _GENERAL, None, "nurse", roles["nurse"].fte, "Nurse")
    personnel("241", _GENERAL, None, "administrator", roles["administrator"].fte, "Principal and assistant principal")

    def noise() -> np.ndarray:
        """Building-year scatter of a few percent, so that no two buildings look machine-made."""
        return np.exp(rng.normal(0, 0.04, shape))

    other(basic, "4000", _GENERAL, None, 210 * pupils * prices * noise(), "Instructional supplies and materials")
    other(basic, "3000", _GENERAL, None, 90 * pupils * prices * noise(), "Instructional purchased services")
    other(basic, "5000", _GENERAL, None, 12 * pupils * prices * noise(), "Classroom equipment")
    other(basic, "4000", "federal", "ESSER", esser * (70 * pupils + 120 * economically_disadvantaged) * prices * noise() * (start_years <= 2021), "Student devices and curriculum (ESSER)")
    other("122", "3000", _GENERAL, None, 1_150 * students_with_disabilities * prices * noise(), "Contracted special education services")
    title_one_grid = title_one[:, None] & np.ones(shape, dtype=bool)
    other("125", "4000", "federal", "T1A", 40 * economically_disadvantaged * prices * noise() * title_one_grid, "Title I supplemental materials")
    other("125", "3000", "federal", "T1A", 12 * economically_disadvantaged * prices * noise() * title_one_grid, "Title I family engagement")
    other("125", "3000", "state", "31A", np.where(title_one_grid, 30, 70) * economically_disadvantaged * prices * noise(), "At-risk (31a) tutoring services")
    other("125", "3000", "federal", "T3A", 130 * english_learners * prices * noise(), "Title III English learner services")

    # Extended learning: ESSER paid a community partner; the district kept it locally in identified buildings.
    extended = "Extended learning time"
    extended_learning = esser * 260 * economically_disadvantaged * prices * noise()
    # Only the Title I buildings ran it as the MICIP strategy; elsewhere ESSER bought tutoring hours.
    other("125", "3000", "federal", "ESSER", extended_learning * title_one_grid, "Extended learning and tutoring (ESSER)", strategy=extended, funding_type="one_time")
    other("125", "3000", "federal", "ESSER", extended_learning * ~title_one_grid, "Extended learning and tutoring (ESSER)")
    kept = identified & ~esser_years & (start_years > 2021)
    other("125", "3000", "local", None, kept * 90 * economically_disadvantaged * prices * noise(), "Extended learning (local)", strategy=extended)

    mentoring = "Attendance mentoring"
    secondary = np.isin(level, ("middle", "high", "alternative", "k12"))[:, None]
    mentored = secondary & (identified | alternative) & (start_years >= start_years[-1] - 2)
    other("211", "3000", "state", "31A", mentored * 90 * economically_disadvantaged * prices * noise(), "Attendance mentoring (31a)", strategy=mentoring)
    other("211", "3000", "local", None, mentored * 12 * pupils * prices * noise(), "Attendance mentoring (local)", strategy=mentoring)

    other("212", "4000", _GENERAL, None, 6 * pupils * prices * noise(), "Guidance supplies")
    other("221", "3000", "federal", "T2A", 20 * pupils * prices * noise(), "Professional learning (Title II)")
    other("221", "3000", "federal", "ESSER", esser * 60 * pupils * prices * noise(), "Professional learning (ESSER)")
    other("241", "3000", _GENERAL, None, (8_000 + 25 * pupils) * prices * noise(), "School office services")
    other("241", "4000", _GENERAL, None, (3_000 + 12 * pupils) * prices * noise(), "School office supplies")

    # Buildings cost to run by their size, not their enrollment: small schools pay more per pupil.
    square_feet = np.round(base_pupils * _level_values(level, "square_feet_per_pupil") * rng.uniform(0.9, 1.2, count), -2)
    other("261", "3000", _GENERAL, None, 3.4 * square_feet[:, None] * prices * noise(), "Custodial contract and utilities")
    other("261", "4000", _GENERAL, None, 0.35 * square_feet[:, None] * prices * noise(), "Building supplies")
    # ESSER paid ventilation and heating work in a few buildings, once (two in the demo district).
    capital_project = np.zeros(shape, dtype=bool)
    esser_columns = np.flatnonzero(esser[0] >= 0.8)
    if len(esser_columns):
        chosen = rng.random(count) < 0.15
        if len(plan.district_codes) == 1:
            regular = np.flatnonzero(level != "alternative")
            chosen = np.isin(np.arange(count), rng.choice(regular, size=min(2, len(regular)), replace=False))
        capital_project[chosen, rng.choice(esser_columns, size=count)[chosen]] = True
    other("261", "5000", "federal", "ESSER", capital_project * 5.0 * square_feet[:, None] * prices, "Ventilation and heating upgrade (ESSER)")

    # District costs allocated to buildings per pupil (flat), as the expenditure report does.
    for function, object_code, rate, description in (
        ("231", "1000", 128, "Superintendent's office salaries"),
        ("231", "2000", 128 * 0.6, "Superintendent's office benefits"),
        ("231", "3000", 61, "Legal, audit and board services"),
        ("252", "1000", 74, "Business office salaries"),
        ("252", "2000", 74 * 0.6, "Business office benefits"),
        ("252", "3000", 20, "Business office services"),
        ("281", "1000", 162, "Central technology and human resources salaries"),
        ("281", "2000", 162 * 0.6, "Central technology and human resources benefits"),
        ("281", "3000", 81, "Central technology services"),
        ("281", "4000", 54, "Central technology supplies"),
        ("271", "1000", 202, "Bus driver salaries"),
        ("271", "2000", 202 * 0.6, "Bus driver benefits"),
        ("271", "3000", 81, "Contracted transportation"),
        ("271", "4000", 74, "Fuel and bus parts"),
    ):
        # One district-wide rate per year: the allocation is flat per pupil.
        district_rate = rate * growth * np.exp(rng.normal(0, 0.03, growth.shape))
        lines.append(_Line(function, object_code, _GENERAL, None, np.round(district_rate[district] * pupils, 2), description, central=True))

    # ---- outcomes
    groups = len(OUTCOME_GROUPS)
    counts = {
        "economically_disadvantaged": economically_disadvantaged,
        "students_with_disabilities": students_with_disabilities,
        "english_learners": english_learners,
    }
    race_index = {race: index for index, race in enumerate(schema.RACE_GROUPS)}
    tested_share = _level_values(level, "tested_share")[:, None] * np.where(alternative, 0.85, 0.97)
    building_effect = rng.normal(0, 0.2, (count, 1))
    tested = np.zeros((count, count_years, len(SUBJECTS), groups))
    proficient = np.zeros_like(tested)
    for subject_index, subject in enumerate(SUBJECTS):
        base = _level_values(level, f"{subject}_logit")[:, None]
        logit = base + _by_year(YEAR_LOGIT, start_years)[None, :] - 2.6 * (need - 0.4) + building_effect + rng.normal(0, 0.08, shape)
        race_tested = rng.binomial(race_counts, tested_share[:, :, None])
        race_offsets = np.array([GROUP_LOGIT[race] for race in schema.RACE_GROUPS])
        race_proficient = rng.binomial(race_tested, _expit(logit[:, :, None] + race_offsets))
        everyone = race_tested.sum(axis=2)
        for group_index, group in enumerate(OUTCOME_GROUPS):
            if group == "all":
                tested[:, :, subject_index, group_index] = everyone
                proficient[:, :, subject_index, group_index] = race_proficient.sum(axis=2)
            elif group in race_index:
                tested[:, :, subject_index, group_index] = race_tested[:, :, race_index[group]]
                proficient[:, :, subject_index, group_index] = race_proficient[:, :, race_index[group]]
            else:
                group_tested = np.minimum(rng.binomial(counts[group], tested_share), everyone)
                tested[:, :, subject_index, group_index] = group_tested
                drawn = rng.binomial(group_tested, _expit(logit + GROUP_LOGIT[group]))
                # A group is part of all students: its proficient count must fit inside theirs.
                everyone_proficient = race_proficient.sum(axis=2)
                lowest = np.maximum(everyone_proficient - (everyone - group_tested), 0)
                proficient[:, :, subject_index, group_index] = np.clip(drawn, lowest, np.minimum(everyone_proficient, group_tested))

    return _Simulation(
        plan=plan,
        pupils=pupils,
        need_counts=counts,
        race_counts=race_counts,
        roles=roles,
        interventionist_parts=interventionist_parts,
        lines=lines,
        state_share=state_share,
        title_one=title_one,
        tested=tested,
        proficient=proficient,
        square_feet=square_feet,
        capital_project=capital_project,
    )


def _apportion(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Whole counts over the last axis that sum exactly to ``totals`` (largest remainders)."""
    exact = totals[..., None] * shares
    counts = np.floor(exact).astype(np.int64)
    short = totals - counts.sum(axis=-1)
    order = np.argsort(-(exact - counts), axis=-1, kind="stable").argsort(axis=-1, kind="stable")
    return counts + (order < short[..., None])


def _expit(value: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-value))


def _by_function(function: str | np.ndarray, amount: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Split an amount whose function code differs by building (the basic-program code) into one line per code."""
    if isinstance(function, str):
        return [(function, amount)]
    return [(code, np.where((function == code)[:, None], amount, 0.0)) for code in sorted(set(function))]


# --------------------------------------------------------------------------- tables


def _grid(simulation: _Simulation) -> tuple[np.ndarray, np.ndarray]:
    """Building codes and school years for every (building, year) cell, building-major."""
    plan = simulation.plan
    count_years = len(plan.years)
    return np.repeat(plan.codes, count_years), np.tile(np.array(plan.years, dtype=object), len(plan.codes))


def _text(values: Sequence[object] | np.ndarray) -> pd.Series:
    return pd.Series(values, dtype="str")


def _buildings_frame(plan: Plan) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "district_code": _text(np.array(plan.district_codes, dtype=object)[plan.district_index]),
            "district_name": _text(np.array(plan.district_names, dtype=object)[plan.district_index]),
            "building_code": _text(plan.codes),
            "building_name": _text(plan.names),
            "level": _text(plan.level),
            "grade_span": _text(_level_values(plan.level, "grade_span")),
            # Fictional buildings have no NCES id; the column stays empty rather than invented.
            "nces_id": pd.Series([None] * len(plan.codes), dtype="str"),
        }
    )


def _enrollment_frame(simulation: _Simulation) -> pd.DataFrame:
    building_codes, school_years = _grid(simulation)
    frame = pd.DataFrame({"building_code": _text(building_codes), "school_year": _text(school_years), "pupils": simulation.pupils.ravel().astype(float)})
    for group in schema.NEED_GROUPS:
        frame[group] = simulation.need_counts[group].ravel().astype(float)
    for index, group in enumerate(schema.RACE_GROUPS):
        frame[group] = simulation.race_counts[:, :, index].ravel().astype(float)
    return frame


def _designations_frame(simulation: _Simulation) -> pd.DataFrame:
    building_codes, school_years = _grid(simulation)
    return pd.DataFrame({"building_code": _text(building_codes), "school_year": _text(school_years), "designation": _text(simulation.plan.designation.ravel()), "note": None})


def _expenditure_accounts(simulation: _Simulation) -> dict[tuple[str, str, str, str, bool], np.ndarray]:
    """Dollars per expenditure key, general-fund lines split into state and local by revenue share."""
    accounts: dict[tuple[str, str, str, str, bool], np.ndarray] = defaultdict(lambda: np.zeros(simulation.pupils.shape))
    for line in simulation.lines:
        category = "personnel" if line.object_code in ("1000", "2000") else "non_personnel"
        if line.fund_source == _GENERAL:
            state = np.round(line.amount * simulation.state_share, 2)
            parts = (("state", state), ("local", line.amount - state))
        else:
            parts = ((line.fund_source, line.amount),)
        for fund_source, amount in parts:
            accounts[(fund_source, category, line.function_code, line.object_code, line.central)] += amount
    return accounts


def _expenditures_frame(simulation: _Simulation) -> pd.DataFrame:
    accounts = _expenditure_accounts(simulation)
    keys = sorted(accounts)
    amounts = np.round(np.stack([accounts[key] for key in keys], axis=-1), 2)  # (buildings, years, keys)
    cells = amounts.shape[0] * amounts.shape[1]
    flat = amounts.reshape(cells * len(keys))
    keep = np.abs(flat) >= 0.005
    building_codes, school_years = _grid(simulation)
    key_array = np.array(keys, dtype=object)
    columns = {
        "building_code": np.repeat(building_codes, len(keys))[keep],
        "school_year": np.repeat(school_years, len(keys))[keep],
    }
    for index, name in enumerate(("fund_source", "category", "function_code", "object_code")):
        columns[name] = np.tile(key_array[:, index], cells)[keep]
    frame = pd.DataFrame({name: _text(values) for name, values in columns.items()})
    frame["central"] = np.tile(key_array[:, 4].astype(bool), cells)[keep]
    frame["amount"] = flat[keep]
    return frame


def _staff_frame(simulation: _Simulation) -> pd.DataFrame:
    building_codes, school_years = _grid(simulation)
    roles = sorted(simulation.roles)

    def stacked(attribute: str) -> np.ndarray:
        return np.stack([getattr(simulation.roles[role], attribute) for role in roles], axis=-1).ravel()

    frame = pd.DataFrame(
        {
            "building_code": _text(np.repeat(building_codes, len(roles))),
            "school_year": _text(np.repeat(school_years, len(roles))),
            "role": _text(np.tile(np.array(roles, dtype=object), len(building_codes))),
        }
    )
    for attribute in ("fte", "novice_fte", "effective_fte", "average_years_experience", "average_salary"):
        frame[attribute] = stacked(attribute).astype(float)
    return frame


def _outcomes_frame(simulation: _Simulation) -> pd.DataFrame:
    building_codes, school_years = _grid(simulation)
    per_cell = len(SUBJECTS) * len(OUTCOME_GROUPS)
    tested = simulation.tested.ravel()
    proficient = simulation.proficient.ravel()
    suppressed = tested < SUPPRESSION_THRESHOLD
    frame = pd.DataFrame(
        {
            "building_code": _text(np.repeat(building_codes, per_cell)),
            "school_year": _text(np.repeat(school_years, per_cell)),
            "subject": _text(np.tile(np.repeat(np.array(SUBJECTS, dtype=object), len(OUTCOME_GROUPS)), len(building_codes))),
            "student_group": _text(np.tile(np.array(OUTCOME_GROUPS, dtype=object), len(building_codes) * len(SUBJECTS))),
            # Published files blank small groups; they are kept as suppressed, never as zero.
            "tested": np.where(suppressed, np.nan, tested),
            "proficient": np.where(suppressed, np.nan, proficient),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["percent_proficient"] = np.round(100 * frame["proficient"] / frame["tested"], 1)
    frame["suppressed"] = suppressed
    untested = np.isin([int(year[:4]) for year in frame["school_year"]], list(UNTESTED_START_YEARS))
    return frame[~untested].reset_index(drop=True)


# --------------------------------------------------------------------------- district-only tables


def _ledger_frame(rng: np.random.Generator, simulation: _Simulation) -> pd.DataFrame:
    """General-ledger lines: building lines at their location, central costs at the district location."""
    building_codes, school_years = _grid(simulation)
    pieces = []
    for line in simulation.lines:
        amount = line.amount.ravel()
        keep = np.abs(amount) >= 0.005
        if not keep.any():
            continue
        pieces.append(
            pd.DataFrame(
                {
                    "school_year": school_years[keep],
                    "fund": GENERAL_FUND,
                    "function_code": line.function_code,
                    "object_code": line.object_code,
                    "location": CENTRAL_LOCATION if line.central else building_codes[keep],
                    "program": line.program if line.program else "",
                    "fund_source": "state_local" if line.fund_source == _GENERAL else line.fund_source,
                    "description": line.description,
                    "actual": amount[keep],
                }
            )
        )
    keys = ["school_year", "fund", "location", "function_code", "object_code", "program", "fund_source"]
    ledger = pd.concat(pieces, ignore_index=True).groupby(keys, as_index=False, sort=True).agg(description=("description", _joined), actual=("actual", "sum"))
    ledger["actual"] = ledger["actual"].round(2)
    ledger["grant_final_year"] = [_grant_final_year(program, year) for program, year in zip(ledger["program"], ledger["school_year"])]

    # Budgets: the general fund lands close to its budget; grants run under it. ESSER's last year
    # leaves money unspent that then lapses, as does at-risk money not spent in its year.
    lines = len(ledger)
    program = ledger["program"].to_numpy()
    final_year = ledger["school_year"].to_numpy() == ledger["grant_final_year"].to_numpy()
    underspent = np.select(
        [program == "ESSER", np.isin(program, ("T1A", "T2A", "T3A", "IDEA")), program == "31A"],
        [np.where(final_year, rng.uniform(0.04, 0.18, lines), rng.uniform(0.15, 0.35, lines)), rng.uniform(0.0, 0.12, lines), rng.uniform(0.0, 0.06, lines)],
        0.0,
    )
    general_variance = np.where(program == "", rng.normal(0.015, 0.02, lines), 0.0)
    budget = ledger["actual"] / (1 - underspent) * (1 + general_variance)
    # Budgets are set in round hundreds, except for small lines that would round to nothing.
    ledger["budget"] = np.where(budget >= 5_000, np.round(budget, -2), np.round(budget))
    ledger["program"] = ledger["program"].replace("", None)
    ledger = ledger[[column.name for column in schema.LEDGER.columns]]
    for column in ("school_year", "fund", "function_code", "object_code", "location", "program", "fund_source", "description", "grant_final_year"):
        ledger[column] = ledger[column].astype("str")
    return ledger


def _joined(descriptions: pd.Series) -> str:
    """One account's description: the distinct descriptions of the lines booked to it."""
    return "; ".join(dict.fromkeys(descriptions))


def _grant_final_year(program: str, school_year: str) -> str | None:
    """Last school year a line's money may be spent: federal formula grants carry over one year."""
    if program == "ESSER":
        return ESSER_FINAL_YEAR
    if program in ("T1A", "T2A", "T3A", "IDEA"):
        start = int(school_year[:4]) + 1
        return f"{start}-{(start + 1) % 100:02d}"
    if program == "31A":
        return school_year
    return None


def _strategies_frame(rng: np.random.Generator, simulation: _Simulation) -> pd.DataFrame:
    """Strategy costs from the tagged spending lines, with participants and outcomes per building and year."""
    plan = simulation.plan
    costs: dict[tuple[str, int, int, str, str], float] = defaultdict(float)
    for line in simulation.lines:
        if line.strategy is None:
            continue
        for building, year in zip(*np.nonzero(np.abs(line.amount) >= 0.005)):
            costs[(line.strategy, int(building), int(year), line.fund_source, line.funding_type)] += float(line.amount[building, year])
    interventionists = simulation.interventionist_parts["T1A"] + simulation.interventionist_parts["31A"]
    shares = {
        "Tier 2 reading intervention": None,
        "Instructional coaching": (0.55, 0.7),
        "Extended learning time": (0.12, 0.2),
        "Attendance mentoring": (0.06, 0.1),
    }
    # Participants and outcomes describe the strategy in a building and year; they repeat on each
    # fund-source row of that building and year (do not add them up across rows).
    served: dict[tuple[str, int, int], tuple[float, float, float]] = {}
    rows = []
    for strategy, building, year, fund_source, funding_type in sorted(costs, key=lambda key: (key[0], plan.codes[key[1]], key[2], key[3], key[4])):
        cell = (strategy, building, year)
        if cell not in served:
            share = shares[strategy]
            pupils = simulation.pupils[building, year]
            if share is None:
                # About 40 pupils on each interventionist's caseload.
                participants = min(round(interventionists[building, year] * 40), round(pupils * 0.3))
            else:
                participants = round(pupils * rng.uniform(*share))
            _, participant_range, nonparticipant_range = STRATEGY_MEASURES[strategy]
            served[cell] = (float(participants), round(rng.uniform(*participant_range), 1), round(rng.uniform(*nonparticipant_range), 1))
        participants, participant_outcome, nonparticipant_outcome = served[cell]
        rows.append(
            {
                "strategy": strategy,
                "building_code": plan.codes[building],
                "school_year": plan.years[year],
                "fund_source": fund_source,
                "funding_type": funding_type,
                "cost": round(costs[(strategy, building, year, fund_source, funding_type)], 2),
                "participants": participants,
                "outcome_measure": STRATEGY_MEASURES[strategy][0],
                "participant_outcome": participant_outcome,
                "nonparticipant_outcome": nonparticipant_outcome,
            }
        )
    frame = pd.DataFrame(rows, columns=[column.name for column in schema.STRATEGIES.columns])
    for column in ("strategy", "building_code", "school_year", "fund_source", "funding_type", "outcome_measure"):
        frame[column] = frame[column].astype("str")
    return frame


def _indicators_frame(rng: np.random.Generator, simulation: _Simulation) -> pd.DataFrame:
    """Diagnostic measures that the other tables cannot give: climate, content, time, facilities."""
    plan = simulation.plan
    count, count_years = simulation.pupils.shape
    shape = (count, count_years)
    need = plan.need[:, None]
    level = plan.level
    start_years = plan.start_years
    pupils = simulation.pupils.astype(float)
    alternative = (level == "alternative")[:, None]
    high = np.isin(level, ("high", "alternative"))[:, None]
    elementary = (level == "elementary")[:, None]
    every = np.ones(shape, dtype=bool)
    rows: list[tuple[str, str, np.ndarray, str, str, np.ndarray | None, np.ndarray]] = []

    absence = 10 + 28 * need + _by_year(ABSENCE_BUMP, start_years)[None, :] + 20 * alternative + rng.normal(0, 1.5, shape)
    rows.append(("school_climate", "chronic absence rate", np.round(np.clip(absence, 2, 90), 1), "percent", "lower", pupils, every))
    level_factor = np.select([level == "elementary", level == "middle", level == "high", level == "alternative"], [0.5, 1.3, 1.1, 1.6], 1.0)[:, None]
    suspensions = 2 + 14 * need * level_factor + rng.normal(0, 0.8, shape)
    rows.append(("school_climate", "suspensions per 100 students", np.round(np.clip(suspensions, 0, None), 1), "per 100 students", "lower", pupils, every))

    advanced = np.where(alternative, rng.uniform(2, 6, shape), 30 - 22 * need + rng.normal(0, 2, shape))
    rows.append(
        ("rigorous_content", "advanced course enrollment (AP, IB, dual enrollment)", np.round(np.clip(advanced, 0, 100), 1), "percent of grades 11-12", "higher", np.round(pupils / 2), high & every)
    )
    arts = (
        np.select(
            [level == "elementary", level == "middle", level == "high"],
            [2.0 - np.round(plan.need), 6.0 - np.round(2 * plan.need), 16.0 - np.round(7 * plan.need)],
            1.0,
        )[:, None]
        * every
    )
    rows.append(("rigorous_content", "arts and music courses offered", arts, "courses", "higher", None, every))

    teacher = simulation.roles["teacher"].fte
    general_teachers = np.maximum(teacher - simulation.need_counts["students_with_disabilities"] / 14, 1)
    class_size = pupils / general_teachers * _level_values(level, "class_size_factor")[:, None]
    rows.append(("instructional_time", "average class size", np.round(class_size, 1), "students", "lower", None, every))

    classrooms = np.round(2.5 * plan.need)[:, None] + ((start_years >= 2023)[None, :] & (plan.need[:, None] > 0.3))
    rows.append(("early_learning", "pre-K seats (GSRP and Head Start)", 18.0 * classrooms, "seats", "higher", None, elementary & every))

    built = rng.integers(1956, 2004, count)
    built[level == "alternative"] = 1938
    age = start_years[None, :] - built[:, None]
    condition = 5 + 0.4 * age + 1.2 * np.arange(count_years)[None, :] + rng.normal(0, 3, (count, 1)) + rng.normal(0, 0.4, shape)
    # The ESSER ventilation and heating work lowers the condition index from that year on.
    condition -= 8 * np.cumsum(simulation.capital_project, axis=1)
    rows.append(("facilities", "facility condition index", np.round(np.clip(condition, 1, 95), 1), "percent", "lower", None, every))
    rows.append(("facilities", "building age", age.astype(float), "years", "neutral", None, every))
    devices = np.where(start_years[None, :] >= 2020, 1.0 + rng.normal(0.04, 0.03, shape), 0.5 + rng.normal(0, 0.05, shape))
    rows.append(("facilities", "devices per student", np.round(devices, 2), "devices per student", "higher", None, every))

    tenure = np.zeros(shape)
    tenure[:, 0] = rng.integers(1, 12, count)
    for year in range(1, count_years):
        # Principals turn over more often in high-need buildings.
        turnover = rng.random(count) < 0.08 + 0.3 * plan.need
        tenure[:, year] = np.where(turnover, 1, tenure[:, year - 1] + 1)
    rows.append(("school_leadership", "principal years in building", tenure, "years", "higher", None, every))
    turnover_rate = 8 + 22 * need + _by_year(TEACHER_TURNOVER_BUMP, start_years)[None, :] + rng.normal(0, 2, shape)
    rows.append(("teaching_quality", "teacher turnover rate", np.round(np.clip(turnover_rate, 0, 100), 1), "percent", "lower", None, every))

    building_codes, school_years = _grid(simulation)
    pieces = []
    for dimension, indicator, value, unit, better, students, applies in rows:
        keep = applies.ravel()
        pieces.append(
            pd.DataFrame(
                {
                    "building_code": building_codes[keep],
                    "school_year": school_years[keep],
                    "dimension": dimension,
                    "indicator": indicator,
                    "value": value.ravel()[keep].astype(float),
                    "unit": unit,
                    "better": better,
                    "students": np.nan if students is None else students.ravel()[keep],
                }
            )
        )
    frame = pd.concat(pieces, ignore_index=True).sort_values(["building_code", "school_year", "dimension", "indicator"], ignore_index=True)
    for column in ("building_code", "school_year", "dimension", "indicator", "unit", "better"):
        frame[column] = frame[column].astype("str")
    frame["students"] = frame["students"].astype(float)
    return frame


def _tables(rng: np.random.Generator, simulation: _Simulation, names: Sequence[str]) -> dict[str, pd.DataFrame]:
    """The named tables of a simulation, made in the order named (the order those drawing from ``rng`` draw in)."""
    makers: dict[str, Callable[[], pd.DataFrame]] = {
        "buildings": lambda: _buildings_frame(simulation.plan),
        "enrollment": lambda: _enrollment_frame(simulation),
        "designations": lambda: _designations_frame(simulation),
        "expenditures": lambda: _expenditures_frame(simulation),
        "ledger": lambda: _ledger_frame(rng, simulation),
        "outcomes": lambda: _outcomes_frame(simulation),
        "staff": lambda: _staff_frame(simulation),
        "strategies": lambda: _strategies_frame(rng, simulation),
        "indicators": lambda: _indicators_frame(rng, simulation),
    }
    return {name: makers[name]() for name in names}


# --------------------------------------------------------------------------- public API


def generate_district(
    *,
    buildings: int = 12,
    years: Sequence[str] = DISTRICT_YEARS,
    seed: int = 2024,
    district_code: str = "99901",
    district_name: str = "Lakeshore Example Public Schools (fictional)",
) -> dict[str, pd.DataFrame]:
    """The fictional demo district: one DataFrame per canonical table, sorted by its key.

    ``buildings`` (at least 6) keeps the mix: mostly elementaries, middle and high schools, one
    small alternative high school; two CSI and two ATS/TSI buildings in the latest years.
    """
    if buildings < 6:
        raise ValueError("the sample district needs at least 6 buildings (2 CSI, 2 ATS/TSI and others to compare)")
    years = tuple(sorted(years))
    rng = np.random.default_rng(seed)
    plan = district_plan(rng, buildings, years, district_code, district_name)
    simulation = _simulate(rng, plan)
    return _tables(rng, simulation, DISTRICT_TABLES)


def generate_state(*, buildings: int = 3500, years: int = 8, seed: int = 7) -> dict[str, pd.DataFrame]:
    """A statewide-size fictional set for benchmarks: many districts, the six tables a review needs most.

    ``years`` counts back from 2024-25. Spring 2020 had no assessments, so outcomes skip 2019-20.
    """
    if not 1 <= buildings <= 9_999:
        raise ValueError("buildings must be between 1 and 9,999 (five-digit building codes starting with 9)")
    if years < 1:
        raise ValueError("years must be at least 1")
    last = int(LATEST_YEAR[:4])
    school_years = tuple(f"{start}-{(start + 1) % 100:02d}" for start in range(last - years + 1, last + 1))
    rng = np.random.default_rng(seed)
    plan = state_plan(rng, buildings, school_years)
    simulation = _simulate(rng, plan)
    return _tables(rng, simulation, STATE_TABLES)
