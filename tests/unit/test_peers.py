"""Peer-district comparison: who the peers are, group figures from dollars and pupils, statewide ranks."""

from pathlib import Path

import numpy as np
import pytest

from conftest import figure_summary
from rar_protocol.analyses import peers
from rar_protocol.data.loading import load_review
from rar_protocol.errors import InputError

HEADER = "district_code,district_name,school_year,pupils,local_revenue,state_revenue,federal_revenue,total_revenue,basic_instruction,added_needs,total_expenditure,teacher_salaries,teachers,economically_disadvantaged,headcount,locale\n"


def _district(code: str, pupils: float, need: float, *, basic: float = 5_000, locale: str = "Town: Distant", federal: float = 800) -> str:
    """One district: per-pupil amounts times pupils, so the dollars are whole."""
    headcount = round(pupils)
    return (
        f"{code},District {code},2023-24,{pupils},{2_000 * pupils},{7_000 * pupils},{federal * pupils},{(9_000 + federal) * pupils},"
        f"{basic * pupils},{1_000 * pupils},{(9_000 + federal) * pupils},{60_000 * pupils / 20},{pupils / 20},{round(headcount * need / 100)},{headcount},{locale}\n"
    )


@pytest.fixture
def peer_review(tiny_review: Path) -> Path:
    """The tiny district (01234: 1,000 pupils, 40% need) among 14 others of known size and need."""
    rows = [_district("01234", 1000, 40, basic=4_000, federal=1_000)]
    # Near in size and need: these should be the peers.
    near = [
        ("00101", 1000, 42),
        ("00102", 1100, 38),
        ("00103", 900, 40),
        ("00104", 1200, 45),
        ("00105", 800, 35),
        ("00106", 1000, 50),
        ("00107", 1300, 40),
        ("00108", 700, 40),
        ("00109", 1000, 30),
        ("00110", 1500, 41),
    ]
    far = [("00201", 8000, 40), ("00202", 1000, 95), ("00203", 100, 40), ("00204", 60_000, 80)]
    rows += [_district(code, pupils, need, basic=5_000 + index * 100) for index, (code, pupils, need) in enumerate(near + far)]
    (tiny_review.parent / "finances.csv").write_text(HEADER + "".join(rows), encoding="utf-8")
    tiny_review.write_text(tiny_review.read_text() + "  district_finances: {file: finances.csv}\n")
    return tiny_review


def test_similar_districts_are_suggested_with_the_rule_stated(peer_review):
    selection = peers.select_peers(load_review(peer_review))
    assert selection.chosen_by == "similarity" and selection.school_year == "2023-24"
    assert sorted(selection.peers) == [f"00{number}" for number in range(101, 111)]
    assert "size (pupils; a district twice or half as large counts 1)" in selection.rule
    assert "share of economically disadvantaged pupils (10 percentage points count 1)" in selection.rule
    # 00103: 900 pupils, same need: distance |log2(0.9)|; the 1,000-pupil, 42% district: 0.2.
    distances = selection.candidates.set_index("district_code")["distance"]
    assert distances["00103"] == pytest.approx(peers.similarity_distance(1000, 900, 40, 40))
    assert distances["00101"] == pytest.approx(0.2)


def test_locale_counts_when_the_district_has_one(peer_review):
    finances = peer_review.parent / "finances.csv"
    lines = [line.replace("Town: Distant", "City: Large") if line.startswith(("00101", "00102", "00103")) else line for line in finances.read_text().splitlines()]
    finances.write_text("\n".join(lines) + "\n", encoding="utf-8")
    selection = peers.select_peers(load_review(peer_review))
    assert "locale (a different locale counts 1)" in selection.rule
    # The three city districts fall behind the seven town districts near in size and need.
    assert set(selection.peers[:7]) == {f"00{number}" for number in range(104, 111)}
    assert selection.candidates.set_index("district_code").at["00101", "distance"] == pytest.approx(1.2)


def test_peers_named_in_the_review_are_used_as_given(peer_review):
    peer_review.write_text(peer_review.read_text().replace("school_years:", 'peers: [00201, "00204"]\nschool_years:'))
    review = load_review(peer_review)
    selection = peers.select_peers(review)
    assert selection.chosen_by == "review" and selection.peers == ["00201", "00204"]
    table = peers.peer_districts(review).table
    assert table["District code"].tolist() == ["01234", "00204", "00201"] and "Similarity distance" not in table


def test_unknown_peer_and_a_district_missing_from_the_table_are_problems(peer_review):
    peer_review.write_text(peer_review.read_text().replace("school_years:", 'peers: ["00999"]\nschool_years:'))
    finances = peer_review.parent / "finances.csv"
    finances.write_text("".join(line + "\n" for line in finances.read_text().splitlines() if not line.startswith("01234")), encoding="utf-8")
    with pytest.raises(InputError) as error:
        load_review(peer_review)
    messages = [problem.message for problem in error.value.problems]
    assert any("01234 has no row for 2023-24" in message for message in messages)
    assert any("Peer district '00999'" in message for message in messages)


def test_more_than_ten_peers_is_refused(peer_review):
    codes = ", ".join(f'"00{number}"' for number in range(101, 112))
    peer_review.write_text(peer_review.read_text().replace("school_years:", f"peers: [{codes}]\nschool_years:"))
    with pytest.raises(InputError) as error:
        load_review(peer_review)
    assert error.value.problems[0].column == "peers"


def test_group_figures_are_dollars_over_pupils_and_ranks_computed_when_not_published(peer_review):
    review = load_review(peer_review)
    data_object = peers.revenue_and_spending(review)
    table = data_object.table.set_index("District")
    selection = peers.select_peers(review)
    finances = review.tables["district_finances"].set_index("district_code").loc[selection.peers]
    group = table.loc[peers.GROUP_LABEL, "Basic instruction per pupil ($)"]
    assert group == pytest.approx(finances["basic_instruction"].sum() / finances["pupils"].sum(), abs=0.01)
    assert group != pytest.approx(np.mean(finances["basic_instruction"] / finances["pupils"]), abs=0.01)  # not an average of rates
    own = table.loc["District 01234"]
    # 4,000 per pupil is the lowest basic instruction of 15 districts; federal 1,000 the highest.
    assert own["Statewide rank: basic instruction"] == 15 and own["Statewide rank: federal revenue"] == 1
    assert any(text.startswith("Basic instruction: $4,000 per pupil") and "statewide rank 15 of 15" in text for text in data_object.observations)
    chart = figure_summary(data_object.figure)["charts"][0]
    assert chart["x_label"] == "Spending per pupil (dollars)" and chart["bars"] == 24, chart


def test_pupils_per_teacher_ranks_from_the_fewest(peer_review):
    table = peers.district_measures(load_review(peer_review).tables["district_finances"], "2023-24")
    assert set(table["pupils_per_teacher"].round(6)) == {20.0}
    assert set(table["pupils_per_teacher_rank"]) == {1}
    teachers = peers.teachers(load_review(peer_review))
    assert "1 = fewest pupils per teacher" in " ".join(teachers.observations)


def test_no_bulletin_data_no_peer_objects(tiny_review):
    assert peers.data_objects(load_review(tiny_review)) == []


def test_tiny_share_of_need_is_not_shown(peer_review):
    finances = peer_review.parent / "finances.csv"
    # District 00101's need comes from 8 pupils: fewer than the privacy threshold.
    lines = [line.rsplit(",", 3)[0] + ",4,8,Town: Distant" if line.startswith("00101") else line for line in finances.read_text().splitlines()]
    finances.write_text("\n".join(lines) + "\n", encoding="utf-8")
    peer_review.write_text(peer_review.read_text().replace("school_years:", 'peers: ["00101"]\nschool_years:'))
    table = peers.peer_districts(load_review(peer_review)).table.set_index("District code")
    assert np.isnan(table.loc["00101", "Economically disadvantaged (%)"])
    assert table.loc["01234", "Economically disadvantaged (%)"] == pytest.approx(40.0)
