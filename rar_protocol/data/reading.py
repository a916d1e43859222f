"""Read a district's CSV or Excel file as text, exactly as a person sees it.

Every cell is kept as a string (so codes keep their leading zeros) and each record remembers
the row number it had in the file, so that problems can point at it.
"""

from __future__ import annotations

import codecs
import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from rar_protocol.data.problems import Problem
from rar_protocol.errors import InputError

ROW = "_row"  # hidden column: the record's row number in the file (1-based, as Excel shows it)
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class RawTable:
    """A file's records as text, with the row number of each record in column ``_row``."""

    frame: pd.DataFrame
    path: Path
    header_row: int


def read_raw(
    path: Path,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    label: str | None = None,
) -> RawTable:
    """Read ``path`` (CSV or XLSX) into text columns, finding the header row when not given.

    ``header_row`` is 1-based, as in Excel. ``label`` is the name used in problems (defaults to
    the file name).
    """
    label = label or path.name
    if path.is_dir():
        raise InputError([Problem(label, f"{path} is a folder, not a file.", "Give the CSV or XLSX file inside it (its path relative to data_folder).")])
    if not path.exists():
        raise InputError([Problem(label, f"The file {path} does not exist.", "Check the path in the review YAML (relative to data_folder).")])
    if path.stat().st_size == 0:
        # Row 1 is where the header should be: the location a person looks at first.
        raise InputError([Problem(label, "The file is empty.", "Export the table again, with its header row.", row=1)])
    if path.suffix.lower() in EXCEL_SUFFIXES:
        grid = _read_excel_grid(path, sheet, label)
    elif path.suffix.lower() == ".xls":
        raise InputError([Problem(label, "Old Excel .xls files cannot be read.", "Save the sheet as .xlsx or .csv.")])
    else:
        grid = _read_csv_grid(path, delimiter, encoding, label)
    # One pass over the cells finds empty columns and rows (big exports make every pass count).
    filled = grid.notna()
    grid = grid.loc[:, filled.any(axis=0)]
    row_filled = filled.loc[:, grid.columns].any(axis=1)
    if not row_filled.any():
        raise InputError([Problem(label, "The file has no cells with values.", "Export the table again, with its header row.", row=1)])
    header_index = (header_row - 1) if header_row else _find_header(grid)
    if header_index >= len(grid):
        raise InputError([Problem(label, f"header_row {header_row} is past the end of the file.", "Set header_row to the row holding the column names.", column="header_row")])
    header = [_column_name(value, position) for position, value in enumerate(grid.iloc[header_index])]
    body = grid.iloc[header_index + 1 :].copy()
    body.columns = header
    body = body.loc[:, [name for name in header if not name.startswith("_unnamed")] or header]
    problems = _repeated_column_problems(list(grid.iloc[header_index]), header, label, header_index + 1)
    if problems:
        raise InputError(problems)
    body[ROW] = np.arange(header_index + 2, header_index + 2 + len(body))
    body = body.loc[row_filled.iloc[header_index + 1 :].to_numpy()]
    return RawTable(body.reset_index(drop=True), path, header_index + 1)


def _repeated_column_problems(written: list[object], header: list[str], label: str, row: int) -> list[Problem]:
    """Columns whose names are the same but for case or spaces ("Pupils" and "pupils "): which one a
    mapping reads would be a guess, so both are named, with their places in the header."""
    by_name: dict[str, list[int]] = {}
    for position, name in enumerate(header):
        if not name.startswith("_unnamed"):
            by_name.setdefault(name.casefold(), []).append(position)
    problems = []
    for positions in by_name.values():
        if len(positions) < 2:
            continue
        names = " and ".join(f"{str(written[position])!r} (column {_column_letter(position)})" for position in positions)
        same = len({header[position] for position in positions}) == 1 and len({str(written[position]) for position in positions}) == 1
        message = f"Column '{header[positions[0]]}' appears more than once in the header: {names}." if same else f"Columns {names} have the same name but for case or spaces."
        problems.append(Problem(label, message, "Rename or delete all but one of them.", row=row, column=header[positions[0]]))
    return problems


def _column_letter(position: int) -> str:
    """The spreadsheet letter of a 0-based column position: 0 is A, 26 is AA."""
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _column_name(value: object, position: int) -> str:
    if value is None or pd.isna(value) or str(value).strip() == "":
        return f"_unnamed_{position + 1}"
    return " ".join(str(value).split())


def _find_header(grid: pd.DataFrame) -> int:
    """The first row that is as full as the fullest of the first rows: titles above a table are short."""
    filled = grid.head(_HEADER_SEARCH_ROWS).notna().sum(axis=1)
    widest = int(filled.max())
    for position, count in enumerate(filled):
        if count >= max(2, widest * 0.8) or (widest == 1 and count == 1):
            return position
    return 0


def _encoding_of(data: bytes, encoding: str | None, label: str) -> str:
    """The codec of a CSV: UTF-8 with or without BOM, UTF-16 with BOM, else Excel's cp1252."""
    if encoding:
        return encoding
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return legacy_codec(data, label)


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def legacy_codec(data: bytes, label: str) -> str:
    """Windows-1252 for a file that is not UTF-8 (what Excel and Notepad save by default in the US),
    unless some lines are UTF-8 and others not: read either way, some characters would come out wrong."""
    utf8_line = legacy_line = None
    line, counted, position = 1, 0, 0
    while utf8_line is None or legacy_line is None:
        match = _HIGH_BYTE.search(data, position)
        if match is None:
            break
        start = data.rfind(b"\n", 0, match.start()) + 1
        end = data.find(b"\n", match.start())
        end = len(data) if end < 0 else end
        line += data.count(b"\n", counted, start)
        counted = start
        try:
            data[start:end].decode("utf-8")
            utf8_line = utf8_line or line
        except UnicodeDecodeError:
            legacy_line = legacy_line or line
        position = end + 1
    if utf8_line is not None and legacy_line is not None:
        raise InputError(
            [
                Problem(
                    label,
                    f"The file mixes text encodings: line {utf8_line} is UTF-8 but line {legacy_line} is not (probably Windows-1252), so either way some characters would be read wrong.",
                    "Correct the accented characters on those lines and save the file as UTF-8 (Excel: CSV UTF-8; Notepad: Save As, Encoding UTF-8).",
                    row=legacy_line,
                )
            ]
        )
    try:
        data.decode("cp1252")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise InputError(
            [
                Problem(
                    label,
                    f"Byte 0x{data[error.start]:02x} on line {row} is a character neither in UTF-8 nor in Windows-1252.",
                    "Save the file as UTF-8 (Excel: CSV UTF-8; Notepad: Save As, Encoding UTF-8).",
                    row=row,
                )
            ]
        ) from None
    return "cp1252"


def _read_csv_grid(path: Path, delimiter: str | None, encoding: str | None, label: str) -> pd.DataFrame:
    data = path.read_bytes()
    try:
        codec = _encoding_of(data, encoding, label)
        sample = data[:65536].decode(codec, errors="ignore")
    except LookupError as error:
        raise InputError([Problem(label, f"The file cannot be decoded ({error}).", "Save it as CSV UTF-8 from Excel.")]) from None
    if delimiter is None:
        delimiter = _sniff_delimiter(sample)
    try:
        # The parser reads the file itself: handing it a decoded copy costs a third more on big exports.
        return pd.read_csv(
            path,
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
            encoding=codec,
            encoding_errors="replace",
        )
    except UnicodeDecodeError as error:
        raise InputError([Problem(label, f"The file cannot be decoded ({error}).", "Save it as CSV UTF-8 from Excel.")]) from None
    except pd.errors.ParserError as error:
        raise InputError([_parser_problem(str(error), label)]) from None
    except pd.errors.EmptyDataError:
        raise InputError([Problem(label, "The file is empty.", "Export the table again, with its header row.")]) from None


def _parser_problem(message: str, label: str) -> Problem:
    """The CSV parser's complaint with the row as Excel numbers it (the header is row 1)."""
    # The parser counts rows from 0 where a quote is left open, and records from 1 where a row is too long.
    unclosed = re.search(r"EOF inside string starting at row (\d+)", message)
    if unclosed:
        return Problem(
            label,
            'A quote (") opened on this row is never closed, so the rest of the file would be read as one cell.',
            'Close the quote, or delete it; a quote inside a quoted cell is written twice ("").',
            row=int(unclosed.group(1)) + 1,
        )
    long_row = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if long_row:
        expected, row, seen = (int(group) for group in long_row.groups())
        return Problem(
            label,
            f"This row has {seen} cells but the rows above it have {expected}.",
            "Check the separators on this row: a cell that holds the separator (a comma in a name or an amount) needs quotes around it.",
            row=row,
        )
    return Problem(label, f"The CSV cannot be parsed: {message.strip()}.", "Check that every row has the same number of separators, and quotes are closed.")


def _sniff_delimiter(text: str) -> str:
    """Comma unless the first lines clearly use semicolons, tabs or pipes (European Excel uses ';')."""
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read_excel_grid(path: Path, sheet: str | None, label: str) -> pd.DataFrame:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InputError([Problem(label, f"The Excel file cannot be opened ({type(error).__name__}: {error}).", "Open it in Excel and save it again as .xlsx.")]) from None
    if sheet is None:
        worksheet = workbook.worksheets[0]
    elif sheet in workbook.sheetnames:
        worksheet = workbook[sheet]
    else:
        raise InputError([Problem(label, f"There is no sheet named '{sheet}'; the sheets are: {', '.join(workbook.sheetnames)}.", "Set sheet: to one of those names.", column="sheet")])
    ranges = sorted(worksheet.merged_cells.ranges, key=lambda cell_range: (cell_range.min_row, cell_range.min_col))
    if ranges:
        # The label names the sheet already when the YAML gives one; the first range locates the problem.
        where = label if sheet is not None else f"{label} [{worksheet.title}]"
        merged = [str(cell_range) for cell_range in ranges]
        raise InputError(
            [
                Problem(
                    where,
                    f"The sheet has merged cells ({', '.join(merged[:5])}); values would be lost or shifted.",
                    "Unmerge the cells (Home > Merge & Center > Unmerge) and fill each cell.",
                    row=ranges[0].min_row,
                    column=merged[0],
                )
            ]
        )
    rows = [[_excel_text(value) for value in row] for row in worksheet.iter_rows(values_only=True)]
    workbook.close()
    return pd.DataFrame(rows, dtype=object)


def _excel_text(value: object) -> object:
    """A cell as the text a person sees, so every column can be parsed the same way as CSV."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


class SafeLoader(yaml.SafeLoader):
    """Safe loading only: a Python object tag in a review file is refused, never executed.

    A key written twice in one mapping is recorded in ``repeated_keys`` (key, first line, second
    line): plain YAML keeps the second silently, so a pasted ``minimum_group_size: 5`` under the
    first would lower a privacy threshold unseen.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated_keys: list[tuple[object, int, int]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[object, int] = {}
            for key_node, _ in node.value:
                # "<<" merges another mapping in; its keys may be overridden on purpose.
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                try:
                    if key in first_lines:
                        self.repeated_keys.append((key, first_lines[key], line))
                    else:
                        first_lines[key] = line
                except TypeError:  # an unhashable key: the constructor says so below
                    continue
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads an unquoted 01234 as an octal number (668): a code written with leading zeros
# (district_code: 01234, peers: [00201]) stays the text it was written as.
SafeLoader.yaml_implicit_resolvers = {first: list(resolvers) for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
SafeLoader.yaml_implicit_resolvers["0"].insert(0, ("tag:yaml.org,2002:str", re.compile(r"^0[0-9]+$")))


def yaml_text(data: bytes, label: str) -> str:
    """The text of a YAML file: UTF-8 (with or without BOM), UTF-16 with BOM, or a Windows editor's
    Windows-1252 (an accented name saved by Notepad); a file mixing encodings is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(legacy_codec(data, label))


def read_yaml(path: Path) -> Any:
    """Parse a YAML file safely, turning syntax errors and keys written twice into Problems with the line."""
    label = str(path)
    if path.is_dir():
        raise InputError([Problem(label, "This is a folder, not a YAML file.", "Give the path of the .yaml file itself.")])
    if not path.exists():
        raise InputError([Problem(label, "The file does not exist.", "Check the path.")])
    text = yaml_text(path.read_bytes(), label)
    loader = SafeLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.constructor.ConstructorError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise InputError(
            [Problem(label, f"YAML tag not allowed: {error.problem}.", "Remove the '!!python/...' tag: review files hold plain values only.", row=line, column=_key_at_line(text, line))]
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        unquoted = _unquoted_name(text, line)
        raise InputError(
            [
                Problem(
                    label,
                    f"The YAML cannot be read: {getattr(error, 'problem', error)}." + (f" Line {unquoted[0]} has the unquoted name {unquoted[1]}." if unquoted else ""),
                    (
                        f'Quote it: "{unquoted[1]}". Unquoted, YAML reads # (after a space) as the start of a comment and ": " as the start of a value, so the error shows on a later line.'
                        if unquoted
                        else "Check indentation, colons, quotes and brackets on that line and the one above."
                    ),
                    row=line,
                    column=_key_at_line(text, line),
                )
            ]
        ) from None
    finally:
        loader.dispose()
    if loader.repeated_keys:
        raise InputError(
            [
                Problem(
                    label,
                    f"The key '{key}' is written twice, on line {first} and on line {second}; YAML would keep the second silently.",
                    "Delete one of the two lines (keep the value you mean).",
                    row=second,
                    column=_key_at_line(text, second),
                )
                for key, first, second in sorted(loader.repeated_keys, key=lambda repeated: repeated[2])
            ]
        )
    return data


def _unquoted_name(text: str, line: int | None) -> tuple[int, str] | None:
    """The line and name of an unquoted key holding ' #' or ': ' (a column "Bldg #" or "Fund: Title I") at or
    above where parsing broke: such a name makes the error appear lines later, under another key."""
    if line is None:
        return None
    lines = text.splitlines()
    for number in range(min(line, len(lines)), max(0, line - 6), -1):
        written = lines[number - 1]
        if written.lstrip().startswith("#"):
            continue
        # Entries of a flow mapping ({a: b, c: d}) or a block line's key, with quoted text blanked out.
        plain = re.sub(r"\"[^\"]*\"|'[^']*'", lambda match: "_" * len(match.group(0)), written)
        for entry in re.split(r"[{},]", plain):
            hashed = re.match(r"^\s*(?:-\s+)?([^#:]*\s#[^:]*?)\s*:\s", entry + " ")
            colons = re.match(r"^\s*(?:-\s+)?([^:]+:\s[^:]+?)\s*:\s", entry + " ")
            found = hashed or colons
            if found and found.group(1).strip():
                return number, found.group(1).strip()
    return None


def _key_at_line(text: str, line: int | None) -> str | None:
    """The dotted key written on (or above) a line of block YAML, e.g. tables.enrollment: a YAML that
    cannot be parsed has no keys to report, so a user is told where it broke in the YAML's own words."""
    if line is None:
        return None
    keys: list[tuple[int, str]] = []
    for written in text.splitlines()[:line]:
        match = re.match(r"^(\s*)(?:-\s+)?([\w\-\"' ]+?)\s*:(\s|$)", written)
        if not match or written.lstrip().startswith("#"):
            continue
        indent = len(match.group(1))
        keys = [(depth, key) for depth, key in keys if depth < indent] + [(indent, match.group(2).strip("\"' "))]
    return ".".join(key for _, key in keys) or None
