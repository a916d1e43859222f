"""`rar validate`: exit 0 with a summary, or exit 2 with every problem's file, row, column and fix."""

from pathlib import Path

import pytest

from conftest import NC_CONFIG, PROJECT, SAMPLE_CONFIG
from rar_protocol.cli import main
from rar_protocol.data import schema
from rar_protocol.data.dictionary import data_dictionary


def _validate(capsys, config: Path) -> tuple[int, str, str]:
    code = main(["validate", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _edit_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a CSV (row numbered as in Excel, header = 1)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_sample_review_is_valid(capsys):
    code, out, err = _validate(capsys, SAMPLE_CONFIG)
    assert code == 0, err
    assert "Lakeshore Example Public Schools (fictional) (99901)" in out
    assert "2020-21, 2021-22, 2022-23, 2023-24, 2024-25" in out
    assert "expenditures" in out and "Valid" in out


def test_north_carolina_example_is_valid(capsys, real_data):
    code, out, err = _validate(capsys, NC_CONFIG)
    assert code == 0, err
    assert "330LEA" in out and "Buildings: 14" in out


def test_bad_number_names_file_row_and_column(capsys, sample_copy):
    _edit_cell(sample_copy.parent / "data" / "expenditures.csv", 5, "amount", "twelve hundred")
    code, _, err = _validate(capsys, sample_copy)
    assert code == 2
    assert "expenditures.csv, row 5, column 'amount': 'twelve hundred' is not a number." in err
    assert "Traceback" not in err


def test_missing_column_suggests_the_near_name(capsys, sample_copy):
    path = sample_copy.parent / "data" / "enrollment.csv"
    path.write_text(path.read_text().replace("pupils", "pupil", 1))
    code, _, err = _validate(capsys, sample_copy)
    assert code == 2
    assert "enrollment.csv, row 1, column 'pupils': Required column 'pupils' is missing. Fix: Did you mean 'pupil'?" in err


def test_duplicate_building_lists_both_rows(capsys, sample_copy):
    path = sample_copy.parent / "data" / "buildings.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[2]]) + "\n")
    code, _, err = _validate(capsys, sample_copy)
    assert code == 2
    assert f"buildings.csv, row 3, column 'building_code': Rows 3, {len(lines) + 1} repeat the same key (building_code={lines[2].split(',')[2]})" in err


def test_unknown_building_is_named(capsys, sample_copy):
    _edit_cell(sample_copy.parent / "data" / "staff.csv", 2, "building_code", "90999")
    code, _, err = _validate(capsys, sample_copy)
    assert code == 2
    assert "staff.csv, row 2, column 'building_code': Building '90999' is not in the buildings table." in err


def test_all_problems_are_reported_together(capsys, sample_copy):
    data = sample_copy.parent / "data"
    _edit_cell(data / "enrollment.csv", 2, "pupils", "-5")
    _edit_cell(data / "enrollment.csv", 3, "pupils", "-7")
    _edit_cell(data / "outcomes.csv", 2, "school_year", "someday")
    code, _, err = _validate(capsys, sample_copy)
    assert code == 2
    assert "enrollment.csv, row 2, column 'pupils'" in err and "enrollment.csv, row 3, column 'pupils'" in err
    assert "outcomes.csv, row 2, column 'school_year'" in err


def test_year_outside_the_review(capsys, sample_copy):
    _edit_cell(sample_copy.parent / "data" / "designations.csv", 2, "school_year", "2015-16")
    code, _, err = _validate(capsys, sample_copy)
    assert code == 2
    assert "designations.csv, row 2, column 'school_year': School year 2015-16 is outside the review" in err


def test_yaml_typo_names_the_key_and_the_allowed_ones(capsys, sample_copy):
    sample_copy.write_text(sample_copy.read_text().replace("school_years:", "school_yeras:"))
    code, _, err = _validate(capsys, sample_copy)
    assert code == 2
    assert "Unknown key 'school_yeras'. Fix: Did you mean 'school_years'?" in err


def test_python_object_tags_are_refused(capsys, tmp_path):
    config = tmp_path / "evil.yaml"
    config.write_text("district_code: !!python/object/apply:os.system ['touch pwned']\n")
    code, _, err = _validate(capsys, config)
    assert code == 2 and "tag not allowed" in err
    assert not (tmp_path / "pwned").exists()


def test_init_scaffolds_templates_with_the_schema_headers(capsys, tmp_path):
    assert main(["init", str(tmp_path / "review"), "--district-code", "01010"]) == 0
    header, example = (tmp_path / "review" / "data" / "expenditures.csv").read_text().strip().split("\n")
    assert header == ",".join(schema.EXPENDITURES.column_names)
    assert example.startswith("00001,2024-25,state_local,personnel")  # one example row, replaced by the district's
    assert '"01010"' in (tmp_path / "review" / "review.yaml").read_text()
    assert main(["init", str(tmp_path / "review")]) == 2  # never overwrites without --force


def test_schema_dictionary_is_committed_and_current(capsys):
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    committed = (PROJECT / "docs" / "data_dictionary.md").read_text(encoding="utf-8")
    assert printed == committed, "run `make schema` to regenerate docs/data_dictionary.md"


@pytest.mark.parametrize("table", sorted(schema.TABLES))
def test_every_table_is_documented(table):
    assert f"## {table}" in data_dictionary()
