"""The Michigan 2009-10 files, mapped by YAML only: Bay City School District beside its peers."""

import pandas as pd
import pytest

from conftest import MI_CONFIG, REAL_DATA
from rar_protocol.analyses import district_review, inventory, peers
from rar_protocol.cli import main
from rar_protocol.data import schema
from rar_protocol.data.loading import load_review


@pytest.fixture(scope="module")
def review():
    if not (REAL_DATA / "mi-2009-10").is_dir():
        pytest.skip(f"real data not found at {REAL_DATA / 'mi-2009-10'} (../shared is absent in this checkout)")
    return load_review(MI_CONFIG)


@pytest.fixture(scope="module")
def bulletin() -> pd.DataFrame:
    path = REAL_DATA / "mi-2009-10" / "bulletin1014_district_finances_2009-10.csv"
    if not path.exists():
        pytest.skip(f"real data not found at {path} (../shared is absent in this checkout)")
    return pd.read_csv(path, dtype=str).set_index("DCODE")


def test_bay_city_from_the_headcount_lunch_and_identification_files(review):
    buildings = review.tables["buildings"]
    assert review.config.district_code == "09010" and set(buildings["district_code"]) == {"09010"}
    assert len(buildings) == 15 and buildings["building_code"].str.fullmatch(r"\d{5}").all()
    # Clarkston's community education program has building code 09010: the district's code is not a building's.
    assert "09010" not in set(buildings["building_code"])
    levels = buildings.set_index("building_code")["level"]
    assert levels["00227"] == "high" and levels["08573"] == "alternative" and levels["00150"] == "elementary" and levels["04123"] == "middle"
    assert review.identified_buildings() == ["00227", "08573"]
    assert set(review.tables["designations"]["designation"]) == {"CSI"}  # both in restructuring
    enrollment = review.tables["enrollment"].set_index("building_code")
    # Bay City Central: 1,457 pupils in the headcount; 571 free + 137 reduced-price lunch.
    assert (enrollment.loc["00227", "pupils"], enrollment.loc["00227", "economically_disadvantaged"], enrollment.loc["00227", "black"]) == (1457, 708, 117)
    assert not review.has("expenditures") and not review.has("outcomes")


def test_per_pupil_figures_from_dollars_match_the_bulletin(review, bulletin):
    table = peers.district_measures(review.tables["district_finances"], "2009-10").set_index("district_code")
    assert len(table) == len(bulletin) == 775
    for measure, published in (
        ("basic_instruction", "AVG_BASINS"),
        ("added_needs", "AVG_ADDINS"),
        ("total_revenue", "AVG_TOTREV"),
        ("federal_revenue", "AVG_FEDREV"),
        ("total_expenditure", "AVG_TOTEXP"),
        ("average_teacher_salary", "AVG_T_SAL"),
    ):
        difference = (table[measure].fillna(0).round() - bulletin[published].astype(float)).abs()
        assert difference.max() <= 1, measure


def test_computed_statewide_ranks_agree_with_the_published_ones(review):
    finances = review.tables["district_finances"].copy()
    published = finances.set_index("district_code")
    for measure in schema.PEER_MEASURES:
        finances[f"{measure}_rank"] = float("nan")
    computed = peers.district_measures(finances, "2009-10").set_index("district_code")
    for measure in schema.PEER_MEASURES[:-1]:
        ranks = published[f"{measure}_rank"].where(published[f"{measure}_rank"] > 0)
        # The bulletin ranks rounded dollars (ties); a few places apart at most.
        close = (computed[f"{measure}_rank"] - ranks).abs() <= 3
        assert close[ranks.notna()].mean() >= 0.98, measure
        assert (computed[f"{measure}_rank"].isna() == ranks.isna()).mean() >= 0.99, measure
    # Pupils per teacher: 1 = fewest pupils per teacher, as the bulletin ranks it.
    # (ranks of ranks: a Spearman correlation without scipy)
    order = computed["pupils_per_teacher_rank"].rank().corr(published["pupils_per_teacher_rank"].where(published["pupils_per_teacher_rank"] > 0).rank())
    assert order > 0.98  # the bulletin ranks whole pupils per teacher: many ties


def test_peer_comparison_for_bay_city(review):
    selection = peers.select_peers(review)
    assert selection.chosen_by == "similarity" and len(selection.peers) == 10
    assert all(len(code) == 5 and code.isdigit() for code in selection.peers)
    objects = peers.data_objects(review)
    assert [o.name for o in objects] == ["Peer Districts", "Per-Pupil Revenue and Spending Beside Peer Districts", "Teacher Salary and Pupils per Teacher Beside Peer Districts"]
    spending = objects[1]
    assert spending.table["District code"].iloc[0] == "09010"
    assert "Basic instruction: $4,073 per pupil" in " ".join(spending.observations)  # the bulletin's AVG_BASINS
    assert "$548 (12%) less than the peer districts together ($4,621); statewide rank 437 of 771." in " ".join(spending.observations)


def test_every_analysis_that_needs_spending_says_so(review):
    objects = district_review.data_objects(review)
    for data_object in objects:
        assert district_review.SPENDING_MEASURE in data_object.missing, data_object.name
    need = next(o for o in objects if o.name == "Student Need by Building")
    assert need.table["Building code"].tolist()[:2] == ["00150", "00227"]
    assert "Wenona Center Home of Wenona High/Middle School (CSI) had 74.2% economically disadvantaged pupils" in " ".join(need.observations)
    assert "per-pupil spending by fund source" in inventory.missing_measures(review)


def test_rar_validate_succeeds(review, capsys):
    code = main(["validate", str(MI_CONFIG)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "District: Bay City School District (MI) (09010)" in captured.out
