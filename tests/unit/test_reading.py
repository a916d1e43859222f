"""Files as districts export them: encodings, separators, title rows, Excel sheets."""

import codecs

import openpyxl
import pytest

from rar_protocol.data.reading import ROW, read_raw
from rar_protocol.errors import InputError

ROWS = 'building_code,building_name,amount\n00044,Café School,"$1,200"\n04937,Elm,300\n'


@pytest.mark.parametrize(
    "encoded",
    [ROWS.encode("utf-8"), codecs.BOM_UTF8 + ROWS.encode("utf-8"), ROWS.encode("utf-16"), ROWS.encode("cp1252")],
    ids=["utf8", "utf8-bom", "utf16", "cp1252"],
)
def test_encodings_are_detected(tmp_path, encoded):
    path = tmp_path / "t.csv"
    path.write_bytes(encoded)
    frame = read_raw(path).frame
    assert list(frame.columns) == ["building_code", "building_name", "amount", ROW]
    assert frame["building_code"].tolist() == ["00044", "04937"]
    assert frame["building_name"].iloc[0] == "Café School"
    assert frame[ROW].tolist() == [2, 3]


def test_semicolon_separated_csv(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("building_code;amount\n00044;1200,50\n", encoding="utf-8")
    frame = read_raw(path).frame
    assert list(frame.columns) == ["building_code", "amount", ROW]


def test_title_rows_above_the_header_are_skipped_and_rows_numbered_as_in_excel(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Spending"
    sheet.append(["District spending report"])
    sheet.append([])
    sheet.append(["building_code", "amount"])
    sheet.append(["00044", 1200.0])
    sheet.append(["04937", 300.5])
    workbook.save(path)
    raw = read_raw(path, sheet="Spending")
    assert raw.header_row == 3
    assert raw.frame["building_code"].tolist() == ["00044", "04937"]
    assert raw.frame["amount"].tolist() == ["1200", "300.5"]
    assert raw.frame[ROW].tolist() == [4, 5]


def test_wrong_sheet_name_lists_the_sheets(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Buildings"
    workbook.save(path)
    with pytest.raises(InputError) as error:
        read_raw(path, sheet="Bildings")
    assert "Buildings" in error.value.problems[0].message


def test_merged_cells_are_refused(tmp_path):
    path = tmp_path / "t.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["building_code", "amount"])
    sheet.append(["00044", 1])
    sheet.append(["00045", 2])
    sheet.merge_cells("A2:A3")
    workbook.save(path)
    with pytest.raises(InputError) as error:
        read_raw(path)
    assert "A2:A3" in error.value.problems[0].message


@pytest.mark.parametrize("content", [b"", b"\n\n"], ids=["empty", "blank-lines"])
def test_empty_files_are_a_clear_problem(tmp_path, content):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as error:
        read_raw(path)
    assert "empty" in str(error.value) or "no cells" in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as error:
        read_raw(tmp_path / "nope.csv")
    assert "does not exist" in str(error.value)
