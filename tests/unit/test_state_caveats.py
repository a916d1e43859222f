"""Caveats belong to the state: Michigan's only for Michigan, and a designation from an older identification says so."""

from conftest import MI_CONFIG, NC_CONFIG, SAMPLE_CONFIG
from rar_protocol.analyses import district_review
from rar_protocol.data.loading import load_review


def _notes(review) -> str:
    return " ".join(note for data_object in district_review.data_objects(review) for note in data_object.notes)


def test_a_michigan_review_carries_michigan_s_caveats():
    assert "Michigan's caveats" in _notes(load_review(SAMPLE_CONFIG))


def test_north_carolina_gets_its_own_caveat_and_none_of_michigan_s(real_data):
    notes = _notes(load_review(NC_CONFIG))
    assert "Michigan" not in notes and "ISD" not in notes
    assert "average daily membership" in notes


def test_designations_mapped_from_2010_ayp_phases_are_labelled_in_the_reports(real_data):
    review = load_review(MI_CONFIG)
    sources = [line for data_object in district_review.data_objects(review) for line in data_object.sources if line.startswith("designations table")]
    assert sources and all("2010 AYP phases" in line and "not ESSA designations" in line for line in sources)
