"""Review option 2 (a MICIP strategy): costs, braiding and outcomes against hand-computed values; small counts hidden."""

import pandas as pd
import pytest
from test_student_group import GROUP_FILES, write_review

from conftest import NC_CONFIG, SAMPLE_CONFIG, figure_summary
from rar_protocol.analyses import strategy
from rar_protocol.data.loading import load_review

# Reading tutoring, 2023-24: Aspen 40 participants on two funding rows (federal 30,000 + state
# 10,000; the 40 repeats and is counted once); Birch 8 (hidden), Cedar 25 (one-time federal
# 50,000), Dogwood 12 (hidden with Birch, so the total of 85 cannot reveal Birch's 8).
# 2022-23: Aspen only, all one-time money. Attendance coaching is the district's other strategy.
STRATEGY_FILE = "strategy,building_code,school_year,fund_source,funding_type,cost,participants,outcome_measure,participant_outcome,nonparticipant_outcome\n" + "".join(
    f"{name},{code},{year},{source},{kind},{cost},{participants},{measure},{participant},{nonparticipant}\n"
    for name, code, year, source, kind, cost, participants, measure, participant, nonparticipant in (
        ("Reading tutoring", "00001", "2022-23", "federal", "one_time", 36_000, 40, "growth target met", 55, 50),
        ("Reading tutoring", "00001", "2023-24", "federal", "recurring", 30_000, 40, "growth target met", 60, 50),
        ("Reading tutoring", "00001", "2023-24", "state", "recurring", 10_000, 40, "growth target met", 60, 50),
        ("Reading tutoring", "00002", "2023-24", "state", "recurring", 20_000, 8, "growth target met", 70, 55),
        ("Reading tutoring", "00003", "2023-24", "federal", "one_time", 50_000, 25, "growth target met", 50, 45),
        ("Reading tutoring", "00004", "2023-24", "local", "recurring", 5_000, 12, "growth target met", 40, 52),
        ("Attendance coaching", "00001", "2023-24", "local", "recurring", 10_000, 50, "", "", ""),
        ("Attendance coaching", "00003", "2023-24", "state", "recurring", 30_000, 100, "", "", ""),
    )
)


@pytest.fixture
def strategy_review(tmp_path):
    return load_review(write_review(tmp_path, {**GROUP_FILES, "strategies.csv": STRATEGY_FILE}, number=2))


def test_participants_are_counted_once_and_cost_is_braided(strategy_review):
    data_object = strategy.cost_by_fund_source(strategy_review, "00001")
    assert (
        "In 2023-24, Reading tutoring at Aspen Elementary cost $40,000 for 40 participants ($1,000 per participant), braided from federal $750 (75%) and state $250 (25%)."
    ) in data_object.observations
    # District: 115,000 over 40 + 8 + 25 + 12 = 85 participants; federal 80,000, state 30,000, local 5,000.
    assert (
        "District-wide in 2023-24, Reading tutoring ran in 4 building(s) and cost $115,000 for 85 participants ($1,353 per participant), "
        "braided from federal $941 (70%), state $353 (26%) and local $59 (4%)."
    ) in data_object.observations
    assert "At Aspen Elementary, cost per participant went from $900 in 2022-23 to $1,000 in 2023-24 (+11%)." in data_object.observations


def test_one_time_money_and_what_happened_when_it_ended(strategy_review):
    data_object = strategy.sustainability(strategy_review, "00001")
    assert data_object.observations[0] == (
        "In 2023-24, 0% of Reading tutoring's cost at Aspen Elementary came from one-time money, 75% from recurring federal grants and 25% from recurring state and local funds ($40,000 in all)."
    )
    assert (
        "When one-time money fell away in 2023-24 (100% to 0% of cost), the cost at Aspen Elementary went from $36,000 to $40,000 "
        "and the cost per participant from $900 to $1,000; participants from 40 to 40."
    ) in data_object.observations
    # District-wide, Cedar's 50,000 is one-time: 43% of 115,000.
    assert any(text.startswith("In 2023-24, 43% of Reading tutoring's cost district-wide came from one-time money") for text in data_object.observations)
    assert "If the one-time money ends, $50,000 a year district-wide would have to come from recurring funds to keep the strategy at its 2023-24 size." in data_object.observations


def test_participants_below_ten_and_their_complement_are_hidden_everywhere(strategy_review):
    assert strategy.hidden_sites(strategy_review) == {("Reading tutoring", "00002", "2023-24"), ("Reading tutoring", "00004", "2023-24")}
    by_building = strategy.cost_by_building(strategy_review, "00001").table
    for name in ("Birch Elementary", "Dogwood Elementary"):
        row = by_building[by_building["Building"] == name].iloc[0]
        assert row["Suppressed (fewer than threshold)"]
        assert pd.isna(row["Participants"]) and pd.isna(row["Cost per participant ($)"]) and pd.isna(row["Participants per 100 pupils"])
        assert row["Cost ($)"] > 0  # dollars are not about students: they stay
    total = by_building[(by_building["Building"] == "All buildings running it") & (by_building["School year"] == "2023-24")].iloc[0]
    assert total["Participants"] == 85
    # Dogwood's own report hides its count too, wherever it appears.
    own = strategy.cost_by_fund_source(strategy_review, "00004").table
    assert own.loc[own["Building"] == "Dogwood Elementary", "Participants"].isna().all()
    compared = strategy.compared_with_other_strategies(strategy_review, "00004").table
    assert compared["Cost per participant, Dogwood Elementary ($)"].isna().all()
    outcomes = strategy.participant_outcomes(strategy_review, "00002").table
    assert outcomes.loc[outcomes["Building"] == "Birch Elementary", "Participant outcome"].isna().all()


def test_outcomes_of_participants_against_non_participants(strategy_review):
    data_object = strategy.participant_outcomes(strategy_review, "00001")
    assert "In 2023-24 at Aspen Elementary, participants scored 60.0 and non-participants 50.0 on 'growth target met': participants 10.0 higher." in data_object.observations
    # Weighted by participants (4,690 / 85) and by pupils minus participants (42,911 / 865).
    assert "Across the buildings running it in 2023-24, participants averaged 55.2 and non-participants 49.6 (weighted): participants 5.6 higher." in data_object.observations


def test_cost_per_participant_against_the_other_strategies(strategy_review):
    data_object = strategy.compared_with_other_strategies(strategy_review, "00001")
    assert data_object.observations[0] == "In 2023-24, Reading tutoring cost $1,353 per participant district-wide, the highest of 2 strategies (others: Attendance coaching $267)."
    assert "Aspen Elementary ran 2 of the district's strategies in 2023-24; cost per participant there: Attendance coaching $200; Reading tutoring $1,000." in data_object.observations


def test_a_building_without_the_strategy_is_told_so_and_sees_the_district():
    review = load_review(SAMPLE_CONFIG)
    objects = strategy.data_objects(review, "90081")  # a middle school; Tier 2 reading runs in elementary schools
    assert all("does not run Tier 2 reading intervention" in o.observations[0] for o in objects[:4])
    names = [o.name for o in objects]
    assert len(set(names)) == len(names) >= 4 and all(name.startswith("Tier 2 reading intervention") for name in names)
    assert all(o.table is not None for o in objects)
    for data_object in objects:
        chart = figure_summary(data_object.figure)["charts"][0]
        assert chart["x_label"] or chart["y_label"], (data_object.name, chart)  # the value axis says what it measures
        assert chart["bars"] + chart["lines"] > 0, (data_object.name, chart)  # the district's figures are drawn


def test_no_strategies_table_is_a_finding(real_data):
    objects = strategy.data_objects(load_review(NC_CONFIG), "330312")
    assert all(o.table is None and "MICIP strategies with cost and participants" in o.missing for o in objects)
