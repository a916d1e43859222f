"""The corpus of malformed inputs: each class made from the tiny review (or the sample) by a small
edit, with the file, row, column and phrase its refusal must name. Files worth reading on their own
are beside this module."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import BAD_INPUTS, TINY_FILES, copy_sample, write_tiny


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write_xlsx(path: Path, rows: list[list[object]], *, sheet: str = "Sheet1", merge: str | None = None) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    if merge:
        worksheet.merge_cells(merge)
    workbook.save(path)


def _enrollment_xlsx(folder: Path, **keywords: object) -> Path:
    rows = list(csv.reader(TINY_FILES["enrollment.csv"].splitlines()))
    write_xlsx(folder / "enrollment.xlsx", rows, **keywords)  # type: ignore[arg-type]
    replace_once(folder / "review.yaml", "enrollment: {file: enrollment.csv}", "enrollment: {file: enrollment.xlsx, sheet: Fall count}")
    return folder / "review.yaml"


@dataclass(frozen=True)
class Refused:
    """A class of bad input: how to make it from the tiny review, and what the message must name."""

    name: str
    make: Callable[[Path], Path]
    file: str  # the file named in the message
    row: int | None  # the row named, where the problem has one
    column: str | None  # the column or YAML key named
    says: str  # a phrase of the message (case-insensitive regex)


def _edit(file: str, old: str, new: str, base: Callable[[Path], Path] = write_tiny) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        config = base(folder)
        replace_once(folder / file, old, new)
        return config

    return make


def _write(file: str, text: str, base: Callable[[Path], Path] = write_tiny, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        config = base(folder)
        (folder / file).write_bytes(text.encode(encoding))
        return config

    return make


def _copy(name: str, target: str, base: Callable[[Path], Path] = write_tiny) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        config = base(folder)
        shutil.copy(BAD_INPUTS / name, folder / target)
        return config

    return make


def _review_from(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        write_tiny(folder)
        shutil.copy(BAD_INPUTS / name, folder / "review.yaml")
        return folder / "review.yaml"

    return make


def _merged_cells(folder: Path) -> Path:
    write_tiny(folder)
    return _enrollment_xlsx(folder, sheet="Fall count", merge="A3:A4")


def _wrong_sheet(folder: Path) -> Path:
    write_tiny(folder)
    return _enrollment_xlsx(folder, sheet="Sheet1")


def _wide_total(folder: Path) -> Path:
    config = write_tiny(folder)
    (folder / "spending_wide.csv").write_text(
        "Building,Year,Type,Federal,State,Local,Total\n"
        "00001,2023-24,personnel,0,500000,400000,900000\n"
        "00002,2023-24,personnel,60000,2000000,1300000,3300000\n"
        "00003,2023-24,personnel,200000,600000,200000,1000000\n",
        encoding="utf-8",
    )
    mapping = (
        "expenditures:\n    file: spending_wide.csv\n    rename: {Building: building_code, Year: school_year, Type: category}\n"
        "    wide_to_long: {columns: {Federal: federal, State: state, Local: local}, name: fund_source, value: amount, total: Total}"
    )
    replace_once(config, "expenditures: {file: expenditures.csv}", mapping)
    return config


def _strategy_typo(folder: Path) -> Path:
    config = copy_sample(folder)
    replace_once(config, "number: 3", "number: 2")
    replace_once(config, "strategy: Tier 2 reading intervention", "strategy: Tier 2 reading interventions")
    return config


# Expected rows: the header is row 1, so the tiny files' data rows are 2, 3, 4...
REFUSED = [
    Refused(
        "missing required column",
        _write("enrollment.csv", "building_code,school_year,economically_disadvantaged\n00001,2023-24,40\n"),
        "enrollment.csv",
        None,
        "pupils",
        "required column 'pupils' is missing",
    ),
    Refused(
        "unknown column with a near-miss name",
        _edit("enrollment.csv", "pupils,economically_disadvantaged", "pupils,economicaly_disadvantaged"),
        "enrollment.csv",
        None,
        "economicaly_disadvantaged",
        "did you mean 'economically_disadvantaged'",
    ),
    Refused(
        "text in a number column", _edit("expenditures.csv", "00002,2023-24,state,personnel,2000000", "00002,2023-24,state,personnel,lots"), "expenditures.csv", 5, "amount", "'lots' is not a number"
    ),
    Refused("currency as a word (USD 1,200)", _edit("expenditures.csv", "local,personnel,400000", 'local,personnel,"USD 1,200"'), "expenditures.csv", 3, "amount", "'USD 1,200' is not a number"),
    Refused(
        "percent with two decimal points (12.5.3%)",
        _edit("outcomes.csv", "tested,proficient\n00001,2023-24,ela,all,50,30", "tested,proficient,percent_proficient\n00001,2023-24,ela,all,50,30,12.5.3%"),
        "outcomes.csv",
        2,
        "percent_proficient",
        "'12.5.3%' is not a percent",
    ),
    Refused("decimal comma (1 200,50) in a semicolon file", _copy("comma_decimal_expenditures.csv", "expenditures.csv"), "expenditures.csv", 4, "amount", "'1 200,50' is not a number"),
    Refused("negative pupils", _edit("enrollment.csv", "00002,2023-24,300,90", "00002,2023-24,-300,90"), "enrollment.csv", 3, "pupils", "above zero|negative"),
    Refused("zero pupils", _edit("enrollment.csv", "00002,2023-24,300,90", "00002,2023-24,0,0"), "enrollment.csv", 3, "pupils", "pupils is 0"),
    Refused("duplicate keys", _edit("enrollment.csv", "00002,2023-24,300,90\n", "00002,2023-24,300,90\n00002,2023-24,310,90\n"), "enrollment.csv", 3, "building_code", "repeat the same key"),
    Refused(
        "building in expenditures unknown to buildings",
        _edit("expenditures.csv", "00003,2023-24,federal", "00009,2023-24,federal"),
        "expenditures.csv",
        10,
        "building_code",
        "building '00009' is not in the buildings table",
    ),
    Refused("year outside the review", _edit("expenditures.csv", "00002,2023-24,federal", "00002,2019-20,federal"), "expenditures.csv", 7, "school_year", "2019-20 is outside the review"),
    Refused("empty file", _write("enrollment.csv", ""), "enrollment.csv", 1, None, "empty"),
    Refused("header only", _write("enrollment.csv", "building_code,school_year,pupils\n"), "enrollment.csv", 2, None, "no data rows"),
    Refused("merged cells (xlsx)", _merged_cells, "enrollment.xlsx", 3, "A3:A4", "merged cells"),
    Refused("wrong sheet name (xlsx)", _wrong_sheet, "enrollment.xlsx", None, "sheet", "no sheet named 'Fall count'"),
    Refused(
        "trailing total row",
        _edit("enrollment.csv", "00003,2023-24,100,80\n", "00003,2023-24,100,80\nDistrict Total,2023-24,500,210\n"),
        "enrollment.csv",
        5,
        "building_code",
        "looks like a total row",
    ),
    Refused("codes that lost leading zeros", _edit("buildings.csv", "00003,Cedar", "0003,Cedar"), "buildings.csv", 4, "building_code", "leading zeros"),
    Refused("proficient greater than tested", _edit("outcomes.csv", "ela,all,50,10", "ela,all,50,60"), "outcomes.csv", 4, "proficient", "greater than tested"),
    Refused("fund sources that do not add to the total", _wide_total, "spending_wide.csv", 3, "Total", "add up to 3,360,000.00 but 'Total' says 3,300,000.00"),
    Refused(
        "YAML typo in a key",
        _edit("review.yaml", "data_folder: .", "data_folder: .\nthresholds: {minimum_group_sise: 10}"),
        "review.yaml",
        None,
        "thresholds.minimum_group_sise",
        "did you mean 'minimum_group_size'",
    ),
    Refused("unknown review option (5)", _edit("review.yaml", "data_folder: .", "data_folder: .\noption: {number: 5}"), "review.yaml", None, "option.number", "1, 2, 3 or 4"),
    Refused("strategy not in the data (option 2)", _strategy_typo, "review.yaml", None, "option.strategy", "not in the strategies table"),
    Refused(
        "student group not in the data (option 1)",
        _edit("review.yaml", "data_folder: .", "data_folder: .\noption: {number: 1, student_group: students_with_disabilities}"),
        "review.yaml",
        None,
        "option.student_group",
        "students with disabilities",
    ),
    Refused(
        "determination naming a missing data object",
        _edit("sample_determination.yaml", "- Per-Pupil Spending by Building and Year", "- Per-Pupil Spending by Bilding and Year", base=copy_sample),
        "sample_determination.yaml",
        None,
        "buildings.90041.evidence",
        "names no data object",
    ),
    Refused("data file that does not exist", _edit("review.yaml", "{file: outcomes.csv}", "{file: outcome.csv}"), "outcome.csv", None, "tables.outcomes.file", "does not exist"),
    Refused("data_folder that does not exist", _edit("review.yaml", "data_folder: .", "data_folder: ./no_such_folder"), "review.yaml", None, "data_folder", "does not exist"),
    Refused("prompts_file that does not exist", _edit("review.yaml", "data_folder: .", "data_folder: .\nprompts_file: no_prompts.yaml"), "review.yaml", None, "prompts_file", "does not exist"),
    Refused("YAML with a Python object tag", _review_from("python_tag.yaml"), "review.yaml", 5, "tables.buildings", "tag not allowed"),
    Refused("invalid YAML syntax", _review_from("invalid_syntax.yaml"), "review.yaml", 6, "tables.enrollment", "cannot be read"),
    Refused("school year unreadable (someday)", _edit("enrollment.csv", "00002,2023-24", "00002,someday"), "enrollment.csv", 3, "school_year", "'someday' is not a school year"),
    Refused("school_years in the YAML unreadable", _edit("review.yaml", "[2023-24]", "[2023-24, someday]"), "review.yaml", None, "school_years", "'someday' is not a school year"),
]


def where(case: Refused) -> str:
    """The location as problems.format_problems prints it."""
    where = re.escape(case.file) + r"[^:]*"
    if case.row is not None:
        where = re.escape(case.file) + rf"[^:\n]*, row {case.row}"
    if case.column is not None:
        where += rf"[^:\n]*, column '{re.escape(case.column)}'"
    return where


def check_refusal(case: Refused, code: int, stdout: str, stderr: str) -> None:
    assert code == 2, stdout + stderr
    assert "Traceback" not in stderr + stdout
    lines = [line for line in stderr.splitlines() if re.search(where(case), line)]
    assert lines, f"no problem names {case.file} row {case.row} column {case.column}:\n{stderr}"
    assert any(re.search(case.says, line, re.IGNORECASE) and " Fix: " in line for line in lines), stderr
