"""`rar init --from`: a workbook in a district's own shape (its own headers, title rows, a totals row)
becomes a draft mapping; applying only the edits its comments ask for reaches `rar validate` exit 0."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl

from rar_protocol.cli import main

BUILDINGS = [("09010", "90031", "Maple Grove Elem", "Elementary"), ("09010", "90041", "Willow Creek Elem", "Elementary"), ("09010", "90051", "Lakeview Middle", "Middle")]


def _district_workbook(path: Path) -> None:
    """The district's export as its finance office keeps it."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Schools"
    sheet.append(["Lakeshore Public Schools: building list"])
    sheet.append(["Printed 2025-01-15"])
    sheet.append(["Dist Code", "Bldg #", "Building Name", "Type"])
    for row in BUILDINGS:
        sheet.append(list(row))
    counts = workbook.create_sheet("Fall Count")
    counts.append(["Fall headcount by building"])
    counts.append(["Bldg #", "FY", "Headcount", "Econ Dis", "SWD", "ELL"])
    for index, (_, code, _, _) in enumerate(BUILDINGS):
        for year in (2023, 2024):
            counts.append([code, year, 400 + 10 * index, 200, 50, 30])
    counts.append(["Total", "", 2460, 1200, 300, 180])
    spending = workbook.create_sheet("Spending")
    spending.append(["Expenditure report by building, FY2023-FY2024"])
    spending.append(["Bldg #", "FY", "Cost Type", "Fed $", "State $", "Local $", "Total $"])
    for _, code, _, _ in BUILDINGS:
        for year in (2023, 2024):
            spending.append([code, year, "Personnel", 300000, 2500000, 400000, 3200000])
            spending.append([code, year, "Non-Personnel", 50000, 600000, 100000, 750000])
    spending.append(["Total", "", "", 2100000, 18600000, 3000000, 23700000])
    status = workbook.create_sheet("Identified")
    status.append(["Bldg #", "FY", "Status"])
    for _, code, _, _ in BUILDINGS:
        status.append([code, 2024, "CSI" if code == "90041" else "None"])
    workbook.save(path)


def test_a_district_workbook_becomes_a_valid_review_with_the_drafts_edits(tmp_path: Path, capsys) -> None:
    export = tmp_path / "exports" / "District Export FY24.xlsx"
    export.parent.mkdir()
    _district_workbook(export)
    assert main(["init", str(tmp_path / "review"), "--from", str(export)]) == 0
    draft = (tmp_path / "review" / "review.yaml").read_text(encoding="utf-8")
    # Every guess is marked; headers with '#' are quoted so YAML does not read a comment.
    assert '"Bldg #": building_code   # REVIEW' in draft
    assert '"FY": school_year   # REVIEW' in draft
    assert 'columns: {"Fed $": federal, "State $": state, "Local $": local}' in draft
    assert 'filter: {"Bldg #": {not_in: ["Total"]}}' in draft
    assert "school_years: [2022-23, 2023-24]" in draft
    todos = re.findall(r"# TODO: .*", draft)
    # The one edit the draft asks for: the spending's category column is named "Cost Type", which no rule knows.
    assert len(todos) == 1 and "'category'" in todos[0], todos
    assert 'Columns not mapped: "Cost Type"' in todos[0]
    # The edit, as a person makes it: the TODO line becomes the rename line it describes.
    edited = re.sub(r"    # TODO: no column looks like the optional \(but worth mapping\) 'category'.*\n", '      "Cost Type": category\n', draft, count=1)
    assert '"Cost Type": category' in edited
    (tmp_path / "review" / "review.yaml").write_text(edited, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "review" / "review.yaml")]) == 0, capsys.readouterr().err
    assert "Under review: 90041 Willow Creek Elem" in capsys.readouterr().out


def test_plain_init_validates_as_written(tmp_path: Path, capsys) -> None:
    assert main(["init", str(tmp_path / "new"), "--district-code", "09010"]) == 0
    yaml_text = (tmp_path / "new" / "review.yaml").read_text(encoding="utf-8")
    for key in ("expenditures: {file: expenditures.csv}", "strategy:", "dimensions:", "need_weights:", "responses_file:", "determination_file:"):
        assert key in yaml_text
    assert main(["validate", str(tmp_path / "new" / "review.yaml")]) == 0, capsys.readouterr().err
    workbook = openpyxl.load_workbook(tmp_path / "new" / "data" / "review_templates.xlsx")
    buildings = workbook["buildings"]
    assert buildings.cell(row=3, column=3).value == "00001"
    assert any("elementary" in str(validation.formula1) for validation in buildings.data_validations.dataValidation)
    assert "notes" in workbook.sheetnames
