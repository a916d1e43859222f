"""No count or rate from fewer than the threshold, and no recovery by subtraction."""

import pandas as pd
import pytest

from rar_protocol.measures.privacy import suppress


def test_small_groups_are_hidden_as_missing_never_zero():
    table = pd.DataFrame({"group": ["a", "b"], "tested": [9, 10], "proficient": [3, 4], "rate": [33.3, 40.0]})
    shown = suppress(table, count_column="tested", value_columns=["proficient", "rate"], minimum=10)
    assert shown["suppressed"].tolist() == [True, False]
    assert shown.loc[0, ["tested", "proficient", "rate"]].isna().all()
    assert shown.loc[1, "rate"] == 40.0


def test_complementary_cell_is_hidden_so_the_total_cannot_reveal_the_small_one():
    # Race groups of one building sum to its total of 60; hiding only the 4 would let 60 - 56 reveal it.
    table = pd.DataFrame({"building": ["x"] * 3 + ["y"] * 3, "group": ["a", "b", "c"] * 2, "count": [4, 20, 36, 30, 20, 40]})
    shown = suppress(table, count_column="count", value_columns=[], minimum=10, complementary_within=["building"])
    assert shown["suppressed"].tolist() == [True, True, False, False, False, False]


def test_already_suppressed_source_cells_stay_hidden():
    table = pd.DataFrame({"tested": [50], "proficient": [20], "suppressed": [True]})
    shown = suppress(table, count_column="tested", value_columns=["proficient"])
    assert shown["suppressed"].iloc[0] and pd.isna(shown["proficient"].iloc[0])


def test_a_share_is_hidden_when_the_group_or_the_rest_of_the_pupils_is_under_10():
    from rar_protocol.measures.privacy import reveals_small_group

    counts = pd.Series([4, 390, 200, float("nan")])
    pupils = pd.Series([397, 397, 397, 397])
    # 4 English learners; 390 of 397 leaves 7 who are not; 200 of 397 is safe; an unknown count is not shown.
    assert reveals_small_group(counts, pupils, 10).tolist() == [True, True, False, True]


def test_the_sample_s_small_english_learner_shares_show_the_marker_in_the_district_review():
    from conftest import SAMPLE_CONFIG
    from rar_protocol import load_review
    from rar_protocol.analyses import district_review

    review = load_review(SAMPLE_CONFIG)
    table = district_review.spending_vs_need(review).table.set_index("Building")
    enrollment = review.tables["enrollment"]
    latest = enrollment[enrollment["school_year"] == review.latest_year].set_index("building_code")
    for code, name in review.tables["buildings"][["building_code", "building_name"]].itertuples(index=False):
        count, pupils = latest.loc[code, "english_learners"], latest.loc[code, "pupils"]
        shown = table.loc[name, "English learners (%)"]
        if count < 10:
            assert shown == "<n", f"{name}: {count} English learners of {pupils} shown as {shown}"
        else:
            assert shown == pytest.approx(round(count / pupils * 100, 1)), name
    assert (table["English learners (%)"] == "<n").sum() >= 3  # Birchwood, Cedar Ridge, Aspen Hollow and the alternative school


def test_a_lone_hidden_building_is_hidden_beside_another_so_the_district_total_cannot_give_it_back(tiny_review):
    from rar_protocol import load_review
    from rar_protocol.measures.need import group_shares

    folder = tiny_review.parent
    # Aspen has 4 economically disadvantaged pupils; Birch 90 and Cedar 80: Cedar, the smaller, is hidden too.
    (folder / "enrollment.csv").write_text("building_code,school_year,pupils,economically_disadvantaged\n00001,2023-24,100,4\n00002,2023-24,300,90\n00003,2023-24,100,80\n", encoding="utf-8")
    shares = group_shares(load_review(tiny_review), ("economically_disadvantaged",)).set_index("building_code")
    assert shares["economically_disadvantaged_hidden"].to_dict() == {"00001": True, "00002": False, "00003": True}
    assert shares.loc["00002", "economically_disadvantaged_percent"] == pytest.approx(30.0)
