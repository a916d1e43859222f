"""Shared fixtures and helpers: the sample review, a tiny review computable by hand, the real data
beside the project, one way to call the `rar` command, checks on a run folder, and the report runs
several end-to-end tests inspect together."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

TESTS = Path(__file__).resolve().parent
PROJECT = TESTS.parent
SAMPLE_CONFIG = PROJECT / "parameters" / "sample.yaml"
SAMPLE_DATA = PROJECT / "data" / "sample"
REAL_DATA = PROJECT.parent / "shared" / "data" / "real"
NC_CONFIG = PROJECT / "parameters" / "examples" / "nc_2018-19.yaml"
MI_CONFIG = PROJECT / "parameters" / "examples" / "mi_2009-10.yaml"
DENVER_CONFIG = PROJECT / "parameters" / "examples" / "denver_2018-19_2024-25.yaml"
BAD_INPUTS = TESTS / "bad_inputs"
E2E = TESTS / "e2e"

# A data object file as MICIP names it: RAR_<name>_YYYY.MM.DD.<csv|xlsx|png>, nothing a file system refuses.
DATA_OBJECT_NAME = re.compile(r"^RAR_[^/\\:*?\"<>|]+_\d{4}\.\d{2}\.\d{2}\.(csv|xlsx|png)$")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e runs notebooks, `rar run` or a browser: mark it slow."""
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.slow)


# -- the `rar` command ---------------------------------------------------------------------------


def rar_command(*arguments: str) -> list[str]:
    """The `rar` command line, run by this interpreter (the project's virtual environment)."""
    return [sys.executable, "-m", "rar_protocol.cli", *arguments]


def run_rar(*arguments: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run `rar ARGUMENTS` as a user would; `env` adds to (never replaces) this process's environment."""
    return subprocess.run(rar_command(*arguments), cwd=cwd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


# -- run folders ---------------------------------------------------------------------------------


def run_folder(out: Path) -> Path:
    """The one run folder (<district>/<YYYY.MM.DD>) a run wrote under `out`."""
    folders = [path.parent for path in out.glob("*/*/manifest.json")]
    assert len(folders) == 1, folders
    return folders[0]


def manifest_of(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def leftovers(folder: Path) -> list[Path]:
    """Temporary files a run must never leave behind."""
    return [path for path in folder.rglob("*") if ".partial" in path.name or path.name.endswith(".tmp")]


def assert_consistent(folder: Path) -> dict[str, Any]:
    """No temporary files; manifest.json parses; every path it lists exists inside the run folder."""
    assert not leftovers(folder), leftovers(folder)
    manifest = manifest_of(folder)
    root = folder.resolve()
    for report in manifest["reports"]:
        for name in [report["html"], report["pdf"], report["notebook_path"], *report["data_objects"]]:
            if name:
                path = (folder / name).resolve()
                assert path.is_file(), name
                assert path.is_relative_to(root), name
    return manifest


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_cells(folder: Path) -> list[str]:
    """Every cell of every CSV and XLSX under `folder` that a spreadsheet would run as a formula:
    an XLSX formula cell, or text beginning with = + - @ tab or carriage return (not quoted with ')."""
    import csv

    import openpyxl

    found = []
    for path in sorted(folder.rglob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), start=1):
                found += [f"{path.name} row {number}: {cell!r}" for cell in row if cell.startswith(FORMULA_STARTS) and not _is_number(cell)]
    for path in sorted(folder.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path)
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)):
                        found.append(f"{path.name} [{sheet.title}] {cell.coordinate}: {cell.value!r} ({cell.data_type})")
    return found


def _is_number(text: str) -> bool:
    """A CSV cell that is a number (a negative amount is a number, not a formula)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def reports_by_key(manifest: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    """Reports keyed by (notebook number, building code): ("10", None) is the district's."""
    return {(report["notebook"][:2], report["building_code"]): report for report in manifest["reports"]}


def without_provenance(page: str) -> str:
    """An HTML report without its provenance block: what must be byte-identical between runs."""
    return re.sub(r"<div class=[\"']rar-provenance[\"']>.*?</div>", "", page, flags=re.S)


def review_with_option(config: Path, number: int, folder: Path) -> Path:
    """A copy of a review YAML in `folder` with review option `number`, its relative paths made absolute."""
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"number: \d", f"number: {number}", text, count=1)
    text = re.sub(r"^data_folder: (\S+)", lambda match: f"data_folder: {(config.parent / match.group(1)).resolve()}", text, flags=re.M)
    for name in ("prompts_file", "responses_file", "determination_file"):
        text = re.sub(rf"^({name}): (\S+)", lambda match: f"{match.group(1)}: {(config.parent / match.group(2)).resolve()}", text, flags=re.M)
    path = folder / f"option_{number}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def made_run(out: Path, *arguments: str, env: dict[str, str] | None = None) -> Path:
    """`rar run ARGUMENTS --out OUT`, which must succeed; its run folder."""
    completed = run_rar("run", *arguments, "--out", str(out), env=env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return run_folder(out)


# -- reviews -------------------------------------------------------------------------------------


def _require_real_data() -> Path:
    if not REAL_DATA.is_dir():
        pytest.skip(f"real data not found at {REAL_DATA} (../shared is absent in this checkout)")
    return REAL_DATA


@pytest.fixture
def real_data() -> Path:
    """The real public data folder; tests using it skip when ../shared is not beside the project."""
    return _require_real_data()


def copy_sample(folder: Path) -> Path:
    """A writable copy of the sample review (YAML and data) in `folder`; its YAML file."""
    shutil.copytree(SAMPLE_DATA, folder / "data")
    for name in ("protocol_prompts.yaml", "sample_responses.yaml", "sample_determination.yaml"):
        shutil.copy(SAMPLE_CONFIG.parent / name, folder / name)
    config = folder / "review.yaml"
    config.write_text(SAMPLE_CONFIG.read_text(encoding="utf-8").replace("data_folder: ../data/sample", "data_folder: data"), encoding="utf-8")
    return config


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample review (YAML and data), for breaking things on purpose."""
    return copy_sample(tmp_path)


TINY_FILES = {
    "buildings.csv": "district_code,district_name,building_code,building_name,level\n"
    "01234,Tiny District,00001,Aspen Elementary,elementary\n"
    "01234,Tiny District,00002,Birch Middle,middle\n"
    "01234,Tiny District,00003,Cedar Elementary,elementary\n",
    "enrollment.csv": "building_code,school_year,pupils,economically_disadvantaged\n00001,2023-24,100,40\n00002,2023-24,300,90\n00003,2023-24,100,80\n",
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


def write_tiny(folder: Path) -> Path:
    """The tiny review's files in `folder`; its YAML file."""
    for name, text in TINY_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    config = folder / "review.yaml"
    config.write_text(TINY_CONFIG, encoding="utf-8")
    return config


@pytest.fixture
def tiny_review(tmp_path: Path) -> Path:
    """Three buildings with round numbers whose per-pupil figures are easy to compute by hand.

    State + local per pupil: Aspen 9,000; Birch 11,000; Cedar 8,000 (CSI). District, weighted:
    5,000,000 / 500 = 10,000 (the unweighted mean of buildings would be 9,333).
    """
    return write_tiny(tmp_path)


# Spending as one total per building (no fund source, no category), as state publications give it.
UNSPLIT_FILES = {
    "buildings.csv": "building_code,building_name,level\n00101,Adams Elementary,elementary\n00102,Brook Elementary,elementary\n00103,Clark Elementary,elementary\n00104,Dale Middle,middle\n",
    # Need published as a share: the YAML's compute: turns it into the count.
    "enrollment.csv": "building_code,school_year,pupils,free_reduced_lunch\n00101,2024-25,400,40.0%\n00102,2024-25,380,22.1%\n00103,2024-25,300,63.3%\n00104,2024-25,520,35.0%\n",
    # One total per building: the publication gives no fund source and no category.
    "spending.csv": "building_code,school_year,total\n00101,2024-25,4400000\n00102,2024-25,4100000\n00103,2024-25,3600000\n00104,2024-25,5900000\n",
    "designations.csv": "building_code,school_year,designation\n00103,2024-25,CSI\n",
    "outcomes.csv": "building_code,school_year,subject,student_group,percent_proficient\n00101,2024-25,ela,all,48.2\n00102,2024-25,ela,all,55.0\n00103,2024-25,ela,all,31.5\n00104,2024-25,ela,all,44.0\n",
}
UNSPLIT_CONFIG = """district_code: "09999"
school_years: [2024-25]
buildings: ["00103"]
data_folder: .
tables:
  buildings: {file: buildings.csv, constants: {district_code: "09999"}}
  enrollment: {file: enrollment.csv, compute: {economically_disadvantaged: "round(free_reduced_lunch * pupils / 100)"}}
  designations: {file: designations.csv}
  expenditures: {file: spending.csv, rename: {total: amount}, constants: {fund_source: total}}
  outcomes: {file: outcomes.csv, constants: {tested: null}}
"""


def write_unsplit(folder: Path) -> Path:
    """A review whose spending is one total per building; its YAML file."""
    for name, text in UNSPLIT_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "review.yaml").write_text(UNSPLIT_CONFIG, encoding="utf-8")
    return folder / "review.yaml"


# -- an executed notebook, without a kernel ---------------------------------------------------

HEADING = "Quarterly Allocation Review"
PRINTED_TEXT = "DISTINCTIVE_PRINTED_OUTPUT_4711"
SECRET_SOURCE = "SECRET_SOURCE_TEXT"
REMOVED_OUTPUT = "REMOVED_CELL_OUTPUT_0815"
TAGGED_OUTPUT = "ONLY_OUTPUT_SHOWN_9090"


def _figure_png() -> str:
    """Draw a small matplotlib figure with the Agg backend and return it base64-encoded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    figure, axes = pyplot.subplots(figsize=(3, 2), dpi=60)
    axes.plot([1, 2, 3], [3, 1, 2])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _stream(text: str) -> Any:
    """Return a stdout stream output, as a kernel would record a print()."""
    return new_output("stream", name="stdout", text=text + "\n")


def executed_notebook() -> Any:
    """An executed-looking notebook (heading, printed text, a figure, tagged cells); outputs are written by hand so no kernel is needed."""
    plot_source = f"import matplotlib.pyplot as plt\n{SECRET_SOURCE} = [3, 1, 2]\nplt.plot({SECRET_SOURCE})"
    figure = {"image/png": _figure_png(), "text/plain": "<Figure size 180x120>"}
    return new_notebook(
        cells=[
            new_markdown_cell(f"# {HEADING}\n\nFunding per pupil, by district."),
            new_code_cell(f"print({PRINTED_TEXT!r})", outputs=[_stream(PRINTED_TEXT)]),
            new_code_cell(
                plot_source,
                outputs=[new_output("display_data", data=figure)],
            ),
            new_code_cell(
                f"print({REMOVED_OUTPUT!r})",
                outputs=[_stream(REMOVED_OUTPUT)],
                metadata={"tags": ["remove_cell"]},
            ),
            new_code_cell(
                f"print({TAGGED_OUTPUT!r})",
                outputs=[_stream(TAGGED_OUTPUT)],
                metadata={"tags": ["remove_input"]},
            ),
        ]
    )


# -- figures -------------------------------------------------------------------------------------


def figure_summary(figure: Any) -> dict[str, Any]:
    """What a reader sees of a matplotlib figure: its titles, axis labels, and how many bars,
    points and lines each chart (axes with data) draws."""
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle

    charts = []
    for axes in figure.axes:
        bars = sum(1 for patch in axes.patches if isinstance(patch, Rectangle) and patch.get_width() != 0 and patch.get_height() != 0)
        points = sum(len(collection.get_offsets()) for collection in axes.collections if isinstance(collection, PathCollection))
        lines = [line for line in axes.get_lines() if len(line.get_xdata()) > 1]
        charts.append({"title": axes.get_title(), "x_label": axes.get_xlabel(), "y_label": axes.get_ylabel(), "bars": bars, "points": points, "lines": len(lines)})
    texts = [text.get_text() for text in figure.texts]  # a suptitle is one of them
    texts += [chart["title"] for chart in charts]
    return {"title": " ".join(" ".join(text.split()) for text in texts if text), "charts": charts}


# -- report runs shared by several end-to-end tests ------------------------------------------------


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole sample review (option 3, every identified building), HTML and PDF: one run for
    the tests of the run folder, the reports, option 3 and the browser's look."""
    return made_run(tmp_path_factory.mktemp("sample_run"), str(SAMPLE_CONFIG))


@pytest.fixture(scope="session")
def option_one_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Option 1 (economically disadvantaged) on the sample for 90121, the tiny alternative school,
    and 90041, HTML and PDF: the privacy scan and the option 1 report read it."""
    folder = tmp_path_factory.mktemp("option_one")
    config = review_with_option(SAMPLE_CONFIG, 1, folder)
    return made_run(folder / "out", str(config), "--formats", "html,pdf", "--building", "90121", "--building", "90041")


@pytest.fixture(scope="session")
def option_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Option number -> a sample run folder holding that option's report for 90041, made once per session.

    Options 3 (the sample's own) and 1 are the shared runs above; 2 and 4 get an HTML-only run each."""
    made: dict[int, Path] = {}

    def run_for(number: int) -> Path:
        if number not in made:
            if number == 3:
                made[number] = request.getfixturevalue("sample_run")
            elif number == 1:
                made[number] = request.getfixturevalue("option_one_run")
            else:
                folder = tmp_path_factory.mktemp(f"option_{number}")
                made[number] = made_run(folder / "out", str(review_with_option(SAMPLE_CONFIG, number, folder)), "--building", "90041")
        return made[number]

    return run_for


@pytest.fixture(scope="session")
def north_carolina_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real North Carolina example (option 1) for Coker-Wimberly Elementary, HTML and a WeasyPrint PDF."""
    _require_real_data()
    return made_run(tmp_path_factory.mktemp("nc_run"), str(NC_CONFIG), "--pdf-engine", "weasyprint", "--building", "330312")
