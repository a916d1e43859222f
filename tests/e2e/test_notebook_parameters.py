"""The notebooks as a finance officer changes them: another building, another school year, another
keyword in one cell, each changes the output accordingly; a mistyped building stops the first cell with
the review's one-line message, not a trace into the library; every parameter is listed with its meaning."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from conftest import PROJECT, SAMPLE_CONFIG

NOTEBOOKS = PROJECT / "notebooks"


def _execute(tmp_path: Path, notebook: str, edits: dict[str, tuple[str, str]] | None = None, **parameters: str) -> nbformat.NotebookNode:
    """Execute ``notebook`` with ``parameters``, after replacing text in the cells named by id (``edits``: id -> (old, new))."""
    source = nbformat.read(NOTEBOOKS / notebook, as_version=4)
    for cell in source.cells:
        if edits and cell.get("id") in edits:
            old, new = edits[cell["id"]]
            assert old in cell.source, f"{notebook} cell {cell['id']} has no {old!r}"
            cell.source = cell.source.replace(old, new)
    edited = tmp_path / f"edited_{notebook}"
    nbformat.write(source, edited)
    executed = tmp_path / f"executed_{notebook}"
    try:
        papermill.execute_notebook(str(edited), str(executed), parameters={"config_path": str(SAMPLE_CONFIG), **parameters}, cwd=str(NOTEBOOKS), kernel_name="python3", progress_bar=False)
    except papermill.PapermillExecutionError:
        pass  # the failing cell's output is what the test reads
    return nbformat.read(executed, as_version=4)


def _text(notebook: nbformat.NotebookNode, cell_id: str) -> str:
    """Everything a cell displayed, as text (HTML included)."""
    cell = next(cell for cell in notebook.cells if cell.get("id") == cell_id)
    parts = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        parts.append(str(data.get("text/html", "")) + str(data.get("text/plain", "")) + str(output.get("text", "")))
    return "\n".join(parts)


def _errors(notebook: nbformat.NotebookNode) -> list[tuple[str, dict]]:
    return [(cell.get("id"), output) for cell in notebook.cells if cell.cell_type == "code" for output in cell.get("outputs", []) if output.get("output_type") == "error"]


@pytest.fixture(scope="module")
def default_distribution(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    return _execute(tmp_path_factory.mktemp("distribution"), "23_option_financial_distribution.ipynb")


def test_distribution_for_another_building_named_by_its_name(tmp_path: Path, default_distribution: nbformat.NotebookNode) -> None:
    assert "Maple Grove Elementary (90031)" in _text(default_distribution, "23-03")
    other = _execute(tmp_path, "23_option_financial_distribution.ipynb", building_code="Willow Creek Elementary")
    assert not _errors(other)
    assert "Willow Creek Elementary (90041)" in _text(other, "23-03")
    assert "Willow Creek Elementary per pupil" in _text(other, "23-05")


def test_distribution_for_another_school_year(tmp_path: Path, default_distribution: nbformat.NotebookNode) -> None:
    assert "In 2024-25 Maple Grove Elementary spent" in _text(default_distribution, "23-05")
    earlier = _execute(tmp_path, "23_option_financial_distribution.ipynb", school_year="2022-2023")
    assert not _errors(earlier)
    assert "focus on 2022-23" in _text(earlier, "23-03")
    assert "In 2022-23 Maple Grove Elementary spent" in _text(earlier, "23-05")
    assert "In 2024-25 Maple Grove Elementary spent" not in _text(earlier, "23-05")
    # The trend still spans every year of the review.
    assert "in 2020-21 to" in _text(earlier, "23-07") and "in 2024-25" in _text(earlier, "23-07")


def test_distribution_keyword_changed_in_one_cell(tmp_path: Path, default_distribution: nbformat.NotebookNode) -> None:
    assert "Other elementary buildings per pupil" in _text(default_distribution, "23-05")
    edited = _execute(
        tmp_path,
        "23_option_financial_distribution.ipynb",
        edits={
            "23-05": ('compare_with="level"', 'compare_with="district"'),
            "23-09": ("weights=weights", 'weights={"economically_disadvantaged": 1.0, "students_with_disabilities": 0.9, "english_learners": 0.5}'),
        },
    )
    assert not _errors(edited)
    assert "Other elementary buildings per pupil" not in _text(edited, "23-05")
    assert "Other elementary buildings per pupil" in _text(edited, "23-07")  # only the edited cell changed
    assert "counts as 1 + 1.0 pupils" in _text(edited, "23-09") and "counts as 1 + 0.35 pupils" in _text(default_distribution, "23-09")


def test_a_mistyped_building_stops_the_first_cell_with_one_line(tmp_path: Path) -> None:
    executed = _execute(tmp_path, "23_option_financial_distribution.ipynb", building_code="9004")
    errors = _errors(executed)
    assert len(errors) == 1
    cell_id, error = errors[0]
    assert cell_id == "23-03"  # the start cell, not an analysis deep inside pandas
    assert error["ename"] == "ParameterError"
    assert error["evalue"].startswith("Building '9004' is not in this review; buildings under review: 90031 Maple Grove Elementary, 90041 Willow Creek Elementary")
    assert len(error["traceback"]) == 1 and "Traceback" not in error["traceback"][0] and ".py" not in error["traceback"][0]


def test_a_school_year_outside_the_review_is_one_line(tmp_path: Path) -> None:
    executed = _execute(tmp_path, "10_district_financial_review.ipynb", school_year="2015-16")
    [(cell_id, error)] = _errors(executed)
    assert cell_id == "10-03" and error["ename"] == "ParameterError" and len(error["traceback"]) == 1
    assert "School year '2015-16' is not in this review; its school years are 2020-21, 2021-22, 2022-23, 2023-24, 2024-25" in error["evalue"]


def test_district_review_year_and_threshold(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    default = _execute(tmp_path / "default", "10_district_financial_review.ipynb")
    changed = _execute(
        tmp_path,
        "10_district_financial_review.ipynb",
        school_year="2021-22",
        edits={"10-16": ("small_building_pupils=thresholds.small_building_pupils", "small_building_pupils=100000")},
    )
    assert not _errors(changed)
    assert "In 2024-25, state and local spending per pupil ranged" in _text(default, "10-05")
    assert "In 2021-22, state and local spending per pupil ranged" in _text(changed, "10-05")
    flagged = {name: int(re.search(r"(\d+) building-year\(s\) flagged", _text(notebook, "10-16")).group(1)) for name, notebook in (("default", default), ("changed", changed))}
    assert flagged["changed"] == 5 * 12 > flagged["default"]  # every building-year of the sample has fewer than 100,000 pupils
    assert "fewer than 100,000 pupils" in _text(changed, "10-16")


def test_student_group_building_year_and_group(tmp_path: Path) -> None:
    (tmp_path / "default").mkdir()
    default = _execute(tmp_path / "default", "21_option_student_group.ipynb")
    changed = _execute(
        tmp_path,
        "21_option_student_group.ipynb",
        building_code="90041",
        school_year="2023-24",
        edits={"21-09": ("student_group=group", 'student_group="english_learners"')},
    )
    assert not _errors(changed)
    assert "Willow Creek Elementary (90041)" in _text(changed, "21-03")
    assert re.search(r"In 2024-25, economically disadvantaged students made up", _text(default, "21-09"))
    assert re.search(r"In 2023-24, English learners made up \d+\.\d% of Willow Creek Elementary", _text(changed, "21-09"))
    assert "Economically Disadvantaged" in _text(changed, "21-05")  # the other cells keep the YAML's group


def test_every_notebook_lists_its_parameters_with_their_meaning() -> None:
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        listing = subprocess.run([sys.executable, "-m", "papermill", "--help-notebook", str(notebook)], capture_output=True, text=True, check=True).stdout
        for parameter in ("config_path", "school_year", "output_folder", "run_date"):
            assert re.search(rf"{parameter}: str \(default .*\)\s+\S", listing), f"{notebook.name}: {parameter}\n{listing}"
        if notebook.stem != "00_start_here":
            assert "building_code: str" in listing
        assert "Unknown type" not in listing


def test_run_passes_the_school_year(tmp_path: Path) -> None:
    from rar_protocol.data.loading import load_review
    from rar_protocol.errors import ParameterError
    from rar_protocol.report.plan import plan

    review = load_review(SAMPLE_CONFIG)
    assert {job.school_year for job in plan(review, school_year="FY2023")} == {"2022-23"}
    with pytest.raises(ParameterError, match="School year '1999-00' is not in this review"):
        plan(review, school_year="1999-00")
