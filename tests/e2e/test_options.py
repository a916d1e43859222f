"""Each review option's inquiry report, end to end on the sample (the shared `option_run` folders) and on the real North Carolina data."""

from pathlib import Path

import pytest

from conftest import DATA_OBJECT_NAME, NC_CONFIG, made_run, manifest_of, review_with_option, write_unsplit


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_option_makes_html_pdf_and_data_objects_on_the_sample(number, option_run):
    folder = option_run(number)
    report = next(r for r in manifest_of(folder)["reports"] if r["notebook"].startswith(f"2{number}_") and r["building_code"] == "90041")
    assert report["status"] == "ok"
    assert (folder / report["html"]).is_file() and (folder / report["pdf"]).is_file()
    names = [Path(path).name for path in report["data_objects"]]
    assert all(DATA_OBJECT_NAME.match(name) for name in names), names
    assert len({name.rsplit(".", 1)[0] for name in names}) >= 4
    page = (folder / report["html"]).read_text()
    # The sample has every table: no analysis says a table is missing.
    assert "not provided" not in page and "table is missing" not in page.lower()


def _north_carolina_option_report(folder: Path, number: int) -> str:
    report = next(r for r in manifest_of(folder)["reports"] if r["notebook"].startswith(f"2{number}_"))
    assert report["status"] == "ok", report["error"]
    return (folder / report["html"]).read_text()


def _says_what_it_lacks(page: str) -> None:
    assert "Coker-Wimberly Elementary" in page
    assert "Data we do not have" in page or "we don't know yet" in page


def test_option_1_runs_on_real_north_carolina_data_and_says_what_it_lacks(north_carolina_run):
    _says_what_it_lacks(_north_carolina_option_report(north_carolina_run, 1))  # the example's own option


def test_option_4_runs_on_real_north_carolina_data_and_says_what_it_lacks(real_data, tmp_path):
    folder = made_run(tmp_path / "out", str(review_with_option(NC_CONFIG, 4, tmp_path)), "--building", "330312", "--formats", "html")
    _says_what_it_lacks(_north_carolina_option_report(folder, 4))


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_every_option_runs_on_spending_given_as_one_total_and_says_federal_is_not_reported(number, tmp_path):
    # One total per building, need as a percent made a count by compute:, outcomes as percents only.
    config = review_with_option(write_unsplit(tmp_path), number, tmp_path)
    folder = made_run(tmp_path / "out", str(config), "--formats", "html")
    reports = manifest_of(folder)["reports"]
    assert reports and all(report["status"] == "ok" for report in reports), reports
    district = (folder / "reports" / "10_district_financial_review.html").read_text(encoding="utf-8")
    assert "not split by fund source: federal and state + local dollars are not reported" in district
    assert "$0 federal" not in district
