"""The fictional sample data: what a user of the demo relies on, and that its numbers reconcile."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rar_protocol.data import schema
from rar_protocol.sample import generate_district, main, write_tables

LATEST = "2024-25"
SOURCE_GROUP = {"federal": "federal", "state": "state_local", "local": "state_local", "state_local": "state_local"}


@pytest.fixture(scope="module")
def district() -> dict[str, pd.DataFrame]:
    return generate_district()


@pytest.fixture(scope="module")
def dollars(district: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Dollars by building, year and source group beside pupils, level and latest designation."""
    spending = district["expenditures"].assign(source=lambda frame: frame["fund_source"].map(SOURCE_GROUP))
    table = spending.pivot_table(index=["building_code", "school_year"], columns="source", values="amount", aggfunc="sum", fill_value=0.0).reset_index()
    table = table.merge(district["enrollment"][["building_code", "school_year", "pupils"]], validate="one_to_one")
    table = table.merge(district["buildings"][["building_code", "level"]], validate="many_to_one")
    designations = district["designations"]
    latest = designations[designations["school_year"] == LATEST].set_index("building_code")["designation"]
    table["identified"] = table["building_code"].map(latest) != "none"
    return table


def _identified_in_latest_year(tables: dict[str, pd.DataFrame]) -> pd.Series:
    designations = tables["designations"]
    return designations.loc[designations["school_year"] == designations["school_year"].max()].set_index("building_code")["designation"]


def test_same_seed_gives_the_same_tables(district: dict[str, pd.DataFrame]) -> None:
    again = generate_district()
    for name, frame in district.items():
        pd.testing.assert_frame_equal(frame, again[name], obj=name)
    other = generate_district(seed=1)
    assert not other["expenditures"]["amount"].equals(district["expenditures"]["amount"])


def test_every_canonical_table_with_its_columns_valid_and_sorted(district: dict[str, pd.DataFrame]) -> None:
    assert set(district) == set(schema.TABLES)
    for name, spec in schema.TABLES.items():
        frame = district[name]
        assert list(frame.columns) == spec.column_names, name
        assert len(frame) > 0, name
        schema.pandera_schema(spec).validate(frame)
        if spec.key:
            assert not frame.duplicated(list(spec.key)).any(), name
            assert frame.equals(frame.sort_values(list(spec.key), ignore_index=True)), f"{name} is not sorted by its key"


def test_fictional_district_with_the_demo_mix(district: dict[str, pd.DataFrame]) -> None:
    buildings = district["buildings"]
    assert len(buildings) >= 12
    assert set(buildings["district_code"]) == {"99901"}
    assert buildings["district_name"].str.contains("(fictional)", regex=False).all()
    assert buildings["building_code"].str.fullmatch(r"9\d{4}").all()
    assert {"elementary", "middle", "high", "alternative"} <= set(buildings["level"])
    alternative = buildings.loc[buildings["level"] == "alternative", "building_code"]
    enrollment = district["enrollment"]
    assert enrollment.loc[enrollment["building_code"].isin(alternative), "pupils"].between(60, 90).all()

    latest = _identified_in_latest_year(district)
    assert (latest == "CSI").sum() == 2
    assert latest.isin(["ATS", "TSI"]).sum() == 2
    assert {"ATS", "TSI"} <= set(latest)
    assert set(district["enrollment"]["school_year"]) == {"2020-21", "2021-22", "2022-23", "2023-24", "2024-25"}


def test_enrollment_counts_are_whole_and_add_up(district: dict[str, pd.DataFrame]) -> None:
    enrollment = district["enrollment"]
    counts = enrollment[["pupils", *schema.NEED_GROUPS, *schema.RACE_GROUPS]]
    assert (counts == counts.round()).all().all()
    assert (enrollment[list(schema.RACE_GROUPS)].sum(axis=1) == enrollment["pupils"]).all()
    for group in schema.NEED_GROUPS:
        assert (enrollment[group] <= enrollment["pupils"]).all()
    by_level = enrollment.merge(district["buildings"][["building_code", "level"]]).groupby("level")["pupils"]
    assert by_level.min()["elementary"] >= 250 and by_level.max()["elementary"] <= 650
    assert by_level.min()["high"] >= 750


def test_per_pupil_spending_is_realistic(dollars: pd.DataFrame) -> None:
    dollars = dollars.assign(per_pupil=(dollars["federal"] + dollars["state_local"]) / dollars["pupils"])
    regular = dollars[dollars["level"] != "alternative"]
    assert regular["per_pupil"].between(9_000, 16_000).all(), regular["per_pupil"].describe()
    # The small alternative school costs the most per pupil, every year, and stays in range.
    alternative = dollars[dollars["level"] == "alternative"].set_index("school_year")["per_pupil"]
    assert (alternative > regular.groupby("school_year")["per_pupil"].max()).all()
    assert (alternative <= 16_000).all()
    # Modest growth: district dollars per pupil rise about 3% a year.
    district = dollars.groupby("school_year")[["federal", "state_local", "pupils"]].sum()
    per_pupil = (district["federal"] + district["state_local"]) / district["pupils"]
    yearly_growth = (per_pupil.iloc[-1] / per_pupil.iloc[0]) ** (1 / (len(per_pupil) - 1)) - 1
    assert 0.02 <= yearly_growth <= 0.04


def test_identified_buildings_get_more_federal_and_less_state_local_per_pupil(dollars: pd.DataFrame) -> None:
    totals = dollars.groupby(["school_year", "identified"])[["federal", "state_local", "pupils"]].sum()
    federal = (totals["federal"] / totals["pupils"]).unstack()
    state_local = (totals["state_local"] / totals["pupils"]).unstack()
    assert (federal[True] > federal[False]).all()
    assert (state_local[True] < state_local[False]).all()


def test_federal_compensatory_money_goes_to_high_poverty_buildings(district: dict[str, pd.DataFrame]) -> None:
    spending = district["expenditures"]
    title = spending[(spending["fund_source"] == "federal") & (spending["function_code"] == "125")]
    title = title.groupby(["building_code", "school_year"])["amount"].sum().rename("title").reset_index()
    enrollment = district["enrollment"].merge(title, how="left").fillna({"title": 0.0})
    enrollment = enrollment[enrollment["school_year"] == LATEST]
    poverty = enrollment["economically_disadvantaged"] / enrollment["pupils"]
    per_pupil = enrollment["title"] / enrollment["pupils"]
    assert per_pupil.corr(poverty) > 0.8


def test_novice_teachers_concentrate_in_identified_buildings(district: dict[str, pd.DataFrame]) -> None:
    staff = district["staff"]
    teachers = staff[staff["role"] == "teacher"].copy()
    teachers["identified"] = teachers["building_code"].map(_identified_in_latest_year(district)) != "none"
    totals = teachers.assign(payroll=teachers["fte"] * teachers["average_salary"]).groupby(["school_year", "identified"])[["novice_fte", "fte", "payroll"]].sum()
    novice_share = (totals["novice_fte"] / totals["fte"]).unstack()
    average_salary = (totals["payroll"] / totals["fte"]).unstack()
    assert (novice_share[True] > novice_share[False] + 0.1).all()
    # The seniority effect: where novices concentrate, the average salary is lower.
    assert (average_salary[True] < average_salary[False]).all()
    assert (staff["novice_fte"] <= staff["fte"]).all() and (staff["effective_fte"] <= staff["fte"]).all()


def test_small_groups_are_suppressed_never_zero(district: dict[str, pd.DataFrame]) -> None:
    outcomes = district["outcomes"]
    suppressed = outcomes[outcomes["suppressed"]]
    assert len(suppressed) > 0
    assert suppressed["tested"].isna().all() and suppressed["proficient"].isna().all()
    shown = outcomes[~outcomes["suppressed"]]
    assert (shown["tested"] >= 10).all()
    assert (shown["proficient"] <= shown["tested"]).all()
    # The same group is shown where it is large enough.
    assert set(suppressed["student_group"]) & set(shown["student_group"])
    enrollment = district["enrollment"]
    assert (enrollment["english_learners"] < 10).any()
    assert set(outcomes["subject"]) == {"ela", "math"}


def test_identified_buildings_have_lower_proficiency(district: dict[str, pd.DataFrame]) -> None:
    outcomes = district["outcomes"]
    everyone = outcomes[(outcomes["student_group"] == "all") & (outcomes["school_year"] == LATEST)].copy()
    everyone["identified"] = everyone["building_code"].map(_identified_in_latest_year(district)) != "none"
    totals = everyone.groupby("identified")[["proficient", "tested"]].sum()
    rate = totals["proficient"] / totals["tested"]
    assert rate[True] < rate[False] - 0.15


def test_the_numbers_reconcile(district: dict[str, pd.DataFrame]) -> None:
    keys = ["building_code", "school_year"]
    spending = district["expenditures"]
    building_spending = spending[~spending["central"]]

    # Building salaries in the expenditures are the staff table's FTE times average salary.
    staff = district["staff"].fillna({"average_salary": 0.0})
    payroll = staff.assign(payroll=staff["fte"] * staff["average_salary"]).groupby(keys)["payroll"].sum()
    salaries = building_spending[building_spending["object_code"] == "1000"].groupby(keys)["amount"].sum()
    pd.testing.assert_series_equal(payroll, salaries, check_names=False, atol=1.0, rtol=0)

    # Ledger actuals equal the expenditures: buildings at their location, central costs at 00000.
    ledger = district["ledger"]
    by_location = ledger[ledger["location"] != "00000"].groupby(["location", "school_year"])["actual"].sum()
    by_building = building_spending.groupby(keys)["amount"].sum()
    pd.testing.assert_series_equal(by_location, by_building, check_names=False, check_index=False, atol=0.05, rtol=0)
    central_ledger = ledger[ledger["location"] == "00000"].groupby("school_year")["actual"].sum()
    central_spending = spending[spending["central"]].groupby("school_year")["amount"].sum()
    pd.testing.assert_series_equal(central_ledger, central_spending, check_names=False, atol=0.05, rtol=0)
    federal_ledger = ledger[ledger["fund_source"] == "federal"].groupby("school_year")["actual"].sum()
    federal_spending = spending[spending["fund_source"] == "federal"].groupby("school_year")["amount"].sum()
    pd.testing.assert_series_equal(federal_ledger, federal_spending, check_names=False, atol=0.05, rtol=0)

    # Some grant money is unspent in its final year and lapses (ESSER in 2023-24).
    final_year = ledger[ledger["school_year"] == ledger["grant_final_year"]]
    lapsing = final_year[final_year["budget"] > final_year["actual"]]
    assert "ESSER" in set(lapsing["program"])
    assert {"T1A", "T2A", "IDEA", "31A", "ESSER"} <= set(ledger["program"].dropna())

    # Strategy costs never exceed what the building spent from that source.
    strategies = district["strategies"]
    cost = strategies.groupby([*keys, "fund_source"])["cost"].sum()
    spent = spending.groupby([*keys, "fund_source"])["amount"].sum().reindex(cost.index)
    assert (cost <= spent + 0.01).all()


def test_strategies_braid_recurring_and_one_time_money(district: dict[str, pd.DataFrame]) -> None:
    strategies = district["strategies"]
    assert 3 <= strategies["strategy"].nunique() <= 4
    assert strategies["building_code"].nunique() >= 3 and strategies["school_year"].nunique() >= 3
    assert {"federal", "state", "local"} <= set(strategies["fund_source"])
    assert {"recurring", "one_time"} == set(strategies["funding_type"])
    one_time = strategies[strategies["funding_type"] == "one_time"]
    assert (one_time["fund_source"] == "federal").all()
    assert strategies[["participant_outcome", "nonparticipant_outcome"]].notna().all().all()


def test_indicators_cover_dimensions_not_in_other_tables(district: dict[str, pd.DataFrame]) -> None:
    indicators = district["indicators"]
    assert {"school_climate", "rigorous_content", "instructional_time", "early_learning", "facilities"} <= set(indicators["dimension"])
    absence = indicators[indicators["indicator"] == "chronic absence rate"]
    assert (absence["better"] == "lower").all() and (absence["unit"] == "percent").all()
    assert absence["students"].notna().all()
    assert indicators["value"].notna().all()


def test_scales_to_more_buildings_keeping_the_mix() -> None:
    tables = generate_district(buildings=24)
    buildings = tables["buildings"]
    assert len(buildings) == 24 and buildings["building_code"].is_unique
    assert (buildings["level"] == "alternative").sum() == 1
    assert (buildings["level"] == "elementary").sum() > (buildings["level"] == "high").sum() >= 2
    latest = _identified_in_latest_year(tables)
    assert (latest == "CSI").sum() == 2 and latest.isin(["ATS", "TSI"]).sum() == 2
    for name, spec in schema.TABLES.items():
        assert list(tables[name].columns) == spec.column_names, name
    with pytest.raises(ValueError):
        generate_district(buildings=3)


def test_written_files_keep_codes_and_whole_counts(district: dict[str, pd.DataFrame], tmp_path: Path) -> None:
    paths = write_tables(district, tmp_path)
    assert sorted(path.name for path in paths) == sorted(f"{name}.csv" for name in schema.TABLES)
    for path in paths:
        assert path.stat().st_size < 2_000_000, path
    ledger = pd.read_csv(tmp_path / "ledger.csv", dtype=str, keep_default_na=False)
    assert "00000" in set(ledger["location"])
    enrollment_text = (tmp_path / "enrollment.csv").read_text(encoding="utf-8")
    assert ".0," not in enrollment_text and "\n90011,2020-21," in enrollment_text
    outcomes = pd.read_csv(tmp_path / "outcomes.csv", dtype=str, keep_default_na=False)
    suppressed = outcomes[outcomes["suppressed"] == "True"]
    assert (suppressed["tested"] == "").all()
    amounts = pd.read_csv(tmp_path / "expenditures.csv", dtype=str)["amount"]
    assert amounts.str.fullmatch(r"-?\d+(\.\d{1,2})?").all()
    assert not list(tmp_path.glob(".*.tmp"))


def test_main_writes_a_scaled_district(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--buildings", "8", "--seed", "5", "--out", str(tmp_path)]) == 0
    assert len(pd.read_csv(tmp_path / "buildings.csv", dtype=str)) == 8
    assert "wrote" in capsys.readouterr().out


def test_group_results_fit_inside_all_students():
    tables = generate_district()
    outcomes = tables["outcomes"]
    keys = ["building_code", "school_year", "subject"]
    everyone = outcomes[outcomes["student_group"] == "all"].set_index(keys)
    groups = outcomes[(outcomes["student_group"] != "all") & ~outcomes["suppressed"].astype(bool)].merge(everyone[["tested", "proficient"]].reset_index(), on=keys, suffixes=("", "_all"))
    assert (groups["proficient"] <= groups["proficient_all"]).all()
    assert (groups["tested"] - groups["proficient"] <= groups["tested_all"] - groups["proficient_all"]).all()
