"""Observations written from the numbers, checked against figures computed by hand."""

import pandas as pd
import pytest

from conftest import figure_summary
from rar_protocol.analyses import district_review
from rar_protocol.data.loading import load_review
from rar_protocol.measures import finance, outcomes


def test_district_figure_is_weighted_by_pupils(tiny_review):
    review = load_review(tiny_review)
    district = finance.district_per_pupil(review).iloc[0]
    assert district["state_local_per_pupil"] == pytest.approx(10_000)
    assert district["total_per_pupil"] == pytest.approx(5_360_000 / 500)
    per_building = finance.per_pupil(review).set_index("building_code")
    assert per_building.loc["00003", "state_local_per_pupil"] == pytest.approx(8_000)
    assert per_building.loc["00003", "federal_per_pupil"] == pytest.approx(2_000)


def test_observation_for_an_identified_building(tiny_review):
    data_object = district_review.per_pupil_by_building(load_review(tiny_review))
    assert (
        "Cedar Elementary spent $2,000 (20%) less per pupil from state and local funds than the district's enrollment-weighted average in 2023-24 ($8,000 vs $10,000). It is identified for CSI."
    ) in data_object.observations
    assert any("ranged from $8,000 (Cedar Elementary) to $11,000 (Birch Middle)" in text for text in data_object.observations)


def test_federal_layering_observation(tiny_review):
    data_object = district_review.layered_ranking(load_review(tiny_review))
    # Cedar: 8,000 state+local (below 10,000), total 10,000 (below the district's 10,720).
    assert data_object.observations[0].startswith(
        "In 2023-24, 1 of 1 identified buildings received less state and local money per pupil than the district average ($10,000); federal dollars lifted 0 of those"
    )


def test_quadrants_and_proficiency_from_counts(tiny_review):
    review = load_review(tiny_review)
    district = outcomes.district_proficiency(review)
    assert district.iloc[0]["percent_proficient"] == pytest.approx(100 / 250 * 100)
    data_object = district_review.spending_vs_performance(review, subject="ela")
    # Cedar spends 10,000 per pupil (< 10,720) and is 20% proficient (< 40%).
    assert "Cedar Elementary (CSI) sits in the lower spending, lower proficiency quadrant: $10,000 per pupil and 20.0% proficient in ELA in 2023-24." in data_object.observations
    scatter = figure_summary(data_object.figure)["charts"][0]
    assert scatter["points"] == 3 and scatter["lines"] == 2  # a bubble per building; the two district averages
    assert (scatter["x_label"], scatter["y_label"]) == ("Total per-pupil expenditure (dollars)", "ELA: percent proficient (all students)")


def test_small_group_is_suppressed_and_never_zero(tiny_review):
    review = load_review(tiny_review)
    learners = outcomes.proficiency(review, student_group="english_learners")
    row = learners.iloc[0]
    assert row["suppressed"] and pd.isna(row["percent_proficient"]) and pd.isna(row["tested"])
    disadvantaged = outcomes.proficiency(review, student_group="economically_disadvantaged").iloc[0]
    assert disadvantaged["percent_proficient"] == pytest.approx(15.0)


def test_single_year_change_is_stated_not_an_error(tiny_review):
    data_object = district_review.change_over_time(load_review(tiny_review))
    assert data_object.table is None
    assert "Only one school year (2023-24)" in data_object.observations[0]


def test_need_correlation_sentence(tiny_review):
    data_object = district_review.spending_vs_need(load_review(tiny_review))
    # % ED: 40, 30, 80; state+local per pupil 9,000, 11,000, 8,000: higher need, less money.
    assert "higher-need buildings tend to get less state and local money per pupil" in data_object.observations[0]
