"""Benchmark: seconds per report for `rar run` against what a user would script without this package,
and the statewide scale test. Prints figures and ratios; asserts nothing.

    python benchmarks/bench_reports.py [--buildings 24] [--baseline-reports 5] [--skip-scale]

Baseline, per report: the `papermill` command line, then `jupyter nbconvert --to html --no-input`,
then the system browser's own `--headless --print-to-pdf` on that HTML. It runs on the first
``--baseline-reports`` reports of the same workload (it is slow) and is reported per report.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _write_review(folder: Path, buildings: int) -> Path:
    """A synthetic district of ``buildings`` buildings, every one under review (option 3)."""
    from rar_protocol.sample import generate_district, write_tables

    tables = generate_district(buildings=buildings)
    write_tables(tables, folder / "data")
    codes = ", ".join(f'"{code}"' for code in tables["buildings"]["building_code"])
    listing = "\n".join(f"  {name}: {{file: {name}.csv}}" for name in tables)
    config = folder / "review.yaml"
    config.write_text(
        f'district_code: "99901"\nschool_years: [2020-21, 2021-22, 2022-23, 2023-24, 2024-25]\nbuildings: [{codes}]\n'
        f"option: {{number: 3}}\ndata_folder: data\noutput_folder: outputs\ntables:\n{listing}\n",
        encoding="utf-8",
    )
    return config


def _baseline(config: Path, jobs: list[tuple[str, str | None]], browser: str, folder: Path) -> float:
    """Seconds for the reports made one by one with the three command-line tools."""
    notebooks = PROJECT / "notebooks"
    started = time.perf_counter()
    for index, (notebook, building) in enumerate(jobs):
        executed = folder / f"report_{index}.ipynb"
        command = [str(BIN / "papermill"), str(notebooks / notebook), str(executed), "-p", "config_path", str(config), "--cwd", str(notebooks), "--no-progress-bar"]
        if building:
            command += ["-p", "building_code", building]
        subprocess.run(command, check=True, capture_output=True)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], check=True, capture_output=True)
        html = executed.with_suffix(".html")
        profile = tempfile.mkdtemp(prefix="bench-chromium-")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                f"--user-data-dir={profile}",
                f"--print-to-pdf={html.with_suffix('.pdf')}",
                html.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        shutil.rmtree(profile, ignore_errors=True)
    return time.perf_counter() - started


def _rar_run(config: Path, out: Path) -> tuple[float, int, dict[str, float]]:
    """Seconds for `rar run` with HTML and PDF, the number of reports, and mean seconds per step."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "rar"), "run", str(config), "--out", str(out)], check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    manifest = json.loads(next(out.glob("*/*/manifest.json")).read_text())
    reports = manifest["reports"]
    failed = [report for report in reports if report["status"] != "ok" or not report["pdf"]]
    if failed:
        raise SystemExit(f"rar run left {len(failed)} report(s) without HTML and PDF: {failed[0]}")
    steps = {step: sum(report["seconds"].get(step, 0.0) for report in reports) / len(reports) for step in ("execute", "html", "pdf")}
    return elapsed, len(reports), steps


def _scale() -> None:
    """Load, validate and compute every district-level metric for a statewide data set, in a child process."""
    code = (
        "import resource, tempfile, time\n"
        "from pathlib import Path\n"
        "from rar_protocol.sample import generate_state, write_tables\n"
        "from rar_protocol.data.statewide import statewide_metrics\n"
        "folder = Path(tempfile.mkdtemp(prefix='bench-state-'))\n"
        "write_tables(generate_state(buildings=3500, years=8), folder)\n"
        "started = time.perf_counter()\n"
        "metrics = statewide_metrics(folder)\n"
        "elapsed = time.perf_counter() - started\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(f'{elapsed:.2f} {peak:.0f} {metrics[\"district_code\"].nunique()}')\n"
    )
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    seconds, peak, districts = float(output[0]), float(output[1]), int(output[2])
    print(
        f"statewide (3,500 buildings x 8 years): load + validate + district metrics for {districts} districts in {seconds:.2f} s (target < 5 s), peak memory {peak:,.0f} MB (target < 2,048 MB; includes generating the data)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=24)
    parser.add_argument("--baseline-reports", type=int, default=5)
    parser.add_argument("--skip-scale", action="store_true")
    arguments = parser.parse_args()
    from rar_protocol.analyses.registry import REPORTS
    from rar_protocol.report.pdf import find_browser

    browser = find_browser()
    if browser is None:
        raise SystemExit("No Chromium-family browser found: the benchmark compares PDF routes through one.")
    folder = Path(tempfile.mkdtemp(prefix="rar-bench-"))
    config = _write_review(folder, arguments.buildings)
    elapsed, reports, steps = _rar_run(config, folder / "rar")
    per_report = elapsed / reports
    codes = [line.split(",")[2] for line in (folder / "data" / "buildings.csv").read_text().splitlines()[1:]]
    jobs = [(REPORTS["district_review"].notebook, None)] + [(REPORTS.option(3).notebook, code) for code in codes]
    sample = jobs[: max(1, arguments.baseline_reports)]
    (folder / "baseline").mkdir()
    baseline_per_report = _baseline(config, sample, str(browser), folder / "baseline") / len(sample)
    print(f"workload: district report + {arguments.buildings} inquiry reports ({reports} reports), HTML and PDF, on {os.cpu_count()} cores")
    print(f"baseline (papermill CLI + nbconvert --no-input + {Path(str(browser)).name} --print-to-pdf), {len(sample)} reports: {baseline_per_report:.2f} s per report")
    print(
        f"rar run: {elapsed:.1f} s for {reports} reports = {per_report:.2f} s per report (mean step seconds inside workers: execute {steps['execute']:.2f}, html {steps['html']:.2f}, pdf {steps['pdf']:.2f})"
    )
    print(f"ratio baseline / rar run: {baseline_per_report / per_report:.1f}x (target >= 10x); per-report target < 0.6 s")
    if not arguments.skip_scale:
        _scale()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
