"""`rar init --from EXPORT.xlsx`: a first mapping guessed from a district's own workbook, for a person to review.

Each sheet's header is found as `rar validate` finds it; the sheet is matched to the data model's
table whose columns its headers resemble most, and each column of the table to the header most like
its name (with the abbreviations finance exports use: ``Bldg #``, ``FY``, ``Fed $``). Every guess
is written with a ``# REVIEW`` comment; a required column with no match is a ``# TODO`` line.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl

from rar_protocol.data import schema
from rar_protocol.data.parsing import normalize_category, normalize_school_year
from rar_protocol.data.reading import ROW, read_raw

# Optional columns whose absence costs an analysis (personnel against non-personnel): the draft asks for them too.
WORTH_ASKING = frozenset({"category"})

# Words of export headers, spelled out as the data dictionary's column names spell them.
SYNONYMS = {
    "bldg": "building",
    "bld": "building",
    "school": "building",
    "site": "building",
    "loc": "location",
    "#": "code",
    "no": "code",
    "num": "code",
    "number": "code",
    "id": "code",
    "fy": "school year",
    "sy": "school year",
    "year": "school year",
    "$": "amount",
    "dollars": "amount",
    "fed": "federal",
    "econ": "economically",
    "dis": "disadvantaged",
    "ed": "economically disadvantaged",
    "frl": "economically disadvantaged",
    "swd": "students with disabilities",
    "sped": "students with disabilities",
    "el": "english learners",
    "ell": "english learners",
    "lep": "english learners",
    "enrollment": "pupils",
    "headcount": "pupils",
    "fall": "pupils",
    "students": "pupils",
    "type": "level",
    "status": "designation",
    "identification": "designation",
    "func": "function",
    "obj": "object",
    "dist": "district",
}
SOURCES = {"federal": "federal", "state": "state", "local": "local"}
MINIMUM_SIMILARITY = 0.6


def words(header: str) -> str:
    """A header in the data dictionary's words: "Bldg #" -> "building code", "Fed $" -> "federal amount"."""
    text = header.lower().replace("#", " # ").replace("$", " $ ")
    tokens = [token for token in re.split(r"[^a-z0-9#$]+", text) if token]
    return " ".join(SYNONYMS.get(token, token) for token in tokens)


def similarity(header: str, column: str) -> float:
    """How alike an export's header and a data model column's name are (0 to 1)."""
    said, wanted = words(header), column.replace("_", " ")
    if said == wanted:
        return 1.0
    overlap = len(set(said.split()) & set(wanted.split())) / len(set(said.split()) | set(wanted.split()))
    return max(difflib.SequenceMatcher(None, said, wanted).ratio(), overlap)


@dataclass
class SheetDraft:
    """One sheet's guessed mapping onto one table."""

    sheet: str
    table: str
    header_row: int
    score: float
    rename: dict[str, tuple[str, float]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # wide fund-source columns -> federal/state/local
    total: str | None = None
    totals_rows: list[str] = field(default_factory=list)
    first_column: str = ""
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    district_code: str | None = None


def _guess(sheet: str, table: str, raw_frame, header_row: int) -> SheetDraft:
    spec = schema.TABLES[table]
    headers = [name for name in raw_frame.columns if name != ROW]
    draft = SheetDraft(sheet, table, header_row, 0.0, first_column=headers[0] if headers else "")
    if {"fund_source", "amount"} <= set(spec.column_names):
        for header in headers:
            said = words(header).split()
            source = next((SOURCES[word] for word in said if word in SOURCES), None)
            if source and "amount" in said:
                draft.sources[header] = source
            elif "total" in said and "amount" in said:
                draft.total = header
    taken = set(draft.sources) | ({draft.total} if draft.total else set())
    scores = []
    for column in spec.columns:
        if draft.sources and column.name in ("fund_source", "amount"):
            scores.append(1.0 if column.required else 0.0)
            continue
        candidates = sorted(((similarity(header, column.name), header) for header in headers if header not in taken), reverse=True)
        if candidates and candidates[0][0] >= MINIMUM_SIMILARITY:
            score, header = candidates[0]
            draft.rename[header] = (column.name, score)
            taken.add(header)
            scores.append(score)
        else:
            scores.append(0.0)
            if column.required or column.name in WORTH_ASKING:
                draft.missing.append(column.name)
    required = [score for score, column in zip(scores, spec.columns) if column.required]
    draft.score = sum(required) / len(required)
    draft.unmapped = [header for header in headers if header not in taken]
    # A totals row (a first cell reading "Total") is not a building.
    if draft.first_column:
        first = raw_frame[draft.first_column].dropna().astype(str)
        draft.totals_rows = sorted({value for value in first if "total" in value.lower()})
    for header, (column, _) in draft.rename.items():
        allowed = next(c.allowed for c in spec.columns if c.name == column)
        series = raw_frame[header].dropna().astype(str)
        series = series[~series.isin(draft.totals_rows)]
        if allowed:
            # Allowed values are read case-insensitively, as `rar validate` reads them ("CSI", "csi").
            spelled = {normalize_category(value): value for value in allowed}
            unknown = sorted({value for value in series if normalize_category(value) not in spelled})
            if unknown:
                draft.values[column] = {value: spelled[(difflib.get_close_matches(normalize_category(value), list(spelled), n=1, cutoff=0.0) or list(spelled))[0]] for value in unknown}
        if column == "school_year":
            draft.years = sorted({year for year in map(normalize_school_year, series) if year})
        if column == "district_code" and len(series):
            draft.district_code = str(series.iloc[0])
    return draft


def draft_mappings(export: Path) -> tuple[list[SheetDraft], list[str]]:
    """The best guess for each sheet of ``export``: drafts (at most one sheet per table) and the sheets left unmatched."""
    sheets = openpyxl.load_workbook(export, read_only=True).sheetnames
    candidates = []
    for sheet in sheets:
        raw = read_raw(export, sheet=sheet)
        for table in schema.TABLES:
            candidates.append(_guess(sheet, table, raw.frame, raw.header_row))
    chosen: dict[str, SheetDraft] = {}
    used: set[str] = set()
    for draft in sorted(candidates, key=lambda item: -item.score):
        if draft.score >= 0.5 and draft.table not in chosen and draft.sheet not in used:
            chosen[draft.table] = draft
            used.add(draft.sheet)
    ordered = [chosen[name] for name in schema.TABLES if name in chosen]
    return ordered, [sheet for sheet in sheets if sheet not in used]


def _quoted(text: str) -> str:
    # Double-quoted YAML: a header with '#' or ':' would otherwise start a comment or a mapping.
    return json.dumps(text, ensure_ascii=False)


def table_yaml(draft: SheetDraft, file_name: str) -> list[str]:
    """The YAML lines of one table's drafted mapping, every guess marked for review."""
    spec = schema.TABLES[draft.table]
    lines = [f"  {draft.table}:   # REVIEW: sheet {_quoted(draft.sheet)} looks like the {draft.table} table ({spec.description})"]
    lines += [f"    file: {_quoted(file_name)}", f"    sheet: {_quoted(draft.sheet)}", f"    header_row: {draft.header_row}   # the row of column names, found in the sheet"]
    if draft.totals_rows:
        values = ", ".join(_quoted(value) for value in draft.totals_rows)
        lines.append(f"    filter: {{{_quoted(draft.first_column)}: {{not_in: [{values}]}}}}   # REVIEW: leaves out the totals row(s)")
    if draft.sources:
        lines.append("    wide_to_long:   # REVIEW: one column per fund source becomes one row per source")
        lines.append("      columns: {" + ", ".join(f"{_quoted(header)}: {source}" for header, source in draft.sources.items()) + "}")
        lines += ["      name: fund_source", "      value: amount"]
        if draft.total:
            lines.append(f"      total: {_quoted(draft.total)}   # checked: the sources must add up to it")
    if draft.rename:
        lines.append("    rename:")
        for header, (column, score) in draft.rename.items():
            lines.append(f"      {_quoted(header)}: {column}   # REVIEW: guessed from the name ({score:.0%} alike)")
    for column in draft.missing:
        described = next(c for c in spec.columns if c.name == column)
        allowed = f" ({', '.join(described.allowed)})" if described.allowed else ""
        kind = "the required" if described.required else "the optional (but worth mapping)"
        lines.append(
            f"    # TODO: no column looks like {kind} {column!r}: {described.description}{allowed} "
            f'Add it under rename ("<your column>": {column}), or under constants ({column}: <value>) when one value holds for every row.'
            + (f" Columns not mapped: {', '.join(_quoted(header) for header in draft.unmapped)}." if draft.unmapped else "")
        )
    if draft.values:
        lines.append("    values:   # REVIEW: values outside the allowed ones, each with its nearest allowed value")
        for column, mapping in draft.values.items():
            lines.append(f"      {column}: {{" + ", ".join(f"{_quoted(value)}: {target}" for value, target in mapping.items()) + "}")
    for header in draft.unmapped:
        lines.append(f"    # not mapped: {_quoted(header)} (no column of the data model is like it; map it under rename if it is one)")
    return lines
