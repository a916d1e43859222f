"""Reading the values districts actually type: money, percents, years, codes, suppression."""

import numpy as np
import pandas as pd
import pytest

from rar_protocol.data import parsing, schema


def test_money_in_the_forms_finance_offices_write_it():
    values, bad = parsing.parse_number(pd.Series(["$1,234.50", "(1,234)", "1234", " 12.5 ", "-$40", "1,000-", None, ""]))
    assert values.tolist()[:6] == [1234.50, -1234.0, 1234.0, 12.5, -40.0, -1000.0]
    assert np.isnan(values.iloc[6]) and np.isnan(values.iloc[7])
    assert not bad.any()


def test_text_in_a_number_column_is_flagged_not_zeroed():
    values, bad = parsing.parse_number(pd.Series(["12", "twelve", "1.2.3"]))
    assert bad.tolist() == [False, True, True]
    assert np.isnan(values.iloc[1])


def test_percent_forms():
    values, bad, suppressed = parsing.parse_percent(pd.Series(["45%", "45.5 %", "45", "<5%", ">95"]))
    assert values.tolist()[:3] == [45.0, 45.5, 45.0]
    assert suppressed.tolist() == [False, False, False, True, True]
    assert not bad.any()


@pytest.mark.parametrize("marker", ["*", "**", "<10", "< 10", "n<10", "N<10", "N/A", "n/a", "suppressed", "--"])
def test_suppression_markers_become_suppressed_never_zero(marker):
    values, bad, suppressed = parsing.parse_count(pd.Series([marker, "12"]))
    assert suppressed.tolist() == [True, False]
    assert np.isnan(values.iloc[0]) and values.iloc[1] == 12
    assert not bad.any()


@pytest.mark.parametrize(
    "written, expected",
    [
        ("2023-24", "2023-24"),
        ("2023-2024", "2023-24"),
        ("2023/24", "2023-24"),
        (2024, "2023-24"),
        ("2024.0", "2023-24"),
        ("FY2024", "2023-24"),
        ("FY24", "2023-24"),
        ("fy 2024", "2023-24"),
        ("1999-00", "1999-00"),
        ("2023-25", None),
        ("soon", None),
    ],
)
def test_school_years_normalize_to_one_form(written, expected):
    assert parsing.normalize_school_year(written) == expected


def test_codes_keep_leading_zeros_and_lose_excel_float_tail():
    values, _ = parsing.parse_code(pd.Series(["00044", "4937.0", " 01010 "]))
    assert values.tolist() == ["00044", "4937", "01010"]


def test_categories_match_case_and_aliases():
    values, bad = parsing.parse_category(pd.Series(["ATSI", "csi", "Not identified", "none", "bogus"]), ("CSI", "ATS", "TSI", "none"))
    assert values.tolist() == ["ATS", "CSI", "none", "none", "bogus"]
    assert bad.tolist() == [False, False, False, False, True]
    dimensions, bad = parsing.parse_category(pd.Series(["7", "School Climate"]), schema.DIMENSIONS)
    assert dimensions.tolist() == ["student_supports", "school_climate"] and not bad.any()


def test_flags():
    values, bad = parsing.parse_flag(pd.Series(["yes", "N", "", "TRUE", "maybe"]))
    assert values.tolist()[:4] == [True, False, False, True]
    assert bad.tolist() == [False, False, False, False, True]
