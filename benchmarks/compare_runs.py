"""Make the reference runs and compare two sets of them: a refactor must not change what users see.

    python benchmarks/compare_runs.py make OUT          # every reference review, HTML only, into OUT/
    python benchmarks/compare_runs.py compare OLD NEW   # exit 1 and list what differs

The reference reviews: the sample with each review option 1-4 (with its determinations) and the
real-data examples of North Carolina and Michigan. Data-object CSV, XLSX and PNG files must be
byte-identical (both runs on the same day, so the MICIP names and XLSX dates agree; a workbook is
compared part by part, since zip member dates were once the clock's); HTML reports
must be identical once the provenance block, which names versions, paths and times, is removed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PARAMETERS = PROJECT / "parameters"
BIN = Path(sys.executable).parent
# Provenance, run times and absolute paths differ between any two runs by design.
_VOLATILE = [
    re.compile(r"<div class=[\"']rar-provenance[\"']>.*?</ul></div>", re.S),
    # openpyxl once set a workbook's modified date from the clock, whatever the exporter asked.
    re.compile(r"<dcterms:modified[^>]*>[^<]*</dcterms:modified>"),
    re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?"),
    re.compile(r"/(tmp|work)/[^\s\"'<]*"),
]


def _sample_review(folder: Path, option: int) -> Path:
    """The sample review YAML with another option, its data and side files read from the project."""
    text = (PARAMETERS / "sample.yaml").read_text(encoding="utf-8")
    text = re.sub(r"number: \d", f"number: {option}", text, count=1)
    text = text.replace("data_folder: ../data/sample", f"data_folder: {PROJECT / 'data' / 'sample'}")
    for name in ("protocol_prompts.yaml", "sample_responses.yaml", "sample_determination.yaml"):
        text = text.replace(f": {name}", f": {PARAMETERS / name}")
    config = folder / f"sample_option_{option}.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def make(out: Path) -> None:
    """Run every reference review into ``out/<name>/``, HTML and data objects only (no PDF)."""
    out.mkdir(parents=True, exist_ok=True)
    reviews = {f"sample_option_{option}": _sample_review(out, option) for option in (1, 2, 3, 4)}
    reviews["nc_2018-19"] = PARAMETERS / "examples" / "nc_2018-19.yaml"
    reviews["mi_2009-10"] = PARAMETERS / "examples" / "mi_2009-10.yaml"
    for name, config in reviews.items():
        target = out / name
        shutil.rmtree(target, ignore_errors=True)
        command = [str(BIN / "rar"), "run", str(config), "--out", str(target), "--formats", "html", "--workers", "3"]
        completed = subprocess.run(command, capture_output=True, text=True)
        print(f"{name}: exit {completed.returncode}")
        if completed.returncode != 0:
            print(completed.stdout[-2000:], completed.stderr[-2000:])


def _comparable(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix == ".xlsx":
        # A workbook is compared by its parts: zip member dates are metadata, not content.
        with zipfile.ZipFile(path) as workbook:
            text = "".join(f"{name}\0{workbook.read(name).decode('utf-8', 'replace')}" for name in sorted(workbook.namelist()))
    elif path.suffix == ".html":
        text = data.decode("utf-8")
    else:
        return data
    for pattern in _VOLATILE:
        text = pattern.sub("", text)
    return text.encode("utf-8")


def compare(old: Path, new: Path) -> int:
    """Print every file that differs or exists on one side only; 0 when none."""
    wanted = {".csv", ".xlsx", ".png", ".html"}
    old_files = {p.relative_to(old) for p in old.rglob("*") if p.suffix in wanted}
    new_files = {p.relative_to(new) for p in new.rglob("*") if p.suffix in wanted}
    differences = [f"only in {old}: {p}" for p in sorted(old_files - new_files)]
    differences += [f"only in {new}: {p}" for p in sorted(new_files - old_files)]
    same = 0
    for path in sorted(old_files & new_files):
        if _comparable(old / path) == _comparable(new / path):
            same += 1
        else:
            differences.append(f"differs: {path}")
    for line in differences:
        print(line)
    print(f"{same} files identical, {len(differences)} differences")
    return 1 if differences else 0


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(Path(sys.argv[2]).resolve())
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "compare":
        return compare(Path(sys.argv[2]), Path(sys.argv[3]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
