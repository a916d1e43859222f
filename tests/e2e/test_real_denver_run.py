"""The Denver example end to end: seven years of real data through `rar run`."""

from conftest import DENVER_CONFIG, made_run, manifest_of


def test_denver_runs_every_report_and_its_change_spans_seven_years(real_data, tmp_path):
    folder = made_run(tmp_path / "out", str(DENVER_CONFIG), "--building", "7694", "--formats", "html")
    reports = manifest_of(folder)["reports"]
    assert reports and all(report["status"] == "ok" for report in reports), reports
    district = (folder / "reports" / "10_district_financial_review.html").read_text(encoding="utf-8")
    assert "from $13,098 in 2018-19 to $18,357 in 2024-25" in district
    assert "ESSA designations" in district  # listed among the data the review does not have
    assert "Michigan's caveats" not in district
