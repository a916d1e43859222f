"""Shared fixtures: paths to the project's sample review and to the real data beside the project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = PROJECT / "parameters" / "sample.yaml"
SAMPLE_DATA = PROJECT / "data" / "sample"
REAL_DATA = PROJECT.parent / "shared" / "data" / "real"
NC_CONFIG = PROJECT / "parameters" / "examples" / "nc_2018-19.yaml"


@pytest.fixture
def real_data() -> Path:
    """The real public data folder; tests using it skip when ../shared is not beside the project."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA} (../shared is absent in this checkout)")
    return REAL_DATA


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample review (YAML and data), for breaking things on purpose."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA, data)
    for name in ("protocol_prompts.yaml", "sample_responses.yaml", "sample_determination.yaml"):
        shutil.copy(SAMPLE_CONFIG.parent / name, tmp_path / name)
    config = tmp_path / "review.yaml"
    text = SAMPLE_CONFIG.read_text(encoding="utf-8").replace("data_folder: ../data/sample", "data_folder: data")
    config.write_text(text, encoding="utf-8")
    return config


TINY_FILES = {
    "buildings.csv": "district_code,district_name,building_code,building_name,level\n"
    "01234,Tiny District,00001,Aspen Elementary,elementary\n"
    "01234,Tiny District,00002,Birch Middle,middle\n"
    "01234,Tiny District,00003,Cedar Elementary,elementary\n",
    "enrollment.csv": "building_code,school_year,pupils,economically_disadvantaged\n"
    "00001,2023-24,100,40\n00002,2023-24,300,90\n00003,2023-24,100,80\n",
    "designations.csv": "building_code,school_year,designation\n00001,2023-24,none\n00002,2023-24,none\n00003,2023-24,CSI\n",
    "expenditures.csv": "building_code,school_year,fund_source,category,amount\n"
    "00001,2023-24,state,personnel,500000\n00001,2023-24,local,personnel,400000\n00001,2023-24,federal,non_personnel,100000\n"
    "00002,2023-24,state,personnel,2000000\n00002,2023-24,local,non_personnel,1300000\n00002,2023-24,federal,non_personnel,60000\n"
    "00003,2023-24,state,personnel,600000\n00003,2023-24,local,personnel,200000\n00003,2023-24,federal,personnel,200000\n",
    "outcomes.csv": "building_code,school_year,subject,student_group,tested,proficient\n"
    "00001,2023-24,ela,all,50,30\n00002,2023-24,ela,all,150,60\n00003,2023-24,ela,all,50,10\n"
    "00003,2023-24,ela,english_learners,6,1\n00003,2023-24,ela,economically_disadvantaged,40,6\n",
}
TINY_CONFIG = """district_code: "01234"
school_years: [2023-24]
data_folder: .
tables:
  buildings: {file: buildings.csv}
  enrollment: {file: enrollment.csv}
  designations: {file: designations.csv}
  expenditures: {file: expenditures.csv}
  outcomes: {file: outcomes.csv}
"""


@pytest.fixture
def tiny_review(tmp_path: Path) -> Path:
    """Three buildings with round numbers whose per-pupil figures are easy to compute by hand.

    State + local per pupil: Aspen 9,000; Birch 11,000; Cedar 8,000 (CSI). District, weighted:
    5,000,000 / 500 = 10,000 (the unweighted mean of buildings would be 9,333).
    """
    for name, text in TINY_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = tmp_path / "review.yaml"
    config.write_text(TINY_CONFIG, encoding="utf-8")
    return config
