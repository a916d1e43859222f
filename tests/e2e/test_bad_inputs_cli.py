"""Malformed inputs through the `rar` command in its own process, as a user runs it: `rar validate`
prints the same refusal, `rar run` writes nothing (and leaves an earlier run folder byte for byte),
and a million-row ledger loads within time and memory."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bad_inputs.corpus import MISUSED, REFUSED, Misused, check_refusal, check_usage_error, replace_once
from conftest import run_rar, write_tiny


def _case(name: str):
    return next(case for case in REFUSED if case.name == name)


@pytest.mark.parametrize("name", ["YAML with a Python object tag", "decimal comma (1 200,50) in a semicolon file", "empty file"])
def test_refused_input_through_python_dash_m(name: str, tmp_path: Path) -> None:
    case = _case(name)
    completed = run_rar("validate", str(case.make(tmp_path)))
    check_refusal(case, completed.returncode, completed.stdout, completed.stderr)


@pytest.mark.parametrize("case", MISUSED, ids=[case.name for case in MISUSED])
def test_usage_mistake_through_python_dash_m_is_one_line(case: Misused, tmp_path: Path) -> None:
    completed = run_rar(*case.arguments(tmp_path))
    check_usage_error(case, completed.returncode, completed.stdout, completed.stderr)
    assert not any(path.is_dir() for path in tmp_path.iterdir())  # no output folder made


@pytest.mark.parametrize(
    "name",
    [
        "YAML typo in a key",
        "merged cells (xlsx)",
        "student group not in the data (option 1)",
        # Before `rar validate` read them, these made a run folder in which every report failed.
        "prompts file with an unknown key",
        "responses for a building given as text",
        "YAML key written twice (review)",
    ],
)
def test_run_with_bad_input_writes_nothing(name: str, tmp_path: Path) -> None:
    config = _case(name).make(tmp_path)
    out = tmp_path / "out"
    completed = run_rar("run", str(config), "--out", str(out), "--formats", "html")
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert not out.exists()


def _digest(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_run_with_bad_input_leaves_an_existing_run_folder_unchanged(tmp_path: Path) -> None:
    config = _case("text in a number column").make(tmp_path)
    run_folder = tmp_path / "out" / "Tiny District" / "2025.01.01"
    run_folder.mkdir(parents=True)
    (run_folder / "manifest.json").write_text('{"reports": []}', encoding="utf-8")
    (run_folder / "index.html").write_text("<p>earlier run</p>", encoding="utf-8")
    before = _digest(tmp_path / "out")
    completed = run_rar("run", str(config), "--out", str(tmp_path / "out"), "--formats", "html")
    assert completed.returncode == 2 and "Traceback" not in completed.stderr, completed.stderr
    assert _digest(tmp_path / "out") == before


_MILLION = textwrap.dedent(
    """
    import resource, sys, time
    from pathlib import Path
    from rar_protocol.data.loading import load_review
    started = time.perf_counter()
    review = load_review(Path(sys.argv[1]))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(len(review.tables["ledger"]), round(seconds, 1), round(peak_mb))
    """
)


def test_handled_a_million_row_file_loads_within_time_and_memory(tmp_path: Path) -> None:
    """Handled: a 1,000,000-row ledger loads in a subprocess within 60 s and 2 GB, not hanging."""
    config = write_tiny(tmp_path)
    header = "school_year,fund,function_code,object_code,location,fund_source,description,actual\n"
    line = "2023-24,11,{function},{object},{code},state_local,Line {number},{amount}\n"
    codes = ("00001", "00002", "00003")
    with (tmp_path / "ledger.csv").open("w", encoding="utf-8") as handle:
        handle.write(header)
        handle.writelines(line.format(code=codes[i % 3], function=111 + i % 7, object=1000 + i % 900, number=i % 1000, amount=f"{(i % 5000) + 0.25:.2f}") for i in range(1_000_000))
    replace_once(config, "  outcomes: {file: outcomes.csv}", "  outcomes: {file: outcomes.csv}\n  ledger: {file: ledger.csv}")
    completed = subprocess.run([sys.executable, "-c", _MILLION, str(config)], capture_output=True, text=True, timeout=90)
    assert completed.returncode == 0, completed.stderr[-3000:]
    rows, seconds, peak_mb = completed.stdout.split()
    print(f"1,000,000 ledger rows: {seconds} s, peak {peak_mb} MB")
    assert int(rows) == 1_000_000
    assert float(seconds) < 60 and int(peak_mb) < 2048
