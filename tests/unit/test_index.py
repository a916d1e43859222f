"""The run's index page: status and problems on top, one section per building, data objects folded away, local time."""

from rar_protocol.report.batch import index_html, local_time


def _report(code, name, title, status="ok", error=None, pdf_error=None):
    stem = f"23_{code}" if code else "10_district"
    objects = [f"data_objects/{code or 'district'}/RAR_{name} {code} Spending_2026.12.02.{kind}" for kind in ("csv", "xlsx", "png")]
    return {
        "notebook": f"{stem}.ipynb",
        "building_code": code,
        "building_name": name,
        "title": title,
        "status": status,
        "html": f"reports/{stem}.html",
        "pdf": None if pdf_error or error else f"reports/{stem}.pdf",
        "error": error,
        "pdf_error": pdf_error,
        "data_objects": [] if error else objects,
    }


MANIFEST = {
    "district_code": "99901",
    "district_name": "Lakeshore <Example>",
    "provenance": {"run_time": "2026-12-02T17:10:00+00:00"},
    "reports": [
        _report("90041", "Willow Creek Elementary", "Financial Distribution"),
        _report(None, None, "District Financial Review"),
        _report("90031", "Maple Grove Elementary", "Financial Distribution", status="failed", error={"cell": 4, "name": "ValueError", "message": "no pupils"}),
        _report("90081", "Juniper Elementary", "Financial Distribution", pdf_error="Chromium stopped"),
    ],
}


def test_index_puts_status_and_problems_first_then_one_section_per_building():
    page = index_html(MANIFEST)
    status, problems, district, first_building = (
        page.index(text) for text in ("3 of 4 reports made; 1 failed", "failed in cell 4: ValueError: no pupils", "<h2>District: Lakeshore &lt;Example&gt;</h2>", "<h2>90031 Maple Grove")
    )
    assert status < problems < district < first_building < page.index("<h2>90041 Willow Creek") < page.index("<h2>90081 Juniper")
    assert "no PDF: Chromium stopped" in page[:district]


def test_index_folds_each_reports_data_objects_one_line_per_data_object():
    page = index_html(MANIFEST)
    assert page.count("<details>") == 3 and "<summary>MICIP data objects (1)</summary>" in page
    assert "<li>RAR_Willow Creek Elementary 90041 Spending_2026.12.02: <a href='data_objects/90041/RAR_Willow Creek Elementary 90041 Spending_2026.12.02.csv'>CSV</a> · " in page


def test_index_time_is_local_and_readable():
    written = local_time("2026-12-02T17:10:00+00:00")
    assert written.startswith(("December 2, 2026", "December 3, 2026", "December 1, 2026")) and " at " in written and "T17" not in written
    assert local_time("not a time") == "not a time"
