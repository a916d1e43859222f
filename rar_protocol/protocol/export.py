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
        about = pd.DataFrame(
            {"About this data set": [data_object.name, *data_object.observations, *(f"Source: {s}" for s in data_object.sources), *(f"Filter: {f}" for f in data_object.filters), *data_object.notes]}
        )
        about.to_excel(writer, sheet_name="About", index=False)
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
