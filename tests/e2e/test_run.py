"""`rar run` end to end: real papermill execution, offline HTML, PDF from the system browser."""

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import DATA_OBJECT_NAME, SAMPLE_CONFIG, SAMPLE_DATA, made_run, manifest_of, run_folder, run_rar, without_provenance
from rar_protocol.report.pdf import find_browser


@pytest.fixture(scope="module")
def alone_run(tmp_path_factory) -> Path:
    """The sample again, HTML only, for building 90041 alone and one worker: compared with the batch run."""
    return made_run(tmp_path_factory.mktemp("alone"), str(SAMPLE_CONFIG), "--formats", "html", "--building", "90041", "--workers", "1")


def test_sample_run_writes_manifest_index_reports_and_data_objects(sample_run):
    manifest = manifest_of(sample_run)
    assert sample_run.parent.name == "99901" and re.fullmatch(r"\d{4}\.\d{2}\.\d{2}", sample_run.name)
    report = next(r for r in manifest["reports"] if r["notebook"] == "10_district_financial_review.ipynb")
    assert report["status"] == "ok" and report["building_code"] is None and report["error"] is None
    for key in ("html", "pdf", "notebook_path"):
        assert (sample_run / report[key]).is_file()
    names = [Path(path).name for path in report["data_objects"]]
    assert len({name.rsplit(".", 1)[0] for name in names}) >= 5
    assert all(DATA_OBJECT_NAME.match(name) for name in names), names
    assert all((sample_run / path).is_file() for path in report["data_objects"])
    provenance = manifest["provenance"]
    assert {"run_time", "parameters", "inputs", "versions"} <= set(provenance)
    assert all(len(item["sha256"]) == 64 for item in provenance["inputs"])
    index = (sample_run / "index.html").read_text()
    assert report["html"] in index and report["pdf"] in index and "ok" in index


def test_micip_file_names_are_unique_across_the_run_folder(sample_run):
    """A designee uploading for every building never holds two files of one name: each building's files carry its name and code."""
    names = [path.name for path in (sample_run / "data_objects").rglob("*") if path.is_file()]
    assert len(names) > 20 and len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)
    assert all(DATA_OBJECT_NAME.match(name) for name in names), names
    assert any(name.startswith("RAR_Willow Creek Elementary 90041 ") for name in names), names


def test_html_report_hides_code_and_loads_nothing_remote(sample_run):
    page = (sample_run / "reports" / "10_district_financial_review.html").read_text()
    assert "report.show(" not in page and "import rar_protocol" not in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", page)
    assert "data:image/png;base64," in page
    assert "Provenance" in page


def test_pdf_names_every_building(sample_run):
    text = "".join(page.extract_text() for page in PdfReader(sample_run / "reports" / "10_district_financial_review.pdf").pages)
    text = " ".join(text.split())
    buildings = (SAMPLE_DATA / "buildings.csv").read_text().splitlines()[1:]
    for line in buildings:
        name = line.split(",")[3]
        assert name in text, name


def test_same_inputs_give_identical_data_objects_and_html_apart_from_provenance(sample_run, alone_run):
    second_csvs = sorted(alone_run.glob("data_objects/**/*.csv"))
    assert any("district" in path.parts for path in second_csvs) and any("90041" in str(path) for path in second_csvs), second_csvs
    for path in second_csvs:
        assert path.read_bytes() == (sample_run / path.relative_to(alone_run)).read_bytes(), path.name


def test_a_report_made_in_the_batch_equals_the_report_made_alone(sample_run, alone_run):
    for name in ("23_option_financial_distribution_90041.html", "10_district_financial_review.html"):
        batch_page = (sample_run / "reports" / name).read_text()
        alone_page = (alone_run / "reports" / name).read_text()
        assert without_provenance(batch_page) == without_provenance(alone_page), name


def test_real_north_carolina_review_runs_single_year(north_carolina_run):
    report = next(r for r in manifest_of(north_carolina_run)["reports"] if r["building_code"] is None)
    assert report["status"] == "ok" and report["pdf"], report
    assert len({Path(p).stem for p in report["data_objects"]}) >= 5
    page = (north_carolina_run / report["html"]).read_text()
    assert "Only one school year (2018-19) is available" in page
    text = " ".join("".join(p.extract_text() for p in PdfReader(north_carolina_run / report["pdf"]).pages).split())
    assert "Edgecombe" in text and "Phillips Middle" in text


def test_missing_browser_still_makes_html_with_one_clear_message(tiny_review, tmp_path):
    completed = run_rar("run", str(tiny_review), "--out", str(tmp_path / "out"), "--pdf-engine", "chromium", "--browser", str(tmp_path / "no-browser"))
    assert completed.returncode == 0, completed.stderr
    report = manifest_of(run_folder(tmp_path / "out"))["reports"][0]
    assert report["html"] and report["pdf"] is None
    assert "\n" not in report["pdf_error"] and "browser" in report["pdf_error"].lower()
    assert "PDF not made" in completed.stderr


def test_bad_input_exits_2_and_writes_nothing(sample_copy, tmp_path):
    enrollment = sample_copy.parent / "data" / "enrollment.csv"
    lines = enrollment.read_text().splitlines()
    lines[3] = lines[3].replace(lines[3].split(",")[2], "lots", 1)
    enrollment.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    completed = run_rar("run", str(sample_copy), "--out", str(out))
    assert completed.returncode == 2
    assert "enrollment.csv, row 4, column 'pupils'" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert not out.exists()


@pytest.mark.skipif(find_browser() is None, reason="no Chromium-family browser on this machine")
def test_browser_pdf_engine_is_used_when_a_browser_is_present(sample_run):
    producer = PdfReader(sample_run / "reports" / "10_district_financial_review.pdf").metadata.get("/Producer", "")
    assert "Skia" in producer or "Chrom" in producer, producer
