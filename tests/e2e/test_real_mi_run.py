"""`rar run` on the Michigan 2009-10 files, mapped by YAML only: Bay City's district report and its two building reports."""

import json
import subprocess
from pathlib import Path

import pytest

from conftest import MI_CONFIG, REAL_DATA, run_folder, run_rar


@pytest.fixture(scope="module")
def mi_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    if not (REAL_DATA / "mi-2009-10").is_dir():
        pytest.skip(f"real data not found at {REAL_DATA / 'mi-2009-10'} (../shared is absent in this checkout)")
    out = tmp_path_factory.mktemp("mi_run")
    completed = run_rar("run", str(MI_CONFIG), "--out", str(out), "--formats", "html")
    return completed, run_folder(out)


def test_district_report_shows_need_designations_and_peers_with_leading_zeros(mi_run):
    _, folder = mi_run
    assert folder.parent.name == "09010"
    manifest = json.loads((folder / "manifest.json").read_text())
    report = next(r for r in manifest["reports"] if r["notebook"] == "10_district_financial_review.ipynb")
    assert report["status"] == "ok", report["error"]
    page = (folder / report["html"]).read_text()
    for text in (
        "The district beside its peers",
        "Peer Districts",
        "Per-Pupil Revenue and Spending Beside Peer Districts",
        "Student Need by Building",
        "Building spending is not in this review",
        "Bay City Central High School (CSI)",
        "00227",
    ):
        assert text in page, text
    objects = {Path(path).name: folder / path for path in report["data_objects"]}
    peer_csv = next(path for name, path in objects.items() if name.startswith("RAR_Peer Districts_") and name.endswith(".csv"))
    assert "\n09010," in peer_csv.read_text(encoding="utf-8-sig")


def test_whole_run_succeeds_including_building_reports(mi_run):
    completed, folder = mi_run
    assert completed.returncode == 0, completed.stdout + completed.stderr
    reports = json.loads((folder / "manifest.json").read_text())["reports"]
    assert {r["building_code"] for r in reports} == {None, "00227", "08573"}
