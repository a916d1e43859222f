"""Notebook to offline HTML report, and the PDF engine choice and its errors (no browser is started)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from conftest import HEADING, PRINTED_TEXT, REMOVED_OUTPUT, SECRET_SOURCE, TAGGED_OUTPUT, executed_notebook
from rar_protocol.errors import PdfError
from rar_protocol.report.html import render_html
from rar_protocol.report.pdf import find_browser, make_pdf


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample notebook rendered once for every test in this module."""
    folder = tmp_path_factory.mktemp("report")
    return render_html(executed_notebook(), folder / "report.html", title=HEADING)


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
    nbformat.write(executed_notebook(), notebook_path)
    destination = render_html(notebook_path, tmp_path / "out" / "analysis.html")
    assert destination.is_file()
    assert "<title>analysis</title>" in destination.read_text(encoding="utf-8")
    assert [path.name for path in destination.parent.iterdir()] == ["analysis.html"]


def test_html_leaves_the_callers_notebook_unchanged(tmp_path: Path) -> None:
    notebook = executed_notebook()
    render_html(notebook, tmp_path / "report.html", title="Another title")
    assert "title" not in notebook.metadata
    assert len(notebook.cells) == 5


# -- PDF engine choice and errors, before any browser starts ------------------------------------


def test_chromium_engine_with_missing_browser_names_it(report_html: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-chrome")
    with pytest.raises(PdfError, match="Browser not found") as raised:
        make_pdf(report_html, tmp_path / "report.pdf", engine="chromium", browser=missing)
    assert missing in str(raised.value)
    assert "RAR_BROWSER" in str(raised.value)
    assert not (tmp_path / "report.pdf").exists()


def test_no_browser_anywhere_explains_how_to_get_one(report_html: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAR_BROWSER", raising=False)
    monkeypatch.setattr("rar_protocol.report.pdf.find_browser", lambda explicit=None: None)
    with pytest.raises(PdfError, match=r"No Chromium-family browser found.*weasyprint"):
        make_pdf(report_html, tmp_path / "report.pdf", engine="chromium")


def test_engine_none_makes_no_pdf(report_html: Path, tmp_path: Path) -> None:
    assert make_pdf(report_html, tmp_path / "report.pdf", engine="none") is None
    assert not (tmp_path / "report.pdf").exists()


def test_unknown_engine_is_a_pdf_error(report_html: Path, tmp_path: Path) -> None:
    with pytest.raises(PdfError, match="Unknown PDF engine"):
        make_pdf(report_html, tmp_path / "report.pdf", engine="latex")


def test_find_browser_prefers_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("RAR_BROWSER", str(fake))
    assert find_browser() == fake
    assert find_browser(str(tmp_path / "absent")) is None
