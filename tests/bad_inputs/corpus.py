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

from conftest import BAD_INPUTS, TINY_CONFIG, TINY_FILES, copy_sample, write_tiny


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


def _write_bytes(file: str, data: bytes, base: Callable[[Path], Path] = write_tiny) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        config = base(folder)
        (folder / file).write_bytes(data)
        return config

    return make


def _folder_as_table(folder: Path) -> Path:
    config = write_tiny(folder)
    (folder / "enrollment_exports").mkdir()
    replace_once(config, "enrollment: {file: enrollment.csv}", "enrollment: {file: enrollment_exports}")
    return config


# The tiny review's YAML has 9 lines: a line added to its end is line 10.
_MIXED_REVIEW = TINY_CONFIG.encode("utf-8") + "district_name: Café District\n".encode() + "# révisé par l'équipe\n".encode("cp1252")
_MIXED_BUILDINGS = TINY_FILES["buildings.csv"].replace("Aspen Elementary", "Aspen Élémentaire").encode("utf-8").replace(b"Cedar Elementary", "Cedar Élémentaire".encode("cp1252"))
_TWICE = "data_folder: .\nthresholds:\n  minimum_group_size: 10\n  minimum_group_size: 5\n"

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
    # The prompts and responses files are read by every report: validate reads them the same way.
    Refused(
        "prompts file with an unknown key",
        _edit("protocol_prompts.yaml", "    title: Predict\n", "    title: Predict\n    colour: red\n", base=copy_sample),
        "protocol_prompts.yaml",
        None,
        "prompts.0.colour",
        "unknown key 'colour'",
    ),
    Refused(
        "prompts file with a prompt key used twice",
        _edit("protocol_prompts.yaml", "key: infer", "key: observe", base=copy_sample),
        "protocol_prompts.yaml",
        None,
        "prompts.2.key",
        "prompts 2 and 3 have the same key 'observe'",
    ),
    Refused(
        "responses for a building given as text",
        _edit("sample_responses.yaml", "district:\n", "90041: see the minutes\ndistrict:\n", base=copy_sample),
        "sample_responses.yaml",
        None,
        "90041",
        "valid dictionary",
    ),
    Refused(
        "responses for a building not in the review",
        _edit("sample_responses.yaml", "district:\n", "9004l:\n  data_objects: {}\ndistrict:\n", base=copy_sample),
        "sample_responses.yaml",
        None,
        "9004l",
        "did you mean '90041'",
    ),
    Refused(
        "responses to a misspelled prompt",
        _edit("sample_responses.yaml", "      predict:", "      predcit:", base=copy_sample),
        "sample_responses.yaml",
        None,
        "district.data_objects.per-pupil-spending-by-building-and-year.predcit",
        "did you mean 'predict'",
    ),
    # YAML keeps the second of two equal keys silently: here it would lower the privacy threshold.
    Refused("YAML key written twice (review)", _edit("review.yaml", "data_folder: .\n", _TWICE), "review.yaml", 6, "thresholds.minimum_group_size", "written twice, on line 5 and on line 6"),
    Refused(
        "YAML key written twice (responses)",
        _edit("sample_responses.yaml", "district:\n", "district: {}\ndistrict:\n", base=copy_sample),
        "sample_responses.yaml",
        5,
        "district",
        "'district' is written twice, on line 4 and on line 5",
    ),
    Refused(
        "YAML key written twice (determination)",
        _edit("sample_determination.yaml", "    finding: equity\n", "    finding: equity\n    finding: inequity\n", base=copy_sample),
        "sample_determination.yaml",
        None,
        "buildings.90031.finding",
        "'finding' is written twice",
    ),
    Refused("review YAML mixing UTF-8 and Windows-1252 lines", _write_bytes("review.yaml", _MIXED_REVIEW), "review.yaml", 11, None, "line 10 is UTF-8 but line 11 is not"),
    Refused("CSV mixing UTF-8 and Windows-1252 lines", _write_bytes("buildings.csv", _MIXED_BUILDINGS), "buildings.csv", 4, None, "line 2 is UTF-8 but line 4 is not"),
    Refused(
        "Infinity in an amount",
        _edit("expenditures.csv", "00002,2023-24,state,personnel,2000000", "00002,2023-24,state,personnel,Infinity"),
        "expenditures.csv",
        5,
        "amount",
        "'Infinity' is not a number",
    ),
    Refused("-inf in an amount", _edit("expenditures.csv", "local,personnel,400000", "local,personnel,-inf"), "expenditures.csv", 3, "amount", "'-inf' is not a number"),
    Refused("NaN in pupils", _edit("enrollment.csv", "00002,2023-24,300,90", "00002,2023-24,NaN,90"), "enrollment.csv", 3, "pupils", "'NaN' is not a number"),
    Refused("inf in a count", _edit("outcomes.csv", "ela,all,150,60", "ela,all,inf,60"), "outcomes.csv", 3, "tested", "'inf' is not a count"),
    Refused(
        "columns differing only by case and spaces",
        _edit("enrollment.csv", "pupils,economically_disadvantaged", "pupils,Pupils "),
        "enrollment.csv",
        1,
        "pupils",
        r"'pupils' \(column C\) and 'Pupils ' \(column D\)",
    ),
    Refused(
        "determination for a building not under review",
        _edit("sample_determination.yaml", '"90031":', '"90021":', base=copy_sample),
        "sample_determination.yaml",
        None,
        "buildings.90021",
        "90021 \\(Cedar Ridge Elementary\\) has a determination but is not under review",
    ),
    Refused(
        "unterminated quote (row as Excel numbers it)",
        _edit("expenditures.csv", "00002,2023-24,state,personnel,2000000", '00002,2023-24,state,personnel,"2000000'),
        "expenditures.csv",
        5,
        None,
        "never closed",
    ),
    Refused("row with one cell too many", _edit("enrollment.csv", "00002,2023-24,300,90", "00002,2023-24,300,90,7"), "enrollment.csv", 3, None, "has 5 cells but the rows above it have 4"),
    Refused("folder given as a table file", _folder_as_table, "enrollment_exports", None, "tables.enrollment.file", "is a folder, not a file"),
    Refused("folder given as prompts_file", _edit("review.yaml", "data_folder: .", "data_folder: .\nprompts_file: ."), "review.yaml", None, "prompts_file", "is a folder, not a file"),
]


@dataclass(frozen=True)
class Misused:
    """A usage mistake: the command line (the review path is filled in), and what its one line must say."""

    name: str
    arguments: Callable[[Path], list[str]]
    says: str


def _run_into_file(folder: Path) -> list[str]:
    config = write_tiny(folder)
    (folder / "out.txt").write_text("not a folder", encoding="utf-8")
    return ["run", str(config), "--out", str(folder / "out.txt"), "--formats", "html"]


MISUSED = [
    Misused("--out naming an existing file", _run_into_file, "out.txt is a file, not a folder"),
    Misused("validate given a folder", lambda folder: ["validate", str(write_tiny(folder).parent)], "is a folder; give the review YAML file, e.g. rar validate .*review.yaml"),
    Misused("run given a folder", lambda folder: ["run", str(write_tiny(folder).parent), "--formats", "html"], "is a folder; give the review YAML file"),
]


def check_usage_error(case: Misused, code: int, stdout: str, stderr: str) -> None:
    """Exit 2, one line naming the mistake, no traceback."""
    assert code == 2, stdout + stderr
    assert "Traceback" not in stderr + stdout
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert re.search(case.says, lines[0]), stderr


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
