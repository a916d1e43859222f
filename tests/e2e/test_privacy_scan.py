"""Scan every output of an option-1 run for a student-group figure from fewer than 10 students.

One `rar run` (shared with test_options.py: option 1, economically disadvantaged; buildings 90121, the tiny alternative school,
and 90041; HTML and PDF). The small cells come from the sample's own data: each building, year
(and subject) whose group count in enrollment.csv or tested count in outcomes.csv is 1-9, or that
the source already suppressed. In every CSV, XLSX and HTML table, a row for such a building and
year must show no number in a column labelled with the group (its count or rate); the district's
own columns ("District ...") are not the building's group. PDF text is read with pypdf to check
each PDF carries the suppression marker wherever its HTML does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE_DATA

BUILDINGS = ("90121", "90041")
SUBJECTS = {"ela": "ELA", "math": "Math", "science": "Science", "social_studies": "Social studies"}


def _title(group: str) -> str:
    return group.replace("_", " ").title()


def _small_cells() -> set[tuple[str, str, str, str | None]]:
    """(building, year, group title, subject or None) for every cell computed from 1-9 students."""
    small: set[tuple[str, str, str, str | None]] = set()
    enrollment = pd.read_csv(SAMPLE_DATA / "enrollment.csv", dtype={"building_code": str})
    for group in enrollment.columns[3:]:
        rows = enrollment[enrollment[group].between(1, 9)]
        small |= {(code, year, _title(group), None) for code, year in zip(rows["building_code"], rows["school_year"])}
    outcomes = pd.read_csv(SAMPLE_DATA / "outcomes.csv", dtype={"building_code": str})
    rows = outcomes[(outcomes["student_group"] != "all") & (outcomes["tested"].between(1, 9) | outcomes["suppressed"].astype(str).eq("True"))]
    small |= {(code, year, _title(group), SUBJECTS.get(subject, subject)) for code, year, group, subject in zip(rows["building_code"], rows["school_year"], rows["student_group"], rows["subject"])}
    return small


@pytest.fixture(scope="module")
def run_folder(option_one_run: Path) -> Path:
    return option_one_run


def _html_tables(path: Path) -> list[pd.DataFrame]:
    from bs4 import BeautifulSoup

    tables = []
    for table in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all("table"):
        rows = [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in table.find_all("tr")]
        if len(rows) > 1 and len({len(row) for row in rows}) == 1:
            tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return tables


def _tables(run: Path) -> list[tuple[str, pd.DataFrame]]:
    import openpyxl

    found: list[tuple[str, pd.DataFrame]] = []
    for path in sorted(run.rglob("*.csv")):
        found.append((str(path.relative_to(run)), pd.read_csv(path, dtype=str, encoding="utf-8-sig")))
    for path in sorted(run.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for sheet in workbook.worksheets:
            rows = [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            if len(rows) > 1:
                found.append((f"{path.relative_to(run)} [{sheet.title}]", pd.DataFrame(rows[1:], columns=rows[0])))
        workbook.close()
    for path in sorted(run.rglob("*.html")):
        found += [(f"{path.relative_to(run)} table {number}", table) for number, table in enumerate(_html_tables(path), 1)]
    return found


def _shows_number(value: object) -> bool:
    text = "" if value is None else str(value).strip()
    return bool(re.search(r"\d", text)) and text not in ("nan", "None") and not text.startswith("<")


def test_no_output_shows_a_group_figure_from_fewer_than_10_students(run_folder: Path) -> None:
    small = _small_cells()
    names = {code: name for code, name in pd.read_csv(SAMPLE_DATA / "buildings.csv", dtype=str)[["building_code", "building_name"]].itertuples(index=False)}
    leaks = []
    scanned = 0
    checked = 0  # rows of a small cell found in an output: the scan must not pass by finding none
    for where, table in _tables(run_folder):
        columns = [str(column) for column in table.columns]
        if "School year" not in columns:
            continue
        scanned += 1
        building_column = next((c for c in ("Building code", "Building", "Building or group of buildings") if c in columns), None)
        for code, year, group, subject in small:
            if not any(group in column for column in columns):
                continue
            rows = table[table["School year"] == year]
            if building_column is not None:
                rows = rows[rows[building_column].isin([code, names.get(code)])]
            elif code not in where and names.get(code, "?") not in where:
                continue  # a table of one building's report: only its own building's cells
            if subject is not None:
                if "Subject" not in columns:
                    continue
                rows = rows[rows["Subject"] == subject]
            elif "Subject" in columns:
                continue  # an enrollment count does not decide an outcomes row
            group_columns = [c for c in columns if group in c and not c.startswith("District")]
            checked += len(rows)
            for _, row in rows.iterrows():
                shown = {c: row[c] for c in group_columns if _shows_number(row[c])}
                if shown:
                    leaks.append(f"{where}: {code} {year} {group} {subject or ''}: {shown}")
    assert scanned >= 10, "the scan found too few tables: the output layout changed"
    assert checked > 0, "no output row matched a small cell: the scan checked nothing"
    print(f"{scanned} tables scanned, {checked} rows of small cells checked")
    assert not leaks, "\n".join(leaks[:30])


def test_every_pdf_is_readable_and_keeps_the_html_s_suppression_markers(run_folder: Path) -> None:
    from pypdf import PdfReader

    pdfs = sorted(run_folder.rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
        plain = re.sub(r"<[^>]+>", " ", html).replace("&lt;", "<")
        assert len(text) > 200, pdf.name
        if re.search(r"(?<![\w<])<n(?!\w)", plain):
            assert "<n" in text, f"{pdf.name}: the HTML shows suppressed cells but the PDF text has no marker"
