"""Malformed inputs, as `rar validate` sees them (in this process: a new Python per class would take minutes).

A refused input must exit 2 with a message naming the file, the row and the column (or the YAML
key) and a fix, never a traceback. A handled input is one people really send (title rows above an
Excel header, semicolons, UTF-16, a BOM, mixed year spellings): it must load with the right
values. The corpus is in bad_inputs/corpus.py; the same classes through `python -m rar_protocol.cli`
and `rar run`, and a million-row file, are in tests/e2e/test_bad_inputs_cli.py.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bad_inputs.corpus import MISUSED, REFUSED, Misused, Refused, check_refusal, check_usage_error, replace_once, write_xlsx
from conftest import TINY_CONFIG, TINY_FILES, copy_sample, write_tiny
from rar_protocol.cli import main
from rar_protocol.data.loading import Review, load_review


def _validate(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", str(config)])  # an exception that escapes fails the test: no traceback for users
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("case", REFUSED, ids=[case.name for case in REFUSED])
def test_refused_input_exits_2_naming_file_row_column_and_fix(case: Refused, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check_refusal(case, *_validate(case.make(tmp_path), capsys))


@pytest.mark.parametrize("case", MISUSED, ids=[case.name for case in MISUSED])
def test_usage_mistake_exits_2_with_one_line(case: Misused, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(case.arguments(tmp_path))
    captured = capsys.readouterr()
    check_usage_error(case, code, captured.out, captured.err)
    assert sorted(path.name for path in tmp_path.iterdir() if path.is_dir()) == []  # nothing written


@pytest.mark.parametrize("base", [write_tiny, copy_sample], ids=["tiny review", "sample review"])
def test_each_class_is_refused_for_its_own_edit(base, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The reviews the classes are made from validate cleanly, so each refusal comes from its edit alone."""
    code, out, err = _validate(base(tmp_path), capsys)
    assert code == 0, out + err
    assert "Fix:" not in out + err
    assert len({case.name for case in REFUSED}) == len(REFUSED) >= 30


# --- handled: inputs people really send, which load with the right values -------------------------


def _loads(config: Path, capsys: pytest.CaptureFixture[str]) -> Review:
    code, out, err = _validate(config, capsys)
    assert code == 0, out + err
    return load_review(config)


def _enrollment_values(review: Review) -> list[tuple[str, str, float]]:
    table = review.tables["enrollment"]
    return list(zip(table["building_code"], table["school_year"], table["pupils"], strict=True))


TINY_PUPILS = [("00001", "2023-24", 100.0), ("00002", "2023-24", 300.0), ("00003", "2023-24", 100.0)]


def test_handled_header_on_row_3_of_an_excel_sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Handled: two title rows above the header are found and skipped; codes keep their zeros."""
    write_tiny(tmp_path)
    rows = [["Fall count 2023-24"], ["Tiny District"], *csv.reader(TINY_FILES["enrollment.csv"].splitlines())]
    write_xlsx(tmp_path / "enrollment.xlsx", rows, sheet="Fall count")
    replace_once(tmp_path / "review.yaml", "enrollment: {file: enrollment.csv}", "enrollment: {file: enrollment.xlsx, sheet: Fall count}")
    assert _enrollment_values(_loads(tmp_path / "review.yaml", capsys)) == TINY_PUPILS


def test_handled_semicolon_separated_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Handled: a European Excel export with ';' between fields and '.' decimals loads as usual."""
    config = write_tiny(tmp_path)
    (tmp_path / "enrollment.csv").write_text(TINY_FILES["enrollment.csv"].replace(",", ";"), encoding="utf-8")
    assert _enrollment_values(_loads(config, capsys)) == TINY_PUPILS


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"], ids=["UTF-16", "BOM"])
def test_handled_utf16_and_bom(encoding: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Handled: UTF-16 (Excel's "Unicode text") and UTF-8 with a byte-order mark; the first column keeps its name."""
    config = write_tiny(tmp_path)
    (tmp_path / "enrollment.csv").write_bytes(TINY_FILES["enrollment.csv"].encode(encoding))
    assert _enrollment_values(_loads(config, capsys)) == TINY_PUPILS


def test_handled_mixed_year_formats_in_one_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Handled: 2023-24, 2023-2024, FY2024 and 2024 in one column all mean 2023-24."""
    config = write_tiny(tmp_path)
    (tmp_path / "enrollment.csv").write_text("building_code,school_year,pupils\n00001,2023-24,100\n00002,2023-2024,300\n00003,FY2024,100\n", encoding="utf-8")
    (tmp_path / "designations.csv").write_text("building_code,school_year,designation\n00001,2024,none\n00002,2023/24,none\n00003,FY24,CSI\n", encoding="utf-8")
    review = _loads(config, capsys)
    assert _enrollment_values(review) == TINY_PUPILS
    assert set(review.tables["designations"]["school_year"]) == {"2023-24"}


def test_handled_review_yaml_saved_in_windows_1252(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Handled: Notepad's legacy encoding (an accented district name) is read, not a traceback."""
    config = write_tiny(tmp_path)
    config.write_bytes((TINY_CONFIG + "district_name: École Café District\n").encode("cp1252"))
    assert _loads(config, capsys).district_name == "École Café District"


def test_handled_buildings_under_review_without_a_determination_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    """Handled: a review in progress has determined some buildings; validate names the others (exit 0)."""
    from conftest import SAMPLE_CONFIG

    code, out, err = _validate(SAMPLE_CONFIG, capsys)
    assert code == 0, out + err
    assert "not yet determined: 90081 Harbor Light Middle School, 90111 North Shore High School" in out
