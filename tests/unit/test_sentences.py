"""Sentences that read right: ties named together, percents written as percents, standing with a tolerance."""

import pandas as pd
import pytest

from conftest import SAMPLE_CONFIG
from rar_protocol import load_review
from rar_protocol.analyses import diagnostic, district_review, strategy


def test_the_largest_and_smallest_change_name_ties_and_one_building_once():
    two = pd.DataFrame({"Building": ["Lincoln", "Adams", "Grant"], "Change (%)": [7.04, 7.0, 3.0], "Change ($)": [700.0, 650.0, 300.0]})
    assert district_review._rise_sentence(two) == "The largest rise was at Lincoln and Adams (+7.0%); the smallest change at Grant (+3.0%)."
    one = pd.DataFrame({"Building": ["Lincoln"], "Change (%)": [7.0], "Change ($)": [700.0]})
    assert district_review._rise_sentence(one) == "Lincoln changed +7.0% ($700)."
    same = pd.DataFrame({"Building": ["Lincoln", "Adams"], "Change (%)": [7.0, 7.0], "Change ($)": [700.0, 650.0]})
    assert district_review._rise_sentence(same) == "Every building changed by +7.0%."


def test_a_percent_outcome_is_written_as_a_percent_and_its_difference_in_points():
    written = strategy._outcome_words("percent meeting spring reading growth target")
    assert written(53.2) == "53.2%"
    assert strategy._outcome_difference(-11.1, "percent meeting spring reading growth target") == "11.1 points lower"
    assert strategy._outcome_words("scale score")(412.0) == "412.0" and strategy._outcome_difference(4.0, "scale score") == "4.0 higher"


@pytest.fixture(scope="module")
def diagnostic_sentences() -> dict[str, str]:
    review = load_review(SAMPLE_CONFIG)
    sentences = [text for data_object in diagnostic.data_objects(review, "90041") for text in data_object.observations]
    return {text.split(" (")[0]: text for text in sentences if "(20" in text}


def test_option_4_standing_is_about_the_same_within_5_percent_and_federal_money_has_no_direction(diagnostic_sentences):
    # Total $11,710 against the district's $11,889 is -2%: about the same, not less favourable.
    assert diagnostic_sentences["Total per pupil"].endswith("about the same as the district.")
    assert diagnostic_sentences["Devices per student"].endswith("about the same as the district.")
    federal = diagnostic_sentences["Federal per pupil"]
    assert "favourable" not in federal and "+105%" in federal


def test_option_4_compares_pre_k_seats_per_100_pupils_with_the_district_s_total(diagnostic_sentences):
    review = load_review(SAMPLE_CONFIG)
    indicators = review.tables["indicators"]
    seats = indicators[indicators["indicator"].str.contains("pre-K", case=False) & (indicators["school_year"] == "2024-25")]
    enrollment = review.tables["enrollment"].set_index(["building_code", "school_year"])["pupils"]
    district = seats["value"].sum() * 100 / sum(enrollment[(code, "2024-25")] for code in seats["building_code"])
    sentence = diagnostic_sentences["Pre-K seats per 100 pupils"]
    assert f"district {district:,.1f} seats per 100 pupils" in sentence, sentence
