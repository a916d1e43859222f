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
    config = tmp_path / "review.yaml"
    text = SAMPLE_CONFIG.read_text(encoding="utf-8").replace("data_folder: ../data/sample", "data_folder: data")
    config.write_text(text, encoding="utf-8")
    return config
