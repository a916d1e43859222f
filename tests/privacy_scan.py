"""Reading a run folder back for student-group figures from fewer than 10 students.

A run's outputs are read the way a reader gets them: every CSV, every sheet of every XLSX, every
HTML table, and the observation sentences of every report. The small cells come from the review's
own enrollment and outcomes files: each building, year (and subject) where a need or race group,
or the rest of the building's pupils, numbers 1-9 (or 0), or the source suppressed the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rar_protocol.data import schema

SUBJECTS = {"ela": "ELA", "math": "Math", "science": "Science", "social_studies": "Social studies"}
# How outputs name each group, in column headings, measure names and sentences.
GROUP_LABELS = {
    "economically_disadvantaged": ("economically disadvantaged",),
    "students_with_disabilities": ("students with disabilities", "student with a disability"),
    "english_learners": ("english learner",),
    "american_indian": ("american indian",),
    "asian": ("asian",),
    "black": ("black",),
    "hispanic": ("hispanic",),
    "native_hawaiian": ("native hawaiian",),
    "white": ("white",),
    "two_or_more_races": ("two or more races",),
}
BUILDING_COLUMNS = ("Building code", "Building", "Building or group of buildings")
# Columns of a long (one measure per row) table that carry the building's own value or give it back.
LONG_VALUE_COLUMNS = ("Deviation from district", "Deviation from district (%)", "Distance in spreads (positive: less favourable)")


@dataclass(frozen=True)
class SmallCell:
    building_code: str
    school_year: str
    group: str
    subject: str | None  # None: an enrollment count


def small_cells(data: Path, minimum: int = 10) -> set[SmallCell]:
    """Every (building, year, group, subject) whose figures come from fewer than ``minimum`` students."""
    small: set[SmallCell] = set()
    enrollment = pd.read_csv(data / "enrollment.csv", dtype={"building_code": str})
    for group in schema.NEED_GROUPS + schema.RACE_GROUPS:
        if group not in enrollment:
            continue
        counts = enrollment[group]
        rows = enrollment[counts.notna() & ((counts < minimum) | (enrollment["pupils"] - counts < minimum))]
        small |= {SmallCell(code, year, group, None) for code, year in zip(rows["building_code"], rows["school_year"])}
    outcomes = pd.read_csv(data / "outcomes.csv", dtype={"building_code": str})
    grouped = outcomes[outcomes["student_group"].isin(GROUP_LABELS)]
    rows = grouped[(grouped["tested"] < minimum) | grouped["suppressed"].astype(str).eq("True")]
    small |= {SmallCell(code, year, group, SUBJECTS.get(subject, subject)) for code, year, group, subject in zip(rows["building_code"], rows["school_year"], rows["student_group"], rows["subject"])}
    return small


def _names_group(text: str, group: str) -> bool:
    return any(re.search(rf"\b{re.escape(label)}", text, re.IGNORECASE) for label in GROUP_LABELS[group])


def _shows_number(value: object) -> bool:
    text = "" if value is None else str(value).strip()
    return bool(re.search(r"\d", text)) and text not in ("nan", "None") and not text.startswith("<")


def _html_tables(path: Path) -> list[pd.DataFrame]:
    from bs4 import BeautifulSoup

    tables = []
    for table in BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").find_all("table"):
        rows = [[cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in table.find_all("tr")]
        if len(rows) > 1 and len({len(row) for row in rows}) == 1:
            tables.append(pd.DataFrame(rows[1:], columns=rows[0]))
    return tables


def output_tables(run: Path) -> list[tuple[str, pd.DataFrame, str | None]]:
    """(where, table, its one school year or None) for every CSV, XLSX sheet and HTML table of the run, all cells as text.

    A table of one year has no year column: its year is read from the XLSX About sheet's filter
    (for the CSV of the same name too); an HTML table of one year gets None.
    """
    import openpyxl

    found: list[tuple[str, pd.DataFrame, str | None]] = []
    years: dict[Path, str | None] = {}
    for path in sorted(run.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheets = {sheet.title: [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets}
        workbook.close()
        about = " ".join(" ".join(row) for row in sheets.get("About", []))
        single = re.search(r"Filter: school year (\d{4}-\d{2})\b", about)
        years[path.with_suffix("")] = single.group(1) if single else None
        found += [(f"{path.relative_to(run)} [{title}]", pd.DataFrame(rows[1:], columns=rows[0]), years[path.with_suffix("")]) for title, rows in sheets.items() if len(rows) > 1]
    for path in sorted(run.rglob("*.csv")):
        found.append((str(path.relative_to(run)), pd.read_csv(path, dtype=str, encoding="utf-8-sig"), years.get(path.with_suffix(""))))
    for path in sorted(run.rglob("*.html")):
        found += [(f"{path.relative_to(run)} table {number}", table, None) for number, table in enumerate(_html_tables(path), 1)]
    return found


def table_leaks(run: Path, small: set[SmallCell], names: dict[str, str]) -> tuple[list[str], int, int]:
    """Leaks found in the run's tables, the tables read and the rows of small cells checked."""
    leaks: list[str] = []
    scanned = checked = 0
    every_year = _small_every_year(small)
    for where, table, single_year in output_tables(run):
        columns = [str(column) for column in table.columns]
        if where.endswith("[About]"):
            continue
        scanned += 1
        long = "Measure" in columns and "District" in columns
        building_column = next((c for c in BUILDING_COLUMNS if c in columns), None)
        for cell in small:
            if "School year" in columns:
                rows = table[table["School year"] == cell.school_year]
            elif single_year == cell.school_year or (single_year is None and (cell.building_code, cell.group, cell.subject) in every_year):
                rows = table
            else:
                continue
            name = names.get(cell.building_code, "?")
            if long:
                # One measure per row, the building's value under its name: only that building's own report.
                if name not in columns:
                    continue
                rows = rows[[_names_group(str(measure), cell.group) for measure in rows["Measure"]]]
                value_columns = [name, *[c for c in LONG_VALUE_COLUMNS if c in columns]]
            else:
                # District columns and correlations across buildings are not the building's group figures.
                value_columns = [c for c in columns if _names_group(c, cell.group) and not c.startswith(("District", "Other", "Correlation"))]
                if not value_columns:
                    continue
                if building_column is not None:
                    rows = rows[rows[building_column].isin([cell.building_code, name])]
                elif cell.building_code not in where and name not in where:
                    continue  # a table of one building's report: only its own building's cells
            if cell.subject is not None:
                if "Subject" not in columns:
                    continue
                rows = rows[rows["Subject"] == cell.subject]
            elif "Subject" in columns and not long:
                continue  # an enrollment count does not decide an outcomes row
            checked += len(rows)
            for _, row in rows.iterrows():
                shown = {c: row[c] for c in value_columns if _shows_number(row[c])}
                if shown:
                    leaks.append(f"{where}: {cell.building_code} {cell.school_year} {cell.group} {cell.subject or ''}: {shown}")
    return leaks, scanned, checked


def _small_every_year(small: set[SmallCell]) -> set[tuple[str, str, str | None]]:
    """(building, group, subject) small in every year it appears: a table of one unknown year shows one of them."""
    years: dict[tuple[str, str, str | None], set[str]] = {}
    for cell in small:
        years.setdefault((cell.building_code, cell.group, cell.subject), set()).add(cell.school_year)
    most = max((len(found) for found in years.values()), default=0)
    return {key for key, found in years.items() if len(found) == most}


def observation_sentences(path: Path) -> list[str]:
    """The "What the data shows" sentences of one HTML report."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return [item.get_text(" ", strip=True) for listing in page.select("ul.rar-observations") for item in listing.find_all("li")]


def sentence_leaks(text: str, building_name: str, groups: set[str]) -> bool:
    """True when a sentence about ``building_name`` gives a share or count of one of ``groups``."""
    if building_name not in text or re.search(r"\bother\b.*\bbuildings\b|district", text, re.IGNORECASE):
        return False  # a sentence of other buildings' or the district's figures beside the building
    figures = re.sub(r"\b\d{4}-\d{2}\b", "", text)  # school years are not figures
    for group in groups:
        for label in GROUP_LABELS[group]:
            for match in re.finditer(rf"\b{re.escape(label)}", figures, re.IGNORECASE):
                # A number right beside the group's name: "3.0% English learners", "English learners (3)".
                window = figures[max(0, match.start() - 40) : match.end() + 40]
                if re.search(r"\d+(\.\d+)?\s*%|\(\d[\d,]*\)|\b\d[\d,]* (pupils|students)\b", window):
                    return True
    return False
