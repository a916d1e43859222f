"""Batch runs: one report's failure never stops the others, --resume finishes the job, ISD runs."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

PROJECT = Path(__file__).resolve().parents[1]
PARAMETERS = nbformat.read(PROJECT / "notebooks" / "10_district_financial_review.ipynb", as_version=4).cells[2].source
FAILING_CELL = """import os
from pathlib import Path
import rar_protocol as rar

report = rar.open_report(config_path, building_code=building_code, output_folder=output_folder, run_date=run_date, provenance_path=provenance_path)
if building_code == os.environ["RAR_TEST_FAIL_BUILDING"] and not Path(os.environ["RAR_TEST_FAIL_UNLESS"]).exists():
    raise RuntimeError("simulated failure in " + building_code)
report.header("Inquiry")"""


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    """The project's notebooks, with the option 3 notebook replaced by one that fails on demand."""
    folder = tmp_path / "notebooks"
    shutil.copytree(PROJECT / "notebooks", folder)
    notebook = new_notebook(cells=[new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}), new_code_cell(FAILING_CELL), new_code_cell("report.footer()")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "23_option_financial_distribution.ipynb")
    return folder


def _rar(*arguments: str, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rar_protocol.cli", *arguments], capture_output=True, text=True, timeout=600, env={**os.environ, **environment})


def test_failure_is_recorded_the_others_finish_and_resume_completes(tiny_review, notebooks, tmp_path):
    tiny_review.write_text(tiny_review.read_text() + 'buildings: ["00001", "00003"]\n')
    marker = tmp_path / "fixed"
    environment = {"RAR_NOTEBOOKS": str(notebooks), "RAR_TEST_FAIL_BUILDING": "00003", "RAR_TEST_FAIL_UNLESS": str(marker)}
    first = _rar("run", str(tiny_review), "--out", str(tmp_path / "out"), "--formats", "html", environment=environment)
    assert first.returncode == 1, first.stderr
    run_folder = next((tmp_path / "out").glob("*/*/manifest.json")).parent
    reports = {(r["notebook"][:2], r["building_code"]): r for r in json.loads((run_folder / "manifest.json").read_text())["reports"]}
    failed = reports[("23", "00003")]
    assert failed["status"] == "failed" and failed["html"] is None
    assert failed["error"]["cell"] == 2 and failed["error"]["name"] == "RuntimeError" and "simulated failure in 00003" in failed["error"]["message"]
    assert reports[("23", "00001")]["status"] == "ok" and reports[("10", None)]["status"] == "ok"
    assert "simulated failure in 00003" in (run_folder / "index.html").read_text()
    kept = run_folder / reports[("23", "00001")]["html"]
    made_at = kept.stat().st_mtime_ns

    marker.touch()
    second = _rar("run", "--resume", str(run_folder), environment=environment)
    assert second.returncode == 0, second.stderr
    reports = json.loads((run_folder / "manifest.json").read_text())["reports"]
    assert len(reports) == 3 and all(r["status"] == "ok" for r in reports)
    assert kept.stat().st_mtime_ns == made_at  # only what failed was made again
    assert not list(run_folder.rglob(".*partial*")) and not list(run_folder.rglob("*.tmp"))


def test_resume_needs_a_run_folder(tmp_path):
    completed = _rar("run", "--resume", str(tmp_path), environment={})
    assert completed.returncode == 2 and "not a run folder" in completed.stderr


def test_several_reviews_get_an_isd_index(tiny_review, tmp_path):
    second = tmp_path / "second"
    second.mkdir()
    for path in tiny_review.parent.glob("*.*"):
        shutil.copy(path, second / path.name)
    (second / "review.yaml").write_text((second / "review.yaml").read_text().replace('"01234"', '"04321"'))
    (second / "buildings.csv").write_text((second / "buildings.csv").read_text().replace("01234,Tiny District", "04321,Second District"))
    out = tmp_path / "isd"
    completed = _rar("run", str(tiny_review), str(second / "review.yaml"), "--out", str(out), "--formats", "html", environment={})
    assert completed.returncode == 0, completed.stderr
    index = (out / "index.html").read_text()
    assert "01234/" in index and "04321/" in index and "Second District" in index
