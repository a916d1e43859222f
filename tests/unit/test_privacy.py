"""No count or rate from fewer than the threshold, and no recovery by subtraction."""

import pandas as pd

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
