"""Data objects: MICIP names, safe file names, exports, prompts and recorded answers."""

import re
from datetime import date

import openpyxl
import pandas as pd
import pytest

from conftest import figure_summary, formula_cells
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.display import data_object_html
from rar_protocol.protocol.export import NAME_LIMIT, export, micip_name, safe_file_name
from rar_protocol.protocol.prompts import load_prompts
from rar_protocol.protocol.units import declare

RUN_DATE = date(2025, 3, 7)


def test_micip_naming_conventions():
    assert micip_name("Per-Pupil Spending by Building", RUN_DATE) == "RAR_Per-Pupil Spending by Building_2025.03.07"
    assert micip_name("Per-Pupil Spending by Building", RUN_DATE, naming="date_first") == "2025.03.07_RAR_Per-Pupil Spending by Building"


def test_a_building_data_object_names_the_building_and_its_code():
    name = micip_name("Per-Pupil Spending by Function", RUN_DATE, building_name="Willow Creek Elementary", building_code="90041")
    assert name == "RAR_Willow Creek Elementary 90041 Per-Pupil Spending by Function_2025.03.07"
    dated = micip_name("Per-Pupil Spending by Function", RUN_DATE, naming="date_first", building_name="Willow Creek Elementary", building_code="90041")
    assert dated == "2025.03.07_RAR_Willow Creek Elementary 90041 Per-Pupil Spending by Function"
    # A building without a name in the buildings table is named once, by its code.
    assert micip_name("Staffing", RUN_DATE, building_name="90041", building_code="90041") == "RAR_90041 Staffing_2025.03.07"


def test_a_long_building_name_is_shortened_before_the_code_or_the_data_object():
    long_name = "The Very Long Named Academy of Science, Technology: Engineering / Arts and Mathematics at Lakeshore Heights Campus"
    name = micip_name("Per-Pupil Spending by Function and Fund Source", RUN_DATE, building_name=long_name, building_code="90041")
    assert len(name) <= NAME_LIMIT
    assert name.startswith("RAR_The Very Long Named Academy") and name.endswith(" 90041 Per-Pupil Spending by Function and Fund Source_2025.03.07")
    assert not set('<>:"/\\|?*') & set(name)


@pytest.mark.parametrize(
    "name, expected",
    [("A/B: C?", "A B C"), ("../../etc/passwd", "etc passwd"), ('say "hi"\nthere', "say hi there"), ("CON", "_CON"), ("École Élémentaire", "École Élémentaire"), ("...", "unnamed")],
)
def test_file_names_are_safe_everywhere(name, expected):
    assert safe_file_name(name) == expected


def _object() -> DataObject:
    table = pd.DataFrame({"Building": ["Aspen"], "Total per pupil ($)": [9123.456], "Proficient (%)": [41.25]})
    units = declare(text=["Building"], money=["Total per pupil ($)"], percent=["Proficient (%)"])
    return DataObject(name="Spending: by building", table=table, observations=["Aspen spent $9,123 per pupil."], sources=["expenditures table (x.csv)"], units=units)


def test_cells_are_written_by_their_declared_unit_not_by_their_label():
    table = pd.DataFrame({"Cost": [-1196.4], "Share": [41.25], "Change": [3.24], "Pupils": [316.0], "FTE": [2.5], "Note ($ and %)": [12.5], "Code": ["09010"]})
    units = declare(money=["Cost"], percent=["Share"], change=["Change"], count=["Pupils", "FTE"], number=["Note ($ and %)"], code=["Code"])
    page = data_object_html(DataObject(name="Units", observations=[], sources=[], table=table, units=units), prompts=[])
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page)
    assert cells == ["-$1,196", "41.2%", "+3.2%", "316", "2.5", "12.5", "09010"]


def test_a_column_without_a_declared_unit_is_refused_by_name():
    with pytest.raises(ValueError, match=r"no unit declared for \['Pupils'\]"):
        DataObject(name="Undeclared", observations=[], sources=[], table=pd.DataFrame({"Building": ["Aspen"], "Pupils": [316]}), units=declare(text=["Building"]))


HOSTILE = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


def test_exports_cannot_carry_formulas_and_numbers_stay_numbers(tmp_path):
    """A text cell (or column name) beginning like a formula is quoted with ' in CSV and XLSX; numbers, negative ones too, stay numbers."""
    table = pd.DataFrame({"Building": HOSTILE, "Change ($)": [-658.0, 1.0, -2.5, 0.0, 3.0, -1.0], "=Name": ["Aspen"] * 6})
    units = declare(text=["Building", "=Name"], money=["Change ($)"])
    data_object = DataObject(name="=Hostile", table=table, observations=["=1+1 is what the team saw."], sources=["@source"], notes=["-note"], units=units)
    csv_path, xlsx_path = export(data_object, tmp_path, RUN_DATE)
    assert formula_cells(tmp_path) == []
    written = pd.read_csv(csv_path, encoding="utf-8-sig")
    assert written["Building"].tolist() == ["'" + name.replace("\r", "\n") for name in HOSTILE]  # a bare \r would end the row
    assert written["Change ($)"].tolist() == [-658.0, 1.0, -2.5, 0.0, 3.0, -1.0]
    sheet = openpyxl.load_workbook(xlsx_path)["Data"]
    assert [cell.value for cell in sheet["B"][1:]] == [-658, 1, -2.5, 0, 3, -1]
    assert sheet["C1"].value == "'=Name" and sheet["A2"].data_type == "s"


def test_export_writes_csv_and_xlsx_under_micip_names(tmp_path):
    written = export(_object(), tmp_path, RUN_DATE)
    assert [path.name for path in written] == ["RAR_Spending by building_2025.03.07.csv", "RAR_Spending by building_2025.03.07.xlsx"]
    assert pd.read_csv(written[0])["Building"].tolist() == ["Aspen"]
    workbook = openpyxl.load_workbook(written[1])
    assert workbook.sheetnames == ["Data", "About"]
    assert workbook["About"]["A3"].value == "Aspen spent $9,123 per pupil."
    assert sorted(tmp_path.iterdir()) == sorted(written)  # no temporary file left beside them


def test_xlsx_formats_columns_by_unit_with_widths_and_a_frozen_header(tmp_path):
    table = pd.DataFrame(
        {
            "Building": ["Aspen Elementary", "Birch"],
            "Code": ["00001", "00002"],
            "Total per pupil ($)": [9123.456, -400.0],
            "Economically disadvantaged (%)": [41.25, 7.0],
            "Change (%)": [3.2, -1.0],
            "Pupils": [316.0, 2400.0],
            "FTE": [2.5, 3.0],
            "McLoone index": [0.953, 0.9],
        }
    )
    units = declare(
        text=["Building"], code=["Code"], money=["Total per pupil ($)"], percent=["Economically disadvantaged (%)"], change=["Change (%)"], count=["Pupils", "FTE"], number=["McLoone index"]
    )
    data_object = DataObject(name="Formats", table=table, observations=["Seen."], sources=["x.csv"], units=units)
    csv_path, xlsx_path = export(data_object, tmp_path, RUN_DATE)
    workbook = openpyxl.load_workbook(xlsx_path)
    sheet = workbook["Data"]
    formats = {sheet.cell(1, column).value: sheet.cell(2, column).number_format for column in range(1, sheet.max_column + 1)}
    assert formats == {
        "Building": "@",
        "Code": "@",
        "Total per pupil ($)": '"$"#,##0;-"$"#,##0',
        "Economically disadvantaged (%)": '0.0"%"',
        "Change (%)": '+0.0"%";-0.0"%";0.0"%"',
        "Pupils": "#,##0",
        "FTE": "#,##0.0",
        "McLoone index": "#,##0.0##",
    }
    assert sheet["F2"].value == 316 and isinstance(sheet["F2"].value, int) and sheet["C3"].value == -400
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    widths = {sheet.cell(1, column).value: sheet.column_dimensions[sheet.cell(1, column).column_letter].width for column in range(1, sheet.max_column + 1)}
    assert widths["Building"] >= len("Aspen Elementary") and widths["Code"] < widths["Building"]
    assert widths["Economically disadvantaged (%)"] >= len("disadvantaged") and all(width <= 60 for width in widths.values())
    assert workbook.sheetnames == ["Data", "About"] and workbook["About"]["A2"].value == "Formats"
    # The CSV writes whole counts as integers, other counts and numbers as they are.
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1] == "Aspen Elementary,00001,9123.456,41.25,3.2,316,2.5,0.953"


def test_a_count_column_with_a_gap_stays_whole_in_csv_and_xlsx(tmp_path):
    table = pd.DataFrame({"Building": ["Aspen", "Birch"], "Pupils": [316.0, float("nan")]})
    data_object = DataObject(name="Gaps", table=table, observations=[], sources=[], units=declare(text=["Building"], count=["Pupils"]))
    csv_path, xlsx_path = export(data_object, tmp_path, RUN_DATE)
    assert csv_path.read_text(encoding="utf-8-sig").splitlines()[1:] == ["Aspen,316", "Birch,"]
    sheet = openpyxl.load_workbook(xlsx_path)["Data"]
    assert sheet["B2"].value == 316 and sheet["B3"].value is None


def test_exports_are_byte_identical_for_the_same_inputs(tmp_path):
    first = [path.read_bytes() for path in export(_object(), tmp_path / "a", RUN_DATE)]
    second = [path.read_bytes() for path in export(_object(), tmp_path / "b", RUN_DATE)]
    assert first == second


def test_prompts_with_answers_and_blank_lines():
    prompts = load_prompts(None)
    page = data_object_html(_object(), prompts=prompts, answers={"predict": "We expected more."})
    assert "We expected more." in page
    assert page.count("class='rar-write-here'") == len(prompts) - 1
    assert "$9,123" in page and "41.2%" in page


def test_edited_prompts_file(tmp_path):
    path = tmp_path / "prompts.yaml"
    path.write_text('prompts:\n  - {key: notice, title: Notice, question: "What stands out?"}\n', encoding="utf-8")
    assert load_prompts(path) == [{"key": "notice", "title": "Notice", "question": "What stands out?"}]


def test_figure_is_drawn_on_demand_and_once():
    from rar_protocol.protocol import figures

    calls = []

    def draw():
        calls.append(1)
        figure, axes = figures._figure(2.0, 2.0)
        axes.plot([0, 1], [0, 1])
        return figure

    data_object = DataObject(name="Drawn later", observations=[], sources=[], draw=draw)
    assert data_object.key == "drawn-later" and not calls
    assert data_object.png() == data_object.png() and data_object.png().startswith(b"\x89PNG")
    assert figure_summary(data_object.figure)["charts"][0]["lines"] == 1
    assert calls == [1]
    assert DataObject(name="No chart", observations=[], sources=[]).png() is None


def test_a_failed_export_leaves_neither_the_file_nor_a_temporary_one(tmp_path, monkeypatch):
    def no_rename(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rar_protocol.files.os.replace", no_rename)
    with pytest.raises(OSError, match="No space left on device"):
        export(_object(), tmp_path, RUN_DATE)
    assert list(tmp_path.iterdir()) == []
