"""Data objects and tables as report HTML: observations, figure, table, sources and the protocol prompts."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Any

import pandas as pd

from rar_protocol.measures.privacy import MARKER
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.units import CODE, format_value

# Printed size of charts: drawn 8 inches wide with 10-point labels, printed at 80% (8-point labels)
# and never taller than FIGURE_INCHES, so a chart and its table share a page (letter, 9.7 inches of text).
FIGURE_SCALE = 0.8
FIGURE_INCHES = 4.6
TEXT_WIDTH_INCHES = 7.5
PAGE_INCHES = 8.6  # a data object's figure and table kept together when they take no more than this
TABLE_HEAD_INCHES = 0.6
ROW_INCHES = 0.28  # a printed table row, a wrapped building name included


def printed_size(width: float, height: float) -> tuple[float, float]:
    """A chart's printed width and height in inches, from the size it is drawn at."""
    printed = min(width * FIGURE_SCALE, FIGURE_INCHES * width / height, TEXT_WIDTH_INCHES)
    return printed, printed * height / width


def _format_cell(value: Any, unit: str, suppressed: bool) -> str:
    written = format_value(value, unit)
    if written is None:
        # The marker says "hidden for privacy"; a value that simply does not exist shows a dash.
        return html.escape(MARKER) if suppressed else "–"
    return html.escape(written)


def labelled(frame: pd.DataFrame, columns: dict[str, object]) -> pd.DataFrame:
    """A table of ``frame``'s columns under readable labels, in the order given.

    Each label names a column of ``frame`` ("pupils"), a column and the decimals it is rounded to
    (("total_per_pupil", 2)), or is given its values already (a Series or a single value).
    """
    values = {}
    for label, column in columns.items():
        if isinstance(column, str):
            values[label] = frame[column]
        elif isinstance(column, tuple):
            values[label] = frame[column[0]].round(column[1])
        else:
            values[label] = column
    return pd.DataFrame(values)


def for_display(table: pd.DataFrame) -> pd.DataFrame:
    """The table for the printed report: a cell empty for a reason other than privacy is left blank, not marked hidden."""
    flags = [column for column in table.columns if column.lower().startswith("suppressed")]
    if not flags:
        return table
    shown = table.copy()
    visible = ~shown[flags[0]].astype(bool)
    for column in shown.columns:
        if column in flags:
            continue
        blank = visible & shown[column].isna()
        if blank.any():
            shown[column] = shown[column].astype(object).where(~blank, "")
    return shown


# A school year (2020-21) or a span of them is one word: a header never breaks it at its hyphen.
SCHOOL_YEAR = re.compile(r"\b\d{4}-\d{2}(?:\s+to\s+\d{4}-\d{2})?\b")
# Tables with more columns than these print in a smaller type, so the words of their headers fit the page.
WIDE_TABLE_COLUMNS = 8
WIDEST_TABLE_COLUMNS = 11


def _header_html(column: object) -> str:
    """A column header, its school years kept whole."""
    return SCHOOL_YEAR.sub(lambda match: f"<span class='rar-nowrap'>{match.group(0)}</span>", html.escape(str(column)))


def table_html(table: pd.DataFrame, units: dict[str, str], *, max_rows: int = 60, caption: str = "") -> str:
    """The table as HTML, each value written by its column's declared unit, under ``caption`` when given.

    Empty cells of a row whose "suppressed" (or "Suppressed") column is true show the privacy marker.
    """
    shown = table.head(max_rows)
    flag = next((column for column in shown.columns if str(column).lower() == "suppressed"), None)
    hidden = shown[flag].fillna(False).astype(bool).tolist() if flag is not None else [False] * len(shown)
    head = "".join(f"<th>{_header_html(column)}</th>" for column in shown.columns)
    rows = []
    for record, suppressed in zip(shown.itertuples(index=False), hidden):
        cells = "".join(_cell_html(value, units[column], suppressed) for column, value in zip(shown.columns, record))
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p class='rar-note'>{len(table) - max_rows} more rows in the exported CSV/XLSX.</p>" if len(table) > max_rows else ""
    wide = " rar-widest" if len(shown.columns) > WIDEST_TABLE_COLUMNS else " rar-wide" if len(shown.columns) > WIDE_TABLE_COLUMNS else ""
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table class='rar-table{wide}'>{title}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _cell_html(value: Any, unit: str, suppressed: bool) -> str:
    """One cell; codes and school years never wrap."""
    written = _format_cell(value, unit, suppressed)
    return f"<td class='rar-nowrap'>{written}</td>" if unit == CODE or SCHOOL_YEAR.fullmatch(written) else f"<td>{written}</td>"


def single_year(data_object: DataObject) -> str | None:
    """The one school year the printed table shows, when it shows one: a column holding one year, or
    rows of the exported table that all belong to one year (the display is a slice of the table)."""
    table, shown = data_object.table, data_object.display if data_object.display is not None else data_object.table
    if shown is None or shown.empty:
        return None
    if "School year" in shown.columns:
        years = shown["School year"].dropna().unique()
        return str(years[0]) if len(years) == 1 else None
    if table is None or "School year" not in table.columns or not shown.index.isin(table.index).all() or not table.index.is_unique:
        return None
    # The display keeps the table's rows (same index, same values): their years are the display's.
    rows = table.loc[shown.index]
    common = [column for column in shown.columns if column in table.columns]
    if not common or not rows[common].reset_index(drop=True).equals(shown[common].reset_index(drop=True)):
        return None
    years = rows["School year"].dropna().unique()
    return str(years[0]) if len(years) == 1 else None


def data_object_html(data_object: DataObject, *, prompts: list[dict[str, str]], answers: dict[str, Any] | None = None, exported: list[Path] | None = None) -> str:
    """The data object as a report section: observations, figure, table, sources, prompts and answers."""
    answers = answers or {}
    if data_object.figure is None and data_object.table is None and data_object.display is None and data_object.missing and not answers:
        # Nothing to study: the section says what data it lacks in a line, without a page of empty prompts.
        said = " ".join(html.escape(text) for text in data_object.observations)
        return f"<section class='rar-data-object rar-not-in-data'><h3>{html.escape(data_object.name)}</h3><p class='rar-note'>Not in this review's data: {said}</p></section>"
    parts = [f"<section class='rar-data-object'><h3>{html.escape(data_object.name)}</h3>"]
    if exported:
        parts.append("<p class='rar-files'>MICIP files: " + ", ".join(f"<code>{html.escape(p.name)}</code>" for p in exported) + "</p>")
    if data_object.observations:
        parts.append(
            "<p class='rar-label'><strong>What the data shows</strong></p><ul class='rar-observations'>" + "".join(f"<li>{html.escape(text)}</li>" for text in data_object.observations) + "</ul>"
        )
    evidence = []
    height = 0.0
    if data_object.figure is not None:
        encoded = base64.b64encode(data_object.png()).decode("ascii")
        width, height = printed_size(*data_object.figure.get_size_inches())
        evidence.append(f"<img class='rar-figure' style='--rar-print-width: {width:.2f}in' alt='{html.escape(data_object.name)}' src='data:image/png;base64,{encoded}'/>")
    shown = data_object.display if data_object.display is not None else data_object.table
    if shown is not None:
        year = single_year(data_object)
        evidence.append(table_html(shown, data_object.units, caption=f"{data_object.name}, {year}" if year else ""))
        height += TABLE_HEAD_INCHES + ROW_INCHES * min(len(shown), 60)
    if data_object.display is not None:
        evidence.append("<p class='rar-note'>The exported CSV and XLSX hold every column and year.</p>")
    # The figure and its table on one page where both fit; a longer pair breaks in the table, which repeats its header row.
    together = " rar-together" if data_object.figure is not None and shown is not None and height <= PAGE_INCHES else ""
    # A table of more than half a page starts where it is and goes on over the page, rather than leaving a gap.
    long_table = " rar-long-table" if shown is not None and ROW_INCHES * len(shown) > PAGE_INCHES / 2 else ""
    parts.append(f"<div class='rar-evidence{together}{long_table}'>{''.join(evidence)}</div>")
    for note in data_object.notes:
        parts.append(f"<p class='rar-note'>{html.escape(note)}</p>")
    sources = "; ".join(data_object.sources)
    filters = "; ".join(data_object.filters)
    parts.append(f"<p class='rar-sources'>Sources: {html.escape(sources)}" + (f". Filters: {html.escape(filters)}" if filters else "") + "</p>")
    parts.append("<div class='rar-prompts'>")
    for prompt in prompts:
        answer = answers.get(prompt["key"])
        # A question and its answer (or the lines to write it on) are printed on one page.
        parts.append(f"<div class='rar-prompt'><p><strong>{html.escape(prompt['title'])}:</strong> {html.escape(prompt['question'])}</p>")
        if answer:
            parts.append(f"<blockquote>{html.escape(str(answer))}</blockquote>")
        else:
            parts.append("<div class='rar-write-here'>" + "<hr/>" * 3 + "</div>")
        parts.append("</div>")
    parts.append("</div></section>")
    return "".join(parts)
