"""Built-in formats on small hand-written files in the published Michigan layouts."""

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import SAMPLE_CONFIG, SAMPLE_DATA
from rar_protocol.data.config import Split
from rar_protocol.data.dictionary import data_dictionary
from rar_protocol.data.formats import available_formats, merge_format
from rar_protocol.data.loading import load_review
from rar_protocol.data.mapping import apply_split
from rar_protocol.data.reading import ROW
from rar_protocol.errors import InputError
from rar_protocol.measures import finance

DIRECTORY_COLUMNS = ["ISDCode", "ISDName", "DistrictCode", "DistrictName", "BuildingCode", "BuildingName", "COUNTY_CODE", "COUNTY_NAME", "EntityType", "SCHOOL_LEVEL", "LOCALE_NAME"]
COUNT_COLUMNS = [
    "SchoolYear",
    "ISDCode",
    "ISDName",
    "DistrictCode",
    "DistrictName",
    "BuildingCode",
    "BuildingName",
    "CountyCode",
    "CountyName",
    "EntityType",
    "SchoolLevel",
    "LOCALE_NAME",
    "MISTEM_NAME",
    "MISTEM_CODE",
    "TOTAL_ENROLLMENT",
    "MALE_ENROLLMENT",
    "FEMALE_ENROLLMENT",
    "AMERICAN_INDIAN_ENROLLMENT",
    "ASIAN_ENROLLMENT",
    "AFRICAN_AMERICAN_ENROLLMENT",
    "HISPANIC_ENROLLMENT",
    "HAWAIIAN_ENROLLMENT",
    "WHITE_ENROLLMENT",
    "TWO_OR_MORE_RACES_ENROLLMENT",
    "EARLY_MIDDLE_COLLEGE_ENROLLMENT",
    "PREKINDERGARTEN_ENROLLMENT",
    "KINDERGARTEN_ENROLLMENT",
    *(f"GRADE_{grade}_ENROLLMENT" for grade in range(1, 13)),
    "UNGRADED_ENROLLMENT",
    "ECONOMIC_DISADVANTAGED_ENROLLMENT",
    "SPECIAL_EDUCATION_ENROLLMENT",
    "ENGLISH_LANGUAGE_LEARNERS_ENROLLMENT",
]
ASSESSMENT_COLUMNS = [
    "SchoolYear",
    "TestType",
    "TestPopulation",
    "ISDCode",
    "ISDName",
    "DistrictCode",
    "DistrictName",
    "BuildingCode",
    "BuildingName",
    "CountyCode",
    "CountyName",
    "EntityType",
    "SchoolLevel",
    "Locale",
    "MISTEM_NAME",
    "MISTEM_CODE",
    "GradeContentTested",
    "Subject",
    "ReportCategory",
    "TotalAdvanced",
    "TotalProficient",
    "TotalPartiallyProficient",
    "TotalNotProficient",
    "TotalSurpassed",
    "TotalAttained",
    "TotalEmergingTowards",
    "TotalMet",
    "TotalDidNotMeet",
    "NumberAssessed",
    "PercentMet",
    "AvgSS",
]
# Bulletin 1014's header as published (a layout, not data).
BULLETIN_COLUMNS = (
    "DCODE,DISTNAME,DISTCOUNTY,CC,AVG_FTE,RNK_FTE,LOCREV,AVG_LOCREV,RNK_LOCREV,STREV,AVG_STREV,RNK_STREV,FEDREV,AVG_FEDREV,RNK_FEDREV,"
    "TOTREV,AVG_TOTREV,RNK_TOTREV,BASINS,AVG_BASINS,RNK_BASINS,ADDINS,AVG_ADDINS,RNK_ADDINS,AEINS,AVG_AEINS,RNK_AEINS,ITOT,AVG_ITOT,"
    "RNK_ITOT,ISAL,AVG_ISAL,RNK_ISAL,ISSUP,AVG_ISSUP,RNK_ISSUP,ADM,AVG_ADM,RNK_ADM,FACACQ,AVG_FACACQ,RNK_FACACQ,OPNMNT,AVG_OPNMNT,"
    "RNK_OPNMNT,TRANS,AVG_TRANS,RNK_TRANS,SSTOT,AVG_SSTOT,RNK_SSTOT,SSSAL,AVG_SSSAL,RNK_SSSAL,COE,AVG_COE,RNK_COE,TOTEXP,AVG_TOTEXP,"
    "RNK_TOTEXP,T_SAL,AVG_T_SAL,RNK_T_SAL,HSEV,AVG_HSEV,RNK_HSEV,NHSEV,AVG_NHSEV,RNK_NHSEV,P_TCHR,AVG_P_TCHR,RNK_P_TCH,GROUP,AEPUPILS_A,AEPUPILS_S"
).split(",")
YEAR = "24 - 25 School Year"  # MI School Data's spelling


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)


def _directory_rows() -> list[dict[str, str]]:
    district = {
        "ISDCode": "01",
        "ISDName": "Alpena-Montmorency-Alcona ESD",
        "DistrictCode": "01010",
        "DistrictName": "Alcona Community Schools",
        "COUNTY_CODE": "01",
        "COUNTY_NAME": "Alcona",
        "LOCALE_NAME": "Rural: Remote",
    }
    return [
        {**district, "BuildingCode": "", "BuildingName": "Alcona Community Schools", "EntityType": "LEA District"},
        {**district, "BuildingCode": "00044", "BuildingName": "Alcona Community High School", "EntityType": "LEA School", "SCHOOL_LEVEL": "High School"},
        {**district, "BuildingCode": "04937", "BuildingName": "Alcona Elementary School", "EntityType": "LEA School", "SCHOOL_LEVEL": "Elementary"},
        {**district, "BuildingCode": "08833", "BuildingName": "Alcona Middle School", "EntityType": "LEA School", "SCHOOL_LEVEL": "Middle School"},
        {**district, "BuildingCode": "09001", "BuildingName": "Alcona Virtual Academy", "EntityType": "LEA School", "SCHOOL_LEVEL": "K-12 School"},
        {
            **district,
            "DistrictCode": "02010",
            "DistrictName": "AuTrain-Onota Public Schools",
            "BuildingCode": "04959",
            "BuildingName": "AuTrain-Onota Public School",
            "EntityType": "LEA School",
            "SCHOOL_LEVEL": "Elem_Middle School",
        },
    ]


def _count_row(code: str, name: str, total: str, **counts: str) -> dict[str, str]:
    base = {"SchoolYear": YEAR, "ISDCode": "01", "DistrictCode": "01010", "DistrictName": "Alcona Community Schools", "BuildingCode": code, "BuildingName": name, "TOTAL_ENROLLMENT": total}
    return {**base, **counts}


def _assessment_row(code: str, grade: str, subject: str, group: str, test: str = "M-STEP", **counts: str) -> dict[str, str]:
    return {
        "SchoolYear": YEAR,
        "TestType": test,
        "TestPopulation": "N/A",
        "ISDCode": "01",
        "DistrictCode": "01010",
        "BuildingCode": code,
        "GradeContentTested": grade,
        "Subject": subject,
        "ReportCategory": group,
        **counts,
    }


@pytest.fixture
def mi_school_data_review(tmp_path: Path) -> Path:
    """A district's MI School Data downloads, untouched: directory, student counts and M-STEP."""
    _write(tmp_path / "EntityMaster.csv", DIRECTORY_COLUMNS, _directory_rows())
    _write(
        tmp_path / "StudentCounts.csv",
        COUNT_COLUMNS,
        [
            _count_row("", "All Buildings", "955", ECONOMIC_DISADVANTAGED_ENROLLMENT="500"),
            _count_row(
                "00044",
                "Alcona Community High School",
                "314",
                ECONOMIC_DISADVANTAGED_ENROLLMENT="131",
                SPECIAL_EDUCATION_ENROLLMENT="41",
                ENGLISH_LANGUAGE_LEARNERS_ENROLLMENT="<10",
                AMERICAN_INDIAN_ENROLLMENT="<10",
                WHITE_ENROLLMENT="305",
            ),
            _count_row(
                "04937",
                "Alcona Elementary School",
                "340",
                ECONOMIC_DISADVANTAGED_ENROLLMENT="204",
                SPECIAL_EDUCATION_ENROLLMENT="38",
                ENGLISH_LANGUAGE_LEARNERS_ENROLLMENT="12",
                WHITE_ENROLLMENT="334",
            ),
            _count_row(
                "08833", "Alcona Middle School", "245", ECONOMIC_DISADVANTAGED_ENROLLMENT="133", SPECIAL_EDUCATION_ENROLLMENT="30", ENGLISH_LANGUAGE_LEARNERS_ENROLLMENT="*", WHITE_ENROLLMENT="237"
            ),
            _count_row(
                "09001", "Alcona Virtual Academy", "56", ECONOMIC_DISADVANTAGED_ENROLLMENT="30", SPECIAL_EDUCATION_ENROLLMENT="<10", ENGLISH_LANGUAGE_LEARNERS_ENROLLMENT="0", WHITE_ENROLLMENT="50"
            ),
            {**_count_row("04959", "AuTrain-Onota Public School", "44"), "DistrictCode": "02010"},
        ],
    )
    assessed = {"TotalAdvanced": "5", "TotalProficient": "10", "TotalPartiallyProficient": "8", "TotalNotProficient": "7", "TotalMet": "15", "TotalDidNotMeet": "15", "NumberAssessed": "30"}
    _write(
        tmp_path / "Assessment.csv",
        ASSESSMENT_COLUMNS,
        [
            _assessment_row("00044", "03", "ELA", "All Students", **assessed),
            _assessment_row(
                "00044",
                "04",
                "ELA",
                "All Students",
                TotalAdvanced="4",
                TotalProficient="6",
                TotalPartiallyProficient="5",
                TotalNotProficient="5",
                TotalMet="10",
                TotalDidNotMeet="10",
                NumberAssessed="20",
            ),
            # An all-grades line would count every pupil twice: the format reads grade lines only.
            _assessment_row("00044", "All Grades", "ELA", "All Students", TotalAdvanced="9", TotalProficient="16", TotalMet="25", NumberAssessed="50"),
            # PSAT counts what met the benchmark, not advanced + proficient.
            _assessment_row("00044", "08", "ELA", "All Students", test="PSAT", TotalAdvanced="1", TotalProficient="1", TotalMet="12", TotalDidNotMeet="13", NumberAssessed="25"),
            _assessment_row(
                "00044",
                "03",
                "ELA",
                "English Learners",
                TotalAdvanced="*",
                TotalProficient="*",
                TotalPartiallyProficient="*",
                TotalNotProficient="*",
                TotalMet="*",
                TotalDidNotMeet="*",
                NumberAssessed="<10",
            ),
            _assessment_row("00044", "04", "ELA", "English Learners", TotalAdvanced="2", TotalProficient="3", TotalMet="5", TotalDidNotMeet="7", NumberAssessed="12"),
            _assessment_row("00044", "03", "ELA", "Homeless", TotalAdvanced="1", TotalProficient="1", TotalMet="2", NumberAssessed="11"),
            _assessment_row("04937", "03", "Mathematics", "Students with Disabilities", TotalAdvanced="1", TotalProficient="2", TotalMet="3", TotalDidNotMeet="9", NumberAssessed="12"),
            {**_assessment_row("00000", "03", "ELA", "All Students", TotalAdvanced="50", TotalProficient="50", TotalMet="100", NumberAssessed="200"), "BuildingName": "All Buildings"},
            {**_assessment_row("04959", "03", "ELA", "All Students", TotalAdvanced="1", TotalProficient="1", TotalMet="2", NumberAssessed="10"), "DistrictCode": "02010"},
        ],
    )
    config = tmp_path / "review.yaml"
    config.write_text(
        """district_code: "01010"
school_years: [2024-25]
data_folder: .
tables:
  buildings: {file: EntityMaster.csv, format: mi_school_data_directory}
  enrollment: {file: StudentCounts.csv, format: mi_school_data_student_counts}
  outcomes: {file: Assessment.csv, format: mi_school_data_assessment}
""",
        encoding="utf-8",
    )
    return config


def test_directory_format_keeps_the_district_schools_with_their_levels_and_zeros(mi_school_data_review):
    buildings = load_review(mi_school_data_review).tables["buildings"]
    assert buildings["building_code"].tolist() == ["00044", "04937", "08833", "09001"]
    assert buildings["level"].tolist() == ["high", "elementary", "middle", "k12"]
    assert set(buildings["district_code"]) == {"01010"}


def test_student_counts_format_reads_need_groups_and_keeps_suppression(mi_school_data_review):
    enrollment = load_review(mi_school_data_review).tables["enrollment"].set_index("building_code")
    assert enrollment.index.tolist() == ["00044", "04937", "08833", "09001"]  # the district line is not a building
    assert enrollment.loc["00044", "pupils"] == 314 and enrollment.loc["00044", "economically_disadvantaged"] == 131
    assert enrollment.loc["04937", "english_learners"] == 12 and enrollment.loc["09001", "english_learners"] == 0
    # "<10" and "*" are suppressed: unknown, never zero.
    assert np.isnan(enrollment.loc["00044", "english_learners"]) and np.isnan(enrollment.loc["08833", "english_learners"])
    assert np.isnan(enrollment.loc["09001", "students_with_disabilities"])
    assert set(enrollment["school_year"]) == {"2024-25"}


def test_assessment_format_adds_grades_and_tests_with_the_right_proficient_count(mi_school_data_review):
    outcomes = load_review(mi_school_data_review).tables["outcomes"].set_index(["building_code", "subject", "student_group"])
    everyone = outcomes.loc[("00044", "ela", "all")]
    # M-STEP grades 3 and 4: advanced + proficient (15 + 10 of 50); PSAT grade 8: met (12 of 25).
    assert (everyone["tested"], everyone["proficient"], everyone["suppressed"]) == (75, 37, False)
    disabilities = outcomes.loc[("04937", "math", "students_with_disabilities")]
    assert (disabilities["tested"], disabilities["proficient"]) == (12, 3)
    assert set(outcomes.index.get_level_values("building_code")) == {"00044", "04937"}  # district and other-district lines left out
    assert "homeless" not in set(outcomes.index.get_level_values("student_group"))


def test_assessment_group_with_a_suppressed_grade_stays_suppressed(mi_school_data_review):
    outcomes = load_review(mi_school_data_review).tables["outcomes"].set_index(["building_code", "subject", "student_group"])
    learners = outcomes.loc[("00044", "ela", "english_learners")]
    # Grade 4's 12 learners are shown in the file, grade 3's are not: no partial total of 12.
    assert learners["suppressed"] and np.isnan(learners["tested"]) and np.isnan(learners["proficient"])


def _bulletin_row(code: str, name: str, pupils: float, **values: float) -> dict[str, str]:
    row = {"DCODE": code, "DISTNAME": name, "AVG_FTE": f"{pupils:.2f}", "AEPUPILS_A": "0.00", "AEPUPILS_S": "0.00"}
    for column in BULLETIN_COLUMNS[6:]:
        row.setdefault(column, "0")
    row.update({key: str(value) for key, value in values.items()})
    return row


@pytest.fixture
def bulletin_review(tiny_review: Path) -> Path:
    """The tiny district (01234) with a Bulletin 1014 file of three districts."""
    dollars = dict(
        LOCREV=4_000_000,
        STREV=5_000_000,
        FEDREV=1_000_000,
        TOTREV=10_000_000,
        BASINS=4_750_000,
        ADDINS=950_000,
        ISSUP=500_000,
        ADM=600_000,
        OPNMNT=700_000,
        TRANS=300_000,
        TOTEXP=9_800_000,
        T_SAL=2_500_000,
        P_TCHR=50,
        AVG_T_SAL=50000,
    )
    _write(
        tiny_review.parent / "b1014.csv",
        BULLETIN_COLUMNS,
        [
            _bulletin_row("01234", "TINY DISTRICT", 1000.0, AEPUPILS_A=30, AEPUPILS_S=20, RNK_BASINS=7, RNK_T_SAL=3, **{k: v for k, v in dollars.items()}),
            _bulletin_row("00044", "LEADING ZERO SCHOOLS", 2000.0, BASINS=8_000_000, TOTEXP=18_000_000, T_SAL=4_000_000, P_TCHR=80, RNK_BASINS=9),
            _bulletin_row("09010", "BAY CITY", 500.0, BASINS=3_000_000, TOTEXP=5_000_000, RNK_BASINS=1),
        ],
    )
    text = tiny_review.read_text() + "  district_finances: {file: b1014.csv, format: mi_bulletin_1014, constants: {school_year: 2023-24}}\n"
    tiny_review.write_text(text)
    return tiny_review


def test_bulletin_1014_format_reads_dollars_pupils_and_published_ranks(bulletin_review):
    finances = load_review(bulletin_review).tables["district_finances"].set_index("district_code")
    assert finances.index.tolist() == ["00044", "01234", "09010"]  # codes stay text
    tiny = finances.loc["01234"]
    assert (tiny["pupils"], tiny["adult_education_pupils"], tiny["basic_instruction"]) == (1000.0, 50.0, 4_750_000.0)
    assert (tiny["teachers"], tiny["teacher_salaries"], tiny["average_teacher_salary"]) == (50.0, 2_500_000.0, 50_000.0)
    assert tiny["basic_instruction_rank"] == 7 and tiny["school_year"] == "2023-24"


def test_bulletin_1014_without_a_year_says_how_to_add_it(bulletin_review):
    bulletin_review.write_text(bulletin_review.read_text().replace(", constants: {school_year: 2023-24}", ""))
    with pytest.raises(InputError) as error:
        load_review(bulletin_review)
    problem = next(p for p in error.value.problems if p.column == "school_year")
    assert "constants: {school_year:" in problem.fix


def test_renamed_column_names_the_expected_and_found_columns(mi_school_data_review):
    counts = mi_school_data_review.parent / "StudentCounts.csv"
    counts.write_text(counts.read_text().replace("ECONOMIC_DISADVANTAGED_ENROLLMENT", "ECON_DISADV"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_review(mi_school_data_review)
    problem = error.value.problems[0]
    assert problem.file == "StudentCounts.csv" and problem.column == "ECONOMIC_DISADVANTAGED_ENROLLMENT"
    assert "mi_school_data_student_counts" in problem.message
    assert "Columns expected:" in problem.fix and "ECON_DISADV" in problem.fix and "rename:" in problem.fix and "README" in problem.fix


def test_users_keys_are_laid_over_the_format(mi_school_data_review):
    counts = mi_school_data_review.parent / "StudentCounts.csv"
    counts.write_text(counts.read_text().replace("ECONOMIC_DISADVANTAGED_ENROLLMENT", "ECON_DISADV"), encoding="utf-8")
    text = mi_school_data_review.read_text().replace("format: mi_school_data_student_counts}", "format: mi_school_data_student_counts, rename: {ECON_DISADV: economically_disadvantaged}}")
    mi_school_data_review.write_text(text)
    enrollment = load_review(mi_school_data_review).tables["enrollment"]
    assert enrollment["economically_disadvantaged"].tolist() == [131, 204, 133, 30]


def test_merging_keeps_the_formats_other_entries():
    merged = merge_format(
        {"rename": {"A": "pupils", "B": "school_year"}, "values": {"group": {"x": "all", "y": "male"}}, "aggregate": "sum"},
        {"rename": {"C": "pupils"}, "values": {"group": {"y": "female"}}, "aggregate": None},
    )
    assert merged == {"rename": {"B": "school_year", "C": "pupils"}, "values": {"group": {"x": "all", "y": "female"}}, "aggregate": None}


def test_unknown_format_lists_the_formats(mi_school_data_review):
    mi_school_data_review.write_text(mi_school_data_review.read_text().replace("format: mi_school_data_assessment", "format: mstep"))
    with pytest.raises(InputError) as error:
        load_review(mi_school_data_review)
    problem = error.value.problems[0]
    assert problem.column == "tables.outcomes.format" and "'mstep'" in problem.message
    assert all(name in problem.fix for name in available_formats())


def test_a_format_under_the_wrong_table_is_refused(mi_school_data_review):
    mi_school_data_review.write_text(mi_school_data_review.read_text().replace("format: mi_school_data_student_counts", "format: mi_school_data_assessment"))
    with pytest.raises(InputError) as error:
        load_review(mi_school_data_review)
    assert "makes the outcomes table, not enrollment" in error.value.problems[0].message


def test_every_format_is_in_the_data_dictionary_with_the_columns_it_reads():
    dictionary = data_dictionary()
    assert set(available_formats()) == {
        "mi_bulletin_1014",
        "mi_entity_master_essa",
        "mi_fid_expenditures",
        "mi_general_ledger",
        "mi_school_data_assessment",
        "mi_school_data_directory",
        "mi_school_data_student_counts",
        "mi_school_index",
    }
    for name in available_formats():
        assert f"## format `{name}`" in dictionary
    assert "`ReportCategory`" in dictionary and "`TOTAL_ENROLLMENT`" in dictionary and "`Account`" in dictionary and "`AVG_FTE`" in dictionary
    assert "`SupportCategoryReason`" in dictionary and "`ESSA Support Category Status`" in dictionary and "`BuildingCode`" in dictionary


# ---------------------------------------------------------------------------------- the ledger

LEDGER_ROWS = [
    ("11-111-1000-00001-000", "Teacher salaries", "$480,000.00"),
    ("11-111-2000-00001-000", "Teacher benefits", "$200,000.00"),
    ("11-111-4000-00002-000", "Classroom supplies", "30,000"),
    ("11-125-1000-00002-T1A", "Title I interventionist", "60,000"),
    ("11-231-1000-00000-000", "Superintendent's office", "$50,000.00"),
    ("31-511-5000-00000-000", "Bond principal (debt service fund)", "900,000"),
    ("11-351-3000-00001-000", "Community recreation", "7,000"),
]


@pytest.fixture
def ledger_review(tmp_path: Path) -> Path:
    """Two buildings (100 and 400 pupils) and a general-ledger export with Bulletin 1022 account strings."""
    (tmp_path / "buildings.csv").write_text("district_code,building_code,building_name,level\n01234,00001,Aspen Elementary,elementary\n01234,00002,Birch Middle,middle\n", encoding="utf-8")
    (tmp_path / "enrollment.csv").write_text("building_code,school_year,pupils\n00001,2024-25,100\n00002,2024-25,400\n", encoding="utf-8")
    _write(tmp_path / "GL FY2025.csv", ["Account", "Description", "Budget", "Actual"], [{"Account": a, "Description": d, "Budget": "", "Actual": v} for a, d, v in LEDGER_ROWS])
    config = tmp_path / "review.yaml"
    config.write_text(
        """district_code: "01234"
school_years: [2024-25]
data_folder: .
tables:
  buildings: {file: buildings.csv}
  enrollment: {file: enrollment.csv}
  ledger:
    file: GL FY2025.csv
    format: mi_general_ledger
    constants: {school_year: 2024-25}
    cases:
      fund_source:
        - {when: {program: {matches: "^T"}}, value: federal}
        - {value: state_local}
  expenditures: {from_ledger: true}
""",
        encoding="utf-8",
    )
    return config


def test_ledger_format_cuts_the_account_string(ledger_review):
    ledger = load_review(ledger_review).tables["ledger"]
    first = ledger[ledger["description"] == "Teacher salaries"].iloc[0]
    assert (first["fund"], first["function_code"], first["object_code"], first["location"], first["program"]) == ("11", "111", "1000", "00001", "000")
    assert first["actual"] == 480_000 and first["fund_source"] == "state_local"


def test_expenditures_from_the_ledger_by_building_source_and_category(ledger_review):
    review = load_review(ledger_review)
    dollars = finance.building_dollars(review).set_index("building_code")
    # District office: $50,000 shared 100:400 by pupils. Debt service and community services are left out.
    assert dollars.loc["00001", "total_dollars"] == pytest.approx(480_000 + 200_000 + 10_000)
    assert dollars.loc["00002", "total_dollars"] == pytest.approx(30_000 + 60_000 + 40_000)
    assert dollars.loc["00002", "federal_dollars"] == pytest.approx(60_000)
    assert dollars.loc["00001", "personnel_dollars"] == pytest.approx(690_000)
    assert dollars.loc["00002", "non_personnel_dollars"] == pytest.approx(30_000)
    spending = review.tables["expenditures"]
    central = spending[spending["central"]]
    assert set(central["function_code"]) == {"231"} and central["amount"].sum() == pytest.approx(50_000)


def test_district_lines_can_be_left_out(ledger_review):
    ledger_review.write_text(ledger_review.read_text().replace("{from_ledger: true}", "{from_ledger: {district_lines: leave_out}}"))
    review = load_review(ledger_review)
    dollars = finance.building_dollars(review).set_index("building_code")
    assert dollars.loc["00001", "total_dollars"] == pytest.approx(680_000)
    # The district's own lines are said to be left out, with their dollars, not dropped silently.
    assert [(record.reason, record.table) for record in review.left_out] == [("district_lines", "expenditures")]
    assert review.left_out[0].dollars > 0


def test_vendor_layout_with_another_order_separator_and_a_skipped_segment(ledger_review):
    gl = ledger_review.parent / "GL FY2025.csv"
    rows = [
        {"Account": f"{loc}.{fund}.{function}.{obj}.99.{program}", "Description": d, "Budget": "", "Actual": v}
        for (account, d, v) in LEDGER_ROWS
        for fund, function, obj, loc, program in [account.split("-")]
    ]
    _write(gl, ["Account", "Description", "Budget", "Actual"], rows)
    text = ledger_review.read_text().replace(
        "    format: mi_general_ledger\n", '    format: mi_general_ledger\n    split: {column: Account, separator: ".", segments: [location, fund, function_code, object_code, null, program]}\n'
    )
    ledger_review.write_text(text)
    ledger = load_review(ledger_review).tables["ledger"]
    assert ledger.loc[ledger["description"] == "Title I interventionist", ["location", "fund", "function_code", "program"]].iloc[0].tolist() == ["00002", "11", "125", "T1A"]
    assert "99" not in ledger.to_numpy()


def test_fixed_width_accounts_keep_their_leading_zeros():
    frame = pd.DataFrame({"Acct": ["1111110000004400", "1112110000493700"], ROW: [2, 3]})
    split = Split(column="Acct", widths=[2, 3, 4, 5, 2], segments=["fund", "function_code", "object_code", "location", None])
    result, problems = apply_split(frame, split, "gl.csv")
    assert not problems
    assert result["location"].tolist() == ["00044", "04937"] and result["function_code"].tolist() == ["111", "121"]


def test_an_account_that_does_not_fit_names_row_layout_and_what_was_found(ledger_review):
    gl = ledger_review.parent / "GL FY2025.csv"
    gl.write_text(gl.read_text(encoding="utf-8").replace("11-111-2000-00001-000", "11-111-2000-00001"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_review(ledger_review)
    problem = error.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("GL FY2025.csv", 3, "Account")
    assert "'11-111-2000-00001' has 4 segments" in problem.message
    assert "fund - function_code - object_code - location - program" in problem.message and "split:" in problem.fix


def test_a_missing_account_column_names_the_expected_and_found_columns(ledger_review):
    gl = ledger_review.parent / "GL FY2025.csv"
    gl.write_text(gl.read_text(encoding="utf-8").replace("Account,", "Acct No,", 1), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_review(ledger_review)
    problem = error.value.problems[0]
    assert problem.column == "Account" and "Acct No" in problem.fix and "Account, Description, Budget, Actual" in problem.fix


def test_ledger_lines_without_a_fund_source_are_named(ledger_review):
    ledger_review.write_text(ledger_review.read_text().replace("        - {value: state_local}\n", ""))
    with pytest.raises(InputError) as error:
        load_review(ledger_review)
    problems = [p for p in error.value.problems if p.column == "fund_source"]
    assert len(problems) == 4 and problems[0].row == 2 and "cases:" in problems[0].fix


def test_the_sample_ledger_sums_to_the_sample_expenditures(tmp_path):
    config = tmp_path / "review.yaml"
    config.write_text(
        f"""district_code: "99901"
school_years: [2020-21, 2021-22, 2022-23, 2023-24, 2024-25]
data_folder: {SAMPLE_DATA}
tables:
  buildings: {{file: buildings.csv}}
  enrollment: {{file: enrollment.csv}}
  ledger: {{file: ledger.csv}}
  expenditures: {{from_ledger: true}}
""",
        encoding="utf-8",
    )
    from_ledger = finance.building_dollars(load_review(config)).set_index(["building_code", "school_year"])
    published = finance.building_dollars(load_review(SAMPLE_CONFIG)).set_index(["building_code", "school_year"])
    for column in ("total_dollars", "federal_dollars", "state_local_dollars", "personnel_dollars"):
        assert (from_ledger[column] - published[column]).abs().max() < 0.05, column  # cents of rounding in the per-pupil allocation


def test_from_ledger_needs_the_ledger_table(ledger_review):
    ledger_review.write_text(ledger_review.read_text().split("  ledger:")[0] + "  expenditures: {from_ledger: true}\n")
    with pytest.raises(InputError) as error:
        load_review(ledger_review)
    assert "needs the ledger table" in error.value.problems[0].message


def test_vendor_locations_that_are_not_building_codes_are_named(ledger_review):
    gl = ledger_review.parent / "GL FY2025.csv"
    gl.write_text(gl.read_text(encoding="utf-8").replace("-00001-", "-101-").replace("-00002-", "-102-"), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_review(ledger_review)
    problem = error.value.problems[0]
    assert problem.column == "location" and "00000, 101, 102" in problem.message and "values: {location:" in problem.fix
    # The fix the message gives works.
    ledger_review.write_text(
        ledger_review.read_text().replace("    constants: {school_year: 2024-25}\n", '    constants: {school_year: 2024-25}\n    values: {location: {"101": "00001", "102": "00002"}}\n')
    )
    assert finance.building_dollars(load_review(ledger_review))["total_dollars"].sum() == pytest.approx(820_000)
