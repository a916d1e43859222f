"""Seven years of real data: Denver's school panel, dollars rebuilt from published per-pupil figures by YAML alone."""

import pandas as pd
import pytest

from conftest import DENVER_CONFIG, _require_real_data
from rar_protocol.analyses import district_review
from rar_protocol.data.loading import load_review
from rar_protocol.measures import finance


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    rows = pd.read_csv(_require_real_data() / "co-denver-2017-26" / "denver_schools.csv", dtype={"school_id": str})
    rows = rows[rows["in_ppe"] == 1]
    return rows.assign(school_year=[f"{year - 1}-{year % 100:02d}" for year in rows["year"]])


@pytest.fixture(scope="module")
def review():
    _require_real_data()
    return load_review(DENVER_CONFIG)


def test_every_school_year_s_per_pupil_total_is_the_published_one_within_a_dollar(review, published):
    computed = finance.per_pupil(review).merge(published, left_on=["building_code", "school_year"], right_on=["school_id", "school_year"])
    assert len(computed) == len(published) == 1_417
    with_pupils = computed[computed["pupils"] > 0]
    assert len(with_pupils) == 1_416
    assert (with_pupils["total_per_pupil"] - with_pupils["ppe_total"]).abs().max() < 1
    assert (with_pupils["federal_per_pupil"] - with_pupils["ppe_federal"]).abs().max() < 1


def test_the_school_with_spending_but_no_pupils_is_flagged_not_divided(review):
    table = finance.per_pupil(review).set_index(["building_code", "school_year"])
    row = table.loc[("0040", "2021-22")]
    assert row["pupils"] == 0 and pd.isna(row["total_per_pupil"]) and row["flag"].startswith("no pupils")


def test_seven_enrollment_weighted_district_figures_and_the_change_over_seven_years(review, published):
    district = finance.district_per_pupil(review).set_index("school_year")["total_per_pupil"]
    assert list(district.index) == [f"{year}-{(year + 1) % 100:02d}" for year in range(2018, 2025)]
    dollars = (published["ppe_total"] * published["ppe_membership"]).groupby(published["school_year"]).sum()
    pupils = published["ppe_membership"].groupby(published["school_year"]).sum()
    assert district.to_numpy() == pytest.approx((dollars / pupils).to_numpy(), abs=0.01)
    assert district.iloc[0] == pytest.approx(13_098, abs=1) and district.iloc[-1] == pytest.approx(18_357, abs=1)
    change = district_review.change_over_time(review)
    assert "from $13,098 in 2018-19 to $18,357 in 2024-25" in change.observations[0]


def test_the_central_share_is_marked_central(review):
    spending = review.tables["expenditures"]
    central = spending[spending["central"]].groupby(["building_code", "school_year"])["amount"].sum()
    assert len(central) > 1_000 and (central > 0).mean() > 0.5
