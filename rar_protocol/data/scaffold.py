"""`rar init`: a new review folder with a YAML file and blank templates with the right headers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rar_protocol.data import schema
from rar_protocol.data.problems import Problem
from rar_protocol.errors import InputError

_REVIEW_TEMPLATE = """\
# Resource Allocation Review for district {district_code}.
# Fill in the CSV templates in data/ (or the sheets of data/review_templates.xlsx),
# then run: rar validate {yaml_name}
district_code: "{district_code}"
district_name:                      # e.g. Example Public Schools
school_years: [2022-23, 2023-24, 2024-25]
buildings: []                       # empty: the buildings identified in the latest year
option:
  number: 3                         # 1 student group, 2 MICIP strategy, 3 financial distribution, 4 diagnostic
  student_group: economically_disadvantaged
data_folder: data
tables:
{tables}
thresholds:
  minimum_group_size: 10
output_folder: outputs
"""


def scaffold_review(folder: Path, *, district_code: str = "00000", force: bool = False) -> list[Path]:
    """Write ``folder/review.yaml``, one blank CSV per table and one XLSX with a sheet per table."""
    data = folder / "data"
    yaml_path = folder / "review.yaml"
    targets = [yaml_path, data / "review_templates.xlsx", *(data / f"{name}.csv" for name in schema.TABLES)]
    existing = [path for path in targets if path.exists()]
    if existing and not force:
        raise InputError([Problem(str(path), "The file exists already; nothing was written.", "Choose an empty folder, or pass --force to overwrite.") for path in existing])
    data.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, spec in schema.TABLES.items():
        prefix = "  " if spec.required else "  # "
        lines.append(f"{prefix}{name}: {{file: {name}.csv}}" + ("" if spec.required else "   # optional"))
    yaml_path.write_text(_REVIEW_TEMPLATE.format(district_code=district_code, yaml_name=yaml_path, tables="\n".join(lines)), encoding="utf-8")
    written = [yaml_path]
    with pd.ExcelWriter(data / "review_templates.xlsx", engine="openpyxl") as workbook:
        for name, spec in schema.TABLES.items():
            blank = pd.DataFrame(columns=spec.column_names)
            blank.to_csv(data / f"{name}.csv", index=False)
            blank.to_excel(workbook, sheet_name=name, index=False)
            written.append(data / f"{name}.csv")
    written.append(data / "review_templates.xlsx")
    return written
