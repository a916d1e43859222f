"""The data analysis protocol: data objects, their prompts, the team's answers, and MICIP exports.

A data object is what a team studies and uploads to MICIP: a named table and/or figure, its
sources and filters, factual observations written from the numbers, and the protocol prompts
(Predict, Observe, Infer, Additional data needed by default) with the team's answers, or blank
lines to write on.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure

from rar_protocol.config import read_yaml
from rar_protocol.files import write_atomically
from rar_protocol.privacy import MARKER
from rar_protocol.problems import InputError, Problem

if TYPE_CHECKING:
    from rar_protocol.loading import Review

DEFAULT_PROMPTS = [
    {"key": "predict", "title": "Predict", "question": "What do we expect to see in this data, and why?"},
    {"key": "observe", "title": "Observe", "question": "What do we see? Only facts, with numbers."},
    {"key": "infer", "title": "Infer", "question": "What might explain it? Root-cause hypotheses (5 Whys, fishbone)."},
    {"key": "additional_data", "title": "Additional data needed", "question": "What else would we need to know to be sure?"},
]
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


@dataclass
class DataObject:
    """One data set the team studies with the protocol and uploads to MICIP."""

    name: str
    observations: list[str]
    sources: list[str]
    filters: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    figure: Figure | None = None
    notes: list[str] = field(default_factory=list)
    # A narrower view of the table for the printed report; exports always hold the whole table.
    display: pd.DataFrame | None = None
    # Measures this analysis needed but the review did not have: listed as "data we do not have".
    missing: list[str] = field(default_factory=list)
    _png: bytes | None = field(default=None, init=False, repr=False)

    def png(self) -> bytes | None:
        """The figure as PNG bytes, drawn once however many times it is shown or exported."""
        if self.figure is None:
            return None
        if self._png is None:
            self._png = figure_png(self.figure)
        return self._png

    @property
    def key(self) -> str:
        """The name as a responses-file key: lower case, words joined by hyphens."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


def money(value: float) -> str:
    """Dollars as people write them: $1,214 (negative: -$1,214)."""
    return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"


def years_filter(years: list[str]) -> str:
    """The school years a data object covers, as a filter line."""
    years = sorted(years)
    return f"school years {years[0]} to {years[-1]}" if len(years) > 1 else f"school year {years[0]}"


def table_sources(review: Review, *tables: str) -> list[str]:
    """A source line for each named table the review provides: "staff table (staff.csv)"."""
    lines = []
    for name in tables:
        source = review.config.tables.get(name)
        if source is None:
            continue
        # Building spending may be summed from the general ledger instead of read from its own file.
        if source.from_ledger and "ledger" in review.config.tables:
            lines.append(f"{name} table (summed from the ledger, {review.config.tables['ledger'].file})")
        else:
            lines.append(f"{name} table ({source.file})")
    return lines


def safe_file_name(text: str, *, limit: int = 120) -> str:
    """A name that is a valid, harmless file name on Windows, macOS and Linux."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", text)
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    cleaned = " ".join(cleaned.split()).strip(" .")
    if not cleaned:
        cleaned = "unnamed"
    if cleaned.split(".")[0].upper() in _WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned[:limit].rstrip(" .")


def micip_name(name: str, run_date: date, *, naming: str = "name_first") -> str:
    """``RAR_<Name of Data Set>_YYYY.MM.DD`` (or ``YYYY.MM.DD_RAR_<Name>`` with date_first)."""
    stamp = run_date.strftime("%Y.%m.%d")
    base = safe_file_name(name)
    return f"{stamp}_RAR_{base}" if naming == "date_first" else f"RAR_{base}_{stamp}"


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, identical for identical inputs (no timestamps or versions inside)."""
    buffer = io.BytesIO()
    # No bbox_inches="tight": every chart lays itself out already, and a second layout pass doubles the cost.
    figure.savefig(buffer, format="png", dpi=120, metadata={"Software": None}, pil_kwargs={"compress_level": 3})
    return buffer.getvalue()


def export(data_object: DataObject, folder: Path, run_date: date, *, naming: str = "name_first") -> list[Path]:
    """Write the data object for MICIP upload: CSV and XLSX of the table, PNG of the figure."""
    folder.mkdir(parents=True, exist_ok=True)
    base = micip_name(data_object.name, run_date, naming=naming)
    written = []
    if data_object.table is not None:
        csv_path = folder / f"{base}.csv"
        write_atomically(csv_path, data_object.table.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))
        written.append(csv_path)
        xlsx_path = folder / f"{base}.xlsx"
        write_atomically(xlsx_path, _xlsx_bytes(data_object, run_date))
        written.append(xlsx_path)
    if data_object.figure is not None:
        png_path = folder / f"{base}.png"
        write_atomically(png_path, data_object.png())
        written.append(png_path)
    return written


def _xlsx_bytes(data_object: DataObject, run_date: date) -> bytes:
    """A workbook with the table and a sheet of observations and sources; dated by the run, not the clock."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        data_object.table.to_excel(writer, sheet_name="Data", index=False)
        about = pd.DataFrame({"About this data set": [data_object.name, *data_object.observations, *(f"Source: {s}" for s in data_object.sources), *(f"Filter: {f}" for f in data_object.filters), *data_object.notes]})
        about.to_excel(writer, sheet_name="About", index=False)
        stamp = datetime(run_date.year, run_date.month, run_date.day)
        writer.book.properties.created = stamp
        writer.book.properties.modified = stamp
        writer.book.properties.creator = "rar-protocol"
    return buffer.getvalue()


def load_prompts(path: Path | None) -> list[dict[str, str]]:
    """The protocol prompts from an editable YAML file (a list under ``prompts``), or the defaults."""
    if path is None or not path.exists():
        return DEFAULT_PROMPTS
    raw = read_yaml(path)
    prompts = raw.get("prompts") if isinstance(raw, dict) else None
    if not isinstance(prompts, list) or not all(isinstance(p, dict) and {"key", "title", "question"} <= set(p) for p in prompts):
        raise InputError([Problem(str(path), "The prompts file needs a list 'prompts' of entries with key, title and question.", "See parameters/protocol_prompts.yaml.", column="prompts")])
    return [{name: str(p[name]) for name in ("key", "title", "question")} for p in prompts]


def load_responses(path: Path | None) -> dict[str, Any]:
    """The team's recorded answers (a YAML mapping), or nothing when none were recorded yet."""
    if path is None or not path.exists():
        return {}
    raw = read_yaml(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError([Problem(str(path), "The responses file must be a mapping: report (district or a building code) to answers.", "See parameters/sample_responses.yaml.")])
    return raw


def _format_cell(column: str, value: Any, suppressed: bool) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        # The marker says "hidden for privacy"; a value that simply does not exist shows a dash.
        return html.escape(MARKER) if suppressed else "–"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, (int, float)):
        if "$" in column:
            return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"
        if "%" in column or "percent" in column.lower():
            return f"{value:+.1f}%" if "change" in column.lower() or "deviation" in column.lower() else f"{value:.1f}%"
        if float(value).is_integer():
            return f"{value:,.0f}"
        return f"{value:,.1f}"
    return html.escape(str(value))


def table_html(table: pd.DataFrame, *, max_rows: int = 60) -> str:
    """The table as HTML with dollars, percents and counts formatted by their column labels.

    Empty cells of a row whose "suppressed" (or "Suppressed") column is true show the privacy marker.
    """
    shown = table.head(max_rows)
    flag = next((column for column in shown.columns if str(column).lower() == "suppressed"), None)
    hidden = shown[flag].fillna(False).astype(bool).tolist() if flag is not None else [False] * len(shown)
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in shown.columns)
    rows = []
    for record, suppressed in zip(shown.itertuples(index=False), hidden):
        cells = "".join(f"<td>{_format_cell(str(column), value, suppressed)}</td>" for column, value in zip(shown.columns, record))
        rows.append(f"<tr>{cells}</tr>")
    more = f"<p class='rar-note'>{len(table) - max_rows} more rows in the exported CSV/XLSX.</p>" if len(table) > max_rows else ""
    return f"<table class='rar-table'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def data_object_html(data_object: DataObject, *, prompts: list[dict[str, str]], answers: dict[str, Any] | None = None, exported: list[Path] | None = None) -> str:
    """The data object as a report section: observations, figure, table, sources, prompts and answers."""
    import base64

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
        parts.append(table_html(data_object.display))
        parts.append("<p class='rar-note'>The exported CSV and XLSX hold every column and year.</p>")
    elif data_object.table is not None:
        parts.append(table_html(data_object.table))
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
