"""Michigan's identification and spending files as built-in formats: School Index, Entity Master, CEPI FID."""

from pathlib import Path

import pytest

from conftest import write_tiny
from rar_protocol.data.loading import load_review
from rar_protocol.errors import InputError


def _with_table(folder: Path, table: str, file: str, text: str, mapping: str) -> Path:
    config = write_tiny(folder)
    (folder / file).write_text(text, encoding="utf-8")
    yaml = config.read_text(encoding="utf-8")
    line = next(line for line in yaml.splitlines() if line.startswith(f"  {table}:"))
    config.write_text(yaml.replace(line, f"  {table}: {mapping}"), encoding="utf-8")
    return config


SCHOOL_INDEX = (
    "SchoolYear,ISDCode,DistrictCode,BuildingCode,BuildingName,OverallIndex,SupportCategoryName,SupportCategoryReason\n"
    "2023-24,99,01234,00001,Aspen Elementary,71.2,,\n"
    "2023-24,99,01234,00002,Birch Middle,40.1,Additional Targeted Support,Students with Disabilities\n"
    "2023-24,99,01234,00003,Cedar Elementary,12.5,Comprehensive Support and Improvement,Bottom 5%\n"
    "2023-24,99,09999,00444,Elsewhere School,50.0,Targeted Support and Improvement,English Learners\n"
)


def test_school_index_gives_designations_with_their_reason(tmp_path):
    review = load_review(_with_table(tmp_path, "designations", "index.csv", SCHOOL_INDEX, "{file: index.csv, format: mi_school_index}"))
    designations = review.tables["designations"].set_index("building_code")
    assert designations["designation"].to_dict() == {"00001": "none", "00002": "ATS", "00003": "CSI"}
    assert designations.at["00003", "note"] == "Bottom 5%"
    assert review.identified_buildings() == ["00002", "00003"]


def test_school_index_headers_drifting_between_years_are_read(tmp_path):
    drifted = SCHOOL_INDEX.replace("SchoolYear,ISDCode,DistrictCode,BuildingCode", "School Year,ISD Code,DISTRICTCODE,Building Code").replace(
        "SupportCategoryName,SupportCategoryReason", "Support Category Name,support_category_reason"
    )
    review = load_review(_with_table(tmp_path, "designations", "index.csv", drifted, "{file: index.csv, format: mi_school_index}"))
    assert review.tables["designations"]["designation"].tolist() == ["none", "ATS", "CSI"]


def test_a_school_index_header_that_fits_no_variant_names_expected_and_found(tmp_path):
    broken = SCHOOL_INDEX.replace("SupportCategoryName", "Identification")
    with pytest.raises(InputError) as raised:
        load_review(_with_table(tmp_path, "designations", "index.csv", broken, "{file: index.csv, format: mi_school_index}"))
    [problem] = raised.value.problems
    assert "lacks column(s) the 'mi_school_index' format reads: SupportCategoryName" in problem.message
    assert "Columns expected: DistrictCode, SupportCategoryName" in problem.fix and "Identification" in problem.fix


ENTITY_MASTER = (
    "ISD Code,District Code,Entity Code,Entity Official Name,Entity Type,Entity Locale Name,ESSA Support Category Status\n"
    "99,01234,01234,Tiny District,LEA District,Town,\n"
    "99,01234,00001,Aspen Elementary,LEA School,Town,Not Identified\n"
    "99,01234,00002,Birch Middle,LEA School,Town,Targeted Support and Improvement (TSI)\n"
    "99,01234,00003,Cedar Elementary,LEA School,Town,Comprehensive Support and Improvement (CSI)\n"
)


def test_entity_master_support_status_gives_designations(tmp_path):
    mapping = "{file: eem.csv, format: mi_entity_master_essa, constants: {school_year: 2023-24}}"
    review = load_review(_with_table(tmp_path, "designations", "eem.csv", ENTITY_MASTER, mapping))
    designations = review.tables["designations"].set_index("building_code")
    assert designations["designation"].to_dict() == {"00001": "none", "00002": "TSI", "00003": "CSI"}
    assert designations.at["00002", "note"] == "Targeted Support and Improvement (TSI)"


def test_the_older_entity_master_with_run_together_headers_is_read(tmp_path):
    older = ENTITY_MASTER.replace("District Code,Entity Code,Entity Official Name,Entity Type", "DistrictCode,EntityCode,EntityOfficialName,EntityType").replace(
        "ESSA Support Category Status", "ESSASupportCategoryStatus"
    )
    mapping = "{file: eem.csv, format: mi_entity_master_essa, constants: {school_year: 2023-24}}"
    assert load_review(_with_table(tmp_path, "designations", "eem.csv", older, mapping)).identified_buildings() == ["00002", "00003"]


# Amounts: Aspen 900,000 (one line federal through a grant), Birch 3,300,000, Cedar 800,000; $1,010,000 on lines
# without a building; a debt-service fund line and another district's line are not counted.
FID = (
    "FiscalYear,DistrictCode,DistrictName,Fund,Function,Object,Grant,BuildingCode,Amount\n"
    "2024,01234,Tiny District,11,111,1210,,00001,800000\n"
    "2024,01234,Tiny District,22,125,5900,T1,00001,100000\n"
    "2024,01234,Tiny District,11,112,1210,,00002,3300000\n"
    "2024,01234,Tiny District,11,111,1210,,00003,800000\n"
    "2024,01234,Tiny District,11,231,1100,,,1000000\n"
    "2024,01234,Tiny District,11,252,4100,,,10000\n"
    "2024,01234,Tiny District,31,511,7000,,,250000\n"
    "2024,09999,Elsewhere,11,111,1210,,00444,5000000\n"
)
FID_MAPPING = "{file: fid.csv, format: mi_fid_expenditures, rename: {FiscalYear: school_year}"


def test_fid_expenditures_of_one_district_share_lines_without_a_building_by_pupils(tmp_path):
    review = load_review(_with_table(tmp_path, "expenditures", "fid.csv", FID, FID_MAPPING + "}"))
    spending = review.tables["expenditures"]
    by_building = spending.groupby("building_code")["amount"].sum().to_dict()
    assert by_building == pytest.approx({"00001": 900_000 + 202_000, "00002": 3_300_000 + 606_000, "00003": 800_000 + 202_000})
    assert spending.loc[spending["central"], "amount"].sum() == pytest.approx(1_010_000)
    federal = spending.loc[spending["fund_source"] == "federal"]
    assert federal[["building_code", "function_code", "amount"]].values.tolist() == [["00001", "125", 100_000]]
    assert set(spending.loc[~spending["central"], "category"]) == {"personnel", "non_personnel"}


def test_fid_district_lines_can_be_left_out_and_are_said(tmp_path):
    mapping = FID_MAPPING + ', district_rows: {BuildingCode: "", share: leave_out}}'
    review = load_review(_with_table(tmp_path, "expenditures", "fid.csv", FID, mapping))
    assert review.tables["expenditures"]["amount"].sum() == 5_000_000
    rows = [(record.reason, record.rows, record.dollars) for record in review.left_out]
    assert ("district_rows", 2, 1_010_000) in rows


def test_fid_headers_of_another_year_are_read(tmp_path):
    drifted = FID.replace(
        "FiscalYear,DistrictCode,DistrictName,Fund,Function,Object,Grant,BuildingCode,Amount",
        "FiscalYear,District Code,District Name,Fund Code,Function Code,Object Code,Grant Code,Location,Expenditure",
    )
    review = load_review(_with_table(tmp_path, "expenditures", "fid.csv", drifted, FID_MAPPING + "}"))
    assert review.tables["expenditures"]["amount"].sum() == pytest.approx(6_010_000)
