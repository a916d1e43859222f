"""Turn the text of a district's export into typed values, leniently but never silently.

Each parser takes a Series of raw strings (missing cells as NA) and returns the parsed Series
plus a boolean Series marking the cells that could not be read. Suppression markers in count
and percent columns are not errors: they come back as NA with a separate "suppressed" mask.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from rar_protocol.data import schema

SUPPRESSION_PATTERN = re.compile(r"^\s*(\*+|[<>≤]\s*=?\s*\d+(\.\d+)?\s*%?|n\s*[<≤]\s*\d+|n/?a|suppressed|--+|‡|†)\s*$", re.IGNORECASE)
_NUMBER_PATTERN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS_PATTERN = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")

# Spellings seen in real exports, mapped to the canonical value (after lower-casing and
# turning spaces and hyphens into underscores).
CATEGORY_ALIASES: dict[str, str] = {
    "atsi": "ATS",
    "a_tsi": "ATS",
    "additional_targeted_support": "ATS",
    "comprehensive_support_and_improvement": "CSI",
    "targeted_support_and_improvement": "TSI",
    "not_identified": "none",
    "no": "none",
    "k_12": "k12",
    "nonpersonnel": "non_personnel",
    "non_personnel": "non_personnel",
    "state_and_local": "state_local",
    "state+local": "state_local",
    "state_+_local": "state_local",
    "english_language_arts": "ela",
    "reading": "ela",
    "mathematics": "math",
    "all_students": "all",
    "economically_disadvantaged": "economically_disadvantaged",
    "students_with_disabilities": "students_with_disabilities",
    "english_learners": "english_learners",
    "english_language_learners": "english_learners",
    "one-time": "one_time",
    "onetime": "one_time",
}


def map_distinct(series: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """Apply ``function`` once per distinct value: exports repeat a few codes and labels millions of times."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    mapped[:-1] = [function(value) for value in uniques]
    mapped[-1] = function(None)
    return pd.Series(mapped[codes], index=series.index, dtype=object)


def _is_blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == ""


def is_suppression_marker(series: pd.Series) -> pd.Series:
    """True where a cell holds a suppression marker such as ``*``, ``<10`` or ``N/A``."""
    return map_distinct(series, lambda value: not _is_blank(value) and bool(SUPPRESSION_PATTERN.match(str(value)))).astype(bool)


def _blank(series: pd.Series) -> pd.Series:
    return map_distinct(series, _is_blank).astype(bool)


def parse_number(series: pd.Series, *, allow_currency: bool = True) -> tuple[pd.Series, pd.Series]:
    """Numbers with thousands separators, currency signs and accounting negatives."""
    # Plain numbers are most cells: convert them all at once, and clean only what did not convert.
    values = pd.to_numeric(series, errors="coerce").astype(float)
    failed = values.isna() & series.notna()
    bad = pd.Series(False, index=series.index)
    if failed.any():
        cleaned, cleaned_bad = _parse_written_numbers(series[failed], allow_currency)
        values[failed] = cleaned
        bad[failed] = cleaned_bad
    # "inf", "-Infinity" and 1e999 convert, but no amount or count is infinite: it would poison every sum.
    infinite = np.isinf(values)
    if infinite.any():
        bad |= infinite
        values[infinite] = np.nan
    return values, bad


def _parse_written_numbers(series: pd.Series, allow_currency: bool) -> tuple[pd.Series, pd.Series]:
    """Numbers as people type them: "$1,234.50", "(1,234)", "1,000-"; blanks stay missing."""
    text = series.astype("string").str.strip()
    negative = text.str.match(r"^\(.*\)$").fillna(False) | text.str.endswith("-").fillna(False)
    cleaned = text.str.replace(r"[\s,]", "", regex=True)
    if allow_currency:
        cleaned = cleaned.str.replace("$", "", regex=False)
    cleaned = cleaned.str.strip("()").str.rstrip("-").str.replace(r"^-\$", "-", regex=True)
    valid = cleaned.str.match(_NUMBER_PATTERN).fillna(False).astype(bool)
    # A comma is read as a thousands separator only where it is one (1,234,567.89): a decimal comma
    # ("1 200,50" from a European Excel) would otherwise silently become 120050.
    digits = text.str.replace(r"[\s$()+\-]", "", regex=True)
    misplaced = digits.str.contains(",", regex=False).fillna(False) & ~digits.str.fullmatch(_THOUSANDS_PATTERN).fillna(False)
    valid &= ~misplaced.astype(bool)
    values = pd.to_numeric(cleaned.where(valid), errors="coerce").astype(float)
    values = values.where(~negative, -values.abs())
    blank = _blank(series)
    return values.where(~blank, np.nan), ~valid & ~blank


def parse_percent(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Percents as 0-100 numbers ("45%", "45", "45.0 %"); returns values, bad, suppressed."""
    suppressed = is_suppression_marker(series)
    text = series.astype("string").where(~suppressed).str.replace("%", "", regex=False)
    values, bad = parse_number(text, allow_currency=False)
    return values, bad & ~suppressed, suppressed


def parse_count(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Counts, with suppression markers kept apart; returns values, bad, suppressed."""
    suppressed = is_suppression_marker(series)
    values, bad = parse_number(series.where(~suppressed), allow_currency=False)
    return values, bad & ~suppressed, suppressed


def normalize_school_year(value: object) -> str | None:
    """ "2023-24" from "2023-24", "2023-2024", "2023/24", 2024, "2024.0", "FY2024" or "FY24"; None if unreadable."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip().upper().replace("–", "-").replace("—", "-")
    text = re.sub(r"\.0+$", "", text)
    # MI School Data writes "24 - 25 School Year".
    text = re.sub(r"^(\d{2})(\s*[-/]\s*\d{2})\s+SCHOOL\s+YEAR$", r"20\1\2", text)
    match = re.fullmatch(r"(\d{4})\s*[-/]\s*(\d{2}|\d{4})", text)
    if match:
        start, end = int(match.group(1)), match.group(2)
        following = start + 1
        if int(end) != (following if len(end) == 4 else following % 100):
            return None
        return f"{start}-{(start + 1) % 100:02d}"
    match = re.fullmatch(r"(?:FY|SY)?\s*(\d{4}|\d{2})", text)
    if match:
        end_year = int(match.group(1))
        if end_year < 100:
            end_year += 2000
        if not 1990 <= end_year <= 2100:
            return None
        return f"{end_year - 1}-{end_year % 100:02d}"
    return None


def parse_school_year(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """School years in one canonical form, "2023-24"."""
    values = map_distinct(series, lambda value: None if _is_blank(value) else normalize_school_year(value))
    return values, values.isna() & ~_blank(series)


def _code(value: Any) -> str | None:
    if _is_blank(value):
        return None
    return re.sub(r"^(\d+)\.0+$", r"\1", str(value).strip())


def parse_code(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Codes as text; an Excel float such as "4937.0" loses its ".0" (its zeros are restored by zero_pad)."""
    return map_distinct(series, _code), pd.Series(False, index=series.index)


def parse_text(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text with surrounding spaces removed."""
    return map_distinct(series, lambda value: None if _is_blank(value) else str(value).strip()), pd.Series(False, index=series.index)


def normalize_category(value: str) -> str:
    """Lower-case, with spaces and hyphens as underscores: the form aliases are keyed by."""
    return re.sub(r"[\s\-/]+", "_", value.strip().lower())


def parse_category(series: pd.Series, allowed: tuple[str, ...]) -> tuple[pd.Series, pd.Series]:
    """Category values matched to the allowed spelling case-insensitively, with known aliases."""
    lookup = {normalize_category(option): option for option in allowed}
    for alias, target in CATEGORY_ALIASES.items():
        if target in allowed:
            lookup.setdefault(alias, target)

    def match(value: object) -> object:
        if _is_blank(value):
            return None
        key = normalize_category(str(value))
        if key in lookup:
            return lookup[key]
        # Dimensions may be given by their number 1-10.
        if allowed == schema.DIMENSIONS and key.isdigit() and 1 <= int(key) <= len(allowed):
            return allowed[int(key) - 1]
        return value

    values = map_distinct(series, match)
    bad = values.notna() & ~values.isin(allowed)
    return values, bad


_TRUE = {"yes", "y", "true", "t", "1", "x", "1.0"}
_FALSE = {"no", "n", "false", "f", "0", "0.0", ""}


def parse_flag(series: pd.Series, default: bool = False) -> tuple[pd.Series, pd.Series]:
    """Yes/no values; blank is the column's default."""

    def words(value: Any) -> str:
        return "" if _is_blank(value) else str(value).strip().lower()

    values = map_distinct(series, lambda value: True if words(value) in _TRUE else False if words(value) in _FALSE - {""} else default)
    bad = map_distinct(series, lambda value: words(value) not in _TRUE | _FALSE)
    return values.astype(bool), bad.astype(bool)
