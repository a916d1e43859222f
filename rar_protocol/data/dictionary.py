"""The data dictionary (`rar schema`): every canonical table, the ledger rule and each built-in format, as markdown."""

from __future__ import annotations

from rar_protocol.data import schema
from rar_protocol.data.config import FromLedger, TableSource
from rar_protocol.data.formats import available_formats, format_mapping, read_format
from rar_protocol.data.mapping import columns_read


def data_dictionary() -> str:
    """The data dictionary of every canonical table and built-in format, as markdown."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `rar_protocol/data/schema.py` and `rar_protocol/data/formats/` by `rar schema`; do not edit by hand.",
        "",
        "Required for every review: " + ", ".join(f"`{name}`" for name in schema.REQUIRED_TABLES) + ". The other tables are optional; an analysis that needs a missing table says so in the report.",
        "",
        "Values are read leniently: codes keep leading zeros; money may be written `$1,234.50` or "
        "`(1,234)`; percents `45%`; school years `2023-24`, `2023-2024`, `2024`, `FY2024` or `24 - 25 School Year`; suppression "
        "markers (`*`, `<10`, `n<10`, `N/A`) in count columns are kept as suppressed, never as zero.",
    ]
    for spec in schema.ALL_TABLES.values():
        kind = "required" if spec.required else ("optional, state-wide" if spec.name in schema.COMPARISON_TABLES else "optional")
        lines += ["", f"## {spec.name} ({kind})", "", spec.description, ""]
        if spec.key:
            lines += ["Unique key: " + ", ".join(f"`{name}`" for name in spec.key) + ".", ""]
        lines += ["| column | type | required | description |", "|---|---|---|---|"]
        for column in spec.columns:
            kind = column.kind + (": " + ", ".join(column.allowed) if column.allowed else "")
            lines.append(f"| `{column.name}` | {kind} | {'yes' if column.required else 'no'} | {column.description} |")
    return "\n".join(lines + _compute_section() + _ledger_section() + _formats_section()) + "\n"


def _compute_section() -> list[str]:
    return [
        "",
        "## computed columns (`compute:`)",
        "",
        "`compute: {column: expression}` in a table's mapping makes a new column, or replaces one, from arithmetic over the file's own "
        "column names; it runs right after `sums` (so it may use their columns) and before `cases`, and each expression may use the "
        "columns computed above it. The language: numbers, column names (in backticks when they hold spaces or symbols: `` `Fed $` ``), "
        "`+ - * /`, parentheses, `round(x)` and `round(x, digits)` (halves away from zero, as Excel). Cells are read as people type "
        "them (`$1,000.50`; `40.6%` reads as 40.6). A blank operand gives a blank result and a suppressed one (`*`, `<10`) a suppressed "
        "result; a division by zero, a cell that is not a number and a column the file lacks are problems naming the file, row and "
        'column. Examples: `economically_disadvantaged: "round(lunch * enroll / 100)"` (a percent of pupils as a count), '
        '`amount: "ppe_site_federal * ppe_membership"` (dollars from a per-pupil figure and its pupils).',
    ]


def _ledger_section() -> list[str]:
    rule = FromLedger()
    return [
        "",
        "## expenditures from the ledger",
        "",
        "`expenditures: {from_ledger: true}` sums the `ledger` table's actuals into building expenditures, with no file of its own "
        "(see `rar_protocol/data/ledger.py`): a line counts when its fund starts with "
        + " or ".join(f"`{prefix}`" for prefix in rule.funds)
        + " (general and special revenue funds) and its function with "
        + " or ".join(f"`{prefix}`" for prefix in rule.functions)
        + " (instruction and supporting services). A line whose location is a building code is that building's; any other location "
        "(the district office) is a district cost allocated to the buildings by their pupils that year (`central` = yes), or left out "
        "with `district_lines: leave_out`. Objects 1000s (salaries) and 2000s (benefits) are personnel, the rest non-personnel. "
        "Every counted line needs a `fund_source`: derive it in the ledger's mapping, e.g. with `cases` on `program`. "
        "Change the rule with `from_ledger: {funds: [...], functions: [...], district_lines: ...}`.",
    ]


def _formats_section() -> list[str]:
    lines = [
        "",
        "# Built-in formats",
        "",
        "A table's `format: <name>` reads a published layout with no mapping written by hand. The format is a mapping "
        "shipped in `rar_protocol/data/formats/<name>.yaml`; keys written beside `format:` are laid over it (entry by entry in "
        "`filter`, `sums`, `cases`, `rename`, `values`, `constants` and `zero_pad`). When a column it reads is missing, the "
        "problem names the columns expected and those found.",
    ]
    for name in available_formats():
        about = read_format(name)
        mapping = TableSource.model_validate({"file": "-", **format_mapping(name)})
        lines += ["", f"## format `{name}` → `{about['table']}`", "", str(about["description"]).strip(), ""]
        lines.append("Columns read: " + ", ".join(f"`{column}`" for column in columns_read(mapping)) + ".")
        if mapping.split is not None:
            lines += ["", f"Account layout (default; set `split:` for your vendor's): {mapping.split.layout()}."]
    return lines
