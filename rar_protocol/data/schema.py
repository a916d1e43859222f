"""The canonical data model: one declared table per kind of evidence a review uses.

Each table is a :class:`TableSpec` of :class:`ColumnSpec`. The specs drive everything else:
parsing raw text into typed values, the pandera schema that validates a loaded table, the
data dictionary (`rar schema`, in ``dictionary``), and the blank templates written by `rar init`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

# Column kinds: how raw text is parsed (see rar_protocol.data.parsing).
CODE = "code"  # text identifiers; leading zeros are kept
TEXT = "text"
YEAR = "school_year"  # normalized to "2023-24"
MONEY = "money"  # dollars; "$1,234.50" and "(1,234)" accepted
NUMBER = "number"
COUNT = "count"  # non-negative; suppression markers ("*", "<10") become suppressed
PERCENT = "percent"  # 0-100; "45%" accepted
CATEGORY = "category"
FLAG = "flag"  # yes/no

SPLIT_FUND_SOURCES = ("federal", "state", "local", "state_local")
# Building spending may also be "total": not split by source (federal and state + local are then not reported).
FUND_SOURCES = (*SPLIT_FUND_SOURCES, "total")
STUDENT_GROUPS = (
    "all",
    "economically_disadvantaged",
    "not_economically_disadvantaged",
    "students_with_disabilities",
    "english_learners",
    "american_indian",
    "asian",
    "black",
    "hispanic",
    "native_hawaiian",
    "white",
    "two_or_more_races",
    "female",
    "male",
)
# Student-group count columns of the enrollment table (the need groups, then race/ethnicity).
NEED_GROUPS = ("economically_disadvantaged", "students_with_disabilities", "english_learners")
RACE_GROUPS = (
    "american_indian",
    "asian",
    "black",
    "hispanic",
    "native_hawaiian",
    "white",
    "two_or_more_races",
)
DIMENSIONS = (
    "school_funding",
    "teaching_quality",
    "school_leadership",
    "rigorous_content",
    "instructional_time",
    "school_climate",
    "student_supports",
    "early_learning",
    "facilities",
    "diverse_classrooms",
)
STAFF_ROLES = (
    "teacher",
    "paraprofessional",
    "counselor",
    "social_worker",
    "psychologist",
    "nurse",
    "interventionist",
    "instructional_coach",
    "administrator",
    "support",
    "other",
)


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a canonical table."""

    name: str
    kind: str
    description: str
    required: bool = True
    nullable: bool = False
    allowed: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: object = None


@dataclass(frozen=True)
class TableSpec:
    """One canonical table: its columns, unique key and whether a review needs it."""

    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    # Pairs (part, whole): the part may not exceed the whole on the same row.
    not_greater: tuple[tuple[str, str], ...] = field(default=())

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if column.required]


def _building(description: str = "Building code (text, leading zeros kept).") -> ColumnSpec:
    return ColumnSpec("building_code", CODE, description)


def _year() -> ColumnSpec:
    return ColumnSpec("school_year", YEAR, 'School year, written "2023-24" (also read: 2023-2024, 2024, FY2024).')


def _count(name: str, description: str, *, required: bool = False) -> ColumnSpec:
    return ColumnSpec(name, COUNT, description, required=required, nullable=not required, minimum=0)


BUILDINGS = TableSpec(
    name="buildings",
    description="The district's buildings (schools). Every other table refers to these codes.",
    key=("building_code",),
    required=True,
    columns=(
        ColumnSpec("district_code", CODE, "District code (text, leading zeros kept)."),
        ColumnSpec("district_name", TEXT, "District name.", required=False, nullable=True),
        _building(),
        ColumnSpec("building_name", TEXT, "Building name as it should appear in reports."),
        ColumnSpec(
            "level",
            CATEGORY,
            "School level, used to compare like with like.",
            allowed=("elementary", "middle", "high", "k12", "alternative", "other"),
        ),
        ColumnSpec("grade_span", TEXT, 'Grades served, e.g. "K-5".', required=False, nullable=True),
        ColumnSpec("nces_id", CODE, "NCES school id.", required=False, nullable=True),
    ),
)

ENROLLMENT = TableSpec(
    name="enrollment",
    description="Pupils per building and school year: the per-pupil denominator and the need groups.",
    key=("building_code", "school_year"),
    required=True,
    not_greater=tuple((group, "pupils") for group in NEED_GROUPS + RACE_GROUPS),
    columns=(
        _building(),
        _year(),
        ColumnSpec(
            "pupils",
            NUMBER,
            "Pupils counted for per-pupil spending (membership or FTE); 0 for a closed building, whose per-pupil figures are flagged and not computed.",
            minimum=0,
        ),
        _count("economically_disadvantaged", "Economically disadvantaged pupils."),
        _count("students_with_disabilities", "Students with disabilities (IEP)."),
        _count("english_learners", "English learners."),
        *(_count(group, f"Pupils reported as {group.replace('_', ' ')}.") for group in RACE_GROUPS),
    ),
)

DESIGNATIONS = TableSpec(
    name="designations",
    description="ESSA identification per building and year.",
    key=("building_code", "school_year"),
    columns=(
        _building(),
        _year(),
        ColumnSpec(
            "designation",
            CATEGORY,
            "CSI, ATS (additional targeted support, also written ATSI), TSI or none.",
            allowed=("CSI", "ATS", "TSI", "none"),
        ),
        ColumnSpec("note", TEXT, "Why the building was identified, as the state words it (MI School Data's SupportCategoryReason).", required=False, nullable=True),
    ),
)

EXPENDITURES = TableSpec(
    name="expenditures",
    description=("Spending per building and year by fund source and category, including central costs the district allocates to buildings."),
    key=("building_code", "school_year", "fund_source", "category", "function_code", "object_code", "central"),
    columns=(
        _building(),
        _year(),
        ColumnSpec(
            "fund_source",
            CATEGORY,
            "federal, state, local, state_local when state and local are reported together, or total when the source is not reported.",
            allowed=FUND_SOURCES,
        ),
        ColumnSpec(
            "category",
            CATEGORY,
            "personnel (salaries and benefits) or non_personnel; may be left out when not reported.",
            required=False,
            nullable=True,
            allowed=("personnel", "non_personnel"),
        ),
        ColumnSpec("function_code", CODE, "Bulletin 1022 function code, e.g. 111, 122, 212.", required=False, nullable=True),
        ColumnSpec("object_code", CODE, "Bulletin 1022 object code, e.g. 1000s salaries.", required=False, nullable=True),
        ColumnSpec(
            "central",
            FLAG,
            "yes when the amount is a district-level cost allocated to the building.",
            required=False,
            default=False,
        ),
        ColumnSpec("amount", MONEY, "Dollars spent (negative for adjustments)."),
    ),
)

LEDGER = TableSpec(
    name="ledger",
    description="General-ledger lines (Bulletin 1022 account strings) with budget and actual.",
    columns=(
        _year(),
        ColumnSpec("fund", CODE, "Fund code, e.g. 11 general fund."),
        ColumnSpec("function_code", CODE, "Function code."),
        ColumnSpec("object_code", CODE, "Object code."),
        ColumnSpec("location", CODE, "Location: a building code, or a district-level location."),
        ColumnSpec("program", CODE, "Grant or program code.", required=False, nullable=True),
        ColumnSpec("fund_source", CATEGORY, "federal, state, local or state_local.", required=False, nullable=True, allowed=SPLIT_FUND_SOURCES),
        ColumnSpec("description", TEXT, "Line description.", required=False, nullable=True),
        ColumnSpec("budget", MONEY, "Final amended budget in dollars.", required=False, nullable=True),
        ColumnSpec("actual", MONEY, "Actual expenditure in dollars."),
        ColumnSpec(
            "grant_final_year",
            YEAR,
            "Last school year the grant's money may be spent (unspent dollars then lapse).",
            required=False,
            nullable=True,
        ),
    ),
)

OUTCOMES = TableSpec(
    name="outcomes",
    description=("Assessment results per building, year, subject and student group. Suppressed cells stay suppressed (never zero)."),
    key=("building_code", "school_year", "subject", "student_group"),
    not_greater=(("proficient", "tested"),),
    columns=(
        _building(),
        _year(),
        ColumnSpec("subject", CATEGORY, "ela, math, science, social_studies or all.", allowed=("ela", "math", "science", "social_studies", "all")),
        ColumnSpec("student_group", CATEGORY, "Student group; all for all students.", allowed=STUDENT_GROUPS),
        _count("tested", "Number of students tested."),
        _count("proficient", "Number proficient or above."),
        ColumnSpec(
            "percent_proficient",
            PERCENT,
            "Percent proficient (0-100), for sources that publish only the rate.",
            required=False,
            nullable=True,
            minimum=0,
            maximum=100,
        ),
        ColumnSpec("suppressed", FLAG, "yes when the source suppressed this cell.", required=False, default=False),
    ),
)

STAFF = TableSpec(
    name="staff",
    description="Staff per building, year and role.",
    key=("building_code", "school_year", "role"),
    not_greater=(("novice_fte", "fte"), ("effective_fte", "fte")),
    columns=(
        _building(),
        _year(),
        ColumnSpec("role", CATEGORY, "Staff role.", allowed=STAFF_ROLES),
        ColumnSpec("fte", NUMBER, "Full-time equivalents.", minimum=0),
        ColumnSpec("novice_fte", NUMBER, "FTE with 0-2 years of experience.", required=False, nullable=True, minimum=0),
        ColumnSpec("effective_fte", NUMBER, "FTE rated effective or highly effective.", required=False, nullable=True, minimum=0),
        ColumnSpec("average_years_experience", NUMBER, "Average years of experience.", required=False, nullable=True, minimum=0),
        ColumnSpec("average_salary", MONEY, "Average salary in dollars, where known.", required=False, nullable=True, minimum=0),
    ),
)

STRATEGIES = TableSpec(
    name="strategies",
    description="MICIP strategies: cost by fund source, participants and outcomes per building and year.",
    key=("strategy", "building_code", "school_year", "fund_source", "funding_type"),
    columns=(
        ColumnSpec("strategy", TEXT, "Strategy name as written in MICIP."),
        _building(),
        _year(),
        ColumnSpec("fund_source", CATEGORY, "federal, state, local or state_local.", allowed=SPLIT_FUND_SOURCES),
        ColumnSpec("funding_type", CATEGORY, "recurring, or one_time (grants, one-time money).", allowed=("recurring", "one_time")),
        ColumnSpec("cost", MONEY, "Dollars spent on the strategy from this source."),
        _count("participants", "Students served by the strategy in the building and year."),
        ColumnSpec("outcome_measure", TEXT, "What the outcome columns measure.", required=False, nullable=True),
        ColumnSpec("participant_outcome", NUMBER, "Outcome for participants.", required=False, nullable=True),
        ColumnSpec("nonparticipant_outcome", NUMBER, "Outcome for non-participants.", required=False, nullable=True),
    ),
)

INDICATORS = TableSpec(
    name="indicators",
    description="Equitable Resource Diagnostic measures not derivable from the other tables (long form).",
    key=("building_code", "school_year", "dimension", "indicator"),
    columns=(
        _building(),
        _year(),
        ColumnSpec("dimension", CATEGORY, "Diagnostic dimension (name, or its number 1-10).", allowed=DIMENSIONS),
        ColumnSpec("indicator", TEXT, "Measure name, e.g. chronic absence rate."),
        ColumnSpec("value", NUMBER, "Value of the measure."),
        ColumnSpec("unit", TEXT, 'Unit, e.g. "percent", "students per counselor".', required=False, nullable=True),
        ColumnSpec("better", CATEGORY, "Which direction is better.", allowed=("higher", "lower", "neutral"), required=False, default="neutral"),
        _count("students", "Students the measure is computed from, for privacy suppression.", required=False),
    ),
)

# Bulletin 1014's groupings of spending, in the order a comparison shows them.
REVENUE_SOURCES = ("local_revenue", "state_revenue", "federal_revenue")
EXPENDITURE_FUNCTIONS = (
    "basic_instruction",
    "added_needs",
    "instructional_support",
    "administration",
    "operations_maintenance",
    "transportation",
)
# Measures compared with peer districts: per pupil, except the last two.
PEER_MEASURES = (*REVENUE_SOURCES, "total_revenue", *EXPENDITURE_FUNCTIONS, "total_expenditure", "average_teacher_salary", "pupils_per_teacher")
PER_DISTRICT_MEASURES = ("average_teacher_salary", "pupils_per_teacher")  # not divided by pupils
# Bulletin 1014 ranks every measure from the highest, except pupils per teacher, from the fewest.
RANK_ORDER = {"pupils_per_teacher": "1 = fewest pupils per teacher"}
# Instruction per pupil leaves adult education pupils out, as Bulletin 1014 computes it.
K12_MEASURES = ("basic_instruction", "added_needs")
MEASURE_LABELS = {
    "local_revenue": "local revenue",
    "state_revenue": "state revenue",
    "federal_revenue": "federal revenue",
    "total_revenue": "total revenue",
    "basic_instruction": "basic instruction",
    "added_needs": "added needs",
    "instructional_support": "instructional support",
    "administration": "administration",
    "operations_maintenance": "operations and maintenance",
    "transportation": "transportation",
    "total_expenditure": "total expenditure",
    "average_teacher_salary": "average teacher salary",
    "pupils_per_teacher": "pupils per teacher",
}


def _dollars(name: str, description: str) -> ColumnSpec:
    return ColumnSpec(name, MONEY, description, required=False, nullable=True)


DISTRICT_FINANCES = TableSpec(
    name="district_finances",
    description=(
        "Every district's revenue and spending in dollars, pupils and teachers (Michigan's Bulletin 1014), "
        "to set the district beside comparison districts. A state-wide table: keep every district's row, "
        "since peers and statewide ranks come from the others. Per-pupil figures are computed from the dollars and pupils."
    ),
    key=("district_code", "school_year"),
    not_greater=(("economically_disadvantaged", "headcount"),),
    columns=(
        ColumnSpec("district_code", CODE, "District code (text, leading zeros kept)."),
        ColumnSpec("district_name", TEXT, "District name.", required=False, nullable=True),
        _year(),
        ColumnSpec("pupils", NUMBER, "Pupils (FTE membership) the per-pupil figures divide by; above zero.", minimum=0),
        ColumnSpec(
            "adult_education_pupils",
            NUMBER,
            "Adult education pupils (FTE) counted in pupils; as Bulletin 1014 does, instruction per pupil (basic instruction, added needs) leaves them out.",
            required=False,
            nullable=True,
            minimum=0,
        ),
        _dollars("local_revenue", "Revenue from local sources, dollars."),
        _dollars("state_revenue", "Revenue from state sources, dollars."),
        _dollars("federal_revenue", "Revenue from federal sources, dollars."),
        _dollars("total_revenue", "Total revenue, dollars."),
        _dollars("basic_instruction", "Basic instruction (function 110), dollars."),
        _dollars("added_needs", "Added needs instruction (function 120: special education, compensatory, career and technical), dollars."),
        _dollars("instructional_support", "Instructional support (pupil and instructional staff support, functions 210-220), dollars."),
        _dollars("administration", "Administration (general, school and business administration), dollars."),
        _dollars("operations_maintenance", "Operations and maintenance (function 260), dollars."),
        _dollars("transportation", "Pupil transportation (function 270), dollars."),
        _dollars("total_expenditure", "Total expenditure, dollars."),
        _dollars("teacher_salaries", "Teachers' salaries, dollars."),
        ColumnSpec("teachers", NUMBER, "Teachers (FTE).", required=False, nullable=True, minimum=0),
        _dollars("average_teacher_salary", "Average teacher salary as published (computed from teacher_salaries and teachers when absent)."),
        ColumnSpec("locale", TEXT, 'Locale, e.g. "City: Midsize" or "Rural: Distant"; used to suggest similar districts.', required=False, nullable=True),
        _count("economically_disadvantaged", "Economically disadvantaged pupils (e.g. free or reduced-price lunch eligible); used to suggest similar districts."),
        _count("headcount", "Pupils in the count economically_disadvantaged comes from (its denominator)."),
        *(
            ColumnSpec(
                f"{measure}_rank",
                NUMBER,
                f"Published statewide rank of {MEASURE_LABELS[measure]}{'' if measure in PER_DISTRICT_MEASURES else ' per pupil'} ({RANK_ORDER.get(measure, '1 = highest')}; 0 or empty: not ranked, computed when the column is absent).",
                required=False,
                nullable=True,
                minimum=0,
            )
            for measure in PEER_MEASURES
        ),
    ),
)

TABLES: dict[str, TableSpec] = {spec.name: spec for spec in (BUILDINGS, ENROLLMENT, DESIGNATIONS, EXPENDITURES, LEDGER, OUTCOMES, STAFF, STRATEGIES, INDICATORS)}
# State-wide tables about every district, not the district's own buildings: never templated by
# `rar init`, and only checked for the review's own district.
COMPARISON_TABLES: dict[str, TableSpec] = {DISTRICT_FINANCES.name: DISTRICT_FINANCES}
ALL_TABLES: dict[str, TableSpec] = {**TABLES, **COMPARISON_TABLES}
REQUIRED_TABLES = tuple(name for name, spec in TABLES.items() if spec.required)

# Text kinds are checked by value (allowed values, not null) but not by dtype: the parser already
# makes every cell a str or None, and pandera's element-wise str check costs seconds on millions of rows.
_DTYPES = {CODE: None, TEXT: None, YEAR: None, CATEGORY: None, MONEY: float, NUMBER: float, COUNT: float, PERCENT: float, FLAG: bool}


def pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """The pandera schema that a parsed table of ``spec`` must satisfy."""
    columns = {}
    for column in spec.columns:
        checks = []
        if column.allowed:
            checks.append(pa.Check.isin(column.allowed))
        if column.minimum is not None:
            # Zero pupils is allowed (a closed school carrying a central share): its per-pupil figures are flagged, never divided.
            checks.append(pa.Check.ge(column.minimum))
        if column.maximum is not None:
            checks.append(pa.Check.le(column.maximum))
        columns[column.name] = pa.Column(
            _DTYPES[column.kind],
            checks=checks,
            nullable=column.nullable,
            required=column.required,
            coerce=False,
        )
    return pa.DataFrameSchema(columns, unique=list(spec.key) or None, report_duplicates="all", strict=False)
