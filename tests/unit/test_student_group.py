"""Review option 1 (a student group): figures against hand-computed values, and small groups hidden everywhere."""

import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import NC_CONFIG, REAL_DATA, SAMPLE_CONFIG, figure_summary
from rar_protocol.analyses import student_group
from rar_protocol.data.loading import load_review

# Four buildings, two years. Dogwood's economically disadvantaged pupils (8, then 9) are below the
# threshold of 10, so Dogwood is hidden, and Birch (the next smallest, 60) with it: otherwise the
# district total minus the buildings shown would reveal Dogwood's count.
GROUP_FILES = {
    "buildings.csv": "district_code,building_code,building_name,level\n"
    "01234,00001,Aspen Elementary,elementary\n01234,00002,Birch Elementary,elementary\n"
    "01234,00003,Cedar Middle,middle\n01234,00004,Dogwood Elementary,elementary\n",
    "enrollment.csv": "building_code,school_year,pupils,economically_disadvantaged\n"
    "00001,2022-23,200,90\n00002,2022-23,300,60\n00003,2022-23,400,180\n00004,2022-23,50,9\n"
    "00001,2023-24,200,100\n00002,2023-24,300,60\n00003,2023-24,400,200\n00004,2023-24,50,8\n",
    "designations.csv": "building_code,school_year,designation\n"
    + "".join(f"{code},{year},{'CSI' if code == '00001' else 'none'}\n" for year in ("2022-23", "2023-24") for code in ("00001", "00002", "00003", "00004")),
    # Added needs (functions 120s) per building and year: Aspen 200,000; Birch 60,000; Cedar 200,000; Dogwood 8,000.
    # Federal: Aspen 50,000; Birch 0; Cedar 100,000; Dogwood 8,000.
    "expenditures.csv": "building_code,school_year,fund_source,category,function_code,amount\n"
    + "".join(
        f"{code},{year},{source},personnel,{function},{amount}\n"
        for year in ("2022-23", "2023-24")
        for code, source, function, amount in (
            ("00001", "state", "111", 1_000_000),
            ("00001", "federal", "125", 50_000),
            ("00001", "state", "122", 150_000),
            ("00002", "state", "111", 1_500_000),
            ("00002", "local", "122", 60_000),
            ("00003", "state", "111", 2_000_000),
            ("00003", "federal", "125", 100_000),
            ("00003", "state", "125", 100_000),
            ("00004", "state", "111", 300_000),
            ("00004", "federal", "122", 8_000),
        )
    ),
    "outcomes.csv": "building_code,school_year,subject,student_group,tested,proficient\n"
    "00001,2022-23,ela,all,100,55\n00001,2022-23,ela,economically_disadvantaged,50,15\n"
    "00002,2022-23,ela,all,150,80\n00002,2022-23,ela,economically_disadvantaged,30,12\n"
    "00003,2022-23,ela,all,200,70\n00003,2022-23,ela,economically_disadvantaged,100,25\n"
    "00004,2022-23,ela,all,25,8\n00004,2022-23,ela,economically_disadvantaged,5,1\n"
    "00001,2023-24,ela,all,100,60\n00001,2023-24,ela,economically_disadvantaged,50,20\n"
    "00002,2023-24,ela,all,150,90\n00002,2023-24,ela,economically_disadvantaged,30,15\n"
    "00003,2023-24,ela,all,200,80\n00003,2023-24,ela,economically_disadvantaged,100,30\n"
    "00004,2023-24,ela,all,25,10\n00004,2023-24,ela,economically_disadvantaged,6,1\n",
    "staff.csv": "building_code,school_year,role,fte,novice_fte,effective_fte\n"
    + "".join(
        f"{code},{year},{role},{fte},{novice},{effective}\n"
        for year in ("2022-23", "2023-24")
        for code, role, fte, novice, effective in (
            ("00001", "teacher", 10, 4, 7),
            ("00001", "counselor", 1, 0, 1),
            ("00001", "paraprofessional", 2, 0, 2),
            ("00002", "teacher", 15, 1.5, 14),
            ("00002", "counselor", 1, 0, 1),
            ("00002", "paraprofessional", 1, 0, 1),
            ("00003", "teacher", 20, 5, 16),
            ("00003", "counselor", 2, 0, 2),
            ("00003", "paraprofessional", 2, 0, 2),
            ("00004", "teacher", 3, 0, 3),
            ("00004", "counselor", 0.2, 0, 0.2),
        )
    ),
}
GROUP_CONFIG = """district_code: "01234"
school_years: [2022-23, 2023-24]
data_folder: .
option:
  number: {number}
  student_group: economically_disadvantaged
  strategy: Reading tutoring
tables:
{tables}
"""


def write_review(folder: Path, files: dict[str, str], *, number: int = 1) -> Path:
    """Write a review's CSVs and YAML into ``folder``; returns the YAML's path."""
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    tables = "".join(f"  {name.removesuffix('.csv')}: {{file: {name}}}\n" for name in files)
    config = folder / "review.yaml"
    config.write_text(GROUP_CONFIG.format(number=number, tables=tables), encoding="utf-8")
    return config


@pytest.fixture
def group_review(tmp_path):
    return load_review(write_review(tmp_path, GROUP_FILES))


@pytest.fixture(scope="module")
def nc_review():
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA}")
    return load_review(NC_CONFIG)


def _row(table: pd.DataFrame, building: str, year: str) -> pd.Series:
    return table[(table["Building"] == building) & (table["School year"] == year)].iloc[0]


def test_share_of_enrollment_against_the_district(group_review):
    data_object = student_group.group_share(group_review, "00001")
    # District 2023-24: 368 of 950 pupils (38.74%); Aspen 100 of 200 (50%): 11.26 points, 1.29 times.
    assert (
        "In 2023-24, economically disadvantaged students made up 50.0% of Aspen Elementary's 200 pupils (100), against 38.7% district-wide: "
        "11.3 points above the district share (1.3 times the district share)."
    ) in data_object.observations
    district = _row(data_object.table, "District (all buildings)", "2023-24")
    assert district["Economically Disadvantaged pupils"] == 368
    assert district["Economically Disadvantaged share (%)"] == pytest.approx(38.7, abs=0.05)


def test_a_group_below_ten_and_its_complement_are_hidden_in_every_table(group_review):
    hidden = student_group.hidden_group_counts(group_review, "economically_disadvantaged")
    assert hidden == {("00004", "2022-23"), ("00004", "2023-24"), ("00002", "2022-23"), ("00002", "2023-24")}
    share = student_group.group_share(group_review, "00004").table
    spending = student_group.added_needs_and_federal_spending(group_review, "00004").table
    support = student_group.support_staff(group_review, "00004").table
    teachers = student_group.teacher_experience(group_review, "00004").table
    for building in ("Dogwood Elementary", "Birch Elementary"):
        for year in ("2022-23", "2023-24"):
            row = _row(share, building, year)
            assert row["Suppressed (fewer than threshold)"]
            assert pd.isna(row["Economically Disadvantaged pupils"]) and pd.isna(row["Economically Disadvantaged share (%)"])
            assert pd.isna(_row(spending, building, year)["Added needs per economically disadvantaged pupil ($)"])
            assert pd.isna(_row(support, building, year)["Support FTE per 100 economically disadvantaged students"])
    dogwood = teachers[teachers["Building or group of buildings"] == "Dogwood Elementary"]
    assert dogwood["Economically Disadvantaged share of pupils (%)"].isna().all()
    # The district total stays: two hidden buildings cannot be told apart from it.
    assert _row(share, "District (all buildings)", "2023-24")["Economically Disadvantaged pupils"] == 368
    sentence = student_group.group_share(group_review, "00004").observations[0]
    assert "count of economically disadvantaged students in 2023-24 is not shown" in sentence and not re.search(r"\b8\b", sentence)


def test_achievement_gap_against_all_students_and_the_district(group_review):
    data_object = student_group.achievement_gap(group_review, "00001")
    # Aspen 2023-24: group 20/50 = 40%, all 60/100 = 60%, the other students (60-20)/(100-50) = 80%.
    # District group 66/186 = 35.48%, all 240/475 = 50.53%. It leads with the gap to the other students.
    assert (
        "In 2023-24, 40.0% of economically disadvantaged students at Aspen Elementary were proficient in ELA, 40.0 points below the building's other students (80.0%), "
        "the comparison that tells the most; against all students, who include the group, the gap reads -20.0 points (60.0%)."
    ) in data_object.observations
    assert (
        "District-wide, 35.5% of economically disadvantaged students were proficient in ELA (15.0 points below all students); the building's group was 4.5 points above the same group district-wide."
    ) in data_object.observations
    # 2022-23: 15/50 = 30% against the others' 40/50 = 80%: a gap of -50 narrowing to -40.
    assert any("went from -50.0 points in 2022-23 to -40.0 points in 2023-24 (group minus other students)" in text and "narrowed by 10.0 points" in text for text in data_object.observations)
    row = data_object.table[data_object.table["School year"] == "2023-24"].iloc[0]
    assert row["Other students proficient (%)"] == pytest.approx(80.0) and row["Gap to other students (points)"] == pytest.approx(-40.0)
    drawn = figure_summary(data_object.figure)
    assert "percent proficient at Aspen Elementary and district-wide" in drawn["title"]
    chart = drawn["charts"][0]
    assert chart["lines"] == 4 and chart["y_label"] == "Percent proficient"  # group and all students, building and district


def test_achievement_of_six_tested_is_never_shown(group_review):
    table = student_group.achievement_gap(group_review, "00004").table
    assert table["Suppressed (too few tested)"].all()
    assert table["Economically Disadvantaged proficient (%)"].isna().all()
    assert table["Economically Disadvantaged tested"].isna().all()
    by_building = student_group.achievement_by_building(group_review, "00001").table
    dogwood = by_building[by_building["Building"] == "Dogwood Elementary"].iloc[0]
    assert pd.isna(dogwood["Economically Disadvantaged proficient (%)"]) and pd.isna(dogwood["Gap to all students (points)"])


def test_added_needs_and_federal_dollars_per_pupil_in_the_group(group_review):
    data_object = student_group.added_needs_and_federal_spending(group_review, "00001")
    aspen = _row(data_object.table, "Aspen Elementary", "2023-24")
    assert aspen["Added needs per economically disadvantaged pupil ($)"] == pytest.approx(2_000)
    assert aspen["Federal per economically disadvantaged pupil ($)"] == pytest.approx(500)
    district = _row(data_object.table, "District (all buildings)", "2023-24")
    # Summed dollars over summed pupils: 468,000 / 368 and 158,000 / 368.
    assert district["Added needs per economically disadvantaged pupil ($)"] == pytest.approx(468_000 / 368, abs=0.01)
    assert district["Federal per economically disadvantaged pupil ($)"] == pytest.approx(158_000 / 368, abs=0.01)
    assert (
        "In 2023-24, Aspen Elementary spent $2,000 per economically disadvantaged pupil on added-needs functions (Bulletin 1022 function 120s), "
        "57% more than the district's $1,272 (summed dollars over summed pupils)."
    ) in data_object.observations
    assert any("assumes those dollars serve the group" in note for note in data_object.notes)


def test_support_staff_per_hundred_students_of_the_group(group_review):
    data_object = student_group.support_staff(group_review, "00001")
    # Aspen: 1 counselor + 2 paraprofessionals per 100 pupils of the group = 3.0; district 9.2 FTE / 368 = 2.5.
    assert data_object.observations[0] == ("In 2023-24, Aspen Elementary had 3.0 student-support staff (FTE) per 100 economically disadvantaged students, against 2.5 district-wide.")


def test_novice_teachers_where_the_group_is_concentrated(group_review):
    data_object = student_group.teacher_experience(group_review, "00001")
    # Above the district share (38.7%): Aspen and Cedar, (4 + 5) / (10 + 20) = 30% novices; others (1.5 + 0) / 18 = 8%.
    assert (
        "In 2023-24, 30% of teacher FTE were novices (0-2 years) in the 2 buildings where economically disadvantaged students are concentrated "
        "(share above the district's 39%), against 8% in the other 2 buildings."
    ) in data_object.observations


def test_missing_tables_are_stated_and_the_report_goes_on(tiny_review):
    review = load_review(tiny_review)
    objects = student_group.data_objects(review, "00003", student_group="english_learners")
    assert len(objects) == 6
    missing = [item for data_object in objects for item in data_object.missing]
    assert "counts of English learners" in missing
    assert "staff FTE by role" in missing
    support = next(o for o in objects if o.name == "English Learners Support Staff per 100 Students")
    assert support.table is None and "no staff table" in support.observations[0]


def test_the_sample_report_has_distinct_named_objects():
    review = load_review(SAMPLE_CONFIG)
    objects = student_group.data_objects(review, review.buildings_under_review()[0])
    names = [data_object.name for data_object in objects]
    assert len(set(names)) == len(names) >= 4
    assert all(name.startswith("Economically Disadvantaged") for name in names)
    assert all(data_object.table is not None and not data_object.missing for data_object in objects)


@pytest.mark.parametrize("group", ["economically_disadvantaged", "students_with_disabilities", "english_learners"])
def test_north_carolina_runs_and_says_what_it_lacks(nc_review, group):
    objects = student_group.data_objects(nc_review, "330312", student_group=group)
    missing = {item for data_object in objects for item in data_object.missing}
    assert student_group.count_measure(group) in missing
    assert "teachers rated effective" in missing
    gap = objects[0]
    assert gap.table is not None and len(gap.table) == 1
    assert any("Only one school year (2018-19)" in text for text in gap.observations)
    teachers = objects[-1]
    assert any("novices" in text for text in teachers.observations)


def test_without_spending_the_dollars_section_says_so(tmp_path):
    files = {name: text for name, text in GROUP_FILES.items() if name != "expenditures.csv"}
    review = load_review(write_review(tmp_path, files))
    data_object = student_group.added_needs_and_federal_spending(review, "00001")
    assert data_object.table is None and data_object.missing == ["per-pupil spending by fund source"]
    assert len(student_group.data_objects(review, "00001")) == 6
