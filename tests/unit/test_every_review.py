"""Every analysis runs on every review: the sample, the real North Carolina, Michigan and Denver examples, and a
review of one total per building. Each data object either shows its figures or says what data it lacks,
and no sentence prints a missing number. The reports themselves run through `rar run` in tests/e2e."""

from __future__ import annotations

import re

import pytest

from conftest import DENVER_CONFIG, MI_CONFIG, NC_CONFIG, REAL_DATA, SAMPLE_CONFIG, write_unsplit
from rar_protocol.analyses import determination, diagnostic, distribution, district_review, strategy, student_group
from rar_protocol.data.loading import Review, load_review

BUILDING_REPORTS = (student_group.data_objects, strategy.data_objects, distribution.data_objects, diagnostic.data_objects)


REVIEWS = {
    "sample": lambda folder: SAMPLE_CONFIG,
    "north carolina": lambda folder: NC_CONFIG,
    "michigan 2009-10": lambda folder: MI_CONFIG,
    "one total per building": write_unsplit,
    "denver, seven years": lambda folder: DENVER_CONFIG,
}


def _building(review: Review) -> str:
    chosen = review.config.buildings or review.identified_buildings()
    return chosen[0] if chosen else str(review.tables["buildings"]["building_code"].iloc[0])


@pytest.mark.slow
@pytest.mark.parametrize("name", REVIEWS)
def test_every_analysis_runs_and_says_what_it_lacks(name, tmp_path):
    config = REVIEWS[name](tmp_path)
    if config in (NC_CONFIG, MI_CONFIG, DENVER_CONFIG) and not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA}")
    review = load_review(config)
    building = _building(review)
    objects = district_review.data_objects(review)
    for build in BUILDING_REPORTS:
        objects += build(review, building)
    if review.config.determination_file:
        objects.append(determination.for_building(review, building))
    for data_object in objects:
        assert data_object.observations or data_object.missing, f"{name}: {data_object.name} says nothing"
        for text in data_object.observations:
            assert not re.search(r"\bnan\b|\$nan|\binf\b", text), f"{name}: {data_object.name}: {text}"
        assert data_object.figure is None or data_object.png()
