"""Load a review: read each table, map it, parse it, validate it, then check the tables together.

All problems of all files are collected and raised together as one :class:`InputError`, so a
district fixes its exports in one pass instead of one error at a time.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from rar_protocol.data import ledger, parsing, schema
from rar_protocol.data.config import FromLedger, ReviewConfig, TableSource, load_config
from rar_protocol.data.left_out import DISTRICT_LINES, DISTRICT_ROWS, SPENDING_COLUMNS, LeftOut, dropped_spending
from rar_protocol.data.mapping import DISTRICT_ROW, FORMAT_LACKS, map_table
from rar_protocol.data.problems import Problem, row_ranges
from rar_protocol.data.protocol_files import protocol_file_problems
from rar_protocol.data.reading import ROW, read_raw, read_yaml
from rar_protocol.errors import InputError

DISTRICT_PLACEHOLDER = "(district)"  # the building code of a district-level row that has none, until it is shared


@dataclass
class Review:
    """A loaded, validated review: its configuration and its canonical tables."""

    config: ReviewConfig
    config_path: Path
    data_folder: Path
    tables: dict[str, pd.DataFrame]
    input_files: list[Path] = field(default_factory=list)
    # Spending rows left out (only_known_buildings, a filter, district_rows leave_out), per table and year.
    left_out: list[LeftOut] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame | None:
        """The canonical table ``name``, or None when the review did not provide it."""
        return self.tables.get(name)

    def has(self, name: str) -> bool:
        """Whether the review provides table ``name``."""
        return name in self.tables

    @property
    def latest_year(self) -> str:
        return self.config.school_years[-1]

    def identified_buildings(self, school_year: str | None = None) -> list[str]:
        """Codes of buildings identified (CSI, ATS or TSI) in ``school_year`` (default: the latest year)."""
        designations = self.table("designations")
        if designations is None:
            return []
        year = school_year or self.latest_year
        rows = designations[(designations["school_year"] == year) & (designations["designation"] != "none")]
        return sorted(rows["building_code"].unique())

    def buildings_under_review(self) -> list[str]:
        """The configured buildings, or by default the identified ones."""
        return list(self.config.buildings) or self.identified_buildings()

    def building_name(self, building_code: str) -> str:
        """The name of a building, for titles and sentences."""
        buildings = self.tables["buildings"]
        match = buildings.loc[buildings["building_code"] == building_code, "building_name"]
        return str(match.iloc[0]) if len(match) else building_code

    @property
    def district_name(self) -> str:
        if self.config.district_name:
            return self.config.district_name
        names = self.tables["buildings"]["district_name"].dropna()
        return str(names.iloc[0]) if len(names) else self.config.district_code


def _near(name: str, candidates: list[str]) -> str | None:
    found = difflib.get_close_matches(name.lower(), [c.lower() for c in candidates], n=1, cutoff=0.75)
    if not found:
        return None
    return next(c for c in candidates if c.lower() == found[0])


def _column_problems(frame: pd.DataFrame, spec: schema.TableSpec, label: str, mapped: bool, header_row: int) -> list[Problem]:
    """Missing required columns and near-miss names, reported at the header row."""
    present = [column for column in frame.columns if column != ROW]
    problems = []
    for column in spec.required_columns:
        if column not in present:
            near = _near(column, present)
            hint = (
                f"Did you mean '{near}'? Rename it to '{column}' (or map it with rename: in the YAML)."
                if near
                else f"Add the column, or map a column of yours to it with rename: in the YAML. Columns found: {', '.join(present)}."
            )
            if column == "school_year" and not near:
                hint = f"A file for one year needs constants: {{school_year: 2023-24}} in the YAML (with its year); else map the year column with rename:. Columns found: {', '.join(present)}."
            problems.append(Problem(label, f"Required column '{column}' is missing.", hint, row=header_row, column=column))
    if not mapped:
        for column in present:
            if column in spec.column_names:
                continue
            near = _near(column, spec.column_names)
            if near and near not in present:
                problems.append(Problem(label, f"Unknown column '{column}'.", f"Did you mean '{near}'? Rename it, or map it with rename: in the YAML.", row=header_row, column=column))
    return problems


def _cell_problems(frame: pd.DataFrame, bad: pd.Series, column: str, label: str, expected: str) -> list[Problem]:
    problems = []
    for index in frame.index[bad]:
        value = frame.at[index, column]
        problems.append(Problem(label, f"'{value}' is not {expected}.", _fix_for(expected), row=int(frame.at[index, ROW]), column=column))
    return problems


def _fix_for(expected: str) -> str:
    if "school year" in expected:
        return "Write school years like 2023-24 (2023-2024, 2024 and FY2024 are also read)."
    if "one of" in expected:
        return "Use one of the listed values, or recode yours with values: in the YAML."
    if "yes or no" in expected:
        return "Write yes or no."
    return "Write a plain number with a point for decimals (1234.50; $1,234.50, (1,234) and 45% are also read)."


def parse_table(frame: pd.DataFrame, spec: schema.TableSpec, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse text columns into the types of ``spec``; returns the typed frame and the unreadable cells."""
    problems: list[Problem] = []
    parsed = pd.DataFrame(index=frame.index)
    parsed[ROW] = frame[ROW].astype(int) if ROW in frame.columns else np.arange(2, len(frame) + 2)
    suppressed = pd.Series(False, index=frame.index)
    for column in spec.columns:
        if column.name not in frame.columns:
            if column.kind == schema.FLAG:
                parsed[column.name] = bool(column.default)
            elif column.default is not None:
                parsed[column.name] = column.default
            elif column.kind in (schema.MONEY, schema.NUMBER, schema.COUNT, schema.PERCENT):
                parsed[column.name] = np.nan
            else:
                parsed[column.name] = pd.Series(None, index=frame.index, dtype="object")
            continue
        raw = frame[column.name]
        if column.kind in (schema.MONEY, schema.NUMBER):
            values, bad = parsing.parse_number(raw)
            expected = "a number"
        elif column.kind == schema.COUNT:
            values, bad, marked = parsing.parse_count(raw)
            suppressed |= marked
            expected = "a count"
        elif column.kind == schema.PERCENT:
            values, bad, marked = parsing.parse_percent(raw)
            suppressed |= marked
            expected = "a percent"
        elif column.kind == schema.YEAR:
            values, bad = parsing.parse_school_year(raw)
            expected = "a school year"
        elif column.kind == schema.CATEGORY:
            values, bad = parsing.parse_category(raw, column.allowed)
            expected = "one of: " + ", ".join(column.allowed)
            if column.default is not None:
                values = values.where(values.notna(), column.default)
        elif column.kind == schema.FLAG:
            values, bad = parsing.parse_flag(raw, bool(column.default))
            expected = "yes or no"
        elif column.kind == schema.CODE:
            values, bad = parsing.parse_code(raw)
            expected = "a code"
        else:
            values, bad = parsing.parse_text(raw)
            expected = "text"
        problems += _cell_problems(frame, bad, column.name, label, expected)
        parsed[column.name] = values
    if "suppressed" in spec.column_names:
        parsed["suppressed"] = parsed["suppressed"].astype(bool) | suppressed
    return parsed, problems


def _aggregate(frame: pd.DataFrame, spec: schema.TableSpec) -> pd.DataFrame:
    """Sum amounts over rows that share the table's key (after recoding, e.g. salaries + benefits)."""
    key = list(spec.key)
    numeric = [c.name for c in spec.columns if c.kind in (schema.MONEY, schema.NUMBER, schema.COUNT) and c.name not in key]
    others = [c for c in frame.columns if c not in key and c not in numeric]
    # Empty optional key columns (no function code, say) group together and stay empty.
    text_keys = [c for c in key if frame[c].dtype == object]
    filled = frame.assign(**{c: frame[c].fillna("\0") for c in text_keys})
    grouped = filled.groupby(key, sort=False)
    combined = pd.concat([grouped[numeric].sum(min_count=1), grouped[others].first()], axis=1).reset_index()
    for column in text_keys:
        combined[column] = combined[column].astype(object).where(combined[column] != "\0", None)
    if "suppressed" in frame.columns:
        # A total with a suppressed part would be a partial count shown as whole: it stays suppressed.
        hidden = grouped["suppressed"].any().reset_index(drop=True).to_numpy()
        combined["suppressed"] = hidden
        counts = [c.name for c in spec.columns if c.kind == schema.COUNT and c.name in numeric]
        combined.loc[hidden, counts] = np.nan
    return combined[frame.columns]


def _pandera_problems(frame: pd.DataFrame, spec: schema.TableSpec, label: str) -> list[Problem]:
    try:
        schema.pandera_schema(spec).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _describe_failures(errors.failure_cases, frame, spec, label)
    return []


def _describe_failures(failures: pd.DataFrame, frame: pd.DataFrame, spec: schema.TableSpec, label: str) -> list[Problem]:
    problems: list[Problem] = []
    duplicates_seen = False
    for failure in failures.itertuples(index=False):
        check = str(failure.check)
        index = failure.index
        row = int(frame.at[index, ROW]) if index is not None and not pd.isna(index) and index in frame.index else None
        column = None if pd.isna(failure.column) else str(failure.column)
        if "uniqueness" in check or "unique" in check:
            if duplicates_seen:
                continue
            duplicates_seen = True
            key = list(spec.key)
            repeated = frame[frame.duplicated(subset=key, keep=False)]
            for _, group in repeated.groupby(key, dropna=False, sort=False):
                rows = ", ".join(str(r) for r in group[ROW].head(5))
                values = ", ".join(f"{k}={group.iloc[0][k]}" for k in key if group.iloc[0][k] is not None and not (isinstance(group.iloc[0][k], float) and np.isnan(group.iloc[0][k])))
                problems.append(
                    Problem(
                        label,
                        f"Rows {rows} repeat the same key ({values}).",
                        "Keep one row per key, or add aggregate: sum to the table in the YAML to add them up.",
                        row=int(group[ROW].iloc[0]),
                        column=spec.key[0],
                    )
                )
            continue
        if "not_nullable" in check:
            problems.append(Problem(label, "The cell is empty, but this column needs a value.", "Fill it in, or remove the row.", row=row, column=column))
        elif "greater_than(" in check and column == "pupils":
            problems.append(
                Problem(
                    label,
                    f"Pupils is {failure.failure_case}; per-pupil figures need a count above zero.",
                    "Enter the building's pupil count (membership or FTE), or remove the row.",
                    row=row,
                    column=column,
                )
            )
        elif "greater_than" in check:
            problems.append(Problem(label, f"{failure.failure_case} is negative.", "Counts and amounts here cannot be below zero.", row=row, column=column))
        elif "less_than" in check:
            problems.append(Problem(label, f"{failure.failure_case} is above the maximum for this column.", "Percents are written 0-100.", row=row, column=column))
        elif "isin" in check:
            allowed = spec.column(column).allowed if column else ()
            problems.append(Problem(label, f"'{failure.failure_case}' is not an allowed value.", f"Use one of: {', '.join(allowed)} (or recode with values: in the YAML).", row=row, column=column))
        elif "column_in_dataframe" in check:
            problems.append(Problem(label, f"Column '{failure.failure_case}' is missing.", "Add it or map it.", column=str(failure.failure_case)))
        else:
            problems.append(Problem(label, f"{check} failed for {failure.failure_case!r}.", "Correct the value.", row=row, column=column))
    return problems


def _not_greater_problems(frame: pd.DataFrame, spec: schema.TableSpec, label: str) -> list[Problem]:
    problems = []
    for part, whole in spec.not_greater:
        wrong = frame[part].notna() & frame[whole].notna() & (frame[part] > frame[whole] + 1e-9)
        for index in frame.index[wrong]:
            problems.append(
                Problem(
                    label,
                    f"{part} ({frame.at[index, part]:g}) is greater than {whole} ({frame.at[index, whole]:g}).",
                    f"{part} is part of {whole}; correct one of them.",
                    row=int(frame.at[index, ROW]),
                    column=part,
                )
            )
    return problems


def load_table(
    name: str,
    source: TableSource,
    folder: Path,
    known_buildings: set[str] | None = None,
    *,
    left_out: list[LeftOut] | None = None,
    district_code: str | None = None,
) -> tuple[pd.DataFrame, list[Problem], Path]:
    """Read, map, parse and validate one table; returns the frame (with ``_row``), problems and its file.

    Spending rows the filter or only_known_buildings drops are appended to ``left_out`` when given.
    """
    spec = schema.ALL_TABLES[name]
    path = folder / str(source.file)
    label = source.file if source.sheet is None else f"{source.file} [{source.sheet}]"
    if path.is_dir():
        raise InputError([Problem(label, f"{path} is a folder, not a file.", "Give the CSV or XLSX file inside it (its path relative to data_folder).", column=f"tables.{name}.file")])
    if not path.is_file():
        # Said here rather than in read_raw, to name the YAML key that holds the wrong path.
        raise InputError([Problem(label, f"The file {path} does not exist.", "Check the file name in the review YAML (relative to data_folder).", column=f"tables.{name}.file")])
    raw = read_raw(path, sheet=source.sheet, header_row=source.header_row, delimiter=source.delimiter, encoding=source.encoding, label=label)
    mapped = bool(source.rename or source.wide_to_long or source.cases or source.constants or source.join or source.split or source.sums or source.compute or source.format)
    frame, problems = map_table(raw, source, folder, label, known_buildings)
    if not any(problem.message.startswith(FORMAT_LACKS) for problem in problems):
        # A format's file with a column missing was never mapped: its canonical columns are missing too, said once above.
        problems += _column_problems(frame, spec, label, mapped, raw.header_row)
    if problems:
        return frame, problems, path
    if frame.empty and spec.required:
        return frame, [Problem(label, "The table has a header but no data rows (after filters).", "Export the rows too, or check the filter in the YAML.", row=raw.header_row + 1)], path
    parsed, problems = parse_table(frame, spec, label)
    if problems:
        return parsed, problems, path
    if DISTRICT_ROW in frame.columns:
        parsed[DISTRICT_ROW] = frame[DISTRICT_ROW].astype(bool)
        # A district-level line may carry no building code (CEPI's FID): it is shared or left out on load.
        parsed.loc[parsed[DISTRICT_ROW] & parsed["building_code"].isna(), "building_code"] = DISTRICT_PLACEHOLDER
    if left_out is not None:
        left_out += dropped_spending(name, raw, source, parsed, folder, label, known_buildings, district_code)
    if parsed.empty:
        # An optional table the filters left empty (a district with no identified building): nothing to check.
        return parsed, [], path
    if source.aggregate == "sum":
        parsed = _aggregate(parsed, spec)
    elif source.aggregate == "last":
        parsed = parsed.drop_duplicates(subset=list(spec.key), keep="last").reset_index(drop=True)
    problems = _pandera_problems(parsed, spec, label) + _not_greater_problems(parsed, spec, label)
    return parsed, _blank_totals_problems(parsed, name, source, label, problems), path


TOTALS_PATTERN = r"\btotals?\b|^\s*all\s+(?:buildings|schools)\s*$"  # Total, Grand total, District Total, All buildings


def _totals_rows(frame: pd.DataFrame) -> pd.Series:
    """Rows whose building cell reads like a total (Total, Grand total, All buildings)."""
    found = pd.Series(False, index=frame.index)
    for column in ("building_code", "building_name"):
        if column in frame.columns:
            found |= frame[column].astype("string").fillna("").str.contains(TOTALS_PATTERN, case=False, regex=True)
    return found.astype(bool)


def _totals_fix(source: TableSource | None, values: list[str]) -> str:
    """The filter that leaves totals rows out, in the file's own column names."""
    column = _file_column(source, "building_code")
    if not values:
        return f'Delete the totals row, or add `filter: {{{column}: {{matches: "\\\\S"}}}}` to this table (rows without a building are left out); the package computes totals itself.'
    quoted = ", ".join(f'"{value}"' for value in sorted(set(values)))
    return f"Delete total and subtotal rows, or add `filter: {{{column}: {{not_in: [{quoted}]}}}}` to this table; the package computes totals itself."


def _total_row_problems(frame: pd.DataFrame, label: str, source: TableSource | None = None) -> list[Problem]:
    """A "District Total" line pasted under the data would be counted twice."""
    problems = []
    for column in ("building_code", "building_name"):
        if column not in frame.columns:
            continue
        text = frame[column].astype("string").fillna("")
        matched = frame.index[text.str.contains(TOTALS_PATTERN, case=False, regex=True)]
        fix = _totals_fix(source, [str(frame.at[index, "building_code"]) for index in matched if "building_code" in frame.columns])
        for index in matched:
            problems.append(Problem(label, f"'{frame.at[index, column]}' looks like a total row, not a building.", fix, row=int(frame.at[index, ROW]), column=column))
    return problems


def _blank_totals_problems(frame: pd.DataFrame, name: str, source: TableSource, label: str, problems: list[Problem]) -> list[Problem]:
    """A row with no building and the table's largest amount is a totals row: said so, with the filter that leaves it out,
    instead of "the cell is empty"."""
    money = SPENDING_COLUMNS.get(name)
    if money not in frame.columns or "building_code" not in frame.columns or frame[money].isna().all():
        return problems
    largest = frame[money].max()
    blank = frame.loc[frame["building_code"].isna() & (frame[money] == largest)]
    if DISTRICT_ROW in frame.columns:
        blank = blank.loc[~blank[DISTRICT_ROW].astype(bool)]
    if blank.empty or len(frame) < 3:
        return problems
    rows = set(blank[ROW])
    kept = [problem for problem in problems if not (problem.row in rows and problem.column == "building_code")]
    return kept + [
        Problem(label, f"The row has no building and the table's largest amount (${largest:,.0f}): it looks like a totals row.", _totals_fix(source, []), row=int(row), column="building_code")
        for row in sorted(rows)
    ]


def _leading_zero_problems(buildings: pd.DataFrame, label: str) -> list[Problem]:
    codes = buildings["building_code"].dropna().astype(str)
    numeric = codes[codes.str.fullmatch(r"\d+")]
    if numeric.empty:
        return []
    width = int(numeric.str.len().mode().iloc[0])
    short = buildings.index[buildings["building_code"].astype(str).str.fullmatch(rf"\d{{1,{width - 1}}}").fillna(False)] if width > 1 else []
    return [
        Problem(
            label,
            f"Building code '{buildings.at[index, 'building_code']}' is shorter than the others ({width} digits): its leading zeros were probably lost in Excel.",
            f"Format the column as text in Excel, or add zero_pad: {{building_code: {width}}} to this table in the YAML.",
            row=int(buildings.at[index, ROW]),
            column="building_code",
        )
        for index in short
    ]


def check_review(config: ReviewConfig, tables: dict[str, pd.DataFrame], labels: dict[str, str], config_label: str) -> list[Problem]:
    """Problems that only show when the tables are read together."""
    problems: list[Problem] = []
    buildings = tables["buildings"]
    problems += _total_row_problems(buildings, labels["buildings"]) + _leading_zero_problems(buildings, labels["buildings"])
    other_district = buildings.index[buildings["district_code"] != config.district_code]
    for index in other_district:
        problems.append(
            Problem(
                labels["buildings"],
                f"District code '{buildings.at[index, 'district_code']}' is not the review's district ({config.district_code}).",
                "Keep only the district's buildings (filter: in the YAML) or correct district_code.",
                row=int(buildings.at[index, ROW]),
                column="district_code",
            )
        )
    known = set(buildings["building_code"].dropna())
    for name, frame in tables.items():
        if name == "buildings" or "building_code" not in frame.columns:
            continue
        label = labels[name]
        problems += _total_row_problems(frame, label, config.tables.get(name))
        totals = _totals_rows(frame)
        unknown = ~frame["building_code"].isin(known) & frame["building_code"].notna() & ~totals
        problems += _unknown_building_problems(frame.loc[unknown], name, config.tables.get(name), label)
        if "school_year" in frame.columns and name not in schema.COMPARISON_TABLES:
            outside = frame.loc[~frame["school_year"].isin(config.school_years) & frame["school_year"].notna()]
            for year, group in outside.groupby("school_year", sort=True):
                problems += [
                    Problem(
                        label,
                        f"School year {year} is outside the review's years ({', '.join(config.school_years)}).",
                        f"Add `filter: {{{_file_column(config.tables.get(name), 'school_year')}: [{', '.join(config.school_years)}]}}` to this table, or widen `school_years` in the review YAML.",
                        row=int(row),
                        column="school_year",
                    )
                    for row in group[ROW]
                ]
    if "expenditures" in tables:
        problems += _coverage_problems(config, tables, labels)
    if "district_finances" in tables:
        problems += _comparison_problems(config, tables["district_finances"], labels["district_finances"], config_label)
    for code in config.buildings:
        if code not in known:
            near = difflib.get_close_matches(code, sorted(known), n=1)
            problems.append(
                Problem(
                    config_label,
                    f"Building '{code}' under review is not in the buildings table.",
                    f"Did you mean '{near[0]}'?" if near else "Use a building_code from the buildings table.",
                    column="buildings",
                )
            )
    problems += _option_problems(config, tables, config_label)
    return problems


def _file_column(source: TableSource | None, canonical: str) -> str:
    """The file's own name of a canonical column (the rename source), quoted for YAML when it needs it."""
    written = next((column for column, target in (source.rename if source else {}).items() if target == canonical), canonical)
    return f'"{written}"' if re.search(r"[^\w]", written) else written


def _unknown_building_problems(rows: pd.DataFrame, name: str, source: TableSource | None, label: str) -> list[Problem]:
    """One problem per unknown building: its rows and, in a spending table, the dollars they carry."""
    money = SPENDING_COLUMNS.get(name)
    problems = []
    for code, group in rows.groupby("building_code", sort=True):
        several = len(group) > 1
        carry = f" carr{'y' if several else 'ies'} ${group[money].sum():,.0f}" if money in group.columns else ""
        rows_of = f" (rows {row_ranges(list(group[ROW]))})" if several else ""
        details = f" Its {len(group):,} row{'s' if several else ''}{carry}{rows_of}." if several or carry else ""
        fix = "Add the building to the buildings table, correct the code, or set only_known_buildings: true for this table."
        if money and name in ("expenditures", "strategies"):
            condition = f'district_rows: {{{_file_column(source, "building_code")}: "{code}"}}'
            share = f"{condition} to share them among the buildings by pupils as central costs ({condition[:-1]}, share: leave_out}} to leave them out)"
            fix = f"If these are district-level costs (an administration building, say), add {share}; else " + fix[0].lower() + fix[1:]
        problems.append(Problem(label, f"Building '{code}' is not in the buildings table.{details}", fix, row=int(group[ROW].min()), column="building_code"))
    return problems


def _comparison_problems(config: ReviewConfig, finances: pd.DataFrame, label: str, config_label: str) -> list[Problem]:
    """The district, and any peers named in the YAML, must be in the state-wide table for a review year."""
    in_years = finances[finances["school_year"].isin(config.school_years)]
    codes = set(in_years["district_code"].dropna())
    problems = []
    if config.district_code not in codes:
        years = ", ".join(config.school_years)
        problems.append(
            Problem(
                label,
                f"The review's district {config.district_code} has no row for {years} in this table.",
                "Check district_code (leading zeros kept), the file's year (constants: {school_year: ...}), or remove the table.",
                column="district_code",
            )
        )
    for code in config.peers:
        if code not in codes:
            near = difflib.get_close_matches(code, sorted(codes), n=1)
            problems.append(
                Problem(
                    config_label,
                    f"Peer district '{code}' is not in the district_finances table ({label}) for the review's years.",
                    (f"Did you mean '{near[0]}'? " if near else "") + "Use district codes from that table (text, leading zeros kept).",
                    column="peers",
                )
            )
    if config.district_code in config.peers:
        problems.append(Problem(config_label, "The review's own district is listed among its peers.", "Remove it from peers: the district is always shown beside them.", column="peers"))
    return problems


def _coverage_problems(config: ReviewConfig, tables: dict[str, pd.DataFrame], labels: dict[str, str]) -> list[Problem]:
    """Spending without pupils cannot be put per pupil: every building-year with spending needs enrollment."""
    enrollment = tables["enrollment"]
    spending = tables["expenditures"]
    known = set(tables["buildings"]["building_code"].dropna())
    # Unknown buildings, totals rows and years outside the review are reported once, by their own problems.
    spent = spending.loc[spending["building_code"].isin(known) & spending["school_year"].isin(config.school_years), ["building_code", "school_year"]].drop_duplicates()
    counted = set(zip(enrollment["building_code"], enrollment["school_year"]))
    missing = [(code, year) for code, year in zip(spent["building_code"], spent["school_year"]) if (code, year) not in counted]
    return [Problem(labels["enrollment"], f"Building {code} has spending in {year} but no pupils.", "Add the building's enrollment for that year.", column="pupils") for code, year in missing]


def _option_problems(config: ReviewConfig, tables: dict[str, pd.DataFrame], config_label: str) -> list[Problem]:
    option = config.option
    problems = []
    if option.number == 1:
        problems += _student_group_problems(option.student_group, tables, config_label)
    if option.number == 2:
        strategies = tables.get("strategies")
        if option.strategy is None:
            problems.append(Problem(config_label, "Review option 2 (MICIP strategy) needs the strategy to review.", "Set option.strategy to the strategy's name.", column="option.strategy"))
        elif strategies is not None and option.strategy not in set(strategies["strategy"]):
            names = sorted(set(strategies["strategy"]))
            near = difflib.get_close_matches(option.strategy, names, n=1)
            problems.append(
                Problem(
                    config_label,
                    f"Strategy '{option.strategy}' is not in the strategies table.",
                    (f"Did you mean '{near[0]}'? " if near else "") + f"Strategies found: {', '.join(names)}.",
                    column="option.strategy",
                )
            )
    return problems


def _student_group_problems(group: str, tables: dict[str, pd.DataFrame], config_label: str) -> list[Problem]:
    """Option 1 reviews one student group: refuse a group the data lack entirely, or every report would be empty."""
    enrollment = tables["enrollment"]
    outcomes = tables.get("outcomes")
    counted = group in enrollment.columns and bool(enrollment[group].notna().any())
    tested = outcomes is not None and bool((outcomes["student_group"] == group).any())
    if counted or tested:
        return []
    present = [name for name in schema.NEED_GROUPS if name in enrollment.columns and enrollment[name].notna().any()]
    if outcomes is not None:
        present += [name for name in sorted(set(outcomes["student_group"].dropna())) if name != "all" and name not in present]
    return [
        Problem(
            config_label,
            f"Review option 1 studies {group.replace('_', ' ')}, but neither the enrollment column '{group}' nor any outcomes row has that group.",
            f"Choose a group the data have ({', '.join(present) or 'none found'}) in option.student_group, or add the group's counts to the enrollment or outcomes table.",
            column="option.student_group",
        )
    ]


def load_review(config_path: Path | str, *, data_folder: Path | None = None) -> Review:
    """Load and validate a whole review, raising :class:`InputError` with every problem found."""
    config_path = Path(config_path)
    config, folder = load_config(config_path, data_folder=data_folder)
    tables: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    files: list[Path] = [config_path]
    problems: list[Problem] = []
    left_out: list[LeftOut] = []
    for name in schema.ALL_TABLES:
        source = config.tables.get(name)
        if source is None or source.from_ledger:
            continue
        labels[name] = str(source.file)
        known = set(tables["buildings"]["building_code"].dropna()) if "buildings" in tables else None
        try:
            frame, table_problems, path = load_table(name, source, folder, known, left_out=left_out, district_code=config.district_code)
        except InputError as error:
            problems += error.problems
            continue
        files.append(path)
        files += [folder / join.file for join in source.join]
        problems += table_problems
        if not table_problems:
            tables[name] = frame
    if problems:
        raise InputError(problems)
    spending = config.tables.get("expenditures")
    if spending is not None and spending.ledger_rule is not None:
        labels["expenditures"] = f"expenditures (summed from the ledger, {config.tables['ledger'].file})"
        frame, problems = _expenditures_from_ledger(tables, spending.ledger_rule, labels["expenditures"])
        if problems:
            raise InputError(problems)
        tables["expenditures"] = frame
        if spending.ledger_rule.district_lines == "leave_out":
            lines = ledger.counted_lines(tables["ledger"], spending.ledger_rule)
            district = lines.loc[~lines["location"].isin(set(tables["buildings"]["building_code"].dropna()))]
            for year, group in district.groupby("school_year", sort=True):
                left_out.append(LeftOut("expenditures", labels["expenditures"], str(year), len(group), float(group["actual"].sum()), DISTRICT_LINES))
    problems = _resolve_district_rows(config, tables, labels, left_out)
    if problems:
        raise InputError(problems)
    problems = check_review(config, tables, labels, str(config_path))
    # The prompts and the answers are printed by every report: checked here, as the reports read them.
    problems += protocol_file_problems(config_path, config.prompts_file, config.responses_file, set(tables["buildings"]["building_code"].dropna()))
    if problems:
        raise InputError(problems)
    clean = {name: _finish(frame, schema.ALL_TABLES[name]) for name, frame in tables.items()}
    review = Review(config=config, config_path=config_path.resolve(), data_folder=folder, tables=clean, input_files=sorted(set(files)), left_out=left_out)
    problems = _determination_scope_problems(review)
    if problems:
        raise InputError(problems)
    return review


def _determination_scope_problems(review: Review) -> list[Problem]:
    """A determination for a building the review does not review: no report prints it, yet it would go into
    the MICIP export. (Its entries' content is checked by rar_protocol.analyses.determination.)"""
    name = review.config.determination_file
    if not name:
        return []
    path = review.config_path.parent / name
    raw = read_yaml(path)
    entries = raw.get("buildings") if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        return []
    known = set(review.tables["buildings"]["building_code"])
    under_review = review.buildings_under_review()
    return [
        Problem(
            str(path),
            f"Building {code} ({review.building_name(code)}) has a determination but is not under review (under review: {', '.join(under_review) or 'none'}).",
            "Correct the building code, remove the entry, or add the building to buildings: in the review YAML.",
            column=f"buildings.{code}",
        )
        for code in sorted(str(key) for key in entries)
        if code in known and code not in under_review
    ]


def _resolve_district_rows(config: ReviewConfig, tables: dict[str, pd.DataFrame], labels: dict[str, str], left_out: list[LeftOut]) -> list[Problem]:
    """Rows named by district_rows: shared among the buildings by pupils as central costs (as from_ledger
    shares its district lines), or left out and recorded in ``left_out``."""
    problems: list[Problem] = []
    for name, frame in list(tables.items()):
        source = config.tables.get(name)
        if source is None or source.district_rows is None or DISTRICT_ROW not in frame.columns:
            continue
        marked = frame[DISTRICT_ROW].astype(bool)
        own, district = frame.loc[~marked].drop(columns=[DISTRICT_ROW]), frame.loc[marked].drop(columns=[DISTRICT_ROW])
        if source.district_rows.share == "leave_out" or district.empty:
            column = SPENDING_COLUMNS[name]
            for year, group in district.groupby("school_year", sort=True):
                left_out.append(LeftOut(name, labels[name], str(year), int(group[ROW].nunique()), float(group[column].sum()), DISTRICT_ROWS))
            tables[name] = own
            continue
        buildings = set(tables["buildings"]["building_code"].dropna())
        shared, share_problems = ledger.allocate_per_pupil(
            district,
            buildings,
            tables["enrollment"],
            labels[name],
            what="District-level rows (district_rows)",
            fix="Add that year's enrollment, or write share: leave_out under district_rows.",
            column="district_rows",
        )
        problems += share_problems
        tables[name] = ledger.summed_by_key(pd.concat([own, shared], ignore_index=True))
    return problems


def _expenditures_from_ledger(tables: dict[str, pd.DataFrame], rule: FromLedger, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """The expenditures table summed from the loaded ledger, validated like a file would be."""
    buildings = set(tables["buildings"]["building_code"].dropna())
    frame, problems = ledger.building_expenditures(tables["ledger"], buildings=buildings, enrollment=tables["enrollment"], rule=rule, label=label)
    if problems:
        return frame, problems
    return frame, _pandera_problems(frame, schema.EXPENDITURES, label)


def _finish(frame: pd.DataFrame, spec: schema.TableSpec) -> pd.DataFrame:
    """Canonical column order, rows sorted by key: the same inputs always give the same tables."""
    ordered = frame[spec.column_names]
    if spec.key:
        ordered = ordered.sort_values(list(spec.key), kind="stable", na_position="first")
    return ordered.reset_index(drop=True)
