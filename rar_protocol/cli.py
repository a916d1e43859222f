"""The `rar` command: validate a review, print the data dictionary, scaffold a new review."""

from __future__ import annotations

import argparse
import errno
import os
import re
import signal
import sys
import threading
from pathlib import Path

from rar_protocol.data import schema
from rar_protocol.data.problems import format_problems
from rar_protocol.errors import InputError

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2


def summary(review: Review) -> str:  # noqa: F821 - imported lazily to keep `rar --help` fast
    """A short account of what a review holds: district, buildings, years, rows per table."""
    config = review.config
    buildings = review.tables["buildings"]
    identified = review.identified_buildings()
    under_review = review.buildings_under_review()
    lines = [
        f"District: {review.district_name} ({config.district_code})",
        f"School years: {', '.join(config.school_years)}",
        f"Buildings: {len(buildings)}; identified in {review.latest_year}: {len(identified)}" + (f" ({', '.join(identified)})" if identified else ""),
        f"Under review: {', '.join(f'{code} {review.building_name(code)}' for code in under_review) or 'none'}",
        f"Review option: {config.option.number} ({_option_name(config.option.number)})",
        "Tables:",
    ]
    for name in schema.ALL_TABLES:
        if name in review.tables:
            lines.append(f"  {name:<13} {len(review.tables[name]):>7,} rows")
        else:
            lines.append(f"  {name:<13}       - not provided (analyses that need it will say so)")
    if review.left_out:
        from rar_protocol.data.left_out import describe_all

        # Dropped spending is said here and in every report's sources note, never left out silently.
        lines += ["Left out (in no figure; the reports' sources notes say so):", *(f"  {line}" for line in describe_all(review.left_out))]
    return "\n".join(lines)


def _option_name(number: int) -> str:
    from rar_protocol.analyses.registry import REPORTS

    return REPORTS.option(number).option_name


def _not_a_review_file(path: Path, command: str) -> str | None:
    """The one-line usage error for a review path that is a folder, or None when it may be a review file."""
    if not path.is_dir():
        return None
    # A review file is the one with a district_code (a folder of reviews also holds prompts and answers).
    examples = [candidate for candidate in sorted(path.glob("*.y*ml")) if re.search(r"^district_code\s*:", candidate.read_text(encoding="utf-8", errors="replace"), re.MULTILINE)]
    example = f", e.g. rar {command} {examples[0]}" if examples else ""
    return f"rar {command}: {path} is a folder; give the review YAML file{example}."


def _not_a_folder(path: Path, option: str) -> str | None:
    """The one-line usage error for an output folder that is a file (or lies under one), or None."""
    for existing in (path, *path.parents):
        if existing.exists():
            if existing.is_dir():
                return None
            where = f"{option} {path} is a file" if existing == path else f"{option} {path}: {existing} is a file"
            return f"rar run: {where}, not a folder; give a folder (it is made when missing)."
    return None


def _command_validate(arguments: argparse.Namespace) -> int:
    from rar_protocol.analyses.determination import check_determinations
    from rar_protocol.data.loading import load_review

    mistake = _not_a_review_file(arguments.config, "validate")
    if mistake:
        print(mistake, file=sys.stderr)
        return EXIT_INPUT
    review = load_review(arguments.config, data_folder=arguments.data_folder)
    determinations = check_determinations(review)
    print(summary(review))
    if review.config.determination_file:
        inequities = sum(1 for entry in determinations.values() if entry.finding == "inequity")
        print(f"Determinations: {len(determinations)} ({inequities} inequity, {len(determinations) - inequities} equity)")
        # A review in progress records determinations as they are agreed: said, not refused.
        undetermined = [code for code in review.buildings_under_review() if code not in determinations]
        if undetermined:
            names = ", ".join(f"{code} {review.building_name(code)}" for code in undetermined)
            print(f"  not yet determined: {names} (their determination reports will say so; add them to {review.config.determination_file})")
    print("\nValid: no problems found.")
    return EXIT_OK


def _command_schema(arguments: argparse.Namespace) -> int:
    from rar_protocol.data.dictionary import data_dictionary

    print(data_dictionary(), end="")
    return EXIT_OK


def _command_init(arguments: argparse.Namespace) -> int:
    from rar_protocol.data.scaffold import scaffold_review

    written = scaffold_review(arguments.folder, district_code=arguments.district_code, force=arguments.force, from_export=arguments.from_export)
    for path in written:
        print(f"wrote {path}")
    if arguments.from_export:
        print(f"\nNext: read each '# REVIEW' and '# TODO' comment in {written[0]} (a guess to confirm or a column to name), then run: rar validate {written[0]}")
    else:
        print(f"\nNext: replace the templates' example rows with the district's data (or map its own export: rar init FOLDER --from EXPORT.xlsx), then run: rar validate {written[0]}")
    return EXIT_OK


def _command_sample(arguments: argparse.Namespace) -> int:
    from rar_protocol.sample import generate_district, write_tables

    tables = generate_district(buildings=arguments.buildings, seed=arguments.seed)
    for path in write_tables(tables, arguments.out):
        print(f"wrote {path}")
    return EXIT_OK


def _command_run(arguments: argparse.Namespace) -> int:
    from rar_protocol.report.batch import isd_index, run
    from rar_protocol.report.plan import FORMATS, RunOptions

    formats = tuple(part.strip().lower() for part in arguments.formats.split(",") if part.strip())
    unknown = [part for part in formats if part not in FORMATS]
    if unknown or "html" not in formats:
        print(f"--formats takes html or html,pdf (got {arguments.formats!r}); PDF is printed from the HTML.", file=sys.stderr)
        return EXIT_INPUT
    if bool(arguments.config) == bool(arguments.resume):
        print("Give one or more review YAML files, or --resume RUN_FOLDER.", file=sys.stderr)
        return EXIT_INPUT
    # Said before anything is read or written: a usage mistake is one line, exit 2, nothing made.
    mistakes = [_not_a_review_file(config, "run") for config in arguments.config]
    mistakes.append(_not_a_folder(arguments.out, "--out") if arguments.out else None)
    for mistake in filter(None, mistakes):
        print(mistake, file=sys.stderr)
        return EXIT_INPUT
    options = RunOptions(
        out=arguments.out,
        buildings=tuple(arguments.building or ()),
        formats=formats,
        workers=arguments.workers,
        pdf_engine=arguments.pdf_engine,
        browser=arguments.browser,
        data_folder=arguments.data_folder,
        school_year=arguments.school_year or "",
    )
    if arguments.resume:
        run_folder, results = run(None, options, resume=arguments.resume)
        runs = [(run_folder, results)]
    else:
        # Every review is validated before any report is made: a typo in the tenth file stops the batch at once.
        from rar_protocol.data.choices import chosen_year
        from rar_protocol.data.loading import load_review

        problems = []
        for config in arguments.config:
            try:
                chosen_year(load_review(config, data_folder=arguments.data_folder), arguments.school_year)
            except InputError as error:
                problems += error.problems
        if problems:
            raise InputError(problems)
        runs = [run(config, options) for config in arguments.config]
    failed = sum(1 for _, results in runs for result in results if result.status != "ok")
    total = sum(len(results) for _, results in runs)
    if len(runs) > 1:
        index = isd_index([folder for folder, _ in runs], (arguments.out or Path("outputs")).resolve() / "index.html")
        print(f"{total - failed} of {total} reports made for {len(runs)} districts. Open {index}")
    else:
        print(f"{total - failed} of {total} reports made. Open {runs[0][0] / 'index.html'}")
    return EXIT_FAILED if failed else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `rar` command."""
    parser = argparse.ArgumentParser(prog="rar", description="Michigan Resource Allocation Review: validate data, run the protocol notebooks, render reports.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check a review YAML and all its data files")
    validate.add_argument("config", type=Path, help="the review YAML, e.g. parameters/sample.yaml")
    validate.add_argument("--data-folder", type=Path, default=None, help="override the YAML's data_folder")
    validate.set_defaults(handler=_command_validate)

    run = commands.add_parser("run", help="validate, then make every report of a review as HTML and PDF")
    run.add_argument("config", type=Path, nargs="*", help="the review YAML (several for an ISD: parameters/isd/*.yaml)")
    run.add_argument("--resume", type=Path, default=None, metavar="RUN_FOLDER", help="re-run only what failed or is missing in an earlier run folder")
    run.add_argument("--building", action="append", metavar="CODE", help="only this building (repeatable)")
    run.add_argument("--school-year", default="", metavar="YEAR", help="the year the reports are about, one of the review's school_years (default: the latest); trends still span every year")
    run.add_argument("--out", type=Path, default=None, help="output folder (default: the YAML's output_folder)")
    run.add_argument("--formats", default="html,pdf", help="html or html,pdf (default)")
    # One more than the cores: kernel hand-shakes and PDF printing leave a core idle part of the time.
    run.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1, help="reports made at once (default: the machine's cores + 1)")
    run.add_argument("--pdf-engine", choices=("auto", "chromium", "weasyprint", "none"), default="auto", help="auto: a Chromium-family browser if found, else WeasyPrint")
    run.add_argument("--browser", default=None, help="path of Chrome, Chromium or Edge (or set RAR_BROWSER)")
    run.add_argument("--data-folder", type=Path, default=None, help="override the YAML's data_folder")
    run.set_defaults(handler=_command_run)

    schema_command = commands.add_parser("schema", help="print the data dictionary (markdown)")
    schema_command.set_defaults(handler=_command_schema)

    init = commands.add_parser("init", help="scaffold a new review: documented YAML, templates with an example row, responses and determination")
    init.add_argument("folder", type=Path)
    init.add_argument("--district-code", default="00000", help="the district's code (text, leading zeros kept)")
    init.add_argument("--force", action="store_true", help="overwrite files that exist")
    init.add_argument("--from", dest="from_export", type=Path, default=None, metavar="EXPORT.xlsx", help="draft the tables' mapping from a district's own workbook (every guess marked for review)")
    init.set_defaults(handler=_command_init)

    sample = commands.add_parser("sample", help="write the fictional sample district's CSV files")
    sample.add_argument("--out", type=Path, default=Path("data/sample"))
    sample.add_argument("--buildings", type=int, default=12)
    sample.add_argument("--seed", type=int, default=2024)
    sample.set_defaults(handler=_command_sample)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the `rar` command; returns the exit code (0 ok, 1 some reports failed, 2 bad input)."""
    parser = build_parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_request:
        return EXIT_INPUT if exit_request.code not in (0, None) else EXIT_OK
    previous = signal.getsignal(signal.SIGTERM)
    terminated = _stop_on_sigterm()
    try:
        return arguments.handler(arguments)
    except InputError as error:
        print(format_problems(error.problems), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        # Raised for Ctrl-C and for SIGTERM alike; `rar run` has already stopped its kernels and browser.
        print("Terminated." if terminated else "Interrupted.", file=sys.stderr)
        return 128 + (signal.SIGTERM if terminated else signal.SIGINT)
    except OSError as error:
        # A full disk, a read-only or vanished output folder: one line, no traceback. Exit 1 (a run
        # failure, like a failed report), not 2: 2 promises that nothing was written.
        writing = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG)
        where = f"cannot write {error.filename}" if writing else f"rar: {error.filename}" if error.filename else "rar"
        print(f"{where}: {error.strerror or error}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        # main() may be called in-process (tests, scripts): leave SIGTERM as it was.
        if threading.current_thread() is threading.main_thread() and previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _stop_on_sigterm() -> list[bool]:
    """Make SIGTERM (a scheduler or `kill`) stop the command the way Ctrl-C does, so `rar run`
    kills its kernels and browser and leaves a consistent run folder; returns a flag set on SIGTERM."""
    terminated: list[bool] = []

    def handler(signum: int, frame: object) -> None:
        terminated.append(True)
        raise KeyboardInterrupt

    # Signal handlers can only be set from the main thread (main() may be called from a test's thread).
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
    return terminated


if __name__ == "__main__":
    sys.exit(main())
