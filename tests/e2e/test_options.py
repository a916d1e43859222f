"""Each review option's inquiry report, end to end on the sample and on the real North Carolina data."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NC_CONFIG, SAMPLE_CONFIG

NAME = re.compile(r"^RAR_[^/\\:*?\"<>|]+_\d{4}\.\d{2}\.\d{2}\.(csv|xlsx|png)$")


def _run(config: Path, out: Path, *arguments: str) -> dict:
    completed = subprocess.run([sys.executable, "-m", "rar_protocol.cli", "run", str(config), "--out", str(out), *arguments], capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr
    return json.loads(next(out.glob("*/*/manifest.json")).read_text())


def _with_option(config: Path, number: int, folder: Path) -> Path:
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"number: \d", f"number: {number}", text, count=1)
    text = re.sub(r"^data_folder: (\S+)", lambda match: f"data_folder: {(config.parent / match.group(1)).resolve()}", text, flags=re.M)
    for name in ("prompts_file", "responses_file", "determination_file"):
        text = re.sub(rf"^{name}: (\S+)", lambda match: f"{name}: {(config.parent / match.group(1)).resolve()}", text, flags=re.M)
    path = folder / f"option_{number}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_option_makes_html_pdf_and_data_objects_on_the_sample(number, tmp_path):
    manifest = _run(_with_option(SAMPLE_CONFIG, number, tmp_path), tmp_path / "out", "--building", "90041")
    report = next(r for r in manifest["reports"] if r["notebook"].startswith(f"2{number}_"))
    assert report["status"] == "ok" and report["building_code"] == "90041"
    run_folder = next((tmp_path / "out").glob("*/*"))
    assert (run_folder / report["html"]).is_file() and (run_folder / report["pdf"]).is_file()
    names = [Path(path).name for path in report["data_objects"]]
    assert all(NAME.match(name) for name in names), names
    assert len({name.rsplit(".", 1)[0] for name in names}) >= 4
    page = (run_folder / report["html"]).read_text()
    # The sample has every table: no analysis says a table is missing.
    assert "not provided" not in page and "table is missing" not in page.lower()


@pytest.mark.parametrize("number", [1, 4])
def test_options_run_on_real_north_carolina_data_and_say_what_it_lacks(number, real_data, tmp_path):
    manifest = _run(_with_option(NC_CONFIG, number, tmp_path), tmp_path / "out", "--building", "330312", "--formats", "html")
    report = next(r for r in manifest["reports"] if r["notebook"].startswith(f"2{number}_"))
    assert report["status"] == "ok", report["error"]
    page = (next((tmp_path / "out").glob("*/*")) / report["html"]).read_text()
    assert "Coker-Wimberly Elementary" in page
    assert "Data we do not have" in page or "we don't know yet" in page
