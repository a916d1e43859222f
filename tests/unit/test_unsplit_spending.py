"""Spending given as one total per building (no fund source, no personnel split): every analysis runs and says what it lacks."""

import re
from pathlib import Path

import numpy as np
import pytest

from rar_protocol.analyses import diagnostic, distribution, district_review, inventory, strategy, student_group
from rar_protocol.data.loading import load_review
from rar_protocol.measures import finance

FILES = {
    "buildings.csv": "building_code,building_name,level\n00101,Adams Elementary,elementary\n00102,Brook Elementary,elementary\n00103,Clark Elementary,elementary\n00104,Dale Middle,middle\n",
    "enrollment.csv": "building_code,school_year,pupils,economically_disadvantaged\n00101,2024-25,400,160\n00102,2024-25,380,84\n00103,2024-25,300,190\n00104,2024-25,520,182\n",
    # One total per building: the publication gives no fund source and no category.
    "spending.csv": "building_code,school_year,total\n00101,2024-25,4400000\n00102,2024-25,4100000\n00103,2024-25,3600000\n00104,2024-25,5900000\n",
    "designations.csv": "building_code,school_year,designation\n00103,2024-25,CSI\n",
    "outcomes.csv": "building_code,school_year,subject,student_group,percent_proficient\n00101,2024-25,ela,all,48.2\n00102,2024-25,ela,all,55.0\n00103,2024-25,ela,all,31.5\n00104,2024-25,ela,all,44.0\n",
}
CONFIG = """district_code: "09999"
school_years: [2024-25]
buildings: ["00103"]
data_folder: .
tables:
  buildings: {file: buildings.csv, constants: {district_code: "09999"}}
  enrollment: {file: enrollment.csv}
  designations: {file: designations.csv}
  expenditures: {file: spending.csv, rename: {total: amount}, constants: {fund_source: total}}
  outcomes: {file: outcomes.csv, constants: {tested: null}}
"""


@pytest.fixture
def review(tmp_path: Path):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "review.yaml").write_text(CONFIG, encoding="utf-8")
    return load_review(tmp_path / "review.yaml")


def test_federal_and_state_local_are_not_reported_never_zero(review):
    table = finance.per_pupil(review).set_index("building_code")
    assert table.loc["00103", "total_per_pupil"] == pytest.approx(12_000)
    assert np.isnan(table.loc["00103", "federal_per_pupil"]) and np.isnan(table.loc["00103", "state_local_per_pupil"])
    assert np.isnan(table.loc["00103", "personnel_dollars"])
    district = finance.district_per_pupil(review).iloc[0]
    assert district["total_per_pupil"] == pytest.approx(18_000_000 / 1_600) and np.isnan(district["federal_per_pupil"])
    assert not inventory.measures(review)["per-pupil spending by fund source"]


def test_the_district_review_compares_total_spending_and_says_why_once(review):
    observations = district_review.per_pupil_by_building(review).observations
    assert observations[0].startswith("Spending is given as one total per building in 2024-25, not split by fund source")
    # Clark: $12,000 against the district's 18,000,000 / 1,600 = $11,250: $750 (7%) more.
    assert "Clark Elementary spent $750 (7%) more per pupil in total than the district's enrollment-weighted average in 2024-25 ($12,000 vs $11,250)." in observations[1]
    assert "cannot be shown" in district_review.layered_ranking(review).observations[0]


def test_every_option_runs_and_no_sentence_prints_a_missing_dollar_as_zero(review):
    objects = district_review.data_objects(review)
    for build in (student_group.data_objects, strategy.data_objects, distribution.data_objects, diagnostic.data_objects):
        objects += build(review, "00103")
    sentences = [text for data_object in objects for text in data_object.observations]
    assert sentences
    for text in sentences:
        assert not re.search(r"\$0\b|\bnan\b", text), text
    for data_object in objects:
        assert data_object.figure is None or data_object.png()  # every chart draws
    names = {data_object.name: data_object for data_object in objects}
    assert "not split by fund source" in names["Per-Pupil Spending by Fund Source"].observations[0]
    assert "not split into personnel and non-personnel" in names["Personnel and Non-Personnel Spending"].observations[0]
