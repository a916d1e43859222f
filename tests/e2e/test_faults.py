"""Faults during a run: a killed kernel, a cell error, a browser crash while printing, a full disk,
SIGINT/SIGTERM. The rest of the batch (or a --resume) completes and the run folder stays consistent."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from conftest import PROJECT, assert_consistent, leftovers, rar_command, reports_by_key, run_folder, run_rar
from rar_protocol import cli, files
from rar_protocol.report import batch
from rar_protocol.report.pdf import ChromiumPdfPrinter, find_browser

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
    if os.environ.get("RAR_TEST_STARTED"):
        open(os.environ["RAR_TEST_STARTED"], "w").close()
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


@pytest.fixture
def two_buildings(tiny_review: Path) -> Path:
    """The tiny review with two building reports (00001 and 00003) besides the district's."""
    tiny_review.write_text(tiny_review.read_text() + 'buildings: ["00001", "00003"]\n')
    return tiny_review


def test_killed_kernel_and_cell_error_fail_only_their_reports_and_resume_completes(two_buildings, tmp_path):
    fixed = tmp_path / "fixed"
    environment = {"RAR_NOTEBOOKS": str(doctored_notebooks(tmp_path)), "RAR_TEST_KILL_BUILDING": "00003", "RAR_TEST_FAIL_BUILDING": "00001", "RAR_TEST_FIXED": str(fixed)}
    first = run_rar("run", str(two_buildings), "--out", str(tmp_path / "out"), "--formats", "html", "--workers", "2", env=environment)
    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stderr
    folder = run_folder(tmp_path / "out")
    reports = reports_by_key(assert_consistent(folder))
    district = reports[("10", None)]
    assert district["status"] == "ok"
    killed, errored = reports[("23", "00003")], reports[("23", "00001")]
    assert killed["status"] == "failed" and killed["html"] is None and "DeadKernel" in killed["error"]["name"], killed["error"]
    assert errored["status"] == "failed" and errored["html"] is None
    assert errored["error"]["cell"] == 2 and errored["error"]["name"] == "RuntimeError" and "simulated failure in 00001" in errored["error"]["message"]
    assert "simulated failure in 00001" in (folder / "index.html").read_text()
    kept = folder / district["html"]
    made_at = kept.stat().st_mtime_ns

    fixed.touch()
    second = run_rar("run", "--resume", str(folder), env=environment)
    assert second.returncode == 0, second.stderr
    manifest = assert_consistent(folder)
    assert len(manifest["reports"]) == 3 and all(report["status"] == "ok" for report in manifest["reports"])
    assert kept.stat().st_mtime_ns == made_at  # only what failed was made again


def _wait_for_finished_report(out: Path, process: subprocess.Popen, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        for manifest in out.glob("*/*/manifest.json"):
            try:
                if any(report["status"] == "ok" for report in json.loads(manifest.read_text())["reports"]):
                    return manifest.parent
            except (json.JSONDecodeError, OSError):
                pass  # a reader may see the file between writes; it is never half-written (rename)
        time.sleep(0.2)
    raise AssertionError("no report finished in time")


def _as_from_a_terminal() -> None:
    """In the child: take Ctrl-C as a command started from a terminal does. A suite started as a
    background job (``make test &``, a CI step) inherits SIGINT ignored, and so would the child."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_stops_promptly_leaves_a_consistent_folder_and_resume_finishes(two_buildings, tmp_path, signum):
    fixed = tmp_path / "fixed"
    started = tmp_path / "started"
    environment = {**os.environ, "RAR_NOTEBOOKS": str(doctored_notebooks(tmp_path)), "RAR_TEST_SLOW_BUILDING": "00001", "RAR_TEST_FIXED": str(fixed), "RAR_TEST_STARTED": str(started)}
    out = tmp_path / "out"
    # One worker: the district report finishes first, then 00001 hangs in a cell.
    process = subprocess.Popen(
        rar_command("run", str(two_buildings), "--out", str(out), "--formats", "html", "--workers", "1"),
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_terminal,
    )
    try:
        folder = _wait_for_finished_report(out, process)
        # Interrupt while the next report hangs in its cell (not while its kernel is still starting).
        deadline = time.monotonic() + 120
        while not started.exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        assert started.exists(), "the slow report never reached its slow cell"
        signalled = time.monotonic()
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=30)
        stopped_in = time.monotonic() - signalled
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 128 + signum, stderr
    assert stopped_in < 15, stopped_in
    assert "Traceback" not in stderr
    manifest = assert_consistent(folder)
    assert reports_by_key(manifest)[("10", None)]["status"] == "ok"
    # No kernel forked for the run is left behind (it would still be sleeping in its cell).
    survivors = subprocess.run(["pgrep", "-f", str(folder)], capture_output=True, text=True).stdout.split()
    assert not survivors, survivors

    if signum == signal.SIGINT:
        return  # resume after an interrupt is checked once, with SIGTERM, to keep the suite quick
    fixed.touch()
    resumed = run_rar("run", "--resume", str(folder), env=environment)
    assert resumed.returncode == 0, resumed.stderr
    manifest = assert_consistent(folder)
    assert len(manifest["reports"]) == 3 and all(report["status"] == "ok" for report in manifest["reports"])


@pytest.mark.skipif(find_browser() is None, reason="no Chromium-family browser on this machine")
def test_browser_crash_while_printing_keeps_the_html_records_pdf_error_and_goes_on(two_buildings, tmp_path, monkeypatch):
    original = ChromiumPdfPrinter._print_options
    crashes: list[int] = []

    def crash_first_print(self: ChromiumPdfPrinter, *arguments: Any) -> dict[str, Any]:
        # Called right before Page.printToPDF: kill the whole browser (its own process group) once.
        if not crashes:
            crashes.append(self._process.pid)
            os.killpg(self._process.pid, signal.SIGKILL)
        return original(self, *arguments)

    monkeypatch.setattr(ChromiumPdfPrinter, "_print_options", crash_first_print)
    options = batch.RunOptions(out=tmp_path / "out", buildings=("00001", "00003"), formats=("html", "pdf"), workers=1, pdf_engine="chromium")
    folder, results = batch.run(two_buildings, options, stream=open(os.devnull, "w"))
    assert crashes
    assert all(result.status == "ok" and result.html for result in results)
    crashed = [result for result in results if result.pdf_error]
    assert len(crashed) == 1 and crashed[0].pdf is None and "Chromium stopped unexpectedly" in crashed[0].pdf_error
    # The browser is restarted for the remaining reports.
    assert sum(1 for result in results if result.pdf) == 2
    assert_consistent(folder)


class _FullDisk:
    """Stands in for the os module inside rar_protocol.files: writes to chosen files run out of space
    half-way (a real partial write, then ENOSPC), everything else passes through."""

    def __init__(self, failing: tuple[str, ...]) -> None:
        self.failing = failing

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def fdopen(self, handle: int, *arguments: Any, **keywords: Any) -> Any:
        stream = os.fdopen(handle, *arguments, **keywords)
        temporary = os.readlink(f"/proc/self/fd/{handle}")
        if not any(Path(temporary).name.startswith(f".{name}.") or f"/{name}/" in temporary for name in self.failing):
            return stream

        class Stream:
            def __enter__(self) -> Stream:
                return self

            def __exit__(self, *exception: object) -> None:
                stream.close()

            def write(self, data: bytes) -> int:
                stream.write(data[: len(data) // 2])
                stream.flush()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        return Stream()


pytestmark_linux = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to name the file being written")


@pytestmark_linux
def test_full_disk_for_reports_fails_those_reports_with_a_clear_message(tiny_review, tmp_path, monkeypatch):
    monkeypatch.setattr(files, "os", _FullDisk(("reports",)))
    folder, results = batch.run(tiny_review, batch.RunOptions(out=tmp_path / "out", formats=("html",), workers=2), stream=open(os.devnull, "w"))
    assert results and all(result.status == "failed" and result.html is None for result in results)
    assert all("No space left on device" in result.error["message"] for result in results)
    manifest = assert_consistent(folder)
    assert not list((folder / "reports").glob("*"))  # nothing half-written
    monkeypatch.undo()
    folder, results = batch.run(None, batch.RunOptions(), resume=folder, stream=open(os.devnull, "w"))
    assert all(result.status == "ok" for result in results) and len(results) == len(manifest["reports"])
    assert_consistent(folder)


@pytestmark_linux
def test_full_disk_for_the_manifest_stops_the_run_with_one_line_and_exit_1(tiny_review, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(files, "os", _FullDisk(("manifest.json",)))
    code = cli.main(["run", str(tiny_review), "--out", str(tmp_path / "out"), "--formats", "html", "--workers", "1"])
    stderr = capsys.readouterr().err
    assert code == cli.EXIT_FAILED
    assert "Traceback" not in stderr
    assert "cannot write " in stderr and "manifest.json: No space left on device" in stderr, stderr
    folder = next((tmp_path / "out").glob("*/*"))
    assert not leftovers(folder) and not (folder / "manifest.json").exists()
