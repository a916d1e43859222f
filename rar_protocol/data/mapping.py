"""Apply a table's YAML mapping to a file's text columns, producing canonical column names.

A district whose export looks different writes only YAML: filter rows, join another file, derive
columns with cases, turn wide fund-source columns into rows, rename, recode values, add constants,
zero-pad codes and sum duplicates. Values stay text here; parsing into types comes after.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from rar_protocol.data.compute import columns_of, evaluate, parse_expression
from rar_protocol.data.config import Case, Condition, ConditionValue, Join, Split, TableSource
from rar_protocol.data.parsing import is_suppression_marker, parse_number
from rar_protocol.data.problems import Problem
from rar_protocol.data.reading import ROW, RawTable, read_raw
from rar_protocol.errors import InputError

FORMAT_LACKS = "The file lacks column(s) the"  # a format's missing columns: the one problem worth saying about its file
DISTRICT_ROW = "_district_row"  # hidden column: the row is a district-level cost named by district_rows
MAPPING_HELP = "See the mapping keys in README.md (filter, split, join, sums, compute, cases, wide_to_long, rename, values, constants, zero_pad)."
SUPPRESSED_TEXT = "*"  # a sum with a suppressed part is suppressed, never a partial total


def _condition_mask(frame: pd.DataFrame, column: str, condition: ConditionValue, label: str) -> pd.Series:
    if column not in frame.columns:
        raise InputError(
            [
                Problem(
                    label, f"The mapping refers to column '{column}', which the file does not have.", f"Columns found: {', '.join(c for c in frame.columns if c != ROW)}. {MAPPING_HELP}", column=column
                )
            ]
        )
    text = frame[column].astype("string").str.strip().fillna("")
    if isinstance(condition, Condition):
        mask = pd.Series(True, index=frame.index)
        if condition.equals is not None:
            mask &= text == condition.equals
        if condition.one_of is not None:
            mask &= text.isin([str(value) for value in condition.one_of])
        if condition.not_in is not None:
            mask &= ~text.isin([str(value) for value in condition.not_in])
        if condition.matches is not None:
            with warnings.catch_warnings():
                # Groups in a pattern ("(ela|math)") only group here; pandas warns they are not extracted.
                warnings.filterwarnings("ignore", "This pattern is interpreted as a regular expression", UserWarning)
                mask &= text.str.contains(condition.matches, regex=True, flags=re.IGNORECASE)
        return mask
    if isinstance(condition, list):
        return text.isin([_as_text(value) for value in condition])
    return text == _as_text(condition)


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def conditions_hold(frame: pd.DataFrame, conditions: dict[str, ConditionValue], label: str) -> pd.Series:
    """True on the rows where every condition holds (filter syntax)."""
    mask = pd.Series(True, index=frame.index)
    for column, condition in conditions.items():
        mask &= _condition_mask(frame, column, condition, label)
    return mask


def apply_filter(frame: pd.DataFrame, conditions: dict[str, ConditionValue], label: str) -> pd.DataFrame:
    """Keep the rows where every condition holds."""
    return frame.loc[conditions_hold(frame, conditions, label)]


def _found(frame: pd.DataFrame) -> str:
    return ", ".join(str(column) for column in frame.columns if column != ROW)


def add_text_numbers(parts: list[pd.Series]) -> pd.Series:
    """The row-wise total of text numbers, as text: suppressed when any part is, empty when any part is."""
    suppressed = pd.Series(False, index=parts[0].index)
    blank = pd.Series(False, index=parts[0].index)
    total = pd.Series(0.0, index=parts[0].index)
    for part in parts:
        marked = is_suppression_marker(part)
        values, _ = parse_number(part.where(~marked))
        suppressed |= marked
        blank |= values.isna() & ~marked
        total += values.fillna(0.0)
    text = total.map(lambda value: format(value, ".15g")).astype("object")
    text[blank] = None
    text[suppressed] = SUPPRESSED_TEXT
    return text


def _unreadable_parts(frame: pd.DataFrame, columns: list[str], label: str, purpose: str) -> list[Problem]:
    """Cells that are neither numbers, blanks nor suppression markers, where a sum needs numbers."""
    problems = []
    for column in columns:
        marked = is_suppression_marker(frame[column])
        _, bad = parse_number(frame[column].where(~marked))
        for index in frame.index[bad]:
            row = int(frame.at[index, ROW]) if ROW in frame.columns else None
            problems.append(
                Problem(
                    label,
                    f"'{frame.at[index, column]}' is not a number, but {purpose} adds this column up.",
                    "Write a plain number; suppression markers such as * or <10 are kept as suppressed.",
                    row=row,
                    column=column,
                )
            )
    return problems


def apply_sums(frame: pd.DataFrame, sums: dict[str, list[str]], label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """New columns that add up other columns (free + reduced-price lunch, say); suppression is kept."""
    problems: list[Problem] = []
    frame = frame.copy()
    for target, parts in sums.items():
        missing = [column for column in parts if column not in frame.columns]
        if missing:
            raise InputError(
                [Problem(label, f"sums adds up column(s) {', '.join(missing)} for '{target}', which the file does not have.", f"Columns found: {_found(frame)}. {MAPPING_HELP}", column=missing[0])]
            )
        problems += _unreadable_parts(frame, parts, label, f"sums ({target})")
        frame[target] = add_text_numbers([frame[column] for column in parts])
    return frame, problems


def apply_compute(frame: pd.DataFrame, compute: dict[str, str], label: str, header_row: int | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """New or replaced columns computed row by row (``round(lunch * enroll / 100)``); blanks and suppression are kept."""
    problems: list[Problem] = []
    frame = frame.copy()
    for target, expression in compute.items():
        tree = parse_expression(expression)
        missing = [column for column in columns_of(tree) if column not in frame.columns]
        if missing:
            # Later steps would only repeat the missing column under its new name: stop here.
            raise InputError(
                [
                    Problem(
                        label,
                        f"compute for '{target}' ({expression}) uses column(s) {', '.join(missing)}, which the file does not have.",
                        f"Columns found: {_found(frame)}. A name with spaces or symbols goes in backticks (`Fed $`). {MAPPING_HELP}",
                        row=header_row,
                        column=missing[0],
                    )
                ]
            )
        result = evaluate(tree, frame)
        for column, bad in result.unreadable.items():
            problems += [
                Problem(
                    label,
                    f"'{frame.at[index, column]}' is not a number, but compute for '{target}' ({expression}) uses this column.",
                    "Write a plain number; blanks and suppression markers such as * or <10 are kept as blank or suppressed.",
                    row=_row_of(frame, index),
                    column=column,
                )
                for index in frame.index[bad]
            ]
        problems += [
            Problem(
                label,
                f"compute for '{target}' ({expression}) divides by zero on this row.",
                "Correct the zero (a count of 0 pupils, say), leave the cell blank if the value is unknown, or filter the row out.",
                row=_row_of(frame, index),
                column=target,
            )
            for index in frame.index[result.divided_by_zero]
        ]
        frame[target] = result.as_text()
    return frame, problems


def _row_of(frame: pd.DataFrame, index: object) -> int | None:
    return int(frame.at[index, ROW]) if ROW in frame.columns else None


def _summed_by_key(other: pd.DataFrame, join: Join) -> pd.DataFrame:
    """The joined file's rows added up per key, columns with the same new name added together."""
    targets = list(dict.fromkeys(join.columns.values()))
    combined = other[list(join.key)].copy()
    for target in targets:
        combined[target] = add_text_numbers([other[source] for source, name in join.columns.items() if name == target])
    summed = combined[list(join.key)].drop_duplicates().reset_index(drop=True)
    for target in targets:
        marked = combined[target] == SUPPRESSED_TEXT
        values, _ = parse_number(combined[target].where(~marked))
        grouped = pd.DataFrame({"value": values, "marked": marked, **{k: combined[k] for k in join.key}}).groupby(list(join.key), sort=False, dropna=False)
        totals = grouped["value"].sum(min_count=1)
        any_marked = grouped["marked"].any()
        text = totals.map(lambda value: None if pd.isna(value) else format(value, ".15g")).astype("object")
        text[any_marked] = SUPPRESSED_TEXT
        summed = summed.merge(text.rename(target).reset_index(), on=list(join.key), how="left")
    return summed


def _apply_join(frame: pd.DataFrame, join: Join, folder: Path, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    other = read_raw(folder / join.file, sheet=join.sheet, header_row=join.header_row).frame
    other = apply_filter(other, join.filter, join.file)
    missing = [column for column in [*join.key, *join.columns] if column not in other.columns]
    if missing:
        raise InputError([Problem(join.file, f"The join needs column(s) {', '.join(missing)}, which the file does not have.", f"Columns found: {_found(other)}.", column=missing[0])])
    table_key = join.table_key or join.key
    for column in table_key:
        if column not in frame.columns:
            raise InputError([Problem(label, f"The join matches on '{column}', which the file does not have.", MAPPING_HELP, column=column)])
    problems: list[Problem] = []
    if join.aggregate == "sum":
        problems = _unreadable_parts(other, list(join.columns), join.file, "the join")
        right = _summed_by_key(other, join)
    else:
        right = other[[*join.key, *join.columns]].rename(columns=join.columns)
    duplicated = right.duplicated(subset=join.key, keep=False)
    if duplicated.any():
        raise InputError(
            [
                Problem(
                    join.file,
                    f"The join key {', '.join(join.key)} is not unique in this file ({int(duplicated.sum())} rows share a key).",
                    "Add a filter to the join so one row remains per key.",
                    column=join.key[0],
                )
            ]
        )
    joined = frame.merge(right, how="left", left_on=table_key, right_on=join.key, suffixes=("", "_joined"))
    return joined, problems


def apply_split(frame: pd.DataFrame, split: Split, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Cut one column into named segments (fund, function, object, location, program of an account string)."""
    if split.column not in frame.columns:
        raise InputError(
            [
                Problem(
                    label,
                    f"The account column '{split.column}' that split: cuts into segments is not in the file.",
                    f"Expected layout: {split.layout()}. Columns found: {_found(frame)}. Set split.column to the column holding the account string. {MAPPING_HELP}",
                    column=split.column,
                )
            ]
        )
    text = frame[split.column].astype("string").str.strip()
    parts, fits = _cut(text, split)
    problems = []
    for index in frame.index[~fits]:
        value = text[index]
        found = "an empty cell" if pd.isna(value) or value == "" else f"'{value}'" + _what_was_found(str(value), split)
        problems.append(
            Problem(
                label,
                f"The account {found} does not fit the layout: {split.layout()}.",
                "Correct the account, filter the row out, or set split: in the YAML to your vendor's layout (order, widths, separator).",
                row=int(frame.at[index, ROW]),
                column=split.column,
            )
        )
    frame = frame.copy()
    for position, name in enumerate(split.segments):
        if name:
            frame[name] = parts[position].where(fits, None).astype("object")
    return frame, problems


def _cut(text: pd.Series, split: Split) -> tuple[list[pd.Series], pd.Series]:
    """The segments of each string and whether the string fits the layout."""
    count = len(split.segments)
    filled = text.fillna("")
    if split.separator is not None:
        pieces = filled.str.split(split.separator, regex=False)
        fits = pieces.map(len) == count
        parts = [pieces.map(lambda items, position=position: items[position].strip() if len(items) == count else None) for position in range(count)]
        if split.widths is not None:
            for part, width in zip(parts, split.widths):
                fits &= part.fillna("").str.len() == width
    else:
        widths = split.widths or []
        fits = (filled.str.len() == sum(widths)) & filled.str.fullmatch(r"\S+").fillna(False)
        starts = np.cumsum([0, *widths[:-1]])
        parts = [filled.str.slice(int(start), int(start) + width) for start, width in zip(starts, widths)]
    fits &= filled != ""
    return parts, fits.astype(bool)


def _what_was_found(value: str, split: Split) -> str:
    if split.separator is not None:
        pieces = value.split(split.separator)
        found = f" has {len(pieces)} segment{'s' if len(pieces) != 1 else ''}"
        if split.widths is not None and len(pieces) == len(split.segments):
            found += " of widths " + ", ".join(str(len(piece.strip())) for piece in pieces)
        return found
    return f" has {len(value)} characters"


def _apply_cases(frame: pd.DataFrame, column: str, cases: list[Case], label: str) -> pd.Series:
    result = pd.Series(None, index=frame.index, dtype="object")
    decided = pd.Series(False, index=frame.index)
    for case in cases:
        mask = ~decided
        for source, condition in case.when.items():
            mask &= _condition_mask(frame, source, condition, label)
        if case.copy_from is not None:
            if case.copy_from not in frame.columns:
                raise InputError([Problem(label, f"Case for '{column}' copies from '{case.copy_from}', which the file does not have.", MAPPING_HELP, column=case.copy_from)])
            result[mask] = frame.loc[mask, case.copy_from]
        else:
            result[mask] = None if case.value is None else _as_text(case.value)
        decided |= mask
    return result


def _wide_to_long(frame: pd.DataFrame, source: TableSource, label: str) -> tuple[pd.DataFrame, list[Problem]]:
    spec = source.wide_to_long
    assert spec is not None
    missing = [column for column in spec.columns if column not in frame.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    label, f"wide_to_long needs column(s) {', '.join(missing)}, which the file does not have.", f"Columns found: {', '.join(c for c in frame.columns if c != ROW)}.", column=missing[0]
                )
            ]
        )
    problems: list[Problem] = []
    if spec.total:
        problems = _check_total(frame, list(spec.columns), spec.total, spec.total_tolerance, label)
    keep = [column for column in frame.columns if column not in spec.columns and column != spec.total]
    long = frame.melt(id_vars=keep, value_vars=list(spec.columns), var_name=spec.name, value_name=spec.value)
    for part, assigned in spec.set.items():
        for column, value in assigned.items():
            if column not in long.columns:
                long[column] = None
            long.loc[long[spec.name] == part, column] = value
    long[spec.name] = long[spec.name].map(spec.columns)
    # A blank part is no dollars of that source: no row (a zero would be a figure nobody published).
    long = long[long[spec.value].astype("string").fillna("").str.strip() != ""]
    return long.sort_values([ROW, spec.name], kind="stable").reset_index(drop=True), problems


def _check_total(frame: pd.DataFrame, parts: list[str], total: str, tolerance: float, label: str) -> list[Problem]:
    """Each row's parts must add up to its total column, within ``tolerance`` dollars of rounding."""
    from rar_protocol.data.parsing import parse_number

    if total not in frame.columns:
        return [Problem(label, f"The total column '{total}' is not in the file.", "Remove 'total' from wide_to_long or fix its name.", column=total)]
    parts_sum = sum(parse_number(frame[column])[0].fillna(0.0) for column in parts)
    total_values = parse_number(frame[total])[0]
    wrong = total_values.notna() & ((parts_sum - total_values).abs() > tolerance)
    problems = [
        Problem(
            label,
            f"The fund sources add up to {parts_sum[index]:,.2f} but '{total}' says {total_values[index]:,.2f}.",
            f"Correct the amounts, or the total, so that they agree (or raise total_tolerance, now {tolerance:g}, if the file rounds them separately).",
            row=int(frame.at[index, ROW]),
            column=total,
        )
        for index in frame.index[wrong]
    ]
    return problems


def _keep_known_buildings(frame: pd.DataFrame, source: TableSource, known_buildings: set[str]) -> pd.DataFrame:
    """Rows of the review's buildings only, when a state-wide file serves one district (district-level rows stay)."""
    column = next((name for name, target in source.rename.items() if target == "building_code"), "building_code")
    if column not in frame.columns:
        return frame
    codes = frame[column].astype("string").str.strip().str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    width = source.zero_pad.get("building_code")
    if width:
        codes = codes.str.zfill(width)
    keep = codes.isin(known_buildings).fillna(False)
    if DISTRICT_ROW in frame.columns:
        keep |= frame[DISTRICT_ROW].astype(bool)
    return frame.loc[keep]


def columns_read(source: TableSource) -> list[str]:
    """The file's own columns a mapping reads (filter, split, join keys, sums, compute, cases, wide_to_long, rename)."""
    created: set[str] = set()
    read: list[str] = []

    def reads(*columns: str | None) -> None:
        read.extend(column for column in columns if column and column not in created and column not in read)

    reads(*source.filter)
    if source.split:
        reads(source.split.column)
        created.update(name for name in source.split.segments if name)
    if source.district_rows is not None:
        reads(*source.district_rows.when)
    for join in source.join:
        reads(*(join.table_key or join.key))
        created.update(join.columns.values())
    for target, parts in source.sums.items():
        reads(*parts)
        created.add(target)
    for target, expression in source.compute.items():
        reads(*columns_of(parse_expression(expression)))
        created.add(target)
    for target, cases in source.cases.items():
        for case in cases:
            reads(*case.when, case.copy_from)
        created.add(target)
    if source.wide_to_long:
        reads(*source.wide_to_long.columns, source.wide_to_long.total)
        created.update((source.wide_to_long.name, source.wide_to_long.value, *(column for assigned in source.wide_to_long.set.values() for column in assigned)))
    reads(*source.rename)
    return read


def _format_problems(frame: pd.DataFrame, source: TableSource, label: str) -> list[Problem]:
    """With a built-in format, every column it reads must be there: name the expected and the found."""
    expected = columns_read(source)
    missing = [column for column in expected if column not in frame.columns]
    if not missing:
        return []
    return [
        Problem(
            label,
            f"{FORMAT_LACKS} '{source.format}' format reads: {', '.join(missing)}.",
            f"Columns expected: {', '.join(expected)}. Columns found: {_found(frame)}. If your file names them differently, map yours in this table's YAML "
            "(rename: {your column: canonical name}, or filter/cases/split with your names); your keys are laid over the format's. "
            "Mapping syntax: README.md, 'Mapping a district's own export'; formats: docs/data_dictionary.md.",
            column=missing[0],
        )
    ]


def _folded(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def match_headers(frame: pd.DataFrame, source: TableSource) -> pd.DataFrame:
    """A format's columns found under this year's spelling: case, spaces and underscores aside, or a known variant."""
    wanted = list(dict.fromkeys([*columns_read(source), *source.headers]))
    by_fold = {_folded(column): column for column in frame.columns if column != ROW}
    renames = {}
    for name in wanted:
        if name in frame.columns:
            continue
        for spelling in [name, *source.headers.get(name, [])]:
            found = by_fold.get(_folded(spelling))
            if found is not None and found not in renames and found not in wanted:
                renames[found] = name
                break
    return frame.rename(columns=renames) if renames else frame


def map_table(raw: RawTable, source: TableSource, folder: Path, label: str, known_buildings: set[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply ``source``'s mapping to ``raw``; returns text columns under canonical names and any problems."""
    if source.format or source.headers:
        raw = RawTable(match_headers(raw.frame, source), raw.path, raw.header_row)
    if source.format:
        # Built-in formats read known layouts; a renamed column is one problem naming both lists.
        problems = _format_problems(raw.frame, source, label)
        if problems:
            return raw.frame, problems
    frame = apply_filter(raw.frame, source.filter, label)
    problems: list[Problem] = []
    if source.split:
        frame, problems = apply_split(frame, source.split, label)
    if source.district_rows is not None:
        # Marked on the file's own columns, carried hidden through the steps, shared or left out on load.
        frame = frame.assign(**{DISTRICT_ROW: conditions_hold(frame, source.district_rows.when, label)})
    if source.only_known_buildings and known_buildings is not None:
        frame = _keep_known_buildings(frame, source, known_buildings)
    for join in source.join:
        frame, join_problems = _apply_join(frame, join, folder, label)
        problems += join_problems
    if source.sums:
        frame, sum_problems = apply_sums(frame, source.sums, label)
        problems += sum_problems
    if source.compute:
        frame, compute_problems = apply_compute(frame, source.compute, label, raw.header_row)
        problems += compute_problems
    derived = {column: _apply_cases(frame, column, cases, label) for column, cases in source.cases.items()}
    for column, values in derived.items():
        frame[column] = values
    if source.wide_to_long:
        frame, long_problems = _wide_to_long(frame, source, label)
        problems += long_problems
    missing_renames = [column for column in source.rename if column not in frame.columns]
    if missing_renames:
        problems.append(
            Problem(
                label,
                f"The mapping renames column(s) {', '.join(missing_renames)}, which the file does not have.",
                f"Columns found: {', '.join(c for c in frame.columns if c != ROW)}. {MAPPING_HELP}",
                column=missing_renames[0],
            )
        )
    # Renamed-away columns must not collide with an existing canonical name.
    frame = frame.drop(columns=[c for c in source.rename.values() if c in frame.columns and c not in source.rename])
    frame = frame.rename(columns=source.rename)
    for column, recoding in source.values.items():
        if column in frame.columns:
            frame[column] = _recode(frame[column], recoding)
    for column, value in source.constants.items():
        frame[column] = None if value is None else _as_text(value)
    for column, width in source.zero_pad.items():
        if column in frame.columns:
            text = frame[column].astype("string").str.strip().str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
            frame[column] = text.where(~text.str.fullmatch(r"\d+").fillna(False), text.str.zfill(width)).astype("object")
    return frame, problems


def _recode(series: pd.Series, recoding: dict[str, object]) -> pd.Series:
    """Map source values to canonical ones; "*" is the value for anything not listed."""
    lookup = {str(key).strip(): value for key, value in recoding.items()}
    fallback = lookup.pop("*", np.nan)
    # Published files change a letter's case between years ("Students With Disabilities").
    folded = {key.casefold(): value for key, value in lookup.items()}

    def convert(value: object) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return value
        text = str(value).strip()
        if text in lookup:
            return lookup[text]
        if text.casefold() in folded:
            return folded[text.casefold()]
        return value if isinstance(fallback, float) and np.isnan(fallback) else fallback

    return series.map(convert).astype("object")
