"""Review option 3 (financial distribution and utilization) against figures computed by hand."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE_CONFIG, figure_summary
from rar_protocol.analyses import distribution
from rar_protocol.data.loading import load_review

# Three buildings in 2023-24, with round numbers:
#   Aspen (elementary): 100 pupils; state + local 900,000 (9,000 per pupil); federal 100,000 on function 125; 5 English learners.
#   Birch (elementary): 300 pupils; state + local 3,300,000 (11,000); federal 60,000.
#   Cedar (middle):     100 pupils; state + local   800,000 (8,000); federal 200,000.
# District: state + local 5,000,000 / 500 = 10,000 per pupil; total 5,360,000 / 500 = 10,720.
FILES = {
    "buildings.csv": "district_code,building_code,building_name,level\n01234,00001,Aspen Elementary,elementary\n01234,00002,Birch Elementary,elementary\n01234,00003,Cedar Middle,middle\n",
    "enrollment.csv": "building_code,school_year,pupils,economically_disadvantaged,students_with_disabilities,english_learners\n"
    "00001,2023-24,100,40,10,5\n00002,2023-24,300,90,30,30\n00003,2023-24,100,80,20,20\n",
    "designations.csv": "building_code,school_year,designation\n00001,2023-24,CSI\n00002,2023-24,none\n00003,2023-24,none\n",
    "expenditures.csv": "building_code,school_year,fund_source,category,function_code,object_code,amount\n"
    "00001,2023-24,state,personnel,111,1000,500000\n00001,2023-24,local,personnel,111,2000,400000\n00001,2023-24,federal,non_personnel,125,4000,100000\n"
    "00002,2023-24,state,personnel,111,1000,2000000\n00002,2023-24,local,non_personnel,261,4000,1300000\n00002,2023-24,federal,non_personnel,125,3000,60000\n"
    "00003,2023-24,state,personnel,112,1000,600000\n00003,2023-24,local,personnel,112,2000,200000\n00003,2023-24,federal,personnel,125,1000,200000\n",
    "ledger.csv": "school_year,fund,function_code,object_code,location,program,fund_source,budget,actual,grant_final_year\n"
    "2023-24,11,111,1000,00001,,state_local,950000,900000,\n"
    "2023-24,11,125,4000,00001,T1A,federal,120000,100000,2024-25\n"
    "2023-24,11,111,1000,00002,,state_local,3400000,3300000,\n"
    "2023-24,11,125,3000,00002,T1A,federal,70000,60000,2024-25\n"
    "2023-24,11,221,3000,00002,ESSER,federal,50000,30000,2023-24\n"
    "2023-24,11,112,1000,00003,,state_local,800000,800000,\n"
    "2023-24,11,125,1000,00003,T1A,federal,200000,200000,2024-25\n",
    "staff.csv": "building_code,school_year,role,fte,novice_fte,effective_fte,average_years_experience,average_salary\n"
    "00001,2023-24,teacher,10,4,8,5,50000\n00002,2023-24,teacher,20,2,18,12,60000\n00003,2023-24,teacher,10,1,9,15,70000\n",
}
CONFIG = """district_code: "01234"
school_years: [2023-24]
data_folder: .
tables:
  buildings: {file: buildings.csv}
  enrollment: {file: enrollment.csv}
  designations: {file: designations.csv}
  expenditures: {file: expenditures.csv}
  ledger: {file: ledger.csv}
  staff: {file: staff.csv}
"""
ASPEN, BIRCH, CEDAR = "00001", "00002", "00003"


@pytest.fixture
def review(tmp_path: Path):
    """The three-building review above, loaded."""
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "review.yaml").write_text(CONFIG, encoding="utf-8")
    return load_review(tmp_path / "review.yaml")


@pytest.fixture(scope="module")
def sample():
    return load_review(SAMPLE_CONFIG)


def _row(table: pd.DataFrame, column: str, value: str) -> pd.Series:
    return table[table[column] == value].iloc[0]


def test_comparison_groups_are_building_district_and_same_level(review):
    groups = distribution.comparison_groups(review, ASPEN)
    assert groups == {"Aspen Elementary": [ASPEN], "District": [ASPEN, BIRCH, CEDAR], "Other elementary buildings": [BIRCH]}
    # Cedar is the only middle school: no peer group.
    assert list(distribution.comparison_groups(review, CEDAR)) == ["Cedar Middle", "District"]


def test_spending_by_function(review):
    data_object = distribution.spending_by_function(review, ASPEN)
    table = data_object.table
    basic = _row(table, "Function", "111-119 Basic programs (all levels)")
    # Aspen 900,000 / 100; district (900,000 + 2,000,000 + 800,000) / 500; Birch 2,000,000 / 300.
    assert basic["Aspen Elementary per pupil ($)"] == pytest.approx(9_000)
    assert basic["District per pupil ($)"] == pytest.approx(7_400)
    assert basic["Other elementary buildings per pupil ($)"] == pytest.approx(6_666.67)
    compensatory = _row(table, "Function", "125 Added needs: compensatory education")
    # Aspen 100,000 / 100 = 1,000; district 360,000 / 500 = 720.
    assert compensatory["Deviation from district ($)"] == pytest.approx(280)
    # Instruction (functions 100-199): all of Aspen's 1,000,000; the district's 5,360,000 less Birch's 1,300,000 on function 261.
    assert f"Instruction (functions 100-199) was 100.0% of Aspen Elementary's spending in 2023-24, against {4_060_000 / 5_360_000 * 100:.1f}% for the district." in data_object.observations
    assert not data_object.missing
    chart = figure_summary(data_object.figure)["charts"][0]
    assert chart["x_label"] == "Dollars per pupil" and chart["bars"] == 8, chart


def test_spending_by_fund_source_sentence(review):
    data_object = distribution.spending_by_fund_source(review, ASPEN)
    assert data_object.observations[0] == (
        "Aspen Elementary spent $1,000 (10%) less per pupil from state and local funds than the district's enrollment-weighted average in 2023-24 ($9,000 vs $10,000)."
    )
    assert "Only one school year (2023-24) is available" in data_object.observations[-1]


def test_need_weighted_spending_by_hand(review):
    table = distribution.need_table(review).set_index("building_code")
    # Aspen: 100 + 0.35 x 40 + 0.9 x 10 + 0.5 x 5 = 125.5; Birch: 300 + 31.5 + 27 + 15 = 373.5; Cedar: 100 + 28 + 18 + 10 = 156.
    assert table.loc[ASPEN, "weighted_pupils"] == pytest.approx(125.5)
    assert table.loc[BIRCH, "weighted_pupils"] == pytest.approx(373.5)
    assert table.loc[CEDAR, "weighted_pupils"] == pytest.approx(156)
    # Aspen's 5 English learners are hidden, so its dollars per weighted pupil are too (they would give the count back).
    assert pd.isna(table.loc[ASPEN, "state_local_per_weighted_pupil"])
    assert table.loc[BIRCH, "state_local_per_weighted_pupil"] == pytest.approx(3_300_000 / 373.5)
    # Cedar's 20 English learners are hidden beside Aspen's, or the district's figure would give Aspen's back.
    assert pd.isna(table.loc[CEDAR, "state_local_per_weighted_pupil"])
    data_object = distribution.need_weighted_spending(review, BIRCH)
    # The district: all its state + local dollars over all its need-weighted pupils, hidden or not:
    # (900,000 + 3,300,000 + 800,000) / (125.5 + 373.5 + 156) = 5,000,000 / 655 = $7,634.
    assert any(f"${3_300_000 / 373.5:,.0f} of state and local money per need-weighted pupil" in text and "than the district ($7,634)" in text for text in data_object.observations)
    assert any("ranks 1st of the 1 buildings shown (2 hidden: groups under 10)" in text for text in data_object.observations)
    district = data_object.table[data_object.table["Building"].str.startswith("District")].iloc[0]
    assert district["State + local per need-weighted pupil ($)"] == pytest.approx(5_000_000 / 655, abs=0.01)


def test_a_group_below_ten_is_suppressed_with_the_weighted_pupils_that_contain_it(review):
    shown = distribution.need_weighted_spending(review, ASPEN).table.set_index("Building code")
    # Aspen has 5 English learners: neither their share nor the weighted pupils (which contain 0.5 x 5) are shown.
    assert shown.loc[ASPEN, "English learners (%)"] == "<n"
    assert pd.isna(shown.loc[ASPEN, "Need-weighted pupils"])
    assert shown.loc[ASPEN, "Economically disadvantaged (%)"] == pytest.approx(40.0)
    # Birch's 30 English learners of 300 pupils are shown.
    assert shown.loc[BIRCH, "English learners (%)"] == pytest.approx(10.0)
    assert shown.loc[BIRCH, "Need-weighted pupils"] == pytest.approx(373.5)


def test_need_weights_come_from_the_configuration(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "review.yaml").write_text(CONFIG + "option:\n  need_weights: {economically_disadvantaged: 1.0}\n", encoding="utf-8")
    table = distribution.need_table(load_review(tmp_path / "review.yaml")).set_index("building_code")
    # Only the economically disadvantaged weight: 100 + 1.0 x 40.
    assert table.loc[ASPEN, "weighted_pupils"] == pytest.approx(140)


def test_equity_statistics_by_hand(review):
    table = distribution.equity_statistics(review, ASPEN).table
    state_local = _row(table, "Measure", "State + local per pupil")
    # Values 9,000 (100 pupils), 11,000 (300), 8,000 (100): mean 10,000; variance (1e8 + 3e8 + 4e8) / 500 = 1.6e6.
    assert state_local["Coefficient of variation"] == pytest.approx(np.sqrt(1.6e6) / 10_000, abs=1e-4)
    # Median pupil is in Birch (11,000); below it 8,000 x 100 + 9,000 x 100 = 1,700,000 against 11,000 x 200.
    assert state_local["McLoone index"] == pytest.approx(1_700_000 / 2_200_000, abs=1e-4)
    assert state_local["Range ($)"] == pytest.approx(3_000)
    assert state_local["Restricted range ratio"] == pytest.approx(11_000 / 8_000, abs=1e-4)
    # % economically disadvantaged 40, 30, 80 (means 42 and 10,000, pupil-weighted):
    # covariance sum 100 x (-2 x -1,000) + 300 x (-12 x 1,000) + 100 x (38 x -2,000) = -11,000,000;
    # variance sums x: 100 x 4 + 300 x 144 + 100 x 1,444 = 188,000; y: 8e8.
    assert state_local["Correlation with % economically disadvantaged"] == pytest.approx(-11_000_000 / np.sqrt(188_000 * 8e8), abs=1e-3)
    # Aspen's pupils: 100 below (Cedar) + 100 / 2 at 9,000, of 500 = 30th percentile.
    assert state_local["Aspen Elementary: percentile of pupils"] == pytest.approx(30)


def test_excluding_title_i_uses_the_ledger_grant(review):
    data_object = distribution.spending_excluding_federal(review, ASPEN)
    row = _row(data_object.table, "Spending", "Excluding Title I")
    # Aspen: 1,000,000 - 100,000 of T1A = 900,000 / 100; district: 5,360,000 - 360,000 = 5,000,000 / 500.
    assert row["Aspen Elementary per pupil ($)"] == pytest.approx(9_000)
    assert row["District per pupil ($)"] == pytest.approx(10_000)
    assert "coded to grant T1A" in data_object.notes[0]
    assert "Title I paid $100,000 at Aspen Elementary in 2023-24 ($1,000 per pupil)." in data_object.observations


def test_excluding_title_i_without_a_ledger_uses_function_125(review, tmp_path):
    folder = tmp_path / "no_ledger"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "review.yaml").write_text(CONFIG.replace("  ledger: {file: ledger.csv}\n", ""), encoding="utf-8")
    data_object = distribution.spending_excluding_federal(load_review(folder / "review.yaml"), ASPEN)
    assert "approximated by federal spending on function 125" in data_object.notes[0]
    assert _row(data_object.table, "Spending", "Excluding Title I")["Aspen Elementary per pupil ($)"] == pytest.approx(9_000)


def test_budget_and_actual(review):
    data_object = distribution.budget_and_actual(review, ASPEN)
    # Aspen: budget 950,000 + 120,000 = 1,070,000, actual 1,000,000: 93.5% spent, 70,000 unspent.
    # District: budget 5,590,000, actual 5,390,000: 96.4%.
    assert data_object.observations[0] == "In 2023-24, ledger lines at Aspen Elementary spent 93.5% of a $1,070,000 budget ($70,000 unspent), against 96.4% across the district."
    assert "T1A (Federal): 83.3% of $120,000, leaving $20,000." in data_object.observations[1]


def test_unspent_and_lapsing_grants(review):
    birch = distribution.unspent_and_lapsing_grants(review, BIRCH)
    # ESSER's final year is 2023-24: its 20,000 unspent lapse; T1A's 10,000 can still be spent in 2024-25.
    assert "$30,000 of grant budgets at Birch Elementary went unspent, of which $20,000 lapsed" in birch.observations[0]
    assert "The largest lapse at Birch Elementary was in ESSER: $20,000." in birch.observations
    rows = birch.table[birch.table["Scope"] == "Birch Elementary"].set_index("Grant")
    assert rows.loc["T1A", "Unspent, still available later ($)"] == pytest.approx(10_000)
    assert rows.loc["T1A", "Lapsing ($)"] == 0


def test_seniority_effect(review):
    data_object = distribution.seniority_effect(review, ASPEN)
    # District average salary: (10 x 50,000 + 20 x 60,000 + 10 x 70,000) / 40 = 60,000.
    # Aspen: 10 x 50,000 = 500,000 against 10 x 60,000 = 600,000: 100,000 less, 1,000 per pupil.
    assert data_object.observations[0] == (
        "In 2023-24 Aspen Elementary's 10.0 teacher FTE cost $500,000 in salaries at the building's average salary ($50,000); "
        "at the district's FTE-weighted average ($60,000) they would cost $600,000: $100,000 less, or $1,000 per pupil."
    )
    cedar = data_object.table.set_index("Building code").loc[CEDAR]
    assert cedar["Seniority effect ($)"] == pytest.approx(100_000)


def test_personnel_and_non_personnel(review):
    data_object = distribution.personnel_and_non_personnel(review, ASPEN)
    # Aspen: personnel 900,000 of 1,000,000 = 90%; district: (900,000 + 2,000,000 + 1,000,000) / 5,360,000 = 72.8%.
    assert data_object.observations[0] == "Personnel (salaries and benefits) was 90.0% of Aspen Elementary's spending in 2023-24, against 72.8% for the district."
    salaries = data_object.table[(data_object.table["Breakdown"] == "object") & (data_object.table["Spending"] == "Salaries")].iloc[0]
    # Salaries (object 1000s): Aspen 500,000 / 100; district (500,000 + 2,000,000 + 600,000 + 200,000) / 500.
    assert salaries["Aspen Elementary per pupil ($)"] == pytest.approx(5_000)
    assert salaries["District per pupil ($)"] == pytest.approx(6_600)


def test_missing_tables_are_stated_and_the_report_goes_on(tiny_review):
    objects = distribution.data_objects(load_review(tiny_review), "00003")
    assert len(objects) == 9 and len({data_object.name for data_object in objects}) == 9
    by_name = {data_object.name: data_object for data_object in objects}
    assert by_name["Budget and Actual by Fund and Grant"].missing == ["general ledger (budget and actual)"]
    assert "no general ledger" in by_name["Unspent and Lapsing Grant Dollars"].observations[0]
    assert by_name["Seniority Effect on Teacher Salary Cost"].missing == ["staff salaries"]
    assert by_name["Per-Pupil Spending by Function"].missing == ["spending by Bulletin 1022 function"]
    assert by_name["Per-Pupil Spending by Fund Source"].table is not None


def test_without_building_spending_the_spending_analyses_say_so(review, tmp_path):
    folder = tmp_path / "no_spending"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "review.yaml").write_text(CONFIG.replace("  expenditures: {file: expenditures.csv}\n", ""), encoding="utf-8")
    objects = {data_object.name: data_object for data_object in distribution.data_objects(load_review(folder / "review.yaml"), ASPEN)}
    assert objects["Per-Pupil Spending by Fund Source"].missing == ["per-pupil spending by fund source"]
    assert "Building spending is not in this review's data" in objects["Spending Equity Statistics"].observations[0]
    # The ledger and staff analyses do not need building spending.
    assert objects["Seniority Effect on Teacher Salary Cost"].table is not None
    assert objects["Budget and Actual by Fund and Grant"].table is not None
