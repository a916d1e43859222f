"""Phase 4: the determination file, its validation, and MICIP entries in MDE's sample language."""

from pathlib import Path

import pytest

from conftest import SAMPLE_CONFIG
from rar_protocol.analyses import determination
from rar_protocol.cli import main
from rar_protocol.data.loading import load_review
from rar_protocol.errors import InputError

NAMES = ["Per-Pupil Spending by Building and Year", "State and Local Per-Pupil Spending Ranked"]


def _write(tiny_review: Path, body: str) -> None:
    """The determination file, for Aspen (00001) and Cedar (00003, the CSI school), both under review."""
    (tiny_review.parent / "determination.yaml").write_text(body, encoding="utf-8")
    tiny_review.write_text(tiny_review.read_text() + 'buildings: ["00001", "00003"]\ndetermination_file: determination.yaml\n', encoding="utf-8")


INEQUITY = """buildings:
  "00003":
    finding: inequity
    inequity: Cedar Elementary receives $2,000 (20%) less state and local money per pupil than the district average
    evidence: [Per-Pupil Spending by Building and Year]
    statements: [State and local spending per pupil is the lowest in the district.]
    plan: {goal: Every student reads at grade level, type: activity, name: Weighted staffing, strategy: Allocating positions by need, owner: Finance director, timeline: 2025-26 budget}
    district_agreed: true
    agreed_on: 2025-03-12
  "00001":
    finding: equity
    reviewed: per-pupil spending by fund source and achievement
    goal: Every student reads at grade level
"""


def test_micip_entries_use_mdes_sample_language(tiny_review):
    _write(tiny_review, INEQUITY)
    review = load_review(tiny_review)
    entries = determination.load_determinations(review, lambda code: NAMES)
    inequity = determination.micip_entry(review, "00003", entries["00003"])
    assert inequity["Description"] == (
        "To address the inequity (Cedar Elementary receives $2,000 (20%) less state and local money per pupil than the district average) "
        "determined by the Resource Allocation Review by allocating positions by need. Owner: Finance director; Timeline: 2025-26 budget."
    )
    assert (inequity["Type"], inequity["Name"], inequity["Tagged school"], inequity["District agreed"]) == ("activity", "Weighted staffing", "Cedar Elementary (00003)", "yes")
    equity = determination.micip_entry(review, "00001", entries["00001"])
    assert equity["Name"] == "Resource Allocation Review" and equity["Type"] == "task"
    assert equity["Description"] == "A resource allocation review of (per-pupil spending by fund source and achievement) resulted in determining that an inequity does not currently exist."
    export = determination.micip_export(review, entries)
    assert list(export.table.columns)[:6] == ["Goal", "Type", "Name", "Description", "Tagged school", "Finding"]
    assert len(export.table) == 2


def test_inequity_without_evidence_or_plan_is_refused(tiny_review):
    _write(tiny_review, 'buildings:\n  "00003":\n    finding: inequity\n    inequity: less money\n')
    review = load_review(tiny_review)
    with pytest.raises(InputError) as error:
        determination.load_determinations(review, lambda code: NAMES)
    assert "an inequity needs evidence, plan" in str(error.value)
    assert "buildings.00003" in str(error.value)


def test_evidence_must_name_an_existing_data_object(tiny_review):
    _write(tiny_review, INEQUITY.replace("[Per-Pupil Spending by Building and Year]", "[Per-Pupil Spending by Bulding]"))
    review = load_review(tiny_review)
    with pytest.raises(InputError) as error:
        determination.load_determinations(review, lambda code: NAMES)
    message = str(error.value)
    assert "Evidence 'Per-Pupil Spending by Bulding' names no data object" in message
    assert "Did you mean 'Per-Pupil Spending by Building and Year'?" in message


def test_rar_validate_checks_the_sample_determination(capsys):
    assert main(["validate", str(SAMPLE_CONFIG)]) == 0
    assert "Determinations: 2 (1 inequity, 1 equity)" in capsys.readouterr().out
