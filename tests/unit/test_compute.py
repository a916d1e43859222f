"""`compute:` in a mapping: counts from percents and dollars from per-pupil figures, with no eval."""

from pathlib import Path

import pandas as pd
import pytest

from rar_protocol.data.compute import ExpressionError, columns_of, evaluate, parse_expression
from rar_protocol.data.loading import load_review
from rar_protocol.data.mapping import apply_compute
from rar_protocol.errors import InputError

REVIEW = """district_code: "01234"
school_years: [2023-24]
data_folder: .
tables:
  buildings: {file: buildings.csv}
  enrollment:
    file: counts.csv
    compute:
      economically_disadvantaged: "round(lunch * enroll / 100)"
    rename: {Bldg: building_code, enroll: pupils}
    constants: {school_year: 2023-24}
  expenditures:
    file: ppe.csv
    compute:
      federal: "ppe_site_federal * ppe_membership"
      state_local: "`PPE State/Local $` * ppe_membership"
    wide_to_long: {columns: {federal: federal, state_local: state_local}, name: fund_source, value: amount}
    rename: {Bldg: building_code}
    constants: {school_year: 2023-24, category: personnel}
"""


def _review(folder: Path, counts: str, ppe: str) -> Path:
    (folder / "buildings.csv").write_text("district_code,building_code,building_name,level\n01234,00001,Aspen,elementary\n01234,00002,Birch,middle\n01234,00003,Cedar,elementary\n", encoding="utf-8")
    (folder / "counts.csv").write_text(counts, encoding="utf-8")
    (folder / "ppe.csv").write_text(ppe, encoding="utf-8")
    config = folder / "review.yaml"
    config.write_text(REVIEW, encoding="utf-8")
    return config


COUNTS = "Bldg,enroll,lunch\n00001,468,40.6%\n00002,300,*\n00003,100,\n"
PPE = 'Bldg,ppe_membership,ppe_site_federal,PPE State/Local $\n00001,468,"$1,000.50",9000\n00002,300,500,10000\n00003,100,0,8000\n'


def test_a_percent_becomes_a_count_and_per_pupil_figures_become_dollars(tmp_path):
    review = load_review(_review(tmp_path, COUNTS, PPE))
    enrollment = review.tables["enrollment"].set_index("building_code")
    assert enrollment.at["00001", "economically_disadvantaged"] == 190  # round(40.6 * 468 / 100) = round(190.008)
    spending = review.tables["expenditures"].set_index(["building_code", "fund_source"])["amount"]
    assert spending["00001", "federal"] == pytest.approx(1000.50 * 468)
    assert spending["00002", "state_local"] == 3_000_000


def test_a_suppressed_operand_gives_a_suppressed_result_and_a_blank_one_a_blank(tmp_path):
    frame = pd.DataFrame({"lunch": ["40.6%", "*", "", "<10"], "enroll": ["468", "300", "100", ""], "_row": [2, 3, 4, 5]})
    computed, problems = apply_compute(frame, {"economically_disadvantaged": "round(lunch * enroll / 100)"}, "counts.csv")
    assert problems == [] and list(computed["economically_disadvantaged"]) == ["190", "*", None, "*"]
    enrollment = load_review(_review(tmp_path, COUNTS, PPE)).tables["enrollment"].set_index("building_code")
    assert enrollment["economically_disadvantaged"].isna().tolist() == [False, True, True]  # a hidden count is never 0


def test_division_by_zero_names_file_row_and_column(tmp_path):
    config = _review(tmp_path, COUNTS, PPE)
    config.write_text(config.read_text().replace("round(lunch * enroll / 100)", "round(enroll / (enroll - 100))"), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_review(config)
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column) == ("counts.csv", 4, "economically_disadvantaged")
    assert "divides by zero" in problem.message


def test_an_unknown_column_names_the_columns_found(tmp_path):
    config = _review(tmp_path, COUNTS, PPE)
    config.write_text(config.read_text().replace("`PPE State/Local $`", "`PPE State/Local`"), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_review(config)
    [problem] = raised.value.problems
    assert (problem.file, problem.row, problem.column) == ("ppe.csv", 1, "PPE State/Local")
    assert "Columns found: Bldg, ppe_membership, ppe_site_federal, PPE State/Local $" in problem.fix


def test_a_cell_that_is_not_a_number_is_named():
    frame = pd.DataFrame({"a": ["1", "two"], "_row": [2, 3]})
    _, [problem] = apply_compute(frame, {"b": "a * 2"}, "f.csv")
    assert (problem.row, problem.column) == (3, "a") and "'two' is not a number" in problem.message


@pytest.mark.parametrize(
    ("expression", "expected"),
    [("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("10 / 4", 2.5), ("-a + 1", -4), ("a - -1", 6), ("round(2.5)", 3), ("round(-2.5)", -3), ("round(a / 3, 2)", 1.67), ("`x y$` * 2", 8), ("a*a-a", 20)],
)
def test_the_grammar_computes_as_arithmetic_does(expression, expected):
    frame = pd.DataFrame({"a": ["5"], "x y$": ["4"]})
    assert evaluate(parse_expression(expression), frame).values.iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize(
    "expression",
    ["__import__('os')", "a ** 2", "a +", "(a + 1", "abs(a)", "a b", "round(a, x)", "", "`open", "a; b", "lambda: 1", "a.real"],
)
def test_anything_outside_the_grammar_is_refused(expression):
    with pytest.raises(ExpressionError):
        parse_expression(expression)


def test_a_bad_expression_is_a_problem_naming_the_yaml_key(tmp_path):
    config = _review(tmp_path, COUNTS, PPE)
    config.write_text(config.read_text().replace("round(lunch * enroll / 100)", "lunch ** 2"), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_review(config)
    [problem] = raised.value.problems
    assert problem.column == "tables.enrollment.compute" and "'*' at character 8" in problem.message


def test_columns_of_lists_each_column_once():
    assert columns_of(parse_expression("round(`Fed $` * pupils / pupils, 2) + x")) == ["Fed $", "pupils", "x"]
