"""MICIP files: each data object as CSV and XLSX of its table and PNG of its figure, under MICIP's naming convention."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from rar_protocol.files import write_atomically
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.units import CHANGE, CODE, COUNT, MONEY, NUMBER, PERCENT, TEXT, format_value

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


# A file name MICIP's upload form, Windows (255 characters a name, 260 a path) and a zip of the run
# folder all keep whole: "RAR_", the building, the data object and "_YYYY.MM.DD" within this many.
NAME_LIMIT = 140
# A building name is shortened to no fewer characters than this before the data object's name is.
SHORTEST_BUILDING_NAME = 24


def micip_name(name: str, run_date: date, *, naming: str = "name_first", building_name: str = "", building_code: str = "") -> str:
    """``RAR_<Name of Data Set>_YYYY.MM.DD`` (or ``YYYY.MM.DD_RAR_<Name>`` with date_first).

    A building's data object names the building first (``RAR_Willow Creek Elementary 90041 Per-Pupil
    Spending_2026.12.01``): a designee uploading for several buildings never holds two files of one name.
    Too long a name shortens the building's name first, then the data object's; the code always stays.
    """
    stamp = run_date.strftime("%Y.%m.%d")
    room = NAME_LIMIT - len("RAR__") - len(stamp)
    subject = safe_file_name(name)
    if building_code:
        code = safe_file_name(building_code)
        building = safe_file_name(building_name) if building_name and building_name != building_code else ""
        # What is left for the building's name once the code, the data object's name and two spaces are in.
        building_room = max(room - len(code) - len(subject) - 2, SHORTEST_BUILDING_NAME)
        building = building[:building_room].rstrip(" .")
        prefix = f"{building} {code}" if building else code
        subject = f"{prefix} {subject[: max(room - len(prefix) - 1, 1)].rstrip(' .')}"
    subject = subject[:room].rstrip(" .")
    return f"{stamp}_RAR_{subject}" if naming == "date_first" else f"RAR_{subject}_{stamp}"


def export(data_object: DataObject, folder: Path, run_date: date, *, naming: str = "name_first", building_name: str = "", building_code: str = "") -> list[Path]:
    """Write the data object for MICIP upload: CSV and XLSX of the table, PNG of the figure (a
    building's data object under a name carrying the building's name and code)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = micip_name(data_object.name, run_date, naming=naming, building_name=building_name, building_code=building_code)
    written = []
    if data_object.table is not None:
        csv_path = folder / f"{base}.csv"
        write_atomically(csv_path, _csv_bytes(data_object.table, data_object.units))
        written.append(csv_path)
        xlsx_path = folder / f"{base}.xlsx"
        write_atomically(xlsx_path, _xlsx_bytes(data_object, run_date))
        written.append(xlsx_path)
    if data_object.figure is not None:
        png_path = folder / f"{base}.png"
        write_atomically(png_path, data_object.png())
        written.append(png_path)
    return written


def _whole(column: pd.Series) -> bool:
    """Every present value of a number column is a whole number (pupils, students, buildings)."""
    present = column.dropna()
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column) and bool(((present % 1) == 0).all())


def _counts_as_integers(table: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """The table with each count column of whole numbers as integers, so 316 is written 316, not 316.0 (a gap stays blank)."""
    whole = table.copy()
    for position, column in enumerate(table.columns):
        if units.get(column) == COUNT and _whole(table.iloc[:, position]):
            whole.isetitem(position, table.iloc[:, position].round().astype("Int64"))
    return whole


def _csv_bytes(table: pd.DataFrame, units: dict[str, str]) -> bytes:
    """The table as CSV UTF-8 with BOM (Excel opens it with accents intact), whole counts as integers, every text cell neutralised."""
    safe = neutralised_table(_counts_as_integers(table, units))
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
    table = _counts_as_integers(data_object.table, data_object.units)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralised_table(table).to_excel(writer, sheet_name="Data", index=False)
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
        _dress_data_sheet(writer.book["Data"], table, data_object.units)
        _dress_about_sheet(writer.book["About"])
        stamp = datetime(run_date.year, run_date.month, run_date.day)
        writer.book.properties.created = stamp
        writer.book.properties.modified = stamp
        writer.book.properties.creator = "rar-protocol"
    return _stamped_zip(buffer.getvalue(), stamp)


# Excel number formats by column unit, matching how the reports write each value. Percents are
# stored 0-100 as the reports compute them, so the format adds the sign without multiplying by 100.
NUMBER_FORMATS = {
    MONEY: '"$"#,##0;-"$"#,##0',
    PERCENT: '0.0"%"',
    CHANGE: '+0.0"%";-0.0"%";0.0"%"',
    # One decimal, and up to three where a ratio has them: a McLoone index of 0.953 is not shown as 1.0.
    NUMBER: "#,##0.0##",
    CODE: "@",
    TEXT: "@",
}
WHOLE_FORMAT = "#,##0"
COUNT_FORMAT = "#,##0.0"
# Column widths in characters: wide enough for the longest value, never so wide a sheet scrolls for one sentence.
NARROWEST_COLUMN, WIDEST_COLUMN, WIDEST_HEADER = 8, 60, 24


def number_format(column: pd.Series, unit: str) -> str | None:
    """The Excel number format of a column of ``unit`` (None: General, as for flags)."""
    if unit in (COUNT, NUMBER) and _whole(column):
        return WHOLE_FORMAT
    if unit == COUNT:
        return COUNT_FORMAT
    return NUMBER_FORMATS.get(unit)


def _dress_data_sheet(sheet: Any, table: pd.DataFrame, units: dict[str, str]) -> None:
    """Number formats by column unit, widths from the content, a bold wrapped header row kept in view while scrolling."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for position, name in enumerate(table.columns, start=1):
        column = table.iloc[:, position - 1]
        unit = units.get(name, TEXT)
        number = number_format(column, unit)
        written = [format_value(value, unit) or "" for value in column]
        # The header wraps at spaces: its longest word sets a floor, the whole label a ceiling.
        header = str(name)
        header_width = max(max((len(word) for word in header.split()), default=0), min(len(header), WIDEST_HEADER))
        width = max([header_width, *(len(text) for text in written)]) + 2
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = min(max(width, NARROWEST_COLUMN), WIDEST_COLUMN)
        if number is not None:
            for cell in sheet[letter][1:]:
                if not isinstance(cell.value, str) or number == "@":
                    cell.number_format = number
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def _dress_about_sheet(sheet: Any) -> None:
    """The About sheet readable without widening its column: one wide column of wrapped sentences."""
    from openpyxl.styles import Alignment, Font

    sheet.column_dimensions["A"].width = 100
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True)
    sheet.freeze_panes = "A2"


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
