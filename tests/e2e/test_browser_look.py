"""A real browser look at a run: index.html and the district report open in the system's headless
Chromium with their headings, charts and data object links present and visible, no request leaving
the machine and no console errors. Screenshots are saved under the run folder for a person to look at. The run is the whole
sample's, shared with test_run.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from conftest import assert_consistent
from devtools_page import Page
from rar_protocol.report.pdf import find_browser

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium-family browser found (set RAR_BROWSER or install chromium)")

VISIBLE = "(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; })"


@pytest.fixture(scope="module")
def page():
    opened = Page(BROWSER)
    yield opened
    opened.close()


def _local_only(page: Page) -> None:
    urls = page.requested_urls()
    assert urls and all(url.startswith(("file:", "data:")) for url in urls), [url for url in urls if not url.startswith(("file:", "data:"))]


def test_index_lists_every_report_and_data_object_and_links_resolve(sample_run, page):
    manifest = assert_consistent(sample_run)
    page.open(sample_run / "index.html")
    assert page.evaluate("document.querySelector('h1').textContent") == "Resource Allocation Review"
    # One section per building, the district first; each report's data objects folded in a <details>.
    assert page.evaluate("[...document.querySelectorAll('h2')].map(h => h.textContent)")[0].startswith("District: ")
    assert page.evaluate("document.querySelectorAll('details').length") == sum(1 for report in manifest["reports"] if report["data_objects"])
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.evaluate(f"{VISIBLE}(document.querySelector('table'))")
    links = page.evaluate(f"[...document.querySelectorAll('a')].map(a => [a.href, a.textContent, {VISIBLE}(a)])")
    targets = {unquote(urlparse(href).path) for href, _, _ in links}
    assert all(visible for _, _, visible in links), [text for _, text, visible in links if not visible]
    assert all(Path(target).is_file() for target in targets), [t for t in targets if not Path(t).is_file()]
    for report in manifest["reports"]:
        assert str(sample_run / report["html"]) in targets
        assert {str(sample_run / name) for name in report["data_objects"]} <= targets
    _local_only(page)
    assert page.errors() == []
    assert page.screenshot(sample_run / "screenshots" / "index.png").stat().st_size > 1000


def test_district_report_shows_headings_and_every_chart(sample_run, page):
    report = sample_run / "reports" / "10_district_financial_review.html"
    page.open(report)
    headings = page.evaluate("[...document.querySelectorAll('h1, h2')].filter(" + VISIBLE + ").map(e => e.textContent.trim())")
    assert any("District Financial Review" in heading for heading in headings), headings
    for expected in ("Per-pupil spending by building and year", "Spending and performance", "Spending and need", "Choosing the review option"):
        assert any(expected in heading for heading in headings), (expected, headings)
    images = page.evaluate(f"[...document.images].map(i => [i.complete && i.naturalWidth > 0, {VISIBLE}(i)])")
    charts = [path for path in (sample_run / "data_objects" / "district").glob("*.png")]
    assert len(images) >= len(charts) > 0
    assert all(loaded and visible for loaded, visible in images), images
    _local_only(page)
    assert page.errors() == []
    assert page.screenshot(sample_run / "screenshots" / "district_report.png").stat().st_size > 10000
