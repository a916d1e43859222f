"""HTML to PDF with the system's Chromium (one printer shared, as a batch shares it) or WeasyPrint."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import HEADING, executed_notebook
from rar_protocol.errors import PdfError
from rar_protocol.report.html import render_html
from rar_protocol.report.pdf import ChromiumPdfPrinter, find_browser, make_pdf, weasyprint_pdf


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample notebook rendered once for every test in this module."""
    return render_html(executed_notebook(), tmp_path_factory.mktemp("report") / "report.html", title=HEADING)


@pytest.fixture(scope="module")
def browser() -> Path:
    """A Chromium-family browser, or a skip saying how to provide one."""
    found = find_browser()
    if found is None:
        pytest.skip("no Chromium-family browser found (install chromium or set RAR_BROWSER)")
    return found


@pytest.fixture(scope="module")
def printer(browser: Path) -> ChromiumPdfPrinter:
    """One browser shared by the Chromium tests, as a batch of reports would share it."""
    with ChromiumPdfPrinter(browser) as shared:
        yield shared


def _pdf_text(pdf: Path) -> str:
    """Return the text of every page of a PDF."""
    pypdf = pytest.importorskip("pypdf")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def _assert_pdf_report(pdf: Path) -> None:
    """Check a PDF file is complete and shows the report heading."""
    assert pdf.read_bytes().startswith(b"%PDF")
    assert HEADING in _pdf_text(pdf)


# -- Chromium ------------------------------------------------------------------------


def test_chromium_pdf_shows_heading(report_html: Path, browser: Path, tmp_path: Path) -> None:
    pdf = make_pdf(report_html, tmp_path / "report.pdf", engine="chromium", browser=str(browser))
    assert pdf == tmp_path / "report.pdf"
    _assert_pdf_report(pdf)


def test_one_printer_prints_several_pdfs(report_html: Path, printer: ChromiumPdfPrinter, tmp_path: Path) -> None:
    first = make_pdf(report_html, tmp_path / "first.pdf", printer=printer)
    second = printer.print(report_html, tmp_path / "second.pdf")
    for pdf in (first, second):
        _assert_pdf_report(pdf)
    assert printer.running


def test_printer_refuses_network_requests_quickly(printer: ChromiumPdfPrinter, tmp_path: Path) -> None:
    page = tmp_path / "remote.html"
    page.write_text(
        f"<html><head><script src='https://cdn.invalid/lib.js'></script></head><body><h1>{HEADING}</h1><img src='http://192.0.2.1/figure.png'></body></html>",
        encoding="utf-8",
    )
    started = time.monotonic()
    _assert_pdf_report(printer.print(page, tmp_path / "remote.pdf"))
    assert time.monotonic() - started < 10


def test_hung_page_raises_pdf_error_and_printer_recovers(report_html: Path, browser: Path, tmp_path: Path) -> None:
    page = tmp_path / "hang.html"
    page.write_text("<html><body><script>while (true) {}</script></body></html>", encoding="utf-8")
    with ChromiumPdfPrinter(browser, timeout=2) as short_printer:
        with pytest.raises(PdfError, match="timed out"):
            short_printer.print(page, tmp_path / "hang.pdf")
        assert not (tmp_path / "hang.pdf").exists()
        _assert_pdf_report(short_printer.print(report_html, tmp_path / "after.pdf"))


def test_closed_printer_removes_its_profile(browser: Path) -> None:
    printer = ChromiumPdfPrinter(browser)
    printer.start()
    workspace = printer._workspace
    assert workspace is not None and workspace.is_dir()
    printer.close()
    assert not workspace.exists()
    assert not printer.running


# -- WeasyPrint ----------------------------------------------------------------------------------


def test_weasyprint_pdf_shows_heading(report_html: Path, tmp_path: Path) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"WeasyPrint unavailable: {error}")
    _assert_pdf_report(weasyprint_pdf(report_html, tmp_path / "weasy.pdf"))
