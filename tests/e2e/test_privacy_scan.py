"""Scan every output of the sample's runs for a student-group figure from fewer than 10 students.

The sample run of each option (the shared `option_run` folders for 90041; option 1 also for
90121, the tiny alternative school) and a variant of the sample in which Willow Creek's every need
and race group numbers under 10 (and its group results come from fewer than 10 tested). Every
CSV, XLSX sheet, HTML table and observation sentence is read back (tests/privacy_scan.py); PDF text
is read with pypdf to check each PDF carries the suppression marker wherever its HTML does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from privacy_scan import observation_sentences, sentence_leaks, small_cells, table_leaks

from conftest import SAMPLE_DATA, copy_sample, made_run, review_with_option

VARIANT_BUILDING = "90041"
# Every need and race group of the variant building, each under 10 (0 is a group of none: also hidden).
SMALL_GROUPS = {
    "economically_disadvantaged": 7,
    "students_with_disabilities": 5,
    "english_learners": 3,
    "american_indian": 1,
    "asian": 2,
    "black": 4,
    "hispanic": 6,
    "native_hawaiian": 0,
    "white": 8,
    "two_or_more_races": 9,
}


def _names(data: Path) -> dict[str, str]:
    return dict(pd.read_csv(data / "buildings.csv", dtype=str)[["building_code", "building_name"]].itertuples(index=False))


def _scan(run: Path, data: Path) -> tuple[list[str], int, int]:
    names = _names(data)
    small = small_cells(data)
    leaks, scanned, checked = table_leaks(run, small, names)
    for report in sorted(run.rglob("reports/*.html")):
        for sentence in observation_sentences(report):
            for code in {cell.building_code for cell in small if cell.subject is None}:
                groups = {cell.group for cell in small if cell.building_code == code and cell.subject is None}
                if sentence_leaks(sentence, names[code], groups):
                    leaks.append(f"{report.name}: {sentence}")
    return leaks, scanned, checked


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_no_output_of_any_option_shows_a_group_figure_from_fewer_than_10_students(number, option_run):
    leaks, scanned, checked = _scan(option_run(number), SAMPLE_DATA)
    assert scanned >= 10, "the scan found too few tables: the output layout changed"
    assert checked > 0, "no output row matched a small cell: the scan checked nothing"
    assert not leaks, "\n".join(leaks[:30])


@pytest.fixture(scope="session")
def small_groups_review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample whose building 90041 has every need and race group under 10, and under 10 tested in each group result."""
    folder = tmp_path_factory.mktemp("small_groups")
    config = copy_sample(folder)
    enrollment = pd.read_csv(folder / "data" / "enrollment.csv", dtype={"building_code": str})
    for group, count in SMALL_GROUPS.items():
        enrollment.loc[enrollment["building_code"] == VARIANT_BUILDING, group] = count
    enrollment.to_csv(folder / "data" / "enrollment.csv", index=False)
    outcomes = pd.read_csv(folder / "data" / "outcomes.csv", dtype={"building_code": str})
    rows = (outcomes["building_code"] == VARIANT_BUILDING) & (outcomes["student_group"] != "all")
    outcomes.loc[rows, "tested"] = outcomes.loc[rows, "tested"].clip(upper=8)
    outcomes.loc[rows, "proficient"] = outcomes.loc[rows, ["proficient", "tested"]].min(axis=1)
    outcomes.loc[rows, "percent_proficient"] = (outcomes.loc[rows, "proficient"] / outcomes.loc[rows, "tested"] * 100).round(1)
    outcomes.to_csv(folder / "data" / "outcomes.csv", index=False)
    return config


@pytest.mark.parametrize("number", [1, 3, 4])  # option 2 shows no group figure beyond the district review every run has
def test_a_building_whose_every_group_is_under_10_shows_none_of_them(number, small_groups_review, tmp_path):
    run = made_run(tmp_path / "out", str(review_with_option(small_groups_review, number, tmp_path)), "--building", VARIANT_BUILDING, "--formats", "html")
    leaks, scanned, checked = _scan(run, small_groups_review.parent / "data")
    assert checked >= 50, f"only {checked} rows of the small building checked: the scan missed its tables"
    assert not leaks, "\n".join(leaks[:30])
    html = " ".join(path.read_text(encoding="utf-8") for path in run.rglob("reports/*.html"))
    assert "&lt;n" in html, "the hidden values show no marker"


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_pdf_is_readable_and_keeps_the_html_s_suppression_markers(number, option_run):
    from pypdf import PdfReader

    pdfs = sorted(option_run(number).rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        plain = re.sub(r"<[^>]+>", " ", html).replace("&lt;", "<")
        assert len(text) > 200, pdf.name
        if re.search(r"(?<![\w<])<n(?!\w)", plain):
            assert "<n" in text, f"{pdf.name}: the HTML shows suppressed cells but the PDF text has no marker"
