"""`rar run`: validate a review, make every report it asks for, index the run.

Workers make the reports side by side, each in a kernel forked from one warm kernel server, all
printing through one browser. One report's failure is recorded and the others go on. Every file in
the run folder is written to a temporary name and renamed, so a file is either complete or absent,
and the manifest is rewritten after each report so it always reflects what is on disk; --resume
makes only what an earlier run did not finish.
"""

from __future__ import annotations

import html
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rar_protocol.analyses import determination
from rar_protocol.data.loading import Review, load_review
from rar_protocol.data.problems import Problem
from rar_protocol.errors import InputError
from rar_protocol.files import write_atomically
from rar_protocol.protocol.export import export
from rar_protocol.report import provenance
from rar_protocol.report.execute import PdfMaker, ReportResult, make_report
from rar_protocol.report.kernels import KernelServer, forking_supported
from rar_protocol.report.plan import ReportJob, RunOptions, plan, run_folder_for


def write_manifest(run_folder: Path, results: list[ReportResult], run_provenance: dict[str, Any], review: Review) -> None:
    """manifest.json and index.html, rewritten whole after every report."""
    manifest = {
        "district_code": review.config.district_code,
        "district_name": review.district_name,
        "reports": [asdict(result) for result in results],
        "provenance": run_provenance,
    }
    write_atomically(run_folder / "manifest.json", json.dumps(manifest, indent=2).encode("utf-8"))
    write_atomically(run_folder / "index.html", index_html(manifest).encode("utf-8"))


def local_time(stamp: str) -> str:
    """An ISO time (the provenance's, in UTC) as the reader's local date and time: "December 2, 2026 at 14:05 EST"."""
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return f"{moment:%B} {moment.day}, {moment:%Y at %H:%M %Z}".strip()


def _problems_html(reports: list[dict[str, Any]]) -> str:
    """What went wrong, on top: each failed report's error and each missing PDF."""
    problems = []
    for report in reports:
        who = "district" if report["building_code"] is None else f"{report['building_code']} {report.get('building_name') or ''}".strip()
        if report["error"]:
            error = report["error"]
            problems.append(
                f"<li class='error'>{html.escape(report['title'])} ({html.escape(who)}) failed in cell {error.get('cell')}: "
                f"{html.escape(str(error.get('name')))}: {html.escape(str(error.get('message')))}</li>"
            )
        elif report["status"] != "ok":
            problems.append(f"<li class='error'>{html.escape(report['title'])} ({html.escape(who)}): {html.escape(report['status'])}</li>")
        if report.get("pdf_error"):
            problems.append(f"<li class='warning'>{html.escape(report['title'])} ({html.escape(who)}): no PDF: {html.escape(report['pdf_error'])}</li>")
    return f"<ul class='problems'>{''.join(problems)}</ul>" if problems else ""


def _data_objects_html(paths: list[str]) -> str:
    """A report's MICIP files, one line per data object (its CSV, XLSX and PNG side by side), folded away until opened."""
    grouped: dict[str, list[str]] = {}
    for path in paths:
        grouped.setdefault(Path(path).stem, []).append(path)
    items = []
    order = {".csv": 0, ".xlsx": 1, ".png": 2}
    for stem, files in grouped.items():
        files = sorted(files, key=lambda path: order.get(Path(path).suffix.lower(), 3))
        links = " · ".join(f"<a href='{html.escape(path)}'>{html.escape(Path(path).suffix.lstrip('.').upper())}</a>" for path in files)
        items.append(f"<li>{html.escape(stem)}: {links}</li>")
    return f"<details><summary>MICIP data objects ({len(grouped)})</summary><ul>{''.join(items)}</ul></details>" if items else ""


def index_html(manifest: dict[str, Any]) -> str:
    """The run's start page: status and errors on top, then one section per building (the district first) with its reports and data objects."""
    reports = manifest["reports"]
    sections: dict[str | None, list[dict[str, Any]]] = {}
    for report in sorted(reports, key=lambda report: (report["building_code"] is not None, report["building_code"] or "", report["notebook"])):
        sections.setdefault(report["building_code"], []).append(report)
    parts = []
    for code, made in sections.items():
        name = made[0].get("building_name") or ""
        heading = f"District: {manifest['district_name']}" if code is None else f"{code} {name}".strip()
        rows = []
        for report in made:
            links = [f"<a href='{html.escape(report[kind])}'>{kind.upper()}</a>" for kind in ("html", "pdf") if report[kind]]
            rows.append(
                f"<tr class='{html.escape(report['status'])}'><td>{html.escape(report['title'])}</td><td>{html.escape(report['status'])}</td>"
                f"<td>{' · '.join(links)}</td><td>{_data_objects_html(report['data_objects'])}</td></tr>"
            )
        parts.append(
            f"<section><h2>{html.escape(heading)}</h2><table><thead><tr><th>Report</th><th>Status</th><th>Files</th><th>MICIP files</th></tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
        )
    failed = sum(report["status"] != "ok" for report in reports)
    status = f"{len(reports) - failed} of {len(reports)} reports made" + (f"; {failed} failed" if failed else "")
    made_at = html.escape(local_time(manifest["provenance"]["run_time"]))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Resource Allocation Review · {html.escape(manifest["district_name"])}</title>
<style>
body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; color: #222; max-width: 70em; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #ccd; padding: 4px 8px; vertical-align: top; text-align: left; }}
th {{ background: #eef3f8; }} tr.failed td {{ background: #fff0f0; }} .error {{ color: #a00; }} .warning {{ color: #8a4b00; }}
.status {{ font-size: 1.1em; }} .status.failed {{ color: #a00; font-weight: bold; }}
h2 {{ margin-top: 1.4em; font-size: 1.2em; }} details ul {{ margin: 0.3em 0 0 0; padding-left: 1.2em; font-size: 0.85em; }}
summary {{ cursor: pointer; }}
</style></head><body>
<h1>Resource Allocation Review</h1>
<p>{html.escape(manifest["district_name"])} ({html.escape(manifest["district_code"])}) · made {made_at} · details in <a href="manifest.json">manifest.json</a></p>
<p class="status{" failed" if failed else ""}">{status}.</p>
{_problems_html(reports)}
{"".join(parts)}
</body></html>
"""


def _start_kernel_server(review: Review, run_folder: Path) -> KernelServer | None:
    """A warm kernel server for the run, or None (ordinary kernels) where forking is not possible."""
    if not forking_supported() or os.environ.get("RAR_KERNELS") == "plain":
        return None
    try:
        return KernelServer([review.config_path], run_folder / "kernels.log").__enter__()
    except RuntimeError:
        return None


class Progress:
    """A progress bar on a terminal, plain lines otherwise; every line also goes to the run's log file."""

    def __init__(self, total: int, log_path: Path, stream: Any = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.bar = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.log = log_path.open("a", encoding="utf-8")

    def report(self, line: str, *, finished: bool = True) -> None:
        self.done += finished
        stamp = time.strftime("%H:%M:%S")
        self.log.write(f"{stamp} [{self.done}/{self.total}] {line}\n")
        self.log.flush()
        if self.bar:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            self.stream.write(f"\r\033[K[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {line[:60]}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done}/{self.total}] {line}\n")
        self.stream.flush()

    def close(self) -> None:
        self.log.close()


def _previous_results(run_folder: Path) -> tuple[dict[str, Any], list[ReportResult]]:
    """The manifest of an earlier run and its reports that are complete on disk."""
    manifest_path = run_folder / "manifest.json"
    if not manifest_path.is_file():
        raise InputError(
            [
                Problem(
                    str(run_folder),
                    "This folder has no manifest.json, so it is not a run folder to resume.",
                    "Give the folder that holds index.html and manifest.json, e.g. outputs/<district>/<date>.",
                )
            ]
        )
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    complete = []
    for entry in manifest["reports"]:
        result = ReportResult(**entry)
        files = [result.html, result.pdf if result.pdf or not result.pdf_error else None]
        if result.status == "ok" and all((run_folder / name).is_file() for name in files if name):
            complete.append(result)
    return manifest, complete


def run(config_path: Path | None, options: RunOptions, *, resume: Path | None = None, stream: Any = None) -> tuple[Path, list[ReportResult]]:
    """Validate, then make every report of the review (or, with ``resume``, those an earlier run did
    not finish); returns the run folder and the results."""
    kept: list[ReportResult] = []
    if resume is not None:
        manifest, kept = _previous_results(resume)
        parameters = manifest["provenance"]["parameters"]
        config_path = Path(parameters["config_path"])
        options = RunOptions(
            out=resume.parent.parent,
            buildings=tuple(b for b in parameters.get("buildings", "").split(",") if b),
            formats=tuple(parameters.get("formats", "html,pdf").split(",")),
            workers=options.workers,
            pdf_engine=options.pdf_engine,
            browser=options.browser,
            data_folder=options.data_folder,
            run_date=date.fromisoformat(parameters["run_date"]),
            school_year=parameters.get("school_year", ""),
        )
    assert config_path is not None
    review = load_review(config_path, data_folder=options.data_folder)
    done = {(result.notebook, result.building_code) for result in kept}
    jobs = [job for job in plan(review, options.buildings, options.school_year) if (job.notebook, job.building_code) not in done]
    determinations = determination.check_determinations(review)
    run_date = options.run_date or date.today()
    run_folder = resume if resume is not None else run_folder_for(review, options)
    run_folder.mkdir(parents=True, exist_ok=True)
    parameters = {
        "config_path": str(review.config_path),
        "run_date": run_date.isoformat(),
        "formats": ",".join(options.formats),
        "buildings": ",".join(options.buildings),
        "school_year": options.school_year,
    }
    run_provenance = provenance.collect(review.input_files, parameters)
    provenance_path = run_folder / "provenance.json"
    provenance.write(run_provenance, provenance_path)
    if determinations:
        export(determination.micip_export(review, determinations), run_folder / "data_objects" / "district", run_date, naming=review.config.naming)
    results: list[ReportResult] = list(kept)
    lock = threading.Lock()
    pdf_maker = PdfMaker(options.pdf_engine, options.browser) if "pdf" in options.formats and options.pdf_engine != "none" else None
    progress = Progress(len(jobs), run_folder / "run.log", stream)
    server = _start_kernel_server(review, run_folder) if jobs else None

    stopping = threading.Event()

    def make(job: ReportJob) -> ReportResult:
        result = make_report(
            job,
            review,
            run_folder,
            run_date,
            provenance_path,
            kernel_manager_class=server.manager_class if server else None,
            pdf_maker=pdf_maker,
            stopped=stopping.is_set,
        )
        with lock:
            results.append(result)
            results.sort(key=lambda item: (item.building_code or "", item.notebook))
            write_manifest(run_folder, results, run_provenance, review)
            note = f" ({result.error['name']}: {result.error['message']})" if result.error else ""
            progress.report(f"{result.title}{' ' + result.building_code if result.building_code else ''}: {result.status}{note}")
            if result.pdf_error:
                progress.report(f"PDF not made: {result.pdf_error}", finished=False)
        return result

    pool = ThreadPoolExecutor(max_workers=max(1, options.workers))
    futures = []
    try:
        futures = [pool.submit(make, job) for job in jobs]
        for future in as_completed(futures):
            future.result()
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM) or a fatal error such as a full disk: start no more reports,
        # kill the running kernels (each in its own session, so no signal reached them) and the
        # browser, so the workers' papermill calls end at once instead of finishing their reports.
        stopping.set()
        pool.shutdown(wait=False, cancel_futures=True)
        if server is not None:
            server.kill_kernels()
        if pdf_maker is not None:
            pdf_maker.close()
        raise
    finally:
        # A kernel that was still starting when the run was stopped registers after the kill
        # above: keep killing until every worker is done, so none waits on a report's cell.
        while stopping.is_set() and server is not None and not all(future.done() for future in futures):
            server.kill_kernels()
            time.sleep(0.2)
        # Wait for the workers (at most a few seconds once their kernels are dead), so no thread
        # writes into the run folder after run() returns or raises.
        pool.shutdown(wait=True)
        progress.close()
        if server is not None:
            server.__exit__(None, None, None)
        if pdf_maker is not None:
            pdf_maker.close()
        _remove_partial_files(run_folder)
    if not jobs:
        write_manifest(run_folder, results, run_provenance, review)
    return run_folder, results


def _remove_partial_files(run_folder: Path) -> None:
    """Remove papermill's half-written notebooks a stopped run can leave (``.partial.*``): every file
    in a run folder is complete or absent. write_atomically cleans up its own temporary files."""
    for path in (run_folder / "notebooks").glob(".partial.*"):
        path.unlink(missing_ok=True)


def isd_index(run_folders: list[Path], destination: Path) -> Path:
    """An ISD's start page linking each district's run index, with its report counts."""
    rows = []
    for folder in run_folders:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        ok = sum(1 for report in manifest["reports"] if report["status"] == "ok")
        link = os.path.relpath(folder / "index.html", destination.parent)
        rows.append(
            f"<tr><td><a href='{html.escape(link)}'>{html.escape(manifest['district_name'])}</a></td><td>{html.escape(manifest['district_code'])}</td><td>{ok} of {len(manifest['reports'])} reports made</td></tr>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Resource Allocation Reviews</title>
<style>body {{ font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em; }} table {{ border-collapse: collapse; }} th, td {{ border: 1px solid #ccd; padding: 4px 8px; text-align: left; }}</style>
</head><body><h1>Resource Allocation Reviews</h1>
<table><thead><tr><th>District</th><th>Code</th><th>Status</th></tr></thead><tbody>{"".join(rows)}</tbody></table></body></html>
"""
    return write_atomically(destination, page.encode("utf-8"))
