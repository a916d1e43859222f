"""Every analysis over every building the sample reviews, and the statewide sample set: no kernel,
but tens of seconds of tables and charts, so they run with the end-to-end tests."""

import pytest

from conftest import SAMPLE_CONFIG, figure_summary
from rar_protocol.analyses import diagnostic, distribution, strategy
from rar_protocol.data import schema
from rar_protocol.data.loading import load_review
from rar_protocol.sample import generate_state


@pytest.fixture(scope="module")
def sample_review():
    return load_review(SAMPLE_CONFIG)


def test_option_3_exercises_every_section_for_every_building_under_review(sample_review):
    for code in sample_review.buildings_under_review():
        objects = distribution.data_objects(sample_review, code)
        assert len({data_object.name for data_object in objects}) == len(objects) == 9
        for data_object in objects:
            assert data_object.table is not None and len(data_object.table), (code, data_object.name)
            chart = figure_summary(data_object.figure)["charts"][0]
            assert chart["x_label"] or chart["y_label"], (code, data_object.name, chart)  # the value axis says what it measures
            assert chart["bars"] + chart["points"] + chart["lines"] > 0, (code, data_object.name, chart)
            assert not data_object.missing, (code, data_object.name, data_object.missing)
            assert data_object.observations


def test_option_4_makes_distinct_exportable_objects_for_every_building_under_review(sample_review):
    review = sample_review
    measures = diagnostic.measure_table(review)
    for code in review.buildings_under_review():
        objects = diagnostic.data_objects(review, code)
        assert len({data_object.name for data_object in objects}) == len(objects) == 11
        assert sum(data_object.table is not None for data_object in objects) >= 4
        # Every dimension has data in the sample; the early-learning measure is only reported for elementary schools.
        shown = {data_object.name for data_object in objects if data_object.table is not None}
        expected = {
            diagnostic.dimension_name(key) for key in schema.DIMENSIONS if not (key == "early_learning" and review.tables["buildings"].set_index("building_code").loc[code, "level"] != "elementary")
        }
        assert expected <= shown, (code, expected - shown)
    assert set(measures["dimension"]) == set(schema.DIMENSIONS)
    assert not measures.duplicated(["dimension", "measure", "school_year", "building_code"]).any()


def test_option_2_exercises_every_section(sample_review):
    review = sample_review
    for code in review.buildings_under_review():
        for data_object in strategy.data_objects(review, code):
            assert data_object.table is not None and not data_object.missing, (code, data_object.name)


def test_statewide_set_for_benchmarks() -> None:
    """3,500 buildings over 8 years, as the benchmarks use."""
    tables = generate_state(buildings=3500, years=8)
    assert set(tables) == {"buildings", "enrollment", "designations", "expenditures", "outcomes", "staff"}
    buildings = tables["buildings"]
    assert len(buildings) == 3500 and buildings["building_code"].is_unique
    sizes = buildings.groupby("district_code").size()
    assert len(sizes) > 100 and sizes.min() == 1 and sizes.max() >= 20
    assert len(tables["enrollment"]) == 3500 * 8
    assert tables["enrollment"]["school_year"].nunique() == 8
    assert set(tables["designations"]["designation"]) == {"CSI", "ATS", "TSI", "none"}
    for name, frame in tables.items():
        assert list(frame.columns) == schema.TABLES[name].column_names, name
    # No state assessments in spring 2020.
    assert "2019-20" not in set(tables["outcomes"]["school_year"])
