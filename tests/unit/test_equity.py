"""Each equity statistic and each need weight against a computation done by hand (written out in the test)."""

import math

import numpy as np
import pytest

from rar_protocol.data.config import ReviewOption
from rar_protocol.measures import equity

# Three buildings: 8,000 / 9,000 / 11,000 dollars per pupil with 100 / 100 / 300 pupils (500 in all).
THREE_VALUES = [8_000, 9_000, 11_000]
THREE_PUPILS = [100, 100, 300]
# Five buildings whose extremes hold fewer than 5% of pupils, so the restricted range differs from the range.
FIVE_VALUES = [5_000, 9_000, 10_000, 12_000, 20_000]
FIVE_PUPILS = [10, 300, 400, 270, 20]


def test_weighted_mean_counts_pupils_not_buildings():
    # (8,000 x 100 + 9,000 x 100 + 11,000 x 300) / 500 = 5,000,000 / 500 = 10,000; unweighted it would be 9,333.
    assert equity.weighted_mean(THREE_VALUES, THREE_PUPILS) == pytest.approx(10_000)


def test_coefficient_of_variation_three_buildings():
    # Deviations from 10,000: -2,000, -1,000, +1,000. Weighted squares: 100 x 4e6 + 100 x 1e6 + 300 x 1e6 = 8e8.
    # Variance 8e8 / 500 = 1.6e6; standard deviation 1,264.91; CV = 1,264.91 / 10,000.
    assert equity.weighted_standard_deviation(THREE_VALUES, THREE_PUPILS) == pytest.approx(math.sqrt(1.6e6))
    assert equity.coefficient_of_variation(THREE_VALUES, THREE_PUPILS) == pytest.approx(math.sqrt(1.6e6) / 10_000)


def test_coefficient_of_variation_five_buildings():
    # Mean: (50,000 + 2,700,000 + 4,000,000 + 3,240,000 + 400,000) / 1,000 = 10,390.
    # Deviations -5,390, -1,390, -390, 1,610, 9,610; weighted squares
    # 10 x 29,052,100 + 300 x 1,932,100 + 400 x 152,100 + 270 x 2,592,100 + 20 x 92,352,100 = 3,477,900,000.
    mean = 10_390
    variance = 3_477_900_000 / 1_000
    assert equity.weighted_mean(FIVE_VALUES, FIVE_PUPILS) == pytest.approx(mean)
    assert equity.coefficient_of_variation(FIVE_VALUES, FIVE_PUPILS) == pytest.approx(math.sqrt(variance) / mean)


def test_equal_spending_has_no_variation():
    assert equity.coefficient_of_variation([9_000, 9_000, 9_000], [10, 200, 3_000]) == 0
    assert equity.mcloone_index([9_000, 9_000, 9_000], [10, 200, 3_000]) == 1.0
    assert equity.restricted_range_ratio([9_000, 9_000], [1, 1]) == 1.0


def test_weighted_percentiles_line_up_pupils():
    # Cumulative shares of pupils: 8,000 -> 20%, 9,000 -> 40%, 11,000 -> 100%.
    assert equity.weighted_percentile(THREE_VALUES, THREE_PUPILS, 5) == 8_000
    assert equity.weighted_percentile(THREE_VALUES, THREE_PUPILS, 20) == 8_000
    assert equity.weighted_percentile(THREE_VALUES, THREE_PUPILS, 40) == 9_000
    assert equity.weighted_median(THREE_VALUES, THREE_PUPILS) == 11_000
    assert equity.weighted_percentile(THREE_VALUES, THREE_PUPILS, 95) == 11_000


def test_mcloone_index_three_buildings():
    # Median 11,000. Below it: 8,000 x 100 + 9,000 x 100 = 1,700,000 spent; at the median 11,000 x 200 = 2,200,000.
    assert equity.mcloone_index(THREE_VALUES, THREE_PUPILS) == pytest.approx(1_700_000 / 2_200_000)


def test_mcloone_index_five_buildings():
    # Cumulative shares 1%, 31%, 71%, 98%, 100%: the median pupil is in the 10,000 building.
    # Below it: 5,000 x 10 + 9,000 x 300 = 2,750,000; at the median 10,000 x 310 = 3,100,000.
    assert equity.weighted_median(FIVE_VALUES, FIVE_PUPILS) == 10_000
    assert equity.mcloone_index(FIVE_VALUES, FIVE_PUPILS) == pytest.approx(2_750_000 / 3_100_000)


def test_range_and_range_ratio_count_buildings():
    # Highest minus lowest building, whatever their size: 20,000 - 5,000; ratio 20,000 / 5,000.
    assert equity.spending_range(FIVE_VALUES) == 15_000
    assert equity.range_ratio(FIVE_VALUES) == pytest.approx(4.0)


def test_restricted_range_ratio_leaves_out_the_extreme_pupils():
    # The 5th percentile pupil is in the 9,000 building (1% < 5% <= 31%); the 95th in the 12,000 building (71% < 95% <= 98%).
    assert equity.weighted_percentile(FIVE_VALUES, FIVE_PUPILS, 5) == 9_000
    assert equity.weighted_percentile(FIVE_VALUES, FIVE_PUPILS, 95) == 12_000
    assert equity.restricted_range(FIVE_VALUES, FIVE_PUPILS) == 3_000
    assert equity.restricted_range_ratio(FIVE_VALUES, FIVE_PUPILS) == pytest.approx(12_000 / 9_000)


def test_weighted_correlation_by_hand():
    # x (% need) 10, 20, 30; y (dollars) 9,000, 10,000, 8,000; weights 1, 1, 2.
    # Means: x (10 + 20 + 60) / 4 = 22.5; y (9,000 + 10,000 + 16,000) / 4 = 8,750.
    # Covariance sum: -12.5 x 250 - 2.5 x 1,250 + 2 x 7.5 x -750 = -17,500.
    # Variance sums: x 156.25 + 6.25 + 2 x 56.25 = 275; y 62,500 + 1,562,500 + 2 x 562,500 = 2,750,000.
    # r = -17,500 / sqrt(275 x 2,750,000) = -17,500 / 27,500 = -7/11.
    assert equity.weighted_correlation([10, 20, 30], [9_000, 10_000, 8_000], [1, 1, 2]) == pytest.approx(-7 / 11)


def test_correlation_of_a_straight_line_is_one_and_needs_three_buildings():
    assert equity.weighted_correlation([10, 20, 40], [1_000, 2_000, 4_000], [5, 1, 9]) == pytest.approx(1.0)
    assert math.isnan(equity.weighted_correlation([10, 20], [1, 2], [1, 1]))


def test_percentile_rank_counts_half_the_pupils_at_the_value():
    # Pupils below 9,000: 100; at it: 100, counted half. (100 + 50) / 500 = 30%.
    assert equity.weighted_percentile_rank(THREE_VALUES, THREE_PUPILS, 9_000) == pytest.approx(30)


def test_buildings_without_a_value_or_pupils_are_left_out():
    values = [8_000, np.nan, 9_000, 11_000, 50_000]
    pupils = [100, 400, 100, 300, 0]
    assert equity.coefficient_of_variation(values, pupils) == pytest.approx(math.sqrt(1.6e6) / 10_000)
    assert equity.statistics(values, pupils)["buildings"] == 3


def test_default_need_weights_are_documented_values():
    assert ReviewOption().need_weights == {"economically_disadvantaged": 0.35, "students_with_disabilities": 0.9, "english_learners": 0.5}


@pytest.mark.parametrize(
    ("group", "count", "expected"),
    [
        # 100 pupils + 0.35 x 40 economically disadvantaged = 114.
        ("economically_disadvantaged", 40, 114.0),
        # 100 pupils + 0.9 x 10 students with disabilities = 109.
        ("students_with_disabilities", 10, 109.0),
        # 100 pupils + 0.5 x 20 English learners = 110.
        ("english_learners", 20, 110.0),
    ],
)
def test_each_need_weight(group, count, expected):
    weights = ReviewOption().need_weights
    weighted = equity.need_weighted_pupils([100], {group: [count]}, {group: weights[group]})
    assert weighted[0] == pytest.approx(expected)


def test_need_weights_add_up_and_unknown_counts_stay_unknown():
    weights = ReviewOption().need_weights
    counts = {"economically_disadvantaged": [40, 40], "students_with_disabilities": [10, np.nan], "english_learners": [20, 20]}
    weighted = equity.need_weighted_pupils([100, 100], counts, weights)
    # 100 + 14 + 9 + 10 = 133; an unknown count makes the building's weighted pupils unknown, never understated.
    assert weighted[0] == pytest.approx(133)
    assert math.isnan(weighted[1])


def test_statistics_bundle_names_every_measure():
    found = equity.statistics(FIVE_VALUES, FIVE_PUPILS)
    assert found["mcloone_index"] == pytest.approx(2_750_000 / 3_100_000)
    assert found["restricted_range_ratio"] == pytest.approx(12_000 / 9_000)
    assert found["range"] == 15_000 and found["pupils"] == 1_000
