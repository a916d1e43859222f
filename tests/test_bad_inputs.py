"""A corpus of malformed inputs, each run through the `rar` command as a user would.

37 classes of input (CLASSES below; the count is pinned by a test): 31 are refused and 6 are
handled. A refused input must exit 2 with a message naming the file, the row and the column (or
the YAML key) and a fix, never a traceback, and must write nothing: `rar run --out DIR` leaves
DIR absent, and an existing run folder keeps its files byte for byte. A handled input is one
people really send (title rows above an Excel header, semicolons, UTF-16, a BOM, mixed year
spellings, a million rows): it must load with the right values.

Most classes are a small edit of the tiny review (conftest.TINY_FILES); a few files worth reading
on their own are in tests/bad_inputs/.
"""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SAMPLE_CONFIG, SAMPLE_DATA, TINY_CONFIG, TINY_FILES

BAD_INPUTS = Path(__file__).resolve().parent / "bad_inputs"


def _rar(*arguments: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rar_protocol.cli", *arguments], capture_output=True, text=True, timeout=timeout)


def _tiny(folder: Path) -> Path:
    for name, text in TINY_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    config = folder / "review.yaml"
    config.write_text(TINY_CONFIG, encoding="utf-8")
    return config


def _sample(folder: Path) -> Path:
    """A writable copy of the sample review (for the classes that need its strategies and determinations)."""
    shutil.copytree(SAMPLE_DATA, folder / "data")
    for name in ("protocol_prompts.yaml", "sample_responses.yaml", "sample_determination.yaml"):
        shutil.copy(SAMPLE_CONFIG.parent / name, folder / name)
    config = folder / "review.yaml"
    config.write_text(SAMPLE_CONFIG.read_text(encoding="utf-8").replace("data_folder: ../data/sample", "data_folder: data"), encoding="utf-8")
    return config


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _xlsx(path: Path, rows: list[list[object]], *, sheet: str = "Sheet1", merge: str | None = None) -> None:
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
    _xlsx(folder / "enrollment.xlsx", rows, **keywords)  # type: ignore[arg-type]
    _replace(folder / "review.yaml", "enrollment: {file: enrollment.csv}", "enrollment: {file: enrollment.xlsx, sheet: Fall count}")
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


def _edit(file: str, old: str, new: str, base: Callable[[Path], Path] = _tiny) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        config = base(folder)
        _replace(folder / file, old, new)
        return config

    return make


def _write(file: str, text: str, base: Callable[[Path], Path] = _tiny, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        config = base(folder)
        (folder / file).write_bytes(text.encode(encoding))
        return config

    return make


def _copy(name: str, target: str, base: Callable[[Path], Path] = _tiny) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        config = base(folder)
        shutil.copy(BAD_INPUTS / name, folder / target)
        return config

    return make


def _review_from(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        _tiny(folder)
        shutil.copy(BAD_INPUTS / name, folder / "review.yaml")
        return folder / "review.yaml"

    return make


def _merged_cells(folder: Path) -> Path:
    config = _tiny(folder)
    return _enrollment_xlsx(folder, sheet="Fall count", merge="A3:A4")


def _wrong_sheet(folder: Path) -> Path:
    _tiny(folder)
    return _enrollment_xlsx(folder, sheet="Sheet1")


def _wide_total(folder: Path) -> Path:
    config = _tiny(folder)
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
    _replace(config, "expenditures: {file: expenditures.csv}", mapping)
    return config


def _strategy_typo(folder: Path) -> Path:
    config = _sample(folder)
    _replace(config, "number: 3", "number: 2")
    _replace(config, "strategy: Tier 2 reading intervention", "strategy: Tier 2 reading interventions")
    return config


# Expected rows: the header is row 1, so the tiny files' data rows are 2, 3, 4...
REFUSED = [
    Refused("missing required column", _write("enrollment.csv", "building_code,school_year,economically_disadvantaged\n00001,2023-24,40\n"), "enrollment.csv", None, "pupils", "required column 'pupils' is missing"),
    Refused("unknown column with a near-miss name", _edit("enrollment.csv", "pupils,economically_disadvantaged", "pupils,economicaly_disadvantaged"), "enrollment.csv", None, "economicaly_disadvantaged", "did you mean 'economically_disadvantaged'"),
    Refused("text in a number column", _edit("expenditures.csv", "00002,2023-24,state,personnel,2000000", "00002,2023-24,state,personnel,lots"), "expenditures.csv", 5, "amount", "'lots' is not a number"),
    Refused("currency as a word (USD 1,200)", _edit("expenditures.csv", "local,personnel,400000", 'local,personnel,"USD 1,200"'), "expenditures.csv", 3, "amount", "'USD 1,200' is not a number"),
    Refused("percent with two decimal points (12.5.3%)", _edit("outcomes.csv", "tested,proficient\n00001,2023-24,ela,all,50,30", "tested,proficient,percent_proficient\n00001,2023-24,ela,all,50,30,12.5.3%"), "outcomes.csv", 2, "percent_proficient", "'12.5.3%' is not a percent"),
    Refused("decimal comma (1 200,50) in a semicolon file", _copy("comma_decimal_expenditures.csv", "expenditures.csv"), "expenditures.csv", 4, "amount", "'1 200,50' is not a number"),
    Refused("negative pupils", _edit("enrollment.csv", "00002,2023-24,300,90", "00002,2023-24,-300,90"), "enrollment.csv", 3, "pupils", "above zero|negative"),
    Refused("zero pupils", _edit("enrollment.csv", "00002,2023-24,300,90", "00002,2023-24,0,0"), "enrollment.csv", 3, "pupils", "pupils is 0"),
    Refused("duplicate keys", _edit("enrollment.csv", "00002,2023-24,300,90\n", "00002,2023-24,300,90\n00002,2023-24,310,90\n"), "enrollment.csv", 3, "building_code", "repeat the same key"),
    Refused("building in expenditures unknown to buildings", _edit("expenditures.csv", "00003,2023-24,federal", "00009,2023-24,federal"), "expenditures.csv", 10, "building_code", "building '00009' is not in the buildings table"),
    Refused("year outside the review", _edit("expenditures.csv", "00002,2023-24,federal", "00002,2019-20,federal"), "expenditures.csv", 7, "school_year", "2019-20 is outside the review"),
    Refused("empty file", _write("enrollment.csv", ""), "enrollment.csv", 1, None, "empty"),
    Refused("header only", _write("enrollment.csv", "building_code,school_year,pupils\n"), "enrollment.csv", 2, None, "no data rows"),
    Refused("merged cells (xlsx)", _merged_cells, "enrollment.xlsx", 3, "A3:A4", "merged cells"),
    Refused("wrong sheet name (xlsx)", _wrong_sheet, "enrollment.xlsx", None, "sheet", "no sheet named 'Fall count'"),
    Refused("trailing total row", _edit("enrollment.csv", "00003,2023-24,100,80\n", "00003,2023-24,100,80\nDistrict Total,2023-24,500,210\n"), "enrollment.csv", 5, "building_code", "looks like a total row"),
    Refused("codes that lost leading zeros", _edit("buildings.csv", "00003,Cedar", "0003,Cedar"), "buildings.csv", 4, "building_code", "leading zeros"),
    Refused("proficient greater than tested", _edit("outcomes.csv", "ela,all,50,10", "ela,all,50,60"), "outcomes.csv", 4, "proficient", "greater than tested"),
    Refused("fund sources that do not add to the total", _wide_total, "spending_wide.csv", 3, "Total", "add up to 3,360,000.00 but 'Total' says 3,300,000.00"),
    Refused("YAML typo in a key", _edit("review.yaml", "data_folder: .", "data_folder: .\nthresholds: {minimum_group_sise: 10}"), "review.yaml", None, "thresholds.minimum_group_sise", "did you mean 'minimum_group_size'"),
    Refused("unknown review option (5)", _edit("review.yaml", "data_folder: .", "data_folder: .\noption: {number: 5}"), "review.yaml", None, "option.number", "1, 2, 3 or 4"),
    Refused("strategy not in the data (option 2)", _strategy_typo, "review.yaml", None, "option.strategy", "not in the strategies table"),
    Refused("student group not in the data (option 1)", _edit("review.yaml", "data_folder: .", "data_folder: .\noption: {number: 1, student_group: students_with_disabilities}"), "review.yaml", None, "option.student_group", "students with disabilities"),
    Refused("determination naming a missing data object", _edit("sample_determination.yaml", "- Per-Pupil Spending by Building and Year", "- Per-Pupil Spending by Bilding and Year", base=_sample), "sample_determination.yaml", None, "buildings.90041.evidence", "names no data object"),
    Refused("data file that does not exist", _edit("review.yaml", "{file: outcomes.csv}", "{file: outcome.csv}"), "outcome.csv", None, "tables.outcomes.file", "does not exist"),
    Refused("data_folder that does not exist", _edit("review.yaml", "data_folder: .", "data_folder: ./no_such_folder"), "review.yaml", None, "data_folder", "does not exist"),
    Refused("prompts_file that does not exist", _edit("review.yaml", "data_folder: .", "data_folder: .\nprompts_file: no_prompts.yaml"), "review.yaml", None, "prompts_file", "does not exist"),
    Refused("YAML with a Python object tag", _review_from("python_tag.yaml"), "review.yaml", 5, "tables.buildings", "tag not allowed"),
    Refused("invalid YAML syntax", _review_from("invalid_syntax.yaml"), "review.yaml", 6, "tables.enrollment", "cannot be read"),
    Refused("school year unreadable (someday)", _edit("enrollment.csv", "00002,2023-24", "00002,someday"), "enrollment.csv", 3, "school_year", "'someday' is not a school year"),
    Refused("school_years in the YAML unreadable", _edit("review.yaml", "[2023-24]", "[2023-24, someday]"), "review.yaml", None, "school_years", "'someday' is not a school year"),
]




def _where(case: Refused) -> str:
    """The location as problems.format_problems prints it."""
    where = re.escape(case.file) + r"[^:]*"
    if case.row is not None:
        where = re.escape(case.file) + rf"[^:\n]*, row {case.row}"
    if case.column is not None:
        where += rf"[^:\n]*, column '{re.escape(case.column)}'"
    return where


def _check_refusal(case: Refused, code: int, stdout: str, stderr: str) -> None:
    assert code == 2, stdout + stderr
    assert "Traceback" not in stderr + stdout
    lines = [line for line in stderr.splitlines() if re.search(_where(case), line)]
    assert lines, f"no problem names {case.file} row {case.row} column {case.column}:\n{stderr}"
    assert any(re.search(case.says, line, re.IGNORECASE) and " Fix: " in line for line in lines), stderr


@pytest.mark.parametrize("case", REFUSED, ids=[case.name for case in REFUSED])
def test_refused_input_exits_2_naming_file_row_column_and_fix(case: Refused, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`rar validate` through the command's entry point in this process (a new Python per class
    would take minutes); a few classes go through `python -m rar_protocol.cli` just below."""
    from rar_protocol.cli import main

    config = case.make(tmp_path)
    code = main(["validate", str(config)])  # an exception that escapes fails the test: no traceback for users
    captured = capsys.readouterr()
    _check_refusal(case, code, captured.out, captured.err)


@pytest.mark.parametrize("name", ["YAML with a Python object tag", "decimal comma (1 200,50) in a semicolon file", "empty file"])
def test_refused_input_through_python_dash_m(name: str, tmp_path: Path) -> None:
    case = next(case for case in REFUSED if case.name == name)
    completed = _rar("validate", str(case.make(tmp_path)))
    _check_refusal(case, completed.returncode, completed.stdout, completed.stderr)


RUN_CLASSES = ["YAML typo in a key", "merged cells (xlsx)", "student group not in the data (option 1)"]


@pytest.mark.parametrize("name", RUN_CLASSES)
def test_run_with_bad_input_writes_nothing(name: str, tmp_path: Path) -> None:
    case = next(case for case in REFUSED if case.name == name)
    config = case.make(tmp_path)
    out = tmp_path / "out"
    completed = _rar("run", str(config), "--out", str(out), "--formats", "html")
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert not out.exists()


def _digest(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_run_with_bad_input_leaves_an_existing_run_folder_unchanged(tmp_path: Path) -> None:
    config = REFUSED[2].make(tmp_path)  # text in a number column
    run_folder = tmp_path / "out" / "Tiny District" / "2025.01.01"
    run_folder.mkdir(parents=True)
    (run_folder / "manifest.json").write_text('{"reports": []}', encoding="utf-8")
    (run_folder / "index.html").write_text("<p>earlier run</p>", encoding="utf-8")
    before = _digest(tmp_path / "out")
    completed = _rar("run", str(config), "--out", str(tmp_path / "out"), "--formats", "html")
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert _digest(tmp_path / "out") == before


# --- handled: inputs people really send, which load with the right values -------------------------


def _loads(config: Path) -> "object":
    from rar_protocol.data.loading import load_review

    completed = _rar("validate", str(config))
    assert completed.returncode == 0, completed.stderr
    return load_review(config)


def _enrollment_values(review: object) -> list[tuple[str, str, float]]:
    table = review.tables["enrollment"]  # type: ignore[attr-defined]
    return list(zip(table["building_code"], table["school_year"], table["pupils"]))


TINY_PUPILS = [("00001", "2023-24", 100.0), ("00002", "2023-24", 300.0), ("00003", "2023-24", 100.0)]


def test_handled_header_on_row_3_of_an_excel_sheet(tmp_path: Path) -> None:
    """Handled: two title rows above the header are found and skipped; codes keep their zeros."""
    _tiny(tmp_path)
    rows = [["Fall count 2023-24"], ["Tiny District"], *csv.reader(TINY_FILES["enrollment.csv"].splitlines())]
    _xlsx(tmp_path / "enrollment.xlsx", rows, sheet="Fall count")
    _replace(tmp_path / "review.yaml", "enrollment: {file: enrollment.csv}", "enrollment: {file: enrollment.xlsx, sheet: Fall count}")
    assert _enrollment_values(_loads(tmp_path / "review.yaml")) == TINY_PUPILS


def test_handled_semicolon_separated_csv(tmp_path: Path) -> None:
    """Handled: a European Excel export with ';' between fields and '.' decimals loads as usual."""
    config = _tiny(tmp_path)
    (tmp_path / "enrollment.csv").write_text(TINY_FILES["enrollment.csv"].replace(",", ";"), encoding="utf-8")
    assert _enrollment_values(_loads(config)) == TINY_PUPILS


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"], ids=["UTF-16", "BOM"])
def test_handled_utf16_and_bom(encoding: str, tmp_path: Path) -> None:
    """Handled: UTF-16 (Excel's "Unicode text") and UTF-8 with a byte-order mark; the first column keeps its name."""
    config = _tiny(tmp_path)
    (tmp_path / "enrollment.csv").write_bytes(TINY_FILES["enrollment.csv"].encode(encoding))
    assert _enrollment_values(_loads(config)) == TINY_PUPILS


def test_handled_mixed_year_formats_in_one_column(tmp_path: Path) -> None:
    """Handled: 2023-24, 2023-2024, FY2024 and 2024 in one column all mean 2023-24."""
    config = _tiny(tmp_path)
    (tmp_path / "enrollment.csv").write_text(
        "building_code,school_year,pupils\n00001,2023-24,100\n00002,2023-2024,300\n00003,FY2024,100\n", encoding="utf-8"
    )
    (tmp_path / "designations.csv").write_text(
        "building_code,school_year,designation\n00001,2024,none\n00002,2023/24,none\n00003,FY24,CSI\n", encoding="utf-8"
    )
    review = _loads(config)
    assert _enrollment_values(review) == TINY_PUPILS
    assert set(review.tables["designations"]["school_year"]) == {"2023-24"}  # type: ignore[attr-defined]


_MILLION = textwrap.dedent(
    """
    import resource, sys, time
    from pathlib import Path
    from rar_protocol.data.loading import load_review
    started = time.perf_counter()
    review = load_review(Path(sys.argv[1]))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(len(review.tables["ledger"]), round(seconds, 1), round(peak_mb))
    """
)


def test_handled_a_million_row_file_loads_within_time_and_memory(tmp_path: Path) -> None:
    """Handled: a 1,000,000-row ledger loads in a subprocess within 60 s and 2 GB, not hanging."""
    config = _tiny(tmp_path)
    header = "school_year,fund,function_code,object_code,location,fund_source,description,actual\n"
    line = "2023-24,11,{function},{object},{code},state_local,Line {number},{amount}\n"
    codes = ("00001", "00002", "00003")
    with (tmp_path / "ledger.csv").open("w", encoding="utf-8") as handle:
        handle.write(header)
        handle.writelines(line.format(code=codes[i % 3], function=111 + i % 7, object=1000 + i % 900, number=i % 1000, amount=f"{(i % 5000) + 0.25:.2f}") for i in range(1_000_000))
    _replace(config, "  outcomes: {file: outcomes.csv}", "  outcomes: {file: outcomes.csv}\n  ledger: {file: ledger.csv}")
    completed = subprocess.run([sys.executable, "-c", _MILLION, str(config)], capture_output=True, text=True, timeout=90)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows, seconds, peak_mb = completed.stdout.split()
    print(f"1,000,000 ledger rows: {seconds} s, peak {peak_mb} MB")
    assert int(rows) == 1_000_000
    assert float(seconds) < 60 and int(peak_mb) < 2048


HANDLED = ["header on row 3 of an Excel sheet", "semicolon-separated CSV", "UTF-16 file", "BOM", "mixed year formats in one column", "a file of 1 million rows"]
CLASSES = [case.name for case in REFUSED] + HANDLED


def test_the_corpus_counts_its_classes() -> None:
    assert len(set(CLASSES)) == len(CLASSES) >= 30
    assert f"{len(CLASSES)} classes" in (__doc__ or "") and f"{len(REFUSED)} are refused" in (__doc__ or "")
