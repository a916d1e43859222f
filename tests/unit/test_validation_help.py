"""Validation that helps a finance officer finish: every problem counted, one cause one line, and a fix that fits."""

from conftest import write_tiny
from rar_protocol.cli import main
from rar_protocol.data.problems import Problem, format_problems, row_ranges


def _validate(capsys, config) -> tuple[int, str]:
    code = main(["validate", str(config)])
    captured = capsys.readouterr()
    return code, captured.err


def test_the_count_is_every_problem_and_one_cause_is_one_line_naming_its_rows(tmp_path, capsys):
    config = write_tiny(tmp_path)
    rows = "".join(f"00001,2019-20,state,personnel,{number},1000\n" for number in range(412))
    (tmp_path / "expenditures.csv").write_text("building_code,school_year,fund_source,category,object_code,amount\n" + rows + "00001,2023-24,state,personnel,1,900000\n", encoding="utf-8")
    code, err = _validate(capsys, config)
    assert code == 2 and err.startswith("412 problems found (in 1 line):")
    assert "412 rows: School year 2019-20 is outside the review's years (2023-24), rows 2-413. Fix: Add `filter: {school_year: [2023-24]}` to this table, or widen `school_years`" in err


def test_bad_cells_past_twenty_are_counted_not_cut():
    problems = [Problem("f.csv", f"'x{row}' is not a number.", "Write a number.", row=row, column="amount") for row in range(2, 100)]
    text = format_problems(problems)
    assert text.startswith("98 problems found (in 1 line):") and "98 rows: 'x2' is not a number (and others like it), rows 2-99." in text


def test_row_ranges():
    assert row_ranges([9, 2, 3, 4, 11, 12]) == "2-4, 9, 11-12"


def test_an_unquoted_name_with_a_hash_or_a_colon_gets_the_hint_to_quote_it(tmp_path, capsys):
    config = write_tiny(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  expenditures: {file: expenditures.csv}\n", "  expenditures:\n    file: expenditures.csv\n    rename: {Bldg #: building_code}\n"), encoding="utf-8")
    _, err = _validate(capsys, config)
    assert "Line 10 has the unquoted name Bldg #." in err and 'Fix: Quote it: "Bldg #".' in err
    config.write_text(text.replace("  expenditures: {file: expenditures.csv}\n", "  expenditures:\n    file: expenditures.csv\n    rename:\n      Fund: Title I: fund_source\n"), encoding="utf-8")
    _, err = _validate(capsys, config)
    assert 'Quote it: "Fund: Title I"' in err


def test_a_totals_row_suggests_the_filter_that_leaves_it_out(tmp_path, capsys):
    config = write_tiny(tmp_path)
    spending = tmp_path / "expenditures.csv"
    spending.write_text(spending.read_text() + "Grand total,2023-24,state,personnel,5360000\n", encoding="utf-8")
    _, err = _validate(capsys, config)
    assert err.startswith("1 problem found")
    assert "'Grand total' looks like a total row" in err and 'add `filter: {building_code: {not_in: ["Grand total"]}}`' in err


def test_a_blank_building_with_the_largest_amount_is_a_totals_row(tmp_path, capsys):
    config = write_tiny(tmp_path)
    spending = tmp_path / "expenditures.csv"
    spending.write_text(spending.read_text() + ",2023-24,state,personnel,5360000\n", encoding="utf-8")
    _, err = _validate(capsys, config)
    assert "row 11, column 'building_code': The row has no building and the table's largest amount ($5,360,000): it looks like a totals row." in err
    assert "The cell is empty" not in err


def test_an_unknown_building_says_its_dollars_and_suggests_district_rows(tmp_path, capsys):
    config = write_tiny(tmp_path)
    spending = tmp_path / "expenditures.csv"
    spending.write_text(spending.read_text() + "09000,2023-24,state,personnel,1000000\n09000,2023-24,local,non_personnel,10000\n", encoding="utf-8")
    _, err = _validate(capsys, config)
    assert err.startswith("1 problem found")  # not also "has spending but no pupils"
    assert "Building '09000' is not in the buildings table. Its 2 rows carry $1,010,000 (rows 11-12)." in err
    assert 'add district_rows: {building_code: "09000"} to share them among the buildings by pupils' in err
