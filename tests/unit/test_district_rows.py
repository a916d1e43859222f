"""District-level rows in a spending export: shared among the buildings by pupils, or left out out loud."""

from pathlib import Path

import pytest

from conftest import write_tiny
from rar_protocol.cli import main
from rar_protocol.data.left_out import describe_all
from rar_protocol.data.loading import load_review
from rar_protocol.errors import InputError

# The tiny district's spending as its own export writes it, with the administration building's $1.01M.
SPENDING = (
    "Bldg #,Bldg Name,Year,Source,Type,Amount\n"
    "00001,Aspen Elementary,2023-24,state_local,personnel,900000\n"
    "00002,Birch Middle,2023-24,state_local,personnel,3300000\n"
    "00003,Cedar Elementary,2023-24,state_local,personnel,800000\n"
    "9000,Administration Building,2023-24,state_local,personnel,1000000\n"
    "9000,Administration Building,2023-24,state_local,non_personnel,10000\n"
)
TABLE = """  expenditures:
    file: export.csv
    rename: {"Bldg #": building_code, Year: school_year, Source: fund_source, Type: category, Amount: amount}
"""


def _review(folder: Path, extra: str) -> Path:
    config = write_tiny(folder)
    (folder / "export.csv").write_text(SPENDING, encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace("  expenditures: {file: expenditures.csv}\n", TABLE + extra)
    config.write_text(text, encoding="utf-8")
    return config


def _dollars(review) -> dict[str, float]:
    return review.tables["expenditures"].groupby("building_code")["amount"].sum().to_dict()


def test_without_district_rows_the_administration_building_is_an_unknown_building_with_its_dollars(tmp_path):
    with pytest.raises(InputError) as raised:
        load_review(_review(tmp_path, ""))
    [problem] = raised.value.problems
    assert "Building '9000' is not in the buildings table" in problem.message
    assert "Its 2 rows carry $1,010,000 (rows 5-6)" in problem.message and "district_rows" in problem.fix


def test_district_rows_are_shared_among_the_buildings_by_pupils_and_marked_central(tmp_path):
    review = load_review(_review(tmp_path, '    district_rows: {"Bldg #": "9000"}\n'))
    # 1,010,000 shared by pupils: Aspen 100, Birch 300, Cedar 100 of 500.
    assert _dollars(review) == pytest.approx({"00001": 900_000 + 202_000, "00002": 3_300_000 + 606_000, "00003": 800_000 + 202_000})
    central = review.tables["expenditures"].query("central")
    assert central["amount"].sum() == pytest.approx(1_010_000) and set(central["category"]) == {"personnel", "non_personnel"}
    assert review.left_out == []


def test_left_out_district_rows_are_recorded_and_validate_prints_rows_and_dollars(tmp_path, capsys):
    config = _review(tmp_path, '    district_rows: {"Bldg #": "9000", share: leave_out}\n')
    review = load_review(config)
    assert _dollars(review) == {"00001": 900_000, "00002": 3_300_000, "00003": 800_000}
    assert describe_all(review.left_out) == ["expenditures, 2023-24: 2 rows ($1,010,000) of district-level rows left out (district_rows: share: leave_out)"]
    assert main(["validate", str(config)]) == 0
    assert "expenditures, 2023-24: 2 rows ($1,010,000) of district-level rows left out" in capsys.readouterr().out


def test_only_known_buildings_says_what_it_leaves_out(tmp_path, capsys):
    config = _review(tmp_path, "    only_known_buildings: true\n")
    [record] = load_review(config).left_out
    assert (record.rows, record.dollars, record.buildings) == (2, 1_010_000, ("9000",))
    assert main(["validate", str(config)]) == 0
    assert "expenditures, 2023-24: 2 rows ($1,010,000) of building 9000, not in the buildings table, left out (only_known_buildings)" in capsys.readouterr().out


def test_a_filter_that_drops_spending_says_so_but_a_totals_row_is_not_spending_left_out(tmp_path):
    totals = SPENDING + "Total,All buildings,2023-24,state_local,personnel,6010000\n"
    config = _review(tmp_path, '    filter: {"Bldg #": {not_in: ["9000", "Total"]}}\n')
    (tmp_path / "export.csv").write_text(totals, encoding="utf-8")
    [record] = load_review(config).left_out
    assert (record.reason, record.rows, record.dollars) == ("filter", 2, 1_010_000)


def test_a_year_without_pupils_cannot_share_district_rows(tmp_path):
    config = _review(tmp_path, '    district_rows: {"Bldg #": "9000"}\n')
    (tmp_path / "export.csv").write_text(SPENDING.replace("9000,Administration Building,2023-24", "9000,Administration Building,2022-23"), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_review(config.parent / "review.yaml")
    assert "District-level rows (district_rows) in 2022-23 cannot be shared" in raised.value.problems[0].message


def test_district_rows_belong_to_spending_tables(tmp_path):
    config = write_tiny(tmp_path)
    config.write_text(config.read_text().replace("enrollment: {file: enrollment.csv}", 'enrollment: {file: enrollment.csv, district_rows: {building_code: "9000"}}'), encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_review(config)
    assert "district_rows names district-level spending rows" in raised.value.problems[0].message


def test_the_sources_note_says_what_was_left_out(tmp_path):
    from rar_protocol.protocol.words import table_sources

    review = load_review(_review(tmp_path, '    district_rows: {"Bldg #": "9000", share: leave_out}\n'))
    assert table_sources(review, "expenditures") == [
        "expenditures table (export.csv)",
        "left out: expenditures, 2023-24: 2 rows ($1,010,000) of district-level rows left out (district_rows: share: leave_out)",
    ]
