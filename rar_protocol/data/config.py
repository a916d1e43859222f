"""The review configuration: one YAML file describing a district's review.

Models use ``extra="forbid"`` so a misspelled key is an error that names the key and the keys
allowed there, never a silent default.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rar_protocol.data import schema
from rar_protocol.data.compute import ExpressionError, parse_expression
from rar_protocol.data.formats import apply_formats
from rar_protocol.data.parsing import normalize_school_year
from rar_protocol.data.problems import Problem
from rar_protocol.data.reading import read_yaml
from rar_protocol.errors import InputError

MAXIMUM_PEERS = 10  # as in Massachusetts' RADAR: up to 10 comparison districts


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Strict):
    """A test on one column's text: equals one value, is in a list, or matches a pattern."""

    equals: str | None = None
    one_of: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    matches: str | None = None

    @field_validator("matches")
    @classmethod
    def _valid_pattern(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            re.compile(pattern)
        return pattern


ConditionValue = str | int | float | list[str | int | float] | Condition


class Case(_Strict):
    """One rule of a derived column: when every condition holds, the column takes ``value``."""

    when: dict[str, ConditionValue] = Field(default_factory=dict)
    value: str | int | float | bool | None = None
    copy_from: str | None = Field(default=None, alias="from")


class WideToLong(_Strict):
    """Turn one column per category (e.g. state_funds, federal_funds) into rows."""

    columns: dict[str, str]
    name: str
    value: str
    total: str | None = None
    # Published files round each part and the total separately; allow that much difference.
    total_tolerance: float = Field(default=1.0, ge=0)
    # Columns each part's rows also get ({central_federal: {central: "yes"}}): a part that is a district share, say.
    set: dict[str, dict[str, str | int | float | bool | None]] = Field(default_factory=dict)


class Join(_Strict):
    """Add columns from another file, matched on key columns."""

    file: str
    key: list[str]
    columns: dict[str, str]
    # The table's own key columns when their names differ from the joined file's.
    table_key: list[str] | None = None
    sheet: str | None = None
    header_row: int | None = Field(default=None, ge=1)
    filter: dict[str, ConditionValue] = Field(default_factory=dict)
    # sum: add up the joined file's rows that share a key (buildings into districts, say); source
    # columns given the same new name are added together.
    aggregate: Literal["sum"] | None = None

    @model_validator(mode="after")
    def _one_source_per_column(self) -> Join:
        targets = list(self.columns.values())
        repeated = sorted({name for name in targets if targets.count(name) > 1})
        if repeated and self.aggregate != "sum":
            raise ValueError(f"several columns are joined as {', '.join(repeated)}; add aggregate: sum to add them up")
        return self


class Split(_Strict):
    """Split one column (a ledger's account string, say) into named segments.

    Segments are cut at ``separator``, or at fixed ``widths`` when the string has no separator;
    with both, each separated part must have its width. A segment named null is not kept.
    """

    column: str
    segments: list[str | None]
    separator: str | None = None
    widths: list[int] | None = None

    @model_validator(mode="after")
    def _layout_is_complete(self) -> Split:
        if not any(self.segments):
            raise ValueError("name at least one segment (null skips a segment)")
        if self.separator is None and self.widths is None:
            raise ValueError("give the separator between segments, or their widths (or both)")
        if self.separator == "":
            raise ValueError("the separator cannot be empty; give widths instead")
        if self.widths is not None:
            if len(self.widths) != len(self.segments):
                raise ValueError(f"{len(self.segments)} segments but {len(self.widths)} widths; give one width per segment")
            if any(width < 1 for width in self.widths):
                raise ValueError("every width must be at least 1")
        names = [name for name in self.segments if name]
        if len(names) != len(set(names)):
            raise ValueError("each segment needs its own name")
        return self

    def layout(self) -> str:
        """The layout in words, for problems: "3 segments separated by '-': fund - function_code - object_code"."""
        names = [name or "(skipped)" for name in self.segments]
        if self.widths is not None:
            names = [f"{name} ({width})" for name, width in zip(names, self.widths)]
        if self.separator is not None:
            return f"{len(names)} segments separated by '{self.separator}': " + f" {self.separator} ".join(names)
        return f"{sum(self.widths or [])} characters without separators: " + " + ".join(names)


class FromLedger(_Strict):
    """How the expenditures table is summed from the ledger (see rar_protocol.ledger)."""

    # Bulletin 1022 function codes counted as building spending (prefixes): 100s instruction and
    # 200s supporting services; community services, transfers and debt are not school spending.
    functions: list[str] = Field(default_factory=lambda: ["1", "2"])
    # Fund codes counted (prefixes): the general fund (11) and special revenue funds (2x); debt
    # service (3x) and capital projects (4x) are left out, as in per-pupil expenditure reporting.
    funds: list[str] = Field(default_factory=lambda: ["1", "2"])
    # Lines at a location that is not a building (the district office, say).
    district_lines: Literal["allocate_per_pupil", "leave_out"] = "allocate_per_pupil"


class DistrictRows(_Strict):
    """Rows of a spending file that are district-level costs (an administration building, lines without a building).

    Written in ``filter`` syntax on the file's own columns, with ``share`` beside the conditions:
    ``{"Bldg #": "9000"}`` shares them among the buildings by pupils as central costs (as
    ``from_ledger`` does); ``{"Bldg #": "9000", share: leave_out}`` leaves them out, and says so.
    """

    when: dict[str, ConditionValue]
    share: Literal["pupils", "leave_out"] = "pupils"

    @model_validator(mode="before")
    @classmethod
    def _conditions_beside_share(cls, value: Any) -> Any:
        if isinstance(value, dict) and "when" not in value:
            conditions = {key: item for key, item in value.items() if key != "share"}
            return {"when": conditions, **({"share": value["share"]} if "share" in value else {})}
        return value

    @model_validator(mode="after")
    def _has_a_condition(self) -> DistrictRows:
        if not self.when:
            raise ValueError('name the district-level rows with at least one condition, e.g. {"Bldg #": "9000"}')
        return self


class TableSource(_Strict):
    """Where a canonical table comes from and how to map the file's columns onto it.

    Steps run in this order: filter, split, join, sums, compute and cases (on the file's own column
    names), then wide_to_long, rename, values, constants, zero_pad and aggregate (on canonical
    names). ``format`` names a built-in mapping (rar_protocol/formats) that these keys extend.
    """

    file: str | None = None
    format: str | None = None
    from_ledger: bool | FromLedger = False
    sheet: str | None = None
    header_row: int | None = Field(default=None, ge=1)
    delimiter: str | None = None
    encoding: str | None = None
    filter: dict[str, ConditionValue] = Field(default_factory=dict)
    split: Split | None = None
    join: list[Join] = Field(default_factory=list)
    sums: dict[str, list[str]] = Field(default_factory=dict)
    # New or replaced columns from arithmetic over the file's columns (rar_protocol/data/compute.py).
    compute: dict[str, str] = Field(default_factory=dict)
    cases: dict[str, list[Case]] = Field(default_factory=dict)
    wide_to_long: WideToLong | None = None
    rename: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str | int | float | bool | None]] = Field(default_factory=dict)
    constants: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    zero_pad: dict[str, int] = Field(default_factory=dict)
    # sum: add up rows sharing the table's key; last: keep the last of them (a panel file's latest name of a building).
    aggregate: Literal["sum", "last"] | None = None
    only_known_buildings: bool = False
    district_rows: DistrictRows | None = None
    # Header spellings a format accepts for a column it reads (published headers drift between years).
    headers: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("compute")
    @classmethod
    def _expressions_parse(cls, compute: dict[str, str]) -> dict[str, str]:
        for target, expression in compute.items():
            try:
                parse_expression(expression)
            except ExpressionError as error:
                raise ValueError(
                    f"compute for '{target}' cannot be read: {error}. The language has numbers, column names (`in backticks` when they hold spaces or symbols), + - * /, parentheses, round(x) and round(x, digits)"
                ) from None
        return compute

    @model_validator(mode="after")
    def _has_file(self) -> TableSource:
        if self.from_ledger and self.file is not None:
            raise ValueError("give either 'file' or 'from_ledger', not both")
        if self.file is None and not self.from_ledger:
            raise ValueError("a table needs 'file' (the CSV or XLSX, relative to data_folder), or for expenditures 'from_ledger: true'")
        return self

    @property
    def ledger_rule(self) -> FromLedger | None:
        """The from_ledger settings, or None when the table is read from its own file."""
        if self.from_ledger is True:
            return FromLedger()
        return self.from_ledger or None


class ReviewOption(_Strict):
    """The review option chosen in phase 2 and its settings."""

    number: Literal[1, 2, 3, 4] = 3
    student_group: str = "economically_disadvantaged"
    strategy: str | None = None
    dimensions: list[str] = Field(default_factory=lambda: list(schema.DIMENSIONS))
    need_weights: dict[str, float] = Field(default_factory=lambda: {"economically_disadvantaged": 0.35, "students_with_disabilities": 0.9, "english_learners": 0.5})

    @field_validator("student_group")
    @classmethod
    def _known_group(cls, group: str) -> str:
        if group not in schema.STUDENT_GROUPS or group == "all":
            raise ValueError(f"unknown student group '{group}'; choose one of: {', '.join(g for g in schema.STUDENT_GROUPS if g != 'all')}")
        return group

    @field_validator("dimensions")
    @classmethod
    def _known_dimensions(cls, dimensions: list[str]) -> list[str]:
        unknown = [d for d in dimensions if d not in schema.DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown dimension(s) {', '.join(unknown)}; choose from: {', '.join(schema.DIMENSIONS)}")
        return dimensions


class Thresholds(_Strict):
    """Privacy and flagging thresholds."""

    minimum_group_size: int = Field(default=10, ge=1)
    small_building_pupils: float = Field(default=100, ge=0)
    per_pupil_low: float = Field(default=3_000, ge=0)
    per_pupil_high: float = Field(default=50_000, ge=0)
    # Flag a building-year whose state + local per pupil lies this many interquartile ranges beyond its level's middle half.
    outlier_spreads: float = Field(default=1.5, gt=0)


class ReviewConfig(_Strict):
    """A district's Resource Allocation Review."""

    district_code: str
    district_name: str | None = None
    # The state whose data and caveats the reports speak of (two letters): Michigan's caveats are Michigan's only.
    state: str = Field(default="MI", pattern=r"^[A-Z]{2}$")
    # How the designations were made when they are not the state's ESSA identification (e.g. mapped from 2010 AYP phases):
    # printed beside every designation, so a reader does not take them for ESSA's.
    designations_note: str | None = None
    school_years: list[str]
    buildings: list[str] = Field(default_factory=list)
    option: ReviewOption = Field(default_factory=ReviewOption)
    data_folder: str = "."
    tables: dict[str, TableSource]
    thresholds: Thresholds = Field(default_factory=Thresholds)
    output_folder: str = "outputs"
    prompts_file: str | None = None
    responses_file: str | None = None
    determination_file: str | None = None
    naming: Literal["name_first", "date_first"] = "name_first"
    # Comparison districts for the peer comparison (district codes from the district_finances
    # table); empty: the most similar districts are suggested (rar_protocol.peers).
    peers: list[str] = Field(default_factory=list, max_length=MAXIMUM_PEERS)

    @field_validator("district_code", mode="before")
    @classmethod
    def _code_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("buildings", "peers", mode="before")
    @classmethod
    def _codes_as_text(cls, value: Any) -> Any:
        return [str(item) for item in value] if isinstance(value, list) else value

    @field_validator("school_years", mode="before")
    @classmethod
    def _normalize_years(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            raise ValueError("give the review's school years as a list, e.g. [2022-23, 2023-24]")
        years = []
        for item in value:
            year = normalize_school_year(item)
            if year is None:
                raise ValueError(f"'{item}' is not a school year; write it like 2023-24")
            years.append(year)
        return sorted(set(years))

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, tables: dict[str, TableSource]) -> dict[str, TableSource]:
        unknown = [name for name in tables if name not in schema.ALL_TABLES]
        if unknown:
            raise ValueError(f"unknown table(s) {', '.join(unknown)}; the tables are: {', '.join(schema.ALL_TABLES)}")
        missing = [name for name in schema.REQUIRED_TABLES if name not in tables]
        if missing:
            raise ValueError(f"required table(s) missing: {', '.join(missing)}")
        for name, source in tables.items():
            if source.district_rows is not None and name not in ("expenditures", "strategies"):
                raise ValueError(f"district_rows names district-level spending rows of the expenditures (or strategies) table, not of {name}")
            if source.district_rows is not None and name == "strategies" and source.district_rows.share != "leave_out":
                raise ValueError("a strategy's district-level rows cannot be shared among buildings by pupils: write share: leave_out")
            if source.from_ledger and name != "expenditures":
                raise ValueError(f"from_ledger builds the expenditures table only, not {name}")
            if source.from_ledger and "ledger" not in tables:
                raise ValueError("expenditures from_ledger needs the ledger table: add tables.ledger with its file")
        return tables


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return sorted(field.alias or name for name, field in model.model_fields.items())


def _model_at(location: tuple[Any, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    """The model that owns the key at ``location`` in the YAML (read as ``root``), to list its allowed keys."""
    model: type[BaseModel] | None = root
    for part in location[:-1]:
        if model is None:
            return None
        field = model.model_fields.get(str(part))
        if field is None:
            # Dict values and list items: the model is the annotation's inner type.
            continue
        annotation = field.annotation
        inner = getattr(annotation, "__args__", ())
        candidates = [item for item in (annotation, *inner) if isinstance(item, type) and issubclass(item, BaseModel)]
        for argument in inner:
            candidates += [item for item in getattr(argument, "__args__", ()) if isinstance(item, type) and issubclass(item, BaseModel)]
        model = candidates[0] if candidates else None
    return model


def validation_problems(error: ValidationError, label: str, *, root: type[BaseModel] | None = None) -> list[Problem]:
    """Pydantic's errors as Problems that name the YAML key, the keys allowed there and a fix (``root``:
    the model the whole file is read as, by default the review's)."""
    problems = []
    for item in error.errors():
        location = tuple(item["loc"])
        key = ".".join(str(part) for part in location) or "(top level)"
        if item["type"] == "extra_forbidden":
            model = _model_at(location, root or ReviewConfig)
            allowed = _allowed_keys(model) if model else []
            near = difflib.get_close_matches(str(location[-1]), allowed, n=1)
            hint = f"Did you mean '{near[0]}'? " if near else ""
            problems.append(Problem(label, f"Unknown key '{location[-1]}'.", f"{hint}Allowed keys here: {', '.join(allowed)}.", column=key))
        elif item["type"] == "missing":
            problems.append(Problem(label, f"The key '{location[-1]}' is required.", "Add it (see parameters/sample.yaml for an example).", column=key))
        else:
            message = item["msg"].removeprefix("Value error, ")
            problems.append(Problem(label, f"{message} (given: {item.get('input')!r}).", "Correct the value.", column=key))
    return problems


def _substitute(value: Any, variables: dict[str, str]) -> Any:
    """Replace ``${name}`` in mapping strings, so one key (e.g. district_code) selects the district."""
    if isinstance(value, str):
        return re.sub(r"\$\{(\w+)\}", lambda match: variables.get(match.group(1), match.group(0)), value)
    if isinstance(value, list):
        return [_substitute(item, variables) for item in value]
    if isinstance(value, dict):
        return {key: _substitute(item, variables) for key, item in value.items()}
    return value


def load_config(path: Path, *, data_folder: Path | None = None) -> tuple[ReviewConfig, Path]:
    """Read and check a review YAML; returns the config and the resolved data folder."""
    raw = read_yaml(path)
    label = str(path)
    if not isinstance(raw, dict):
        raise InputError([Problem(label, "The review file must be a mapping of keys to values.", "Start from parameters/sample.yaml.")])
    raw = dict(raw)
    if "tables" in raw:
        raw["tables"] = apply_formats(raw["tables"], label)
    if "district_code" in raw and isinstance(raw["district_code"], (str, int)):
        raw["tables"] = _substitute(raw.get("tables"), {"district_code": str(raw["district_code"])})
    try:
        config = ReviewConfig.model_validate(raw)
    except ValidationError as error:
        raise InputError(validation_problems(error, label)) from None
    folder = data_folder if data_folder is not None else (path.parent / config.data_folder)
    folder = folder.resolve()
    if not folder.is_dir():
        raise InputError([Problem(label, f"The data folder {folder} does not exist.", "Set data_folder relative to the YAML file, or pass --data-folder.", column="data_folder")])
    for key in ("prompts_file", "responses_file", "determination_file"):
        name = getattr(config, key)
        if name and (path.parent / name).is_dir():
            raise InputError(
                [Problem(label, f"The {key.replace('_', ' ')} {path.parent / name} is a folder, not a file.", "Give the path of the YAML file itself (relative to the YAML file).", column=key)]
            )
        if name and not (path.parent / name).is_file():
            raise InputError([Problem(label, f"The {key.replace('_', ' ')} {path.parent / name} does not exist.", f"Correct the path (relative to the YAML file), or remove {key}.", column=key)])
    return config, folder
