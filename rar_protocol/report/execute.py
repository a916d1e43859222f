"""Making one report: execute its notebook with papermill, render its HTML, print its PDF.

Executing raises :class:`ReportFailure`, which carries the failing cell, the exception's name and
its message, as papermill's PapermillExecutionError does; :func:`make_report` records any failure
on the report's result and never raises it, so one report's failure is that report's only.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import nbformat
import papermill

from rar_protocol.data.loading import Review
from rar_protocol.errors import PdfError, ReportError
from rar_protocol.report.html import render_html
from rar_protocol.report.pdf import ChromiumPdfPrinter, find_browser, make_pdf
from rar_protocol.report.plan import ReportJob

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@dataclass
class ReportResult:
    """What became of one report, as recorded in manifest.json."""

    notebook: str
    building_code: str | None
    title: str
    status: str = "failed"
    html: str | None = None
    pdf: str | None = None
    notebook_path: str | None = None
    data_objects: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    pdf_error: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    building_name: str | None = None


class ReportFailure(ReportError):
    """A report failed: in which cell (None outside the notebook's cells), with which exception and message."""

    def __init__(self, name: str, message: str, *, cell: int | None = None, execution_count: int | None = None, notebook: Path | None = None) -> None:
        super().__init__(f"{name}: {message}" if cell is None else f"cell {cell}: {name}: {message}")
        self.name = name
        self.message = message
        self.cell = cell
        self.execution_count = execution_count
        # The executed notebook as far as it ran, where papermill had written one.
        self.notebook = notebook

    @classmethod
    def from_error(cls, error: Exception, notebook: Path | None = None) -> ReportFailure:
        """The failing cell and message, from papermill's structured exception where there is one."""
        if isinstance(error, papermill.PapermillExecutionError):
            return cls(error.ename, error.evalue, cell=error.cell_index, execution_count=error.exec_count, notebook=notebook)
        text = str(error).strip()
        return cls(type(error).__name__, text.splitlines()[-1] if text else type(error).__name__, notebook=notebook)

    def record(self) -> dict[str, Any]:
        """The failure as manifest.json records it; the execution count only for a failing cell."""
        if self.cell is None:
            return {"cell": None, "name": self.name, "message": self.message}
        return {"cell": self.cell, "execution_count": self.execution_count, "name": self.name, "message": self.message}


def notebooks_folder() -> Path:
    """Where the protocol notebooks live (the project's notebooks/, or $RAR_NOTEBOOKS)."""
    return Path(os.environ.get("RAR_NOTEBOOKS", NOTEBOOKS))


def execute_notebook(job: ReportJob, review: Review, run_folder: Path, run_date: date, provenance_path: Path, kernel_manager_class: type | None = None) -> Path:
    """Execute one notebook with papermill into the run folder, in a fresh kernel (forked from the warm
    kernel server when ``kernel_manager_class`` is given); returns the executed notebook.

    Raises ReportFailure for any failure inside the notebook or its kernel.
    """
    folder = notebooks_folder()
    executed = run_folder / "notebooks" / f"{job.stem}.ipynb"
    partial = executed.with_name(f".partial.{executed.name}")
    executed.parent.mkdir(parents=True, exist_ok=True)
    parameters = {
        "config_path": str(review.config_path),
        "building_code": job.building_code or "",
        "school_year": job.school_year,
        "output_folder": str(run_folder / "data_objects" / job.data_object_folder(review)),
        "run_date": run_date.isoformat(),
        "provenance_path": str(provenance_path),
    }
    kernel = {"kernel_manager_class": kernel_manager_class} if kernel_manager_class else {}
    try:
        papermill.execute_notebook(
            str(folder / job.notebook),
            str(partial),
            parameters=parameters,
            cwd=str(folder),
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            execution_timeout=900,
            shutdown_kernel="immediate",
            **kernel,
        )
    except Exception as error:
        failure = ReportFailure.from_error(error)
        if partial.exists():
            partial.replace(executed)
            failure.notebook = executed
        raise failure from error
    _stable_cell_ids(partial)
    partial.replace(executed)
    return executed


def _stable_cell_ids(path: Path) -> None:
    """Give papermill's injected-parameters cell a fixed id (it gets a random one), so reruns compare equal."""
    notebook = nbformat.read(path, as_version=4)
    for position, cell in enumerate(notebook.cells):
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = f"injected-parameters-{position}"
    nbformat.write(notebook, path)


class PdfMaker:
    """One browser for every PDF of the run; falls back with one clear message when none can be made."""

    def __init__(self, engine: str, browser: str | None) -> None:
        """Choose the engine and browser; the browser starts with the first PDF."""
        self.engine = engine
        self.browser = browser
        self.printer: ChromiumPdfPrinter | None = None
        # Workers share the one browser, and it prints one page at a time.
        self.lock = threading.Lock()
        self.unavailable: str | None = None

    def make(self, html_path: Path, pdf_path: Path) -> Path | None:
        """Print one HTML report to PDF; raises PdfError with a message meant for the user."""
        with self.lock:
            if self.unavailable:
                raise PdfError(self.unavailable)
            use_chromium = self.engine == "chromium" or (self.engine == "auto" and (self.browser or find_browser()))
            try:
                if use_chromium and self.printer is None:
                    self.printer = ChromiumPdfPrinter(self.browser)
                    self.printer.start()
                return make_pdf(html_path, pdf_path, engine=self.engine, browser=self.browser, printer=self.printer if use_chromium else None)
            except PdfError as error:
                # A crashed browser is restarted for the next report; a missing one is reported once.
                if self.printer is not None and not self.printer.running:
                    self.printer.close()
                    self.printer = None
                if "not found" in str(error).lower() or "not installed" in str(error).lower():
                    self.unavailable = str(error)
                raise

    def close(self) -> None:
        """Stop the browser, if one was started."""
        if self.printer is not None:
            self.printer.close()
            self.printer = None


def make_report(
    job: ReportJob,
    review: Review,
    run_folder: Path,
    run_date: date,
    provenance_path: Path,
    *,
    kernel_manager_class: type | None = None,
    pdf_maker: PdfMaker | None = None,
    stopped: Callable[[], bool] | None = None,
) -> ReportResult:
    """Make one report: execute its notebook, render its HTML and print its PDF; returns what became of it.

    ``stopped`` says whether the run was interrupted meanwhile, which killed the report's kernel.
    """
    result = ReportResult(notebook=job.notebook, building_code=job.building_code, title=job.title)
    if job.building_code is not None:
        result.building_name = review.building_name(job.building_code)
    started = time.perf_counter()
    executed: Path | None
    try:
        executed = notebook = execute_notebook(job, review, run_folder, run_date, provenance_path, kernel_manager_class)
    except ReportFailure as failure:
        result.error = failure.record()
        executed, notebook = None, failure.notebook
    result.seconds["execute"] = round(time.perf_counter() - started, 2)
    if notebook is not None:
        result.notebook_path = notebook.relative_to(run_folder).as_posix()
    if executed is not None:
        objects = run_folder / "data_objects" / job.data_object_folder(review)
        if objects.is_dir():
            result.data_objects = sorted(path.relative_to(run_folder).as_posix() for path in objects.iterdir() if path.is_file() and not path.name.startswith("."))
    if stopped is not None and stopped():
        # Its kernel was killed by the interrupt: record why, so the index does not blame the report.
        result.error = ReportFailure("Interrupted", "the run was stopped before this report was finished").record()
        return result
    if executed is None:
        return result
    try:
        html_path = _render(result, executed, job, run_folder, review)
        result.status = "ok"
        if pdf_maker is not None:
            _print(result, html_path, run_folder, pdf_maker)
    except Exception as error:  # a rendering failure fails this report only
        result.status = "failed"
        result.error = ReportFailure(type(error).__name__, f"rendering failed: {error}").record()
    return result


def _render(result: ReportResult, executed: Path, job: ReportJob, run_folder: Path, review: Review) -> Path:
    """Render the executed notebook to the run's reports/ folder, titled with the district or building."""
    started = time.perf_counter()
    destination = run_folder / "reports" / f"{job.stem}.html"
    destination.parent.mkdir(parents=True, exist_ok=True)
    title = f"{job.title} · {review.district_name}" if job.building_code is None else f"{job.title} · {review.building_name(job.building_code)}"
    render_html(executed, destination, title=title)
    result.html = destination.relative_to(run_folder).as_posix()
    result.seconds["html"] = round(time.perf_counter() - started, 2)
    return destination


def _print(result: ReportResult, html_path: Path, run_folder: Path, pdf_maker: PdfMaker) -> None:
    """Print the HTML report beside it; a PDF that cannot be made is noted, the report still counts."""
    started = time.perf_counter()
    try:
        pdf_path = pdf_maker.make(html_path, html_path.with_suffix(".pdf"))
        result.pdf = pdf_path.relative_to(run_folder).as_posix() if pdf_path else None
    except PdfError as error:
        result.pdf_error = str(error)
    result.seconds["pdf"] = round(time.perf_counter() - started, 2)
