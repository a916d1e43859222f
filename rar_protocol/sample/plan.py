"""The fictional districts' plan: their buildings, levels, identifications, and the generator's parameters.

A plan is drawn from the seeded generator before anything is simulated: how many buildings of
which level, their names and codes, how needy each is, which are identified (CSI, ATS, TSI) in
which years, and each district's money and population factors. The tables of effects below (by
student group, by year, of the pandemic and of ESSER) are the parameters the simulation applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

DISTRICT_YEARS = ("2020-21", "2021-22", "2022-23", "2023-24", "2024-25")
LATEST_YEAR = "2024-25"
# Grants whose unspent dollars lapse at the end of a fixed school year.
ESSER_FINAL_YEAR = "2023-24"

# Proficiency gaps on the logit scale, relative to the building's all-students level.
GROUP_LOGIT = {
    "economically_disadvantaged": -0.35,
    "students_with_disabilities": -1.4,
    "english_learners": -0.8,
    "american_indian": -0.35,
    "asian": 0.55,
    "black": -0.6,
    "hispanic": -0.3,
    "native_hawaiian": -0.2,
    "white": 0.15,
    "two_or_more_races": -0.1,
}
# Year effects on proficiency (logit): the pandemic dip and the slow recovery.
YEAR_LOGIT = {2017: 0.05, 2018: 0.05, 2020: -0.3, 2021: -0.15, 2022: -0.08, 2023: -0.05, 2024: -0.03}
# Michigan gave no state assessments in spring 2020.
UNTESTED_START_YEARS = {2019}
# Share of a full year's ESSER spending by school year (the money arrived 2020 and ended 2024).
ESSER_SHARE = {2019: 0.05, 2020: 0.35, 2021: 0.8, 2022: 1.0, 2023: 0.85}
# Chronic absence rose sharply after the pandemic and is coming down slowly.
ABSENCE_BUMP = {2019: 2.0, 2020: 8.0, 2021: 14.0, 2022: 10.0, 2023: 7.0, 2024: 5.0}
TEACHER_TURNOVER_BUMP = {2021: 4.0, 2022: 5.0, 2023: 2.0}


@dataclass(frozen=True)
class LevelProfile:
    """What differs between school levels."""

    pupils: tuple[int, int]
    grade_span: str
    basic_function: str
    pupils_per_teacher: float  # general-education teachers, specials included
    class_size_factor: float  # class size over the pupil:teacher ratio (planning periods, specials)
    tested_share: float  # pupils in tested grades (3-8 and 11)
    pupils_per_counselor: float
    nurse_fte: float
    square_feet_per_pupil: float
    ela_logit: float
    math_logit: float
    name_suffix: str


LEVELS = {
    "elementary": LevelProfile((300, 550), "K-5", "111", 19.5, 1.12, 0.5, 600, 0.2, 140, 0.05, -0.10, "Elementary"),
    "middle": LevelProfile((500, 800), "6-8", "112", 20.5, 1.2, 1.0, 380, 0.4, 150, -0.15, -0.65, "Middle School"),
    "high": LevelProfile((900, 1500), "9-12", "113", 20.5, 1.2, 0.25, 320, 0.6, 165, 0.10, -0.85, "High School"),
    "alternative": LevelProfile((72, 88), "9-12", "113", 18.5, 1.0, 0.25, 150, 0.1, 170, -1.3, -2.2, "Alternative High School"),
    "k12": LevelProfile((150, 600), "K-12", "111", 19.0, 1.12, 0.5, 450, 0.3, 150, 0.0, -0.4, "Academy"),
}

_ELEMENTARY_NAMES = (
    "Birchwood",
    "Cedar Ridge",
    "Maple Grove",
    "Willow Creek",
    "Aspen Hollow",
    "Juniper",
    "Tamarack",
    "Sycamore Trail",
    "Hemlock Park",
    "Sassafras",
    "Red Pine",
    "Beechnut",
    "Cottonwood",
    "Dogwood",
    "Foxglove",
    "Goldenrod",
    "Hawthorn",
    "Lilac Lane",
    "Meadowlark",
    "Orchard Hill",
    "Prairie View",
    "Sandpiper",
    "Thistle Field",
    "Trillium",
)
_MIDDLE_NAMES = ("Harbor Light", "Dune Ridge", "Pinecrest", "Stonebridge", "Riverbend", "Lighthouse")
_HIGH_NAMES = ("Lakeshore", "North Shore", "Bayview", "Southport", "Eastbrook", "Westwind")
_ALTERNATIVE_NAMES = ("Horizon", "Beacon", "Compass")
_TOWN_FIRST = (
    "Birch",
    "Cedar",
    "Maple",
    "Willow",
    "Aspen",
    "Pine",
    "Oak",
    "Elm",
    "Hickory",
    "Walnut",
    "Cherry",
    "Spruce",
    "Heron",
    "Loon",
    "Otter",
    "Fox",
    "Deer",
    "Eagle",
    "Hawk",
    "Crane",
    "Sand",
    "Stone",
    "Iron",
    "Copper",
)
_TOWN_SECOND = (
    " Harbor",
    " Falls",
    " Hills",
    " Lake",
    " Creek",
    " Valley",
    " Point",
    " Springs",
    " Bay",
    " Ridge",
    " Rapids",
    " Prairie",
    " Crossing",
    " Junction",
    " Landing",
    " Shores",
)


@dataclass
class Plan:
    """The buildings to simulate and the districts they belong to."""

    district_codes: list[str]
    district_names: list[str]
    district_index: np.ndarray  # (buildings,) index into the district lists
    codes: np.ndarray  # (buildings,) building codes, ascending
    names: np.ndarray
    level: np.ndarray
    need: np.ndarray  # (buildings,) 0 (affluent) to 1 (high poverty, high need)
    years: tuple[str, ...]
    designation: np.ndarray  # (buildings, years)
    district_state_share: np.ndarray  # (districts, years) state share of general-fund revenue
    district_salary_scale: np.ndarray  # (districts,)
    district_english_learner_factor: np.ndarray  # (districts,)
    district_black_factor: np.ndarray  # (districts,)
    district_hispanic_factor: np.ndarray  # (districts,)
    district_enrollment_trend: np.ndarray  # (districts,)
    fixed_english_learners: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def start_years(self) -> np.ndarray:
        return np.array([int(year[:4]) for year in self.years])


# Each strategy's outcome measure, and the ranges its participants' and non-participants' results are drawn from.
STRATEGY_MEASURES = {
    "Tier 2 reading intervention": ("percent meeting spring reading growth target", (52, 66), (60, 70)),
    "Instructional coaching": ("percent meeting fall-to-spring reading growth target", (54, 63), (50, 58)),
    "Extended learning time": ("percent meeting spring math growth target", (50, 64), (46, 58)),
    "Attendance mentoring": ("percent of chronically absent students improving attendance by 5 points", (38, 50), (15, 26)),
}


def _level_mix(buildings: int) -> list[str]:
    """Levels for a district of ``buildings``: mostly elementaries, about 2 in 11 middle and high."""
    alternative = max(1, round(buildings / 30))
    rest = buildings - alternative
    high = max(1, round(rest * 2 / 11))
    middle = max(1, round(rest * 2 / 11))
    elementary = rest - high - middle
    return ["elementary"] * elementary + ["middle"] * middle + ["high"] * high + ["alternative"] * alternative


def _name_list(base: Sequence[str], count: int) -> list[str]:
    """``count`` names from ``base``, numbered once the list runs out."""
    return [base[i % len(base)] + ("" if i < len(base) else f" {i // len(base) + 1}") for i in range(count)]


def district_plan(rng: np.random.Generator, buildings: int, years: tuple[str, ...], district_code: str, district_name: str) -> Plan:
    """One district with the demo's mix of levels and identifications."""
    levels = np.array(_level_mix(buildings))
    count = len(levels)
    names = np.empty(count, dtype=object)
    for level, base in (("elementary", _ELEMENTARY_NAMES), ("middle", _MIDDLE_NAMES), ("high", _HIGH_NAMES), ("alternative", _ALTERNATIVE_NAMES)):
        where = np.flatnonzero(levels == level)
        names[where] = [f"{name} {LEVELS[level].name_suffix}" for name in _name_list(base, len(where))]
    # Codes 90011, 90021, ...: five digits, starting with 9 so that no one mistakes them for real ones.
    codes = np.array([f"9{index + 1:03d}1" for index in range(count)])

    elementaries = list(rng.permutation(np.flatnonzero(levels == "elementary")))
    middles = list(rng.permutation(np.flatnonzero(levels == "middle")))
    highs = list(rng.permutation(np.flatnonzero(levels == "high")))
    identified = max(2, round(buildings / 12))
    # Picked at random within level, then given the district's highest need: CSI for an elementary
    # and a middle school; targeted support for a high school (ATS) and an elementary (TSI).
    comprehensive = [elementaries.pop(0), middles.pop(0) if middles else elementaries.pop(0)]
    while len(comprehensive) < identified:
        comprehensive.append(elementaries.pop(0))
    targeted: list[tuple[int, str]] = [(highs.pop(0) if len(highs) > 1 else elementaries.pop(0), "ATS"), (elementaries.pop(0), "TSI")]
    while len(targeted) < identified:
        pool = middles if middles and len(targeted) % 2 == 0 else elementaries
        targeted.append((pool.pop(0), "ATS" if len(targeted) % 2 == 0 else "TSI"))

    count_years = len(years)
    need = rng.uniform(0.08, 0.55, count)
    need[levels == "alternative"] = rng.uniform(0.68, 0.76, int((levels == "alternative").sum()))
    designation = np.full((count, count_years), "none", dtype=object)
    for rank, building in enumerate(comprehensive):
        need[building] = rng.uniform(0.82, 0.92)
        # The first was identified in the 2018 cohort and never exited; the others in fall 2022.
        designation[building, 0 if rank == 0 else max(0, count_years - 3) :] = "CSI"
    for building, label in targeted:
        need[building] = rng.uniform(0.66, 0.78)
        designation[building, max(0, count_years - 2) :] = label

    fixed_english_learners = {
        # The alternative school's English learners stay under 10, so suppression shows.
        int(building): rng.integers(3, 9, count_years)
        for building in np.flatnonzero(levels == "alternative")
    }
    return Plan(
        district_codes=[district_code],
        district_names=[district_name],
        district_index=np.zeros(count, dtype=int),
        codes=codes,
        names=names,
        level=levels,
        need=need,
        years=years,
        designation=designation,
        district_state_share=np.clip(0.76 + rng.normal(0, 0.01, (1, count_years)), 0.5, 0.95),
        district_salary_scale=np.array([1.0]),
        district_english_learner_factor=np.array([1.0]),
        district_black_factor=np.array([1.0]),
        district_hispanic_factor=np.array([1.0]),
        district_enrollment_trend=np.array([-0.008]),
        fixed_english_learners=fixed_english_learners,
    )


def _state_levels(size: int) -> list[str]:
    """Levels for one district of a statewide set."""
    if size == 1:
        return ["k12"]
    if size == 2:
        return ["elementary", "high"]
    alternative = 1 if size >= 8 else 0
    rest = size - alternative
    high = max(1, round(rest * 2 / 11))
    middle = max(1, round(rest * 2 / 11))
    return ["elementary"] * (rest - high - middle) + ["middle"] * middle + ["high"] * high + ["alternative"] * alternative


def state_plan(rng: np.random.Generator, buildings: int, years: tuple[str, ...]) -> Plan:
    """Many districts of varying size, from one-building academies to a large city district."""
    # One district in three is a one-building public school academy; the rest are log-normal in size.
    candidate = np.where(rng.random(buildings) < 0.33, 1, np.clip(np.rint(rng.lognormal(1.4, 0.9, buildings)), 1, 120)).astype(int)
    cumulative = np.cumsum(candidate)
    districts = int(np.searchsorted(cumulative, buildings) + 1)
    sizes = candidate[:districts].copy()
    sizes[-1] -= int(cumulative[districts - 1] - buildings)
    if districts > 4999:
        raise ValueError("too many districts for five-digit district codes")

    levels: list[str] = []
    for size in sizes:
        levels.extend(_state_levels(int(size)))
    level = np.array(levels)
    district_index = np.repeat(np.arange(districts), sizes)
    count_years = len(years)

    district_need = rng.beta(2.0, 3.0, districts)
    need = np.clip(district_need[district_index] + rng.normal(0, 0.12, buildings), 0.02, 0.98)
    need[level == "alternative"] = np.clip(need[level == "alternative"] + 0.25, 0, 0.98)

    first = rng.integers(0, len(_TOWN_FIRST), buildings)
    # A second word per building is drawn but not used in its name; drawing it keeps every seed's data as it was.
    rng.integers(0, len(_TOWN_SECOND), buildings)
    suffix = np.array([LEVELS[item].name_suffix for item in level], dtype=object)
    names = np.char.add(np.char.add(np.array(_TOWN_FIRST)[first], np.array([" "] * buildings)), suffix.astype(str)).astype(object)
    district_names = [
        f"{_TOWN_FIRST[d % len(_TOWN_FIRST)]}{_TOWN_SECOND[(d // len(_TOWN_FIRST)) % len(_TOWN_SECOND)]}{' Academy' if size == 1 else ' Public Schools'} {d + 1:04d} (fictional)"
        for d, size in enumerate(sizes)
    ]

    # Identification cycles: the 2018 lists held until the 2022 re-identification.
    designation = np.full((buildings, count_years), "none", dtype=object)
    start_years = np.array([int(year[:4]) for year in years])
    for cycle_years in (start_years >= 2018) & (start_years < 2022), start_years >= 2022:
        if not cycle_years.any():
            continue
        proxy = need + rng.normal(0, 0.08, buildings) + 0.35 * (level == "alternative")
        rank = proxy.argsort().argsort() / max(buildings - 1, 1)
        label = np.full(buildings, "none", dtype=object)
        label[rank >= 0.93] = "CSI"
        label[(rank >= 0.86) & (rank < 0.93)] = "ATS"
        label[(rank >= 0.70) & (rank < 0.86) & (rng.random(buildings) < 0.6)] = "TSI"
        designation[:, cycle_years] = label[:, None]

    return Plan(
        district_codes=[f"{95001 + d}" for d in range(districts)],
        district_names=district_names,
        district_index=district_index,
        codes=np.array([f"{90001 + index}" for index in range(buildings)]),
        names=names,
        level=level,
        need=need,
        years=years,
        designation=designation,
        district_state_share=np.clip(rng.uniform(0.6, 0.9, (districts, 1)) + rng.normal(0, 0.01, (districts, count_years)), 0.4, 0.97),
        district_salary_scale=np.exp(rng.normal(0, 0.07, districts)),
        district_english_learner_factor=np.exp(rng.normal(0, 0.7, districts)),
        district_black_factor=np.exp(rng.normal(0, 0.8, districts)),
        district_hispanic_factor=np.exp(rng.normal(0, 0.6, districts)),
        district_enrollment_trend=rng.normal(-0.008, 0.012, districts),
    )
