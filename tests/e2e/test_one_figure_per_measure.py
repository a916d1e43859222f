"""One measure, one figure: every number a run's data objects print for a (measure, building, year) is the same everywhere.

Each data object's XLSX is read back (its Data sheet, and the year from its About sheet when the
table is of one year). Wide tables give one figure per numeric column of a building row; the
diagnostic's long tables give one per measure row and building column. Figures agree when they
differ by no more than their rounding (0.06: one decimal against two).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conftest import SAMPLE_DATA

BUILDING_COLUMNS = ("Building code", "Building", "Building or group of buildings")
# Columns that describe a row rather than identify what its figures are of.
DESCRIPTIVE = {"Level", "Compared as", "Flag", "Designation", "Quadrant", "Standing", "Unit", "Better", "Source", "District figure weighted by", "Dimension", "Suppressed"}
TOLERANCE = 0.06


def _measure(label: str, unit: str = "") -> str:
    """A measure's label without its dollar sign: "State + local per pupil ($)" is the diagnostic's "State + local per pupil"; percents keep their sign."""
    label = re.sub(r"\s*\(\$\)$", "", label)
    label = re.sub(r"\s*\(%\)$", " %", label)
    if unit.startswith("percent") and not label.endswith("%"):
        label += " %"
    return label.strip().lower()


def _number(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if pd.isna(value) else float(value)
    return None


def _sheets(run: Path) -> Iterator[tuple[str, list[str], list[tuple], str]]:
    import openpyxl

    for path in sorted(run.rglob("data_objects/**/*.xlsx")):
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = list(workbook["Data"].iter_rows(values_only=True))
        about = " ".join(str(cell) for row in workbook["About"].iter_rows(values_only=True) for cell in row if cell)
        workbook.close()
        if len(rows) > 1:
            yield str(path.relative_to(run)), [str(column) for column in rows[0]], rows[1:], about


def printed_figures(run: Path, names: dict[str, str]) -> dict[tuple, list[tuple[float, str]]]:
    """(measure, building code or "district", year, identifiers...) -> [(value, where)] over every data object of the run."""
    codes = {name: code for code, name in names.items()}
    found: dict[tuple, list[tuple[float, str]]] = defaultdict(list)

    def building_of(value: object) -> str | None:
        text = "" if value is None else str(value)
        if text.startswith("District"):
            return "district"
        return text if text in names else codes.get(text)

    for where, columns, rows, about in _sheets(run):
        single_year = re.search(r"Filter: school year (\d{4}-\d{2})", about)
        for row in rows:
            record = dict(zip(columns, row))
            year = record.get("School year") or (single_year.group(1) if single_year else None)
            if year is None:
                continue
            if "Measure" in columns and "District" in columns:
                identity = tuple(f"{c}={record[c]}" for c in columns if c == "Subject")
                for column in columns:
                    building = "district" if column == "District" else codes.get(column)
                    value = _number(record[column])
                    if building and value is not None:
                        found[(_measure(str(record["Measure"]), str(record.get("Unit") or "")), building, year, *identity)].append((value, where))
                continue
            building_column = next((c for c in BUILDING_COLUMNS if c in columns and building_of(record[c])), None)
            if building_column is None:
                continue
            building = building_of(record[building_column])
            identity = tuple(
                f"{c}={record[c]}" for c in columns if c not in DESCRIPTIVE and c not in BUILDING_COLUMNS and c != "School year" and _number(record[c]) is None and not str(c).startswith("Suppressed")
            )
            for column in columns:
                value = _number(record[column])
                if value is not None and column not in BUILDING_COLUMNS and column != "School year":
                    found[(_measure(column), building, year, *identity)].append((value, where))
    return found


def conflicts(found: dict[tuple, list[tuple[float, str]]]) -> list[str]:
    """Every key printed with two values further apart than rounding."""
    problems = []
    for key, values in sorted(found.items()):
        numbers = [value for value, _ in values]
        if max(numbers) - min(numbers) > TOLERANCE:
            shown = sorted({(round(value, 2), where) for value, where in values})
            problems.append(f"{key}: " + "; ".join(f"{value} in {where}" for value, where in shown))
    return problems


@pytest.fixture(scope="module")
def building_names() -> dict[str, str]:
    buildings = pd.read_csv(SAMPLE_DATA / "buildings.csv", dtype=str)
    return dict(zip(buildings["building_code"], buildings["building_name"]))


def test_every_measure_has_one_figure_per_building_and_year_across_every_option(option_run, building_names):
    # The four options' runs of one review on one day: a district figure option 3 prints must be option 4's too.
    found: dict[tuple, list[tuple[float, str]]] = {}
    for number in (1, 2, 3, 4):
        for key, values in printed_figures(option_run(number), building_names).items():
            found.setdefault(key, []).extend((value, f"option {number}: {where}") for value, where in values)
    shared = sum(1 for values in found.values() if len({where for _, where in values}) > 1)
    assert shared >= 500, f"only {shared} figures are printed by more than one data object: the reading of the tables broke"
    problems = conflicts(found)
    assert not problems, f"{len(problems)} figures printed with two values:\n" + "\n".join(problems[:30])


def test_the_check_finds_a_figure_printed_twice_with_two_values():
    found = {("state + local per need-weighted pupil", "district", "2024-25"): [(8586.0, "a.xlsx"), (8792.28, "b.xlsx")], ("pupils", "90041", "2024-25"): [(510.0, "a.xlsx"), (510.0, "b.xlsx")]}
    assert len(conflicts(found)) == 1
