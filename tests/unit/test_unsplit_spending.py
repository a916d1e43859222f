"""Spending given as one total per building (no fund source, no personnel split): every analysis runs and says what it lacks."""

import re
from pathlib import Path

import numpy as np
import pytest

from conftest import write_unsplit
from rar_protocol.analyses import diagnostic, distribution, district_review, inventory, strategy, student_group
from rar_protocol.data.loading import load_review
from rar_protocol.measures import finance


@pytest.fixture
def review(tmp_path: Path):
    return load_review(write_unsplit(tmp_path))


def test_need_published_as_a_share_becomes_a_count_by_compute(review):
    counts = review.tables["enrollment"].set_index("building_code")["economically_disadvantaged"].to_dict()
    # 40.0% of 400, 22.1% of 380 = 83.98, 63.3% of 300 = 189.9, 35.0% of 520.
    assert counts == {"00101": 160, "00102": 84, "00103": 190, "00104": 182}


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
