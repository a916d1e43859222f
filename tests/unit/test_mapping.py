"""Column mapping in YAML: a district's own export goes in with no reshaping by hand."""

from pathlib import Path

import numpy as np
import pytest

from rar_protocol.data.loading import load_review
from rar_protocol.errors import InputError


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def wide_review(tmp_path: Path) -> Path:
    """A district export with its own column names, fund sources as columns and a total."""
    _write(tmp_path, "dir.csv", "Dist,Bldg,School Name,Type,Status\n1010,44,Alcona High,HS,open\n1010,4937,Alcona Elem,ES,open\n1010,8833,Closed School,ES,closed\n")
    _write(tmp_path, "counts.csv", "Bldg,Year,Membership\n44,FY2024,314\n4937,2023-2024,340\n")
    _write(
        tmp_path,
        "spend.csv",
        "Bldg,Year,Kind,Federal $,State $,Local $,Total $\n"
        '44,2024,Salaries,"$10,000","$200,000","$50,000","$260,000"\n'
        '44,2024,Benefits,"$5,000","$100,000","$25,000","$130,000"\n'
        '4937,2024,Supplies,"$1,000",(500),"$2,000","$2,500"\n',
    )
    _write(tmp_path, "flags.csv", "Bldg,Year,Label\n44,2024,Comprehensive\n4937,2024,\n")
    config = tmp_path / "review.yaml"
    config.write_text(
        """
district_code: "01010"
school_years: [2023-24]
data_folder: .
tables:
  buildings:
    file: dir.csv
    filter: {Status: open}
    rename: {Dist: district_code, Bldg: building_code, School Name: building_name, Type: level}
    values: {level: {HS: high, ES: elementary, "*": other}}
    zero_pad: {district_code: 5, building_code: 5}
  enrollment:
    file: counts.csv
    rename: {Bldg: building_code, Year: school_year, Membership: pupils}
    zero_pad: {building_code: 5}
  designations:
    file: flags.csv
    cases:
      designation:
        - {when: {Label: {matches: "^Comp"}}, value: CSI}
        - {value: none}
    rename: {Bldg: building_code, Year: school_year}
    zero_pad: {building_code: 5}
  expenditures:
    file: spend.csv
    wide_to_long: {columns: {Federal $: federal, State $: state, Local $: local}, name: fund_source, value: amount, total: Total $}
    rename: {Bldg: building_code, Year: school_year, Kind: category}
    values: {category: {Salaries: personnel, Benefits: personnel, "*": non_personnel}}
    zero_pad: {building_code: 5}
    aggregate: sum
""",
        encoding="utf-8",
    )
    return config


def test_wide_export_maps_onto_canonical_tables(wide_review):
    review = load_review(wide_review)
    buildings = review.tables["buildings"]
    assert buildings["building_code"].tolist() == ["00044", "04937"]  # filter dropped the closed school
    assert buildings["level"].tolist() == ["high", "elementary"]
    assert review.tables["enrollment"]["school_year"].tolist() == ["2023-24", "2023-24"]
    spending = review.tables["expenditures"]
    # Salaries and benefits are both personnel: summed to one row per source.
    personnel = spending[(spending["building_code"] == "00044") & (spending["category"] == "personnel")].set_index("fund_source")["amount"]
    assert personnel.to_dict() == {"federal": 15_000.0, "local": 75_000.0, "state": 300_000.0}
    supplies = spending[spending["building_code"] == "04937"].set_index("fund_source")["amount"]
    assert supplies["state"] == -500.0
    assert review.identified_buildings() == ["00044"]


def test_sources_that_do_not_add_up_to_the_total_are_reported(wide_review):
    spend = wide_review.parent / "spend.csv"
    spend.write_text(spend.read_text().replace('"$2,500"', '"$9,999"'), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_review(wide_review)
    problem = error.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("spend.csv", 4, "Total $")
    assert "2,500.00" in problem.message and "9,999.00" in problem.message


def test_mapping_to_a_column_the_file_lacks_names_what_was_found(wide_review):
    text = wide_review.read_text().replace("Membership: pupils", "Enrolled: pupils")
    wide_review.write_text(text)
    with pytest.raises(InputError) as error:
        load_review(wide_review)
    messages = " ".join(p.message + p.fix for p in error.value.problems)
    assert "Enrolled" in messages and "Membership" in messages


def test_join_adds_columns_from_another_file(wide_review):
    folder = wide_review.parent
    _write(folder, "need.csv", "Bldg,ED\n44,150\n4937,200\n")
    text = wide_review.read_text().replace(
        "    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
        "    join: [{file: need.csv, key: [Bldg], columns: {ED: economically_disadvantaged}}]\n    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
    )
    wide_review.write_text(text)
    review = load_review(wide_review)
    assert review.tables["enrollment"]["economically_disadvantaged"].tolist() == [150.0, 200.0]


def test_district_code_selects_rows_through_substitution(wide_review):
    text = wide_review.read_text().replace("filter: {Status: open}", 'filter: {Status: open, Dist: "${district_code}"}')
    text = text.replace('district_code: "01010"', 'district_code: "1010"').replace("zero_pad: {district_code: 5, building_code: 5}", "zero_pad: {building_code: 5}")
    wide_review.write_text(text)
    assert len(load_review(wide_review).tables["buildings"]) == 2


def test_codes_written_with_leading_zeros_stay_text_in_the_review_file(wide_review):
    # YAML would read an unquoted 01010 as an octal number; the review file keeps it as written.
    wide_review.write_text(wide_review.read_text().replace('district_code: "01010"', "district_code: 01010\nbuildings: [00044]"))
    review = load_review(wide_review)
    assert review.config.district_code == "01010" and review.config.buildings == ["00044"]


def test_sums_add_columns_and_keep_suppression(wide_review):
    folder = wide_review.parent
    _write(folder, "lunch.csv", "Bldg,Free,Reduced\n44,100,20\n4937,<10,30\n")
    text = wide_review.read_text().replace(
        "    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
        "    join: [{file: lunch.csv, key: [Bldg], columns: {Free: free, Reduced: reduced}}]\n"
        "    sums: {economically_disadvantaged: [free, reduced]}\n"
        "    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
    )
    wide_review.write_text(text)
    disadvantaged = load_review(wide_review).tables["enrollment"]["economically_disadvantaged"]
    assert disadvantaged.iloc[0] == 120 and np.isnan(disadvantaged.iloc[1])  # never 30


def test_join_can_add_up_the_joined_rows_per_key(wide_review):
    folder = wide_review.parent
    # A file with one row per program: the building's need is their sum.
    _write(folder, "programs.csv", "Bldg,Program,Served\n44,A,100\n44,B,50\n4937,A,200\n")
    text = wide_review.read_text().replace(
        "    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
        "    join: [{file: programs.csv, key: [Bldg], aggregate: sum, columns: {Served: economically_disadvantaged}}]\n    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
    )
    wide_review.write_text(text)
    assert load_review(wide_review).tables["enrollment"]["economically_disadvantaged"].tolist() == [150.0, 200.0]


def test_joining_two_columns_into_one_needs_aggregate_sum(wide_review):
    text = wide_review.read_text().replace(
        "    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
        "    join: [{file: counts.csv, key: [Bldg], columns: {Membership: a, Year: a}}]\n    rename: {Bldg: building_code, Year: school_year, Membership: pupils}",
    )
    wide_review.write_text(text)
    with pytest.raises(InputError) as error:
        load_review(wide_review)
    assert "aggregate: sum" in error.value.problems[0].message
