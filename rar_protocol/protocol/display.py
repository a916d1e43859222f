"""Data objects and tables as report HTML: observations, figure, table, sources and the protocol prompts."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import pandas as pd

from rar_protocol.measures.privacy import MARKER
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.units import format_value


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


def table_html(table: pd.DataFrame, units: dict[str, str], *, max_rows: int = 60) -> str:
    """The table as HTML, each value written by its column's declared unit.

    Empty cells of a row whose "suppressed" (or "Suppressed") column is true show the privacy marker.
    """
    shown = table.head(max_rows)
    flag = next((column for column in shown.columns if str(column).lower() == "suppressed"), None)
    hidden = shown[flag].fillna(False).astype(bool).tolist() if flag is not None else [False] * len(shown)
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in shown.columns)
    rows = []
    for record, suppressed in zip(shown.itertuples(index=False), hidden):
        cells = "".join(f"<td>{_format_cell(value, units[column], suppressed)}</td>" for column, value in zip(shown.columns, record))
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p class='rar-note'>{len(table) - max_rows} more rows in the exported CSV/XLSX.</p>" if len(table) > max_rows else ""
    return f"<table class='rar-table'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def data_object_html(data_object: DataObject, *, prompts: list[dict[str, str]], answers: dict[str, Any] | None = None, exported: list[Path] | None = None) -> str:
    """The data object as a report section: observations, figure, table, sources, prompts and answers."""
    answers = answers or {}
    parts = [f"<section class='rar-data-object'><h3>{html.escape(data_object.name)}</h3>"]
    if exported:
        parts.append("<p class='rar-files'>MICIP files: " + ", ".join(f"<code>{html.escape(p.name)}</code>" for p in exported) + "</p>")
    if data_object.observations:
        parts.append("<p><strong>What the data shows</strong></p><ul class='rar-observations'>" + "".join(f"<li>{html.escape(text)}</li>" for text in data_object.observations) + "</ul>")
    if data_object.figure is not None:
        encoded = base64.b64encode(data_object.png()).decode("ascii")
        parts.append(f"<img class='rar-figure' alt='{html.escape(data_object.name)}' src='data:image/png;base64,{encoded}'/>")
    if data_object.display is not None:
        parts.append(table_html(data_object.display, data_object.units))
        parts.append("<p class='rar-note'>The exported CSV and XLSX hold every column and year.</p>")
    elif data_object.table is not None:
        parts.append(table_html(data_object.table, data_object.units))
    for note in data_object.notes:
        parts.append(f"<p class='rar-note'>{html.escape(note)}</p>")
    sources = "; ".join(data_object.sources)
    filters = "; ".join(data_object.filters)
    parts.append(f"<p class='rar-sources'>Sources: {html.escape(sources)}" + (f". Filters: {html.escape(filters)}" if filters else "") + "</p>")
    parts.append("<div class='rar-prompts'>")
    for prompt in prompts:
        answer = answers.get(prompt["key"])
        parts.append(f"<p><strong>{html.escape(prompt['title'])}:</strong> {html.escape(prompt['question'])}</p>")
        if answer:
            parts.append(f"<blockquote>{html.escape(str(answer))}</blockquote>")
        else:
            parts.append("<div class='rar-write-here'>" + "<hr/>" * 3 + "</div>")
    parts.append("</div></section>")
    return "".join(parts)
