"""The canonical data model: one declared table per kind of evidence a review uses.

Each table is a :class:`TableSpec` of :class:`ColumnSpec`. The specs drive everything else:
parsing raw text into typed values, the pandera schema that validates a loaded table, the
data dictionary (`rar schema`), and the blank templates written by `rar init`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandera.pandas as pa

# Column kinds: how raw text is parsed (see rar_protocol.parsing).
CODE = "code"  # text identifiers; leading zeros are kept
TEXT = "text"
YEAR = "school_year"  # normalized to "2023-24"
MONEY = "money"  # dollars; "$1,234.50" and "(1,234)" accepted
NUMBER = "number"
COUNT = "count"  # non-negative; suppression markers ("*", "<10") become suppressed
PERCENT = "percent"  # 0-100; "45%" accepted
CATEGORY = "category"
FLAG = "flag"  # yes/no

FUND_SOURCES = ("federal", "state", "local", "state_local")
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
            "Pupils counted for per-pupil spending (membership or FTE); must be above zero.",
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
    ),
)

EXPENDITURES = TableSpec(
    name="expenditures",
    description=(
        "Spending per building and year by fund source and category, including central costs "
        "the district allocates to buildings."
    ),
    key=("building_code", "school_year", "fund_source", "category", "function_code", "object_code", "central"),
    required=True,
    columns=(
        _building(),
        _year(),
        ColumnSpec(
            "fund_source",
            CATEGORY,
            "federal, state, local, or state_local when state and local are reported together.",
            allowed=FUND_SOURCES,
        ),
        ColumnSpec(
            "category",
            CATEGORY,
            "personnel (salaries and benefits) or non_personnel.",
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
        ColumnSpec("fund_source", CATEGORY, "federal, state, local or state_local.", required=False, nullable=True, allowed=FUND_SOURCES),
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
    description=(
        "Assessment results per building, year, subject and student group. Suppressed cells stay "
        "suppressed (never zero)."
    ),
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
        ColumnSpec("fund_source", CATEGORY, "federal, state, local or state_local.", allowed=FUND_SOURCES),
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

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (BUILDINGS, ENROLLMENT, DESIGNATIONS, EXPENDITURES, LEDGER, OUTCOMES, STAFF, STRATEGIES, INDICATORS)
}
REQUIRED_TABLES = tuple(name for name, spec in TABLES.items() if spec.required)

_DTYPES = {CODE: str, TEXT: str, YEAR: str, CATEGORY: str, MONEY: float, NUMBER: float, COUNT: float, PERCENT: float, FLAG: bool}


def pandera_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """The pandera schema that a parsed table of ``spec`` must satisfy."""
    columns = {}
    for column in spec.columns:
        checks = []
        if column.allowed:
            checks.append(pa.Check.isin(column.allowed))
        if column.minimum is not None:
            # Pupils are the per-pupil denominator: zero is as wrong as negative.
            if column.name == "pupils":
                checks.append(pa.Check.gt(column.minimum))
            else:
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


def data_dictionary() -> str:
    """The data dictionary of every canonical table, as markdown."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `rar_protocol/schema.py` by `rar schema`; do not edit by hand.",
        "",
        "Required for every review: " + ", ".join(f"`{name}`" for name in REQUIRED_TABLES)
        + ". The other tables are optional; an analysis that needs a missing table says so in the report.",
        "",
        "Values are read leniently: codes keep leading zeros; money may be written `$1,234.50` or "
        "`(1,234)`; percents `45%`; school years `2023-24`, `2023-2024`, `2024` or `FY2024`; suppression "
        "markers (`*`, `<10`, `n<10`, `N/A`) in count columns are kept as suppressed, never as zero.",
    ]
    for spec in TABLES.values():
        lines += ["", f"## {spec.name}" + (" (required)" if spec.required else " (optional)"), "", spec.description, ""]
        if spec.key:
            lines += ["Unique key: " + ", ".join(f"`{name}`" for name in spec.key) + ".", ""]
        lines += ["| column | type | required | description |", "|---|---|---|---|"]
        for column in spec.columns:
            kind = column.kind + (": " + ", ".join(column.allowed) if column.allowed else "")
            lines.append(
                f"| `{column.name}` | {kind} | {'yes' if column.required else 'no'} | {column.description} |"
            )
    return "\n".join(lines) + "\n"
