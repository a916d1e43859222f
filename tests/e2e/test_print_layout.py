"""The printed handout, page by page: the sample's district report and one building report of each
option, printed by Chromium, read back with pypdf. No blank page, no page ending on a heading,
every page's running header naming the district and the building, fewer pages than before the
print stylesheet (district 21, options 1 to 4: 21, 14, 24 and 26 pages)."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import manifest_of
from rar_protocol.report.pdf import FOOTER_MARGIN_INCHES, HEADER_MARGIN_INCHES, find_browser

pytestmark = pytest.mark.skipif(find_browser() is None, reason="no Chromium-family browser found (set RAR_BROWSER or install chromium)")

# Page counts of the sample's reports (building 90041) before the print stylesheet: each must now be shorter.
PAGES_BEFORE = {"10": 21, "21": 21, "22": 14, "23": 24, "24": 26}
DISTRICT = "Lakeshore Example Public Schools (fictional)"
BUILDING = "90041 Willow Creek Elementary"
POINTS_PER_INCH = 72


@dataclass
class PrintedPage:
    number: int
    header: str  # the running header and footer, in the page margins
    lines: list[str]  # the page's own text, top to bottom
    images: int  # charts drawn on the page


def printed_pages(pdf: Path) -> list[PrintedPage]:
    """Each page's margin text and body lines, told apart by where on the page they are drawn."""
    pages = []
    for number, page in enumerate(PdfReader(pdf).pages, start=1):
        height = float(page.mediabox.height)
        fragments = _fragments(page)
        top, bottom = height - HEADER_MARGIN_INCHES * POINTS_PER_INCH + 4, FOOTER_MARGIN_INCHES * POINTS_PER_INCH - 4
        margin = " ".join(text for y, text in fragments if y >= top or y <= bottom)
        body: dict[int, list[str]] = {}
        for y, text in fragments:
            if bottom < y < top:
                body.setdefault(round(y / 3), []).append(text)
        lines = [_text(" ".join(parts)) for _, parts in sorted(body.items(), reverse=True)]
        pages.append(PrintedPage(number, _text(margin), [line for line in lines if line], len(page.images)))
    return pages


def _fragments(page: object) -> list[tuple[float, str]]:
    """(height on the page, text) of every piece of text pypdf finds on a page."""
    fragments: list[tuple[float, str]] = []

    def visit(text: str, matrix: list[float], text_matrix: list[float], *_: object) -> None:
        if text.strip():
            fragments.append((_y(matrix, text_matrix), text))

    page.extract_text(visitor_text=visit)
    return fragments


def _y(matrix: list[float], text_matrix: list[float]) -> float:
    """The vertical position of a text fragment on the page (current matrix times text matrix)."""
    return text_matrix[4] * matrix[1] + text_matrix[5] * matrix[3] + matrix[5]


def _text(fragment: str) -> str:
    """HTML or PDF text as a reader sees it: tags gone, ligatures (ﬁ) as letters, spaces single."""
    return " ".join(unicodedata.normalize("NFKC", html.unescape(re.sub(r"<[^>]+>", "", fragment))).replace("¶", "").split())


def headings_of(page: str, levels: str = "1-4") -> list[str]:
    """The report's headings of ``levels`` (and the "What the data shows" label that opens each data object's list)."""
    found = [_text(text) for text in re.findall(rf"<h[{levels}]\b[^>]*>(.*?)</h[{levels}]>", page, flags=re.S)]
    return [text for text in found if text] + ["What the data shows"]


def _heading_at(lines: list[str], position: int, headings: list[str]) -> bool:
    """Whether a heading begins at ``lines[position]``: the line is one, or the first line of one wrapped over two."""
    line = lines[position]
    following = " ".join(lines[position : position + 2])
    return line in headings or following in headings or (len(line) >= 12 and any(heading.startswith(line + " ") for heading in headings))


def ends_on_heading(lines: list[str], headings: list[str], sections: list[str]) -> bool:
    """Whether a heading is the page's last line (or last two), or a section heading begins in its last
    three lines (the heading and its introduction at the foot of the page, the data object on the next)."""
    if not lines:
        return False
    last = lines[-1] in headings or " ".join(lines[-2:]) in headings or _heading_at(lines, len(lines) - 1, headings)
    return last or any(_heading_at(lines, position, sections[:-1]) for position in range(max(len(lines) - 3, 0), len(lines)))


def _reports(sample_run: Path, option_run) -> list[tuple[str, Path]]:
    """(notebook number, PDF) for the district report and building 90041's report of each option."""
    chosen = [("10", sample_run, None)] + [(f"2{number}", option_run(number), "90041") for number in (1, 2, 3, 4)]
    found = []
    for prefix, folder, building in chosen:
        report = next(r for r in manifest_of(folder)["reports"] if r["notebook"].startswith(prefix) and r["building_code"] == building)
        assert report["status"] == "ok" and report["pdf"], report
        found.append((prefix, folder / report["pdf"]))
    return found


def test_printed_reports_have_no_blank_page_no_heading_last_and_a_running_header(sample_run, option_run):
    for prefix, pdf in _reports(sample_run, option_run):
        pages = printed_pages(pdf)
        report = pdf.with_suffix(".html").read_text(encoding="utf-8")
        headings, sections = headings_of(report), headings_of(report, "12")
        assert len(pages) < PAGES_BEFORE[prefix], (pdf.name, len(pages))
        for page in pages:
            where = f"{pdf.name} page {page.number}"
            assert page.lines or page.images, f"{where} is blank"
            assert not ends_on_heading(page.lines, headings, sections), f"{where} ends on a heading: {page.lines[-3:]}"
            assert DISTRICT in page.header and f"Page {page.number} of {len(pages)}" in page.header, (where, page.header)
            if prefix != "10":
                assert BUILDING in page.header, (where, page.header)


# Every word of every table header, printed: a word whose characters fall on two lines is split (a
# compound may break after its hyphen, as print does; a school year such as 2020-21 is one word).
SPLIT_HEADER_WORDS = """
[...document.querySelectorAll('th')].flatMap(th => {
  const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
  const split = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\d{4}-\\d{2}|[^\\s-]+-?/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (lines.size > 1) split.push(th.textContent.trim() + ' -> ' + match[0]);
    }
  }
  return split;
})
"""


TABLES_PAST_THE_MARGIN = (
    "[...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(t => t.rows[0].textContent.trim().slice(0, 80))"
)


def test_printed_table_headers_never_split_a_word(sample_run, option_run):
    from devtools_page import Page

    page = Page(find_browser())
    try:
        # The printed page: print styles, letter paper's 7.5 inches of text at 96 pixels an inch.
        page.command("Emulation.setEmulatedMedia", {"media": "print"}, page.session)
        page.command("Emulation.setDeviceMetricsOverride", {"width": 720, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, page.session)
        for _, pdf in _reports(sample_run, option_run):
            page.open(pdf.with_suffix(".html"))
            assert page.evaluate(SPLIT_HEADER_WORDS) == [], pdf.name
            # Whole words must not push a table past the right margin, where the printer would cut it.
            assert page.evaluate(TABLES_PAST_THE_MARGIN) == [], pdf.name
    finally:
        page.close()
