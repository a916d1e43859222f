"""The North Carolina 2018-19 files, mapped by YAML only, against the state's published figures."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import NC_CONFIG, REAL_DATA
from rar_protocol.data.loading import load_review
from rar_protocol.measures import finance

# Edgecombe (the example's default), the districts holding the tiny schools whose published
# per-pupil figures are implausible, and two large districts.
# The quick loop (make test-fast) checks three; the whole suite all eight.
DISTRICTS = ["330LEA", "681LEA", "920LEA", *(pytest.param(code, marks=pytest.mark.slow) for code in ("530LEA", "320LEA", "180LEA", "340LEA", "600LEA"))]


def _review_for(district_code: str, real_data: Path, tmp_path: Path):
    text = NC_CONFIG.read_text(encoding="utf-8").replace("district_code: 330LEA", f"district_code: {district_code}")
    text = text.replace("district_name: Edgecombe County Public Schools (NC)", "district_name:")
    text = text.replace("prompts_file: ../protocol_prompts.yaml", f"prompts_file: {NC_CONFIG.parent.parent / 'protocol_prompts.yaml'}")
    config = tmp_path / f"nc_{district_code}.yaml"
    config.write_text(text, encoding="utf-8")
    return load_review(config, data_folder=real_data / "nc-2018-19")


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    real = REAL_DATA / "nc-2018-19"
    if not real.is_dir():
        pytest.skip(f"real data not found at {real} (../shared is absent in this checkout)")
    funds = pd.read_csv(real / "rcd_funds2.csv", dtype={"agency_code": str})
    return funds[funds["expenditure_category"] == "TOTAL"].set_index("agency_code")


def test_example_review_is_edgecombe(real_data):
    review = load_review(NC_CONFIG)
    assert review.config.district_code == "330LEA"
    assert len(review.tables["buildings"]) == 14
    assert set(review.tables["buildings"]["district_code"]) == {"330LEA"}
    # Codes are text: leading zeros and letters survive.
    assert review.tables["buildings"]["building_code"].str.fullmatch(r"\d{6}").all()


@pytest.mark.parametrize("district_code", DISTRICTS)
def test_per_pupil_matches_published_and_implausible_figures_are_flagged(district_code, real_data, tmp_path, published):
    review = _review_for(district_code, real_data, tmp_path)
    computed = finance.per_pupil(review).set_index("building_code")
    assert len(computed) == len(review.tables["buildings"].merge(review.tables["enrollment"], on="building_code"))
    normal = computed["pupils"] >= review.config.thresholds.small_building_pupils
    for code, row in computed.iterrows():
        published_total = published.at[code, "total_ppe"]
        if normal[code]:
            assert abs(row["total_per_pupil"] - published_total) <= 1.0, code
            assert abs(row["federal_per_pupil"] - published.at[code, "federal_ppe"]) <= 1.0, code
        if abs(row["total_per_pupil"] - published_total) > 1.0:
            assert row["flag"], f"{code}: published {published_total} vs computed {row['total_per_pupil']} not flagged"


def test_tiny_school_with_truncated_published_figure_is_kept_and_flagged(real_data, tmp_path, published):
    review = _review_for("681LEA", real_data, tmp_path)
    computed = finance.per_pupil(review).set_index("building_code")
    row = computed.loc["681328"]
    assert row["pupils"] == 2
    # The published 35,318.07 lost its leading digits: the dollars say 235,318.07 per pupil.
    assert row["total_per_pupil"] - published.at["681328", "total_ppe"] == pytest.approx(200_000, abs=1)
    assert "few pupils" in row["flag"] and "above" in row["flag"]


def test_designations_and_outcomes_map_from_flags_and_rates(real_data):
    review = load_review(NC_CONFIG)
    designations = review.tables["designations"].set_index("building_code")["designation"]
    assert designations["330312"] == "CSI"
    outcomes = review.tables["outcomes"]
    row = outcomes[(outcomes["building_code"] == "330304") & (outcomes["student_group"] == "all") & (outcomes["subject"] == "ela")]
    assert row["percent_proficient"].tolist() == [39.1]
    assert set(outcomes["student_group"]) >= {"all", "economically_disadvantaged", "students_with_disabilities"}
