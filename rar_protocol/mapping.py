"""Apply a table's YAML mapping to a file's text columns, producing canonical column names.

A district whose export looks different writes only YAML: filter rows, join another file, derive
columns with cases, turn wide fund-source columns into rows, rename, recode values, add constants,
zero-pad codes and sum duplicates. Values stay text here; parsing into types comes after.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from rar_protocol.config import Case, Condition, ConditionValue, Join, TableSource
from rar_protocol.problems import InputError, Problem
from rar_protocol.reading import ROW, RawTable, read_raw

MAX_PROBLEMS_PER_COLUMN = 20  # a whole column of bad cells is one mistake, not thousands
MAPPING_HELP = "See the mapping keys in README.md (filter, join, cases, wide_to_long, rename, values, constants, zero_pad)."


def _condition_mask(frame: pd.DataFrame, column: str, condition: ConditionValue, label: str) -> pd.Series:
    if column not in frame.columns:
        raise InputError([Problem(label, f"The mapping refers to column '{column}', which the file does not have.", f"Columns found: {', '.join(c for c in frame.columns if c != ROW)}. {MAPPING_HELP}", column=column)])
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
            mask &= text.str.contains(condition.matches, regex=True, flags=re.IGNORECASE)
        return mask
    if isinstance(condition, list):
        return text.isin([_as_text(value) for value in condition])
    return text == _as_text(condition)


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def apply_filter(frame: pd.DataFrame, conditions: dict[str, ConditionValue], label: str) -> pd.DataFrame:
    """Keep the rows where every condition holds."""
    mask = pd.Series(True, index=frame.index)
    for column, condition in conditions.items():
        mask &= _condition_mask(frame, column, condition, label)
    return frame.loc[mask]


def _apply_join(frame: pd.DataFrame, join: Join, folder: Path, label: str) -> pd.DataFrame:
    other = read_raw(folder / join.file, sheet=join.sheet, header_row=join.header_row).frame
    other = apply_filter(other, join.filter, join.file)
    missing = [column for column in [*join.key, *join.columns] if column not in other.columns]
    if missing:
        raise InputError([Problem(join.file, f"The join needs column(s) {', '.join(missing)}, which the file does not have.", f"Columns found: {', '.join(c for c in other.columns if c != ROW)}.", column=missing[0])])
    table_key = join.table_key or join.key
    for column in table_key:
        if column not in frame.columns:
            raise InputError([Problem(label, f"The join matches on '{column}', which the file does not have.", MAPPING_HELP, column=column)])
    right = other[[*join.key, *join.columns]].rename(columns=join.columns)
    duplicated = right.duplicated(subset=join.key, keep=False)
    if duplicated.any():
        raise InputError([Problem(join.file, f"The join key {', '.join(join.key)} is not unique in this file ({int(duplicated.sum())} rows share a key).", "Add a filter to the join so one row remains per key.", column=join.key[0])])
    return frame.merge(right, how="left", left_on=table_key, right_on=join.key, suffixes=("", "_joined"))


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
        raise InputError([Problem(label, f"wide_to_long needs column(s) {', '.join(missing)}, which the file does not have.", f"Columns found: {', '.join(c for c in frame.columns if c != ROW)}.", column=missing[0])])
    problems: list[Problem] = []
    if spec.total:
        problems = _check_total(frame, list(spec.columns), spec.total, spec.total_tolerance, label)
    keep = [column for column in frame.columns if column not in spec.columns and column != spec.total]
    long = frame.melt(id_vars=keep, value_vars=list(spec.columns), var_name=spec.name, value_name=spec.value)
    long[spec.name] = long[spec.name].map(spec.columns)
    return long.sort_values([ROW, spec.name], kind="stable").reset_index(drop=True), problems


def _check_total(frame: pd.DataFrame, parts: list[str], total: str, tolerance: float, label: str) -> list[Problem]:
    """Each row's parts must add up to its total column, within ``tolerance`` dollars of rounding."""
    from rar_protocol.parsing import parse_number

    if total not in frame.columns:
        return [Problem(label, f"The total column '{total}' is not in the file.", "Remove 'total' from wide_to_long or fix its name.", column=total)]
    parts_sum = sum(parse_number(frame[column])[0].fillna(0.0) for column in parts)
    total_values = parse_number(frame[total])[0]
    wrong = total_values.notna() & ((parts_sum - total_values).abs() > tolerance)
    problems = [
        Problem(label, f"The fund sources add up to {parts_sum[index]:,.2f} but '{total}' says {total_values[index]:,.2f}.", f"Correct the amounts, or the total, so that they agree (or raise total_tolerance, now {tolerance:g}, if the file rounds them separately).", row=int(frame.at[index, ROW]), column=total)
        for index in frame.index[wrong]
    ]
    if len(problems) > MAX_PROBLEMS_PER_COLUMN:
        problems = problems[:MAX_PROBLEMS_PER_COLUMN] + [Problem(label, f"{len(problems) - MAX_PROBLEMS_PER_COLUMN} more rows do not add up to '{total}'.", "", column=total)]
    return problems


def _keep_known_buildings(frame: pd.DataFrame, source: TableSource, known_buildings: set[str]) -> pd.DataFrame:
    """Rows of the review's buildings only, when a state-wide file serves one district."""
    column = next((name for name, target in source.rename.items() if target == "building_code"), "building_code")
    if column not in frame.columns:
        return frame
    codes = frame[column].astype("string").str.strip().str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    width = source.zero_pad.get("building_code")
    if width:
        codes = codes.str.zfill(width)
    return frame.loc[codes.isin(known_buildings).fillna(False)]


def map_table(
    raw: RawTable, source: TableSource, folder: Path, label: str, known_buildings: set[str] | None = None
) -> tuple[pd.DataFrame, list[Problem]]:
    """Apply ``source``'s mapping to ``raw``; returns text columns under canonical names and any problems."""
    frame = apply_filter(raw.frame, source.filter, label)
    if source.only_known_buildings and known_buildings is not None:
        frame = _keep_known_buildings(frame, source, known_buildings)
    for join in source.join:
        frame = _apply_join(frame, join, folder, label)
    derived = {column: _apply_cases(frame, column, cases, label) for column, cases in source.cases.items()}
    for column, values in derived.items():
        frame[column] = values
    problems: list[Problem] = []
    if source.wide_to_long:
        frame, problems = _wide_to_long(frame, source, label)
    missing_renames = [column for column in source.rename if column not in frame.columns]
    if missing_renames:
        problems.append(Problem(label, f"The mapping renames column(s) {', '.join(missing_renames)}, which the file does not have.", f"Columns found: {', '.join(c for c in frame.columns if c != ROW)}. {MAPPING_HELP}", column=missing_renames[0]))
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

    def convert(value: object) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return value
        text = str(value).strip()
        if text in lookup:
            return lookup[text]
        return value if isinstance(fallback, float) and np.isnan(fallback) else fallback

    return series.map(convert).astype("object")
