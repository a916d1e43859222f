"""MICIP files: each data object as CSV and XLSX of its table and PNG of its figure, under MICIP's naming convention."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from rar_protocol.files import write_atomically
from rar_protocol.protocol.data_object import DataObject

# A spreadsheet reads a cell beginning with one of these as a formula (CSV injection, OWASP):
# a building named =HYPERLINK(...) must arrive in Excel as the text it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


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


def neutralised(value: object) -> object:
    """A text cell that cannot become a formula: prefixed with a single quote when it begins like one; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table with every text cell and column name neutralised; numbers (negative ones too) stay numbers."""
    safe = table.copy()
    safe.columns = [neutralised(column) for column in safe.columns]
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        # Only text columns: a date or number column keeps its dtype, so it is written as before.
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column) or isinstance(column.dtype, pd.CategoricalDtype):
            safe.isetitem(position, column.astype(object).map(neutralised))
    return safe


def micip_name(name: str, run_date: date, *, naming: str = "name_first") -> str:
    """``RAR_<Name of Data Set>_YYYY.MM.DD`` (or ``YYYY.MM.DD_RAR_<Name>`` with date_first)."""
    stamp = run_date.strftime("%Y.%m.%d")
    base = safe_file_name(name)
    return f"{stamp}_RAR_{base}" if naming == "date_first" else f"RAR_{base}_{stamp}"


def export(data_object: DataObject, folder: Path, run_date: date, *, naming: str = "name_first") -> list[Path]:
    """Write the data object for MICIP upload: CSV and XLSX of the table, PNG of the figure."""
    folder.mkdir(parents=True, exist_ok=True)
    base = micip_name(data_object.name, run_date, naming=naming)
    written = []
    if data_object.table is not None:
        csv_path = folder / f"{base}.csv"
        write_atomically(csv_path, _csv_bytes(data_object.table))
        written.append(csv_path)
        xlsx_path = folder / f"{base}.xlsx"
        write_atomically(xlsx_path, _xlsx_bytes(data_object, run_date))
        written.append(xlsx_path)
    if data_object.figure is not None:
        png_path = folder / f"{base}.png"
        write_atomically(png_path, data_object.png())
        written.append(png_path)
    return written


def _csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as CSV UTF-8 with BOM (Excel opens it with accents intact), every text cell neutralised."""
    safe = neutralised_table(table)
    # The writer quotes a cell holding "\n" but not a bare "\r", which a reader takes for the end of
    # the row: a line break inside a cell is written as "\n", so the cell is quoted and stays whole.
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            safe.isetitem(position, column.map(lambda value: value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value))
    return safe.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _xlsx_bytes(data_object: DataObject, run_date: date) -> bytes:
    """A workbook with the table and a sheet of observations and sources; dated by the run, not the clock."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralised_table(data_object.table).to_excel(writer, sheet_name="Data", index=False)
        about = pd.DataFrame(
            {"About this data set": [data_object.name, *data_object.observations, *(f"Source: {s}" for s in data_object.sources), *(f"Filter: {f}" for f in data_object.filters), *data_object.notes]}
        )
        neutralised_table(about).to_excel(writer, sheet_name="About", index=False)
        # openpyxl makes any text beginning with "=" a formula: every text cell is written as a string.
        for sheet in writer.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
        stamp = datetime(run_date.year, run_date.month, run_date.day)
        writer.book.properties.created = stamp
        writer.book.properties.modified = stamp
        writer.book.properties.creator = "rar-protocol"
    return _stamped_zip(buffer.getvalue(), stamp)


def _stamped_zip(data: bytes, stamp: datetime) -> bytes:
    """The workbook dated ``stamp`` throughout: openpyxl dates the zip members and the workbook's
    "modified" property by the clock on saving, so two exports of one table would differ in bytes."""
    stamped = io.BytesIO()
    modified = f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp:%Y-%m-%dT%H:%M:%SZ}</dcterms:modified>'.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stamped, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                content = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", modified, content)
            info = zipfile.ZipInfo(member.filename, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, content)
    return stamped.getvalue()
