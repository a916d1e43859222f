"""Review option 4 (the Equitable Resource Diagnostic): catalogue, measures by hand, suppression, what we don't know."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import NC_CONFIG, figure_summary
from rar_protocol.analyses import diagnostic
from rar_protocol.data import schema
from rar_protocol.data.loading import load_review

# Aspen and Birch are elementary schools, Cedar a middle school; one year, 2023-24.
#   Teachers: Aspen 10 FTE (4 novice), Birch 20 (2), Cedar 10 (1). Counselors: Aspen none, Birch 1.0, Cedar 0.4.
#   Chronic absence: Aspen 30% of 100 students, Birch 20% of 300, Cedar 25% of 8 (below the privacy threshold).
#   Students of color: Aspen 40 of 100, Birch 150 of 300, Cedar 5 of 100 (below the threshold).
FILES = {
    "buildings.csv": "district_code,building_code,building_name,level\n01234,00001,Aspen Elementary,elementary\n01234,00002,Birch Elementary,elementary\n01234,00003,Cedar Middle,middle\n",
    "enrollment.csv": "building_code,school_year,pupils,economically_disadvantaged,students_with_disabilities,english_learners,black,hispanic,white\n"
    "00001,2023-24,100,40,10,5,30,10,60\n00002,2023-24,300,90,30,30,100,50,150\n00003,2023-24,100,80,20,20,3,2,95\n",
    "expenditures.csv": "building_code,school_year,fund_source,category,amount\n"
    "00001,2023-24,state,personnel,900000\n00001,2023-24,federal,non_personnel,100000\n"
    "00002,2023-24,state,personnel,3300000\n00002,2023-24,federal,non_personnel,60000\n"
    "00003,2023-24,state,personnel,800000\n00003,2023-24,federal,personnel,200000\n",
    "staff.csv": "building_code,school_year,role,fte,novice_fte\n"
    "00001,2023-24,teacher,10,4\n00002,2023-24,teacher,20,2\n00003,2023-24,teacher,10,1\n"
    "00001,2023-24,counselor,0,\n00002,2023-24,counselor,1.0,\n00003,2023-24,counselor,0.4,\n",
    "indicators.csv": "building_code,school_year,dimension,indicator,value,unit,better,students\n"
    "00001,2023-24,school_climate,chronic absence rate,30,percent,lower,100\n"
    "00002,2023-24,school_climate,chronic absence rate,20,percent,lower,300\n"
    "00003,2023-24,school_climate,chronic absence rate,25,percent,lower,8\n"
    "00001,2023-24,school_climate,suspension rate,0.05,share of students (0-1),lower,100\n"
    "00002,2023-24,school_climate,suspension rate,0.02,share of students (0-1),lower,300\n"
    "00003,2023-24,school_climate,suspension rate,0.04,share of students (0-1),lower,100\n",
}
CONFIG = """district_code: "01234"
school_years: [2023-24]
data_folder: .
tables:
  buildings: {file: buildings.csv}
  enrollment: {file: enrollment.csv}
  expenditures: {file: expenditures.csv}
  staff: {file: staff.csv}
  indicators: {file: indicators.csv}
"""
ASPEN, BIRCH, CEDAR = "00001", "00002", "00003"


def _write(folder: Path, config: str) -> Path:
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "review.yaml").write_text(config, encoding="utf-8")
    return folder / "review.yaml"


@pytest.fixture
def review(tmp_path: Path):
    """The three-building review above, loaded."""
    return load_review(_write(tmp_path, CONFIG))


def _measure(data_object, measure: str) -> pd.Series:
    table = data_object.table
    return table[table["Measure"] == measure].iloc[0]


def test_catalogue_has_the_ten_dimensions_with_questions_measures_and_causes():
    assert tuple(dimension.key for dimension in diagnostic.CATALOGUE) == schema.DIMENSIONS
    assert [dimension.number for dimension in diagnostic.CATALOGUE] == list(range(1, 11))
    for dimension in diagnostic.CATALOGUE:
        assert dimension.key_questions and dimension.measures and len(dimension.common_causes) >= 2
        assert all(measure.better in ("higher", "lower", "neutral") for measure in dimension.measures)
        assert all(bool(measure.derive) or bool(measure.indicator) for measure in dimension.measures)


def test_novice_teachers_and_pupils_per_teacher_by_hand(review):
    data_object = diagnostic.dimension_data_object(review, ASPEN, "teaching_quality")
    novice = _measure(data_object, "Novice teachers (share of teacher FTE)")
    # Aspen 4 / 10 = 40%; district (4 + 2 + 1) / 40 = 17.5%; Birch (the other elementary) 2 / 20 = 10%.
    assert novice["Aspen Elementary"] == pytest.approx(40)
    assert novice["District"] == pytest.approx(17.5)
    assert novice["Other elementary buildings"] == pytest.approx(10)
    time = diagnostic.dimension_data_object(review, ASPEN, "instructional_time")
    # Aspen 100 / 10 = 10 pupils per teacher; district 500 / 40 = 12.5.
    ratio = _measure(time, "Pupils per teacher")
    assert ratio["Aspen Elementary"] == pytest.approx(10) and ratio["District"] == pytest.approx(12.5)


def test_students_per_counselor_and_a_building_without_one(review):
    cedar = diagnostic.dimension_data_object(review, CEDAR, "student_supports")
    # Cedar 100 / 0.4 = 250 (the benchmark); district 500 / 1.4.
    row = _measure(cedar, "Students per counselor")
    assert row["Cedar Middle"] == pytest.approx(250) and row["District"] == pytest.approx(500 / 1.4, abs=0.01)
    assert "The common benchmark is 250 students per counselor; Cedar Middle meets it (250)." in cedar.observations
    aspen = diagnostic.dimension_data_object(review, ASPEN, "student_supports")
    assert aspen.display.iloc[0]["Aspen Elementary"] == "no FTE"
    assert any(text.startswith("Students per counselor (2023-24): Aspen Elementary had no FTE in this role") for text in aspen.observations)


def test_indicator_district_figure_weights_buildings_by_students(review):
    climate = diagnostic.dimension_data_object(review, ASPEN, "school_climate")
    row = _measure(climate, "Chronic absence rate")
    # (30 x 100 + 20 x 300 + 25 x 8) / 408 = 9,200 / 408.
    assert row["District"] == pytest.approx(9_200 / 408, abs=0.01)
    assert row["Aspen Elementary"] == pytest.approx(30)
    assert "Chronic absence rate (2023-24): Aspen Elementary 30.0%, district 22.5% (+33%), other buildings of its level 20.0%; less favourable than the district." in climate.observations


def test_indicator_from_fewer_than_ten_students_is_suppressed(review):
    climate = diagnostic.dimension_data_object(review, CEDAR, "school_climate")
    row = _measure(climate, "Chronic absence rate")
    assert row["Suppressed"] and pd.isna(row["Cedar Middle"]) and pd.isna(row["Deviation from district"])
    assert "Chronic absence rate (2023-24): not shown for Cedar Middle, computed from fewer students than the privacy threshold." in climate.observations
    assert climate.display.iloc[0]["Cedar Middle"] == "<n"


def test_a_student_group_share_below_ten_is_suppressed(review):
    cedar = diagnostic.dimension_data_object(review, CEDAR, "diverse_classrooms")
    # 5 students of color (and 20 English learners) at Cedar: the first is hidden, the second shown (20%).
    assert pd.isna(_measure(cedar, "Students of color")["Cedar Middle"])
    assert _measure(cedar, "English learners")["Cedar Middle"] == pytest.approx(20)
    aspen = diagnostic.dimension_data_object(review, ASPEN, "diverse_classrooms")
    # 5 English learners at Aspen: hidden; 40 students of color of 100 (60 white): shown.
    assert pd.isna(_measure(aspen, "English learners")["Aspen Elementary"])
    assert _measure(aspen, "Students of color")["Aspen Elementary"] == pytest.approx(40)


def test_a_share_given_from_0_to_1_is_shown_as_a_percent(review):
    climate = diagnostic.dimension_data_object(review, ASPEN, "school_climate")
    # Matched to the catalogue's suspension measure; 0.05 is 5%. District (5 x 100 + 2 x 300 + 4 x 100) / 500 = 3%.
    row = _measure(climate, "Suspensions")
    assert row["Aspen Elementary"] == pytest.approx(5) and row["Unit"] == "percent"
    assert row["District"] == pytest.approx(3)


def test_missing_measures_are_what_we_dont_know_yet(review):
    teaching = diagnostic.dimension_data_object(review, ASPEN, "teaching_quality")
    assert "Teaching Quality and Diversity: Teachers rated effective or highly effective (share of teacher FTE)" in teaching.missing
    assert "Teaching Quality and Diversity: Teacher turnover" in teaching.missing
    assert any(text.startswith("We don't know yet: Teachers rated effective") for text in teaching.observations)
    facilities = diagnostic.dimension_data_object(review, ASPEN, "facilities")
    assert facilities.table is None
    assert facilities.missing == ["Learning-Ready Facilities: Facility condition index", "Learning-Ready Facilities: Building age", "Learning-Ready Facilities: Devices per student"]
    assert "common causes of inequity" in facilities.notes[0].lower()


def test_summary_puts_the_furthest_less_favourable_measure_first(review):
    summary = diagnostic.summary_data_object(review, ASPEN)
    first = summary.table.iloc[0]
    # Novice share: buildings 40, 10, 10 with 100, 300, 100 pupils: mean 16, variance (57,600 + 10,800 + 3,600) / 500 = 144, spread 12.
    # Aspen is (40 - 17.5) / 12 = 1.875 spreads less favourable than the district.
    assert first["Measure"] == "Novice teachers (share of teacher FTE)"
    assert first["Distance in spreads (positive: less favourable)"] == pytest.approx(1.875, abs=0.01)
    distances = summary.table.loc[summary.table["Standing"] == "less favourable than the district", "Distance in spreads (positive: less favourable)"]
    assert list(distances) == sorted(distances, reverse=True)
    assert summary.observations[0].startswith("Teaching Quality and Diversity: Novice teachers")
    chart = figure_summary(summary.figure)["charts"][0]
    assert chart["x_label"] == "Distance from the district in between-building spreads (right: less favourable)"
    assert chart["bars"] == summary.table["Distance in spreads (positive: less favourable)"].notna().sum()  # one bar per measure with a distance


def test_the_configuration_chooses_the_dimensions(tmp_path):
    config = _write(tmp_path, CONFIG + "option:\n  number: 4\n  dimensions: [school_climate, teaching_quality]\n")
    review = load_review(config)
    assert diagnostic.chosen_dimensions(review) == ["teaching_quality", "school_climate"]
    names = [data_object.name for data_object in diagnostic.data_objects(review, ASPEN)]
    assert names == ["Diagnostic 2 Teaching Quality and Diversity", "Diagnostic 6 Positive and Inviting School Climate", "Diagnostic Summary Across Dimensions"]


def test_north_carolina_shows_novice_teachers_and_chronic_absence_and_what_it_lacks(real_data):
    review = load_review(NC_CONFIG)
    objects = {data_object.name: data_object for data_object in diagnostic.data_objects(review, "330312")}
    teaching = objects["Diagnostic 2 Teaching Quality and Diversity"]
    assert _measure(teaching, "Novice teachers (share of teacher FTE)")["Coker-Wimberly Elementary"] == pytest.approx(7 / 23 * 100, abs=0.01)
    climate = objects["Diagnostic 6 Positive and Inviting School Climate"]
    absence = _measure(climate, "Chronic absence rate")
    # Published as a 0-1 share; shown as a percent.
    assert absence["Unit"] == "percent" and 1 < absence["Coker-Wimberly Elementary"] < 100
    assert "Teaching Quality and Diversity: Teachers rated effective or highly effective (share of teacher FTE)" in teaching.missing
    assert any("Only one school year (2018-19)" in text for text in teaching.observations)
    assert objects["Diagnostic 7 Student Supports and Intervention"].table is None
    assert sum(data_object.table is not None for data_object in objects.values()) >= 4
