"""Shared checks for fault and security tests: a run folder holds only complete files and a true manifest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

PROJECT = Path(__file__).resolve().parents[1]
PARAMETERS = nbformat.read(PROJECT / "notebooks" / "10_district_financial_review.ipynb", as_version=4).cells[2].source

# The option 3 notebook, doctored to misbehave for the buildings named in environment variables.
DOCTORED_CELL = """import os, signal, time
import rar_protocol as rar

report = rar.open_report(config_path, building_code=building_code, output_folder=output_folder, run_date=run_date, provenance_path=provenance_path)
fixed = os.path.exists(os.environ.get("RAR_TEST_FIXED", "/nonexistent"))
if not fixed and building_code == os.environ.get("RAR_TEST_KILL_BUILDING"):
    os.kill(os.getpid(), signal.SIGKILL)
if not fixed and building_code == os.environ.get("RAR_TEST_FAIL_BUILDING"):
    raise RuntimeError("simulated failure in " + building_code)
if not fixed and building_code == os.environ.get("RAR_TEST_SLOW_BUILDING"):
    time.sleep(600)
report.header("Inquiry")"""


def doctored_notebooks(tmp_path: Path) -> Path:
    """A copy of notebooks/ whose option 3 notebook fails, dies or hangs on demand."""
    folder = tmp_path / "notebooks"
    shutil.copytree(PROJECT / "notebooks", folder)
    notebook = new_notebook(cells=[new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}), new_code_cell(DOCTORED_CELL), new_code_cell("report.footer()")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "23_option_financial_distribution.ipynb")
    return folder


def rar_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "rar_protocol.cli", *arguments]


def rar(*arguments: str, environment: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(rar_command(*arguments), capture_output=True, text=True, timeout=timeout, env={**os.environ, **(environment or {})})


def run_folder(out: Path) -> Path:
    folders = [path.parent for path in out.glob("*/*/manifest.json")]
    assert len(folders) == 1, folders
    return folders[0]


def leftovers(folder: Path) -> list[Path]:
    """Temporary files a run must never leave behind."""
    return [path for path in folder.rglob("*") if ".partial" in path.name or path.name.endswith(".tmp")]


def assert_consistent(folder: Path) -> dict[str, Any]:
    """No temporary files; manifest.json parses; every path it lists exists inside the run folder."""
    assert not leftovers(folder), leftovers(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    root = folder.resolve()
    for report in manifest["reports"]:
        for name in [report["html"], report["pdf"], report["notebook_path"], *report["data_objects"]]:
            if name:
                path = (folder / name).resolve()
                assert path.is_file(), name
                assert path.is_relative_to(root), name
    return manifest


def reports_by_key(manifest: dict[str, Any]) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(report["notebook"][:2], report["building_code"]): report for report in manifest["reports"]}
