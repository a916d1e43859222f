"""Data objects: MICIP names, safe file names, exports, prompts and recorded answers."""

from datetime import date

import openpyxl
import pandas as pd
import pytest

from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.display import data_object_html
from rar_protocol.protocol.export import export, micip_name, safe_file_name
from rar_protocol.protocol.prompts import load_prompts

RUN_DATE = date(2025, 3, 7)


def test_micip_naming_conventions():
    assert micip_name("Per-Pupil Spending by Building", RUN_DATE) == "RAR_Per-Pupil Spending by Building_2025.03.07"
    assert micip_name("Per-Pupil Spending by Building", RUN_DATE, naming="date_first") == "2025.03.07_RAR_Per-Pupil Spending by Building"


@pytest.mark.parametrize(
    "name, expected",
    [("A/B: C?", "A B C"), ("../../etc/passwd", "etc passwd"), ('say "hi"\nthere', "say hi there"), ("CON", "_CON"), ("École Élémentaire", "École Élémentaire"), ("...", "unnamed")],
)
def test_file_names_are_safe_everywhere(name, expected):
    assert safe_file_name(name) == expected


def _object() -> DataObject:
    table = pd.DataFrame({"Building": ["Aspen"], "Total per pupil ($)": [9123.456], "Proficient (%)": [41.25]})
    return DataObject(name="Spending: by building", table=table, observations=["Aspen spent $9,123 per pupil."], sources=["expenditures table (x.csv)"])


def test_export_writes_csv_and_xlsx_under_micip_names(tmp_path):
    written = export(_object(), tmp_path, RUN_DATE)
    assert [path.name for path in written] == ["RAR_Spending by building_2025.03.07.csv", "RAR_Spending by building_2025.03.07.xlsx"]
    assert pd.read_csv(written[0])["Building"].tolist() == ["Aspen"]
    workbook = openpyxl.load_workbook(written[1])
    assert workbook.sheetnames == ["Data", "About"]
    assert workbook["About"]["A3"].value == "Aspen spent $9,123 per pupil."
    assert not list(tmp_path.glob(".*partial"))


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
    path.write_text("prompts:\n  - {key: notice, title: Notice, question: \"What stands out?\"}\n", encoding="utf-8")
    assert load_prompts(path) == [{"key": "notice", "title": "Notice", "question": "What stands out?"}]
