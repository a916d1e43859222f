"""`rar init`: a new review folder that validates as written: a documented YAML, templates with an example row, responses and determination.

With ``--from EXPORT.xlsx`` the tables are a first mapping of the district's own workbook instead
(see :mod:`rar_protocol.data.draft`), every guess marked for review.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from rar_protocol.data import schema
from rar_protocol.data.draft import draft_mappings, table_yaml
from rar_protocol.data.problems import Problem
from rar_protocol.errors import InputError

EXAMPLE_BUILDING = "00001"
EXAMPLE_YEAR = "2024-25"
# One example row per table, consistent across tables, so the new review validates and runs before any
# real data is in; replace the rows with the district's own.
EXAMPLES: dict[str, dict[str, object]] = {
    "buildings": {
        "district_code": "{district_code}",
        "district_name": "Example Public Schools",
        "building_code": EXAMPLE_BUILDING,
        "building_name": "Example Elementary",
        "level": "elementary",
        "grade_span": "K-5",
    },
    "enrollment": {"building_code": EXAMPLE_BUILDING, "school_year": EXAMPLE_YEAR, "pupils": 400, "economically_disadvantaged": 220, "students_with_disabilities": 60, "english_learners": 40},
    "designations": {"building_code": EXAMPLE_BUILDING, "school_year": EXAMPLE_YEAR, "designation": "TSI"},
    "expenditures": {
        "building_code": EXAMPLE_BUILDING,
        "school_year": EXAMPLE_YEAR,
        "fund_source": "state_local",
        "category": "personnel",
        "function_code": "111",
        "object_code": "1000",
        "central": "no",
        "amount": 3200000,
    },
    "ledger": {
        "school_year": EXAMPLE_YEAR,
        "fund": "11",
        "function_code": "111",
        "object_code": "1000",
        "location": EXAMPLE_BUILDING,
        "fund_source": "state_local",
        "description": "Teacher salaries",
        "budget": 3300000,
        "actual": 3200000,
    },
    "outcomes": {"building_code": EXAMPLE_BUILDING, "school_year": EXAMPLE_YEAR, "subject": "ela", "student_group": "all", "tested": 180, "proficient": 72},
    "staff": {
        "building_code": EXAMPLE_BUILDING,
        "school_year": EXAMPLE_YEAR,
        "role": "teacher",
        "fte": 22,
        "novice_fte": 4,
        "effective_fte": 20,
        "average_years_experience": 9.5,
        "average_salary": 61000,
    },
    "strategies": {
        "strategy": "Literacy tutoring",
        "building_code": EXAMPLE_BUILDING,
        "school_year": EXAMPLE_YEAR,
        "fund_source": "federal",
        "funding_type": "one_time",
        "cost": 85000,
        "participants": 60,
    },
    "indicators": {
        "building_code": EXAMPLE_BUILDING,
        "school_year": EXAMPLE_YEAR,
        "dimension": "school_climate",
        "indicator": "Chronic absenteeism",
        "value": 18.5,
        "unit": "percent",
        "better": "lower",
        "students": 400,
    },
}

_REVIEW_TEMPLATE = """\
# Resource Allocation Review for district {district_code}. Every key is described in the README
# ("A review in YAML"); `rar validate {yaml_name}` checks this file and every data file.
# Column names with '#' or ':' (Bldg #, Fund: Title I) must be quoted: "Bldg #".
district_code: "{district_code}"         # text: leading zeros are kept
district_name: {district_name}
school_years: [{school_years}]   # {years_note}
buildings: []                       # codes of the buildings under review; empty: those identified (CSI, ATS, TSI) in the latest year
option:
  number: 3                         # the option chosen in the district financial review: 1 student group, 2 MICIP strategy, 3 financial distribution, 4 diagnostic
  student_group: economically_disadvantaged   # option 1: {groups}
  strategy: null                    # option 2: a strategy as spelled in the strategies table; null: the one with most participants
  dimensions: [{dimensions}]   # option 4: the Equitable Resource Diagnostic dimensions to study
  need_weights: {{economically_disadvantaged: 0.35, students_with_disabilities: 0.9, english_learners: 0.5}}   # option 3: extra weight per pupil of each need group
data_folder: {data_folder}   # where the table files are, relative to this file
tables:                             # buildings and enrollment are required; every other table adds analyses (remove its lines if the district has no such data)
{tables}
thresholds:
  minimum_group_size: 10            # no count or rate from fewer students is shown
  small_building_pupils: 100        # per-pupil figures of smaller buildings are flagged
  per_pupil_low: 3000               # per-pupil spending below this is flagged as implausible
  per_pupil_high: 50000             # and above this
output_folder: outputs              # where `rar run` writes its run folders
responses_file: responses.yaml      # the team's answers to the protocol prompts and guiding questions
determination_file: determination.yaml   # the equity determination per building (phase 4); `rar run` makes a determination report with it
naming: name_first                  # MICIP file names: name_first (RAR_<Name>_YYYY.MM.DD) or date_first
peers: []                           # up to 10 comparison district codes (with a district_finances table); empty: suggested
"""

PLACEHOLDER_BUILDING = "<building code>"
_RESPONSES_TEMPLATE = """\
# The team's answers, printed in the reports under the prompts (blank lines where none yet).
# Top-level keys: "district" for the district financial review, or a building code.
# A data object's key is its name in lower case with hyphens (see parameters/sample_responses.yaml).
district:
  guiding_questions:
    discovered:                     # What was discovered analysing multiple years of school-level expenditure reports?
    additional_questions:           # What additional questions need more information?
    clarity:                        # Which of them would bring the most clarity to resourcing improvement?
  data_objects: {{}}
{building_block}"""
_BUILDING_RESPONSES = """\
"{building}":
  data_objects: {{}}
    # per-pupil-spending-by-function: {{predict: ..., infer: ..., additional_data: ...}}
"""

_DETERMINATION_TEMPLATE = """\
# Equity determination (phase 4): one entry per building under review, written once the team has decided.
# finding: inequity or equity. An inequity needs: inequity (what it is, with numbers), evidence
# (names of data objects in the reports) and plan (goal, type task|activity, name, strategy,
# owner, timeline). An equity finding needs: reviewed (what the review examined).
# See parameters/sample_determination.yaml; `rar validate` checks this file.
buildings: {{}}
  # "{building}":
  #   finding: equity
  #   reviewed: per-pupil spending by fund source, staffing and achievement
  #   goal: All students will read at grade level by grade 3
  #   district_agreed: true
  #   agreed_on: 2025-03-12
"""


def _notes(spec: schema.TableSpec) -> dict[str, str]:
    """Each column's note: type, required or not, allowed values and the description."""
    return {
        column.name: f"{column.kind}, {'required' if column.required else 'optional'}" + (f"; one of: {', '.join(column.allowed)}" if column.allowed else "") + f". {column.description}"
        for column in spec.columns
    }


def _example(name: str, district_code: str) -> pd.DataFrame:
    spec = schema.TABLES[name]
    row = {column: str(value).format(district_code=district_code) for column, value in EXAMPLES[name].items()}
    return pd.DataFrame([{column: row.get(column, "") for column in spec.column_names}])


def _write_workbook(path: Path, district_code: str) -> None:
    """One sheet per table: a title row, the header (each cell's comment says what the column holds), the example row; dropdowns where values are fixed."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name in schema.TABLES:
            _example(name, district_code).to_excel(writer, sheet_name=name, index=False, startrow=1)
        notes = pd.DataFrame([{"table": name, "column": column, "note": note} for name, spec in schema.TABLES.items() for column, note in _notes(spec).items()])
        notes.to_excel(writer, sheet_name="notes", index=False)
    workbook = load_workbook(path)
    for name, spec in schema.TABLES.items():
        sheet = workbook[name]
        # A one-cell title row: `rar validate` finds the header below it, as in any export with a title.
        sheet["A1"] = f"{name}: {spec.description} Replace the example row; each header's comment says what its column holds."
        for position, column in enumerate(spec.columns, start=1):
            cell = sheet.cell(row=2, column=position)
            cell.comment = Comment(_notes(spec)[column.name], "rar init")
            if column.allowed:
                letter = cell.column_letter
                dropdown = DataValidation(type="list", formula1='"' + ",".join(column.allowed) + '"', allow_blank=not column.required, showDropDown=False)
                dropdown.error, dropdown.prompt = f"One of: {', '.join(column.allowed)}", f"One of: {', '.join(column.allowed)}"
                sheet.add_data_validation(dropdown)
                dropdown.add(f"{letter}3:{letter}5000")
    workbook.save(path)


def scaffold_review(folder: Path, *, district_code: str = "00000", force: bool = False, from_export: Path | None = None) -> list[Path]:
    """Write ``folder/review.yaml``, its responses and determination files, and one CSV per table with an example
    row plus an XLSX with a sheet per table; with ``from_export``, a drafted mapping of that workbook instead of the CSVs."""
    data = folder / "data"
    yaml_path = folder / "review.yaml"
    responses, determination = folder / "responses.yaml", folder / "determination.yaml"
    templates = [] if from_export else [data / "review_templates.xlsx", *(data / f"{name}.csv" for name in schema.TABLES)]
    targets = [yaml_path, responses, determination, *templates]
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise InputError([Problem(str(path), "The file exists already; nothing was written.", "Choose an empty folder, or pass --force to overwrite.") for path in existing])
    if from_export is not None and not from_export.is_file():
        raise InputError([Problem(str(from_export), "The export does not exist.", "Give the path of the district's XLSX workbook.")])
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "district_code": district_code,
        "district_name": "Example Public Schools",
        "school_years": EXAMPLE_YEAR,
        "years_note": "every year of the review (the range of every trend); add earlier years as you add their data",
        "data_folder": "data",
        "groups": ", ".join(group for group in schema.STUDENT_GROUPS if group != "all"),
        "dimensions": ", ".join(schema.DIMENSIONS),
        "yaml_name": yaml_path.name,
    }
    building = EXAMPLE_BUILDING
    if from_export is not None:
        drafts, unmatched = draft_mappings(from_export)
        lines = []
        for draft in drafts:
            lines += table_yaml(draft, from_export.name)
        for name in schema.TABLES:
            if name not in {draft.table for draft in drafts}:
                lines.append(f"  # {name}: no sheet looks like it{' (required: add it)' if schema.TABLES[name].required else ''}")
        lines += [f"  # sheet {sheet!r} was not matched to a table" for sheet in unmatched]
        years = sorted({year for draft in drafts for year in draft.years}) or [EXAMPLE_YEAR]
        code = next((draft.district_code for draft in drafts if draft.district_code), None)
        settings.update(
            school_years=", ".join(years),
            years_note="REVIEW: the years found in the export",
            data_folder=f"{json.dumps(os.path.relpath(from_export.parent.resolve(), folder.resolve()))}   # REVIEW: the export's folder",
            district_name="Example Public Schools   # REVIEW: the district's name, for the reports' titles",
        )
        if code and district_code == "00000":
            settings["district_code"] = code
        building = PLACEHOLDER_BUILDING
        written: list[Path] = []
    else:
        data.mkdir(parents=True, exist_ok=True)
        lines = [f"  {name}: {{file: {name}.csv}}" + ("" if spec.required else "   # optional") for name, spec in schema.TABLES.items()]
        written = []
        for name in schema.TABLES:
            _example(name, district_code).to_csv(data / f"{name}.csv", index=False)
            written.append(data / f"{name}.csv")
        _write_workbook(data / "review_templates.xlsx", district_code)
        written.append(data / "review_templates.xlsx")
    yaml_path.write_text(_REVIEW_TEMPLATE.format(tables="\n".join(lines), **settings), encoding="utf-8")
    block = _BUILDING_RESPONSES.format(building=building)
    if building == PLACEHOLDER_BUILDING:
        # A placeholder key would not validate: the building's answers wait, commented, for its code.
        block = "".join(f"# {line}\n" for line in block.splitlines())
    responses.write_text(_RESPONSES_TEMPLATE.format(building_block=block), encoding="utf-8")
    determination.write_text(_DETERMINATION_TEMPLATE.format(building=building), encoding="utf-8")
    return [yaml_path, responses, determination, *written]
