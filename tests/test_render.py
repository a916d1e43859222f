"""Notebook to offline HTML report, and HTML to PDF with Chromium or WeasyPrint."""

from __future__ import annotations

import base64
import io
import re
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from rar_protocol.report.browser import ChromiumPdfPrinter, PdfError, make_pdf, weasyprint_pdf
from rar_protocol.report.render import find_browser, render_html

HEADING = "Quarterly Allocation Review"
PRINTED_TEXT = "DISTINCTIVE_PRINTED_OUTPUT_4711"
SECRET_SOURCE = "SECRET_SOURCE_TEXT"
REMOVED_OUTPUT = "REMOVED_CELL_OUTPUT_0815"
TAGGED_OUTPUT = "ONLY_OUTPUT_SHOWN_9090"


def _figure_png() -> str:
    """Draw a small matplotlib figure with the Agg backend and return it base64-encoded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    figure, axes = pyplot.subplots(figsize=(3, 2), dpi=60)
    axes.plot([1, 2, 3], [3, 1, 2])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    pyplot.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _stream(text: str) -> nbformat.NotebookNode:
    """Return a stdout stream output, as a kernel would record a print()."""
    return new_output("stream", name="stdout", text=text + "\n")


def _sample_notebook() -> nbformat.NotebookNode:
    """Build an executed-looking notebook; outputs are written by hand so no kernel is needed."""
    plot_source = (
        f"import matplotlib.pyplot as plt\n{SECRET_SOURCE} = [3, 1, 2]\nplt.plot({SECRET_SOURCE})"
    )
    figure = {"image/png": _figure_png(), "text/plain": "<Figure size 180x120>"}
    return new_notebook(
        cells=[
            new_markdown_cell(f"# {HEADING}\n\nFunding per pupil, by district."),
            new_code_cell(f"print({PRINTED_TEXT!r})", outputs=[_stream(PRINTED_TEXT)]),
            new_code_cell(
                plot_source,
                outputs=[new_output("display_data", data=figure)],
            ),
            new_code_cell(
                f"print({REMOVED_OUTPUT!r})",
                outputs=[_stream(REMOVED_OUTPUT)],
                metadata={"tags": ["remove_cell"]},
            ),
            new_code_cell(
                f"print({TAGGED_OUTPUT!r})",
                outputs=[_stream(TAGGED_OUTPUT)],
                metadata={"tags": ["remove_input"]},
            ),
        ]
    )


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample notebook rendered once for every test in this module."""
    folder = tmp_path_factory.mktemp("report")
    return render_html(_sample_notebook(), folder / "report.html", title=HEADING)


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


# -- HTML ----------------------------------------------------------------------------------


def test_html_shows_heading_and_printed_output(report_html: Path) -> None:
    html = report_html.read_text(encoding="utf-8")
    assert HEADING in html
    assert PRINTED_TEXT in html
    assert f"<title>{HEADING}</title>" in html


def test_html_hides_code_source(report_html: Path) -> None:
    html = report_html.read_text(encoding="utf-8")
    assert SECRET_SOURCE not in html
    assert "print(" not in html
    assert 'class="jp-InputPrompt' not in html


def test_html_embeds_figure_as_data_uri(report_html: Path) -> None:
    assert 'src="data:image/png;base64,' in report_html.read_text(encoding="utf-8")


def test_html_references_no_network_resource(report_html: Path) -> None:
    html = report_html.read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.IGNORECASE)
    remote = [tag for tag in tags if re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", tag)]
    assert remote == []
    assert "mathjax" not in html.lower()
    assert "require.min.js" not in html


def test_html_honours_cell_tags(report_html: Path) -> None:
    html = report_html.read_text(encoding="utf-8")
    assert REMOVED_OUTPUT not in html
    assert TAGGED_OUTPUT in html


def test_html_from_notebook_file_is_written_atomically(tmp_path: Path) -> None:
    notebook_path = tmp_path / "analysis.ipynb"
    nbformat.write(_sample_notebook(), notebook_path)
    destination = render_html(notebook_path, tmp_path / "out" / "analysis.html")
    assert destination.is_file()
    assert "<title>analysis</title>" in destination.read_text(encoding="utf-8")
    assert [path.name for path in destination.parent.iterdir()] == ["analysis.html"]


def test_html_leaves_the_callers_notebook_unchanged(tmp_path: Path) -> None:
    notebook = _sample_notebook()
    render_html(notebook, tmp_path / "report.html", title="Another title")
    assert "title" not in notebook.metadata
    assert len(notebook.cells) == 5


# -- PDF with Chromium ------------------------------------------------------------------------


def test_chromium_pdf_shows_heading(report_html: Path, browser: Path, tmp_path: Path) -> None:
    pdf = make_pdf(report_html, tmp_path / "report.pdf", engine="chromium", browser=str(browser))
    assert pdf == tmp_path / "report.pdf"
    _assert_pdf_report(pdf)


def test_one_printer_prints_several_pdfs(
    report_html: Path, printer: ChromiumPdfPrinter, tmp_path: Path
) -> None:
    first = make_pdf(report_html, tmp_path / "first.pdf", printer=printer)
    second = printer.print(report_html, tmp_path / "second.pdf")
    for pdf in (first, second):
        _assert_pdf_report(pdf)
    assert printer.running


def test_printer_refuses_network_requests_quickly(
    printer: ChromiumPdfPrinter, tmp_path: Path
) -> None:
    page = tmp_path / "remote.html"
    page.write_text(
        "<html><head><script src='https://cdn.invalid/lib.js'></script></head>"
        f"<body><h1>{HEADING}</h1><img src='http://192.0.2.1/figure.png'></body></html>",
        encoding="utf-8",
    )
    started = time.monotonic()
    _assert_pdf_report(printer.print(page, tmp_path / "remote.pdf"))
    assert time.monotonic() - started < 10


def test_hung_page_raises_pdf_error_and_printer_recovers(
    report_html: Path, browser: Path, tmp_path: Path
) -> None:
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


# -- PDF with WeasyPrint, engine choice and errors ------------------------------------------------


def test_weasyprint_pdf_shows_heading(report_html: Path, tmp_path: Path) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"WeasyPrint unavailable: {error}")
    _assert_pdf_report(weasyprint_pdf(report_html, tmp_path / "weasy.pdf"))


def test_chromium_engine_with_missing_browser_names_it(report_html: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-chrome")
    with pytest.raises(PdfError, match="Browser not found") as raised:
        make_pdf(report_html, tmp_path / "report.pdf", engine="chromium", browser=missing)
    assert missing in str(raised.value)
    assert "RAR_BROWSER" in str(raised.value)
    assert not (tmp_path / "report.pdf").exists()


def test_no_browser_anywhere_explains_how_to_get_one(
    report_html: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAR_BROWSER", raising=False)
    monkeypatch.setattr("rar_protocol.report.browser.find_browser", lambda explicit=None: None)
    with pytest.raises(PdfError, match=r"No Chromium-family browser found.*weasyprint"):
        make_pdf(report_html, tmp_path / "report.pdf", engine="chromium")


def test_engine_none_makes_no_pdf(report_html: Path, tmp_path: Path) -> None:
    assert make_pdf(report_html, tmp_path / "report.pdf", engine="none") is None
    assert not (tmp_path / "report.pdf").exists()


def test_unknown_engine_is_a_pdf_error(report_html: Path, tmp_path: Path) -> None:
    with pytest.raises(PdfError, match="Unknown PDF engine"):
        make_pdf(report_html, tmp_path / "report.pdf", engine="latex")


def test_find_browser_prefers_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("RAR_BROWSER", str(fake))
    assert find_browser() == fake
    assert find_browser(str(tmp_path / "absent")) is None
