"""Words written from numbers, the same in every report: money, percents, ranks, lists, groups, subjects and levels, source lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rar_protocol.data import schema
from rar_protocol.data.choices import chosen_building, comparison_peers
from rar_protocol.data.left_out import describe_all
from rar_protocol.measures.comparison import same_level_peers
from rar_protocol.measures.privacy import MARKER

if TYPE_CHECKING:
    from rar_protocol.data.loading import Review


@dataclass(frozen=True)
class GroupWords:
    """How reports write one student group: in names, headings, sentences and per-pupil labels."""

    title: str  # "English Learners": data object names
    heading: str  # "English Learners": report titles
    plural: str  # "English learners": sentences
    singular: str  # "English learner": "dollars per English learner"


GROUPS = {
    "economically_disadvantaged": GroupWords("Economically Disadvantaged", "Economically Disadvantaged Students", "economically disadvantaged students", "economically disadvantaged pupil"),
    "not_economically_disadvantaged": GroupWords(
        "Not Economically Disadvantaged", "Students Not Economically Disadvantaged", "students not economically disadvantaged", "pupil not economically disadvantaged"
    ),
    "students_with_disabilities": GroupWords("Students with Disabilities", "Students with Disabilities", "students with disabilities", "pupil with a disability"),
    "english_learners": GroupWords("English Learners", "English Learners", "English learners", "English learner"),
    "american_indian": GroupWords("American Indian", "American Indian Students", "American Indian students", "American Indian pupil"),
    "asian": GroupWords("Asian", "Asian Students", "Asian students", "Asian pupil"),
    "black": GroupWords("Black", "Black Students", "Black students", "Black pupil"),
    "hispanic": GroupWords("Hispanic", "Hispanic Students", "Hispanic students", "Hispanic pupil"),
    "native_hawaiian": GroupWords("Native Hawaiian", "Native Hawaiian Students", "Native Hawaiian students", "Native Hawaiian pupil"),
    "white": GroupWords("White", "White Students", "White students", "White pupil"),
    "two_or_more_races": GroupWords("Two or More Races", "Students of Two or More Races", "students of two or more races", "pupil of two or more races"),
    "female": GroupWords("Female", "Female Students", "female students", "female pupil"),
    "male": GroupWords("Male", "Male Students", "male students", "male pupil"),
}
# The need groups as sentences write their pupils.
NEED_GROUP_WORDS = {"economically_disadvantaged": "economically disadvantaged pupils", "students_with_disabilities": "students with disabilities", "english_learners": "English learners"}
# The inventory's names for the need-group counts, so "data we do not have" lists each once.
COUNT_MEASURES = {
    "economically_disadvantaged": "counts of economically disadvantaged pupils",
    "students_with_disabilities": "counts of students with disabilities",
    "english_learners": "counts of English learners",
}
SPENDING_MEASURE = "per-pupil spending by fund source"  # the inventory's name for building spending
SUBJECT_ORDER = ("ela", "math", "science", "social_studies", "all")
SUBJECT_LABELS = {"ela": "ELA", "math": "Math", "science": "Science", "social_studies": "Social studies", "all": "All subjects"}
SUBJECT_PHRASES = {"ela": "in ELA", "math": "in math", "science": "in science", "social_studies": "in social studies", "all": "across all tested subjects"}
LEVEL_WORDS = {"elementary": "elementary", "middle": "middle", "high": "high", "k12": "K-12", "alternative": "alternative", "other": "other"}
DISTRICT_LABEL = "District (all buildings)"
MICHIGAN_CAVEAT = "Michigan's caveats: spending by the ISD on the district's students is not included; comparisons between buildings are affected by teacher seniority, ISD support and student need."
# Each state's caveats about its published building figures; a state not listed gets the caveat every state shares.
STATE_CAVEATS = {
    "MI": MICHIGAN_CAVEAT,
    "NC": "North Carolina's caveats: pupils are average daily membership (ADM), not a headcount; central (district-level) expense is a flat amount per pupil, so it cannot differ between buildings.",
}
GENERAL_CAVEAT = "Comparisons between buildings are affected by teacher seniority, student need and how the district assigns central costs to buildings."


def money(value: float) -> str:
    """Dollars as people write them: $1,214 (negative: -$1,214)."""
    return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"


def percent(value: float, digits: int = 1) -> str:
    """A percent as people write it: 35.1%."""
    return f"{value:.{digits}f}%"


def ordinal(number: float) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st ..."""
    whole = int(round(number))
    suffix = "th" if 10 <= whole % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(whole % 10, "th")
    return f"{whole}{suffix}"


def ranked(position: int, wording: str = "highest") -> str:
    """A place in a ranking in words: "highest", "second highest", "third highest", "4th highest"."""
    if position == 1:
        return wording
    place = {2: "second", 3: "third"}.get(position) or ordinal(position)
    return f"{place} {wording}"


def word_list(words: list[str]) -> str:
    """Words as a sentence lists them: "a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def subject_list(subjects: list[str]) -> str:
    """Subjects as a sentence writes them: "ELA and math"."""
    return word_list([SUBJECT_LABELS[s] if s == "ela" else SUBJECT_LABELS[s].lower() for s in subjects])


def capitalized(text: str) -> str:
    """The sentence's first letter in capitals, the rest as written (keeps "ELA", "English")."""
    return text[:1].upper() + text[1:]


def points(difference: float, other: str) -> str:
    """A difference in percentage points as words: "12.3 points below all students"."""
    if abs(difference) < 0.05:
        return f"level with {other}"
    return f"{abs(difference):.1f} points {'below' if difference < 0 else 'above'} {other}"


def relative(value: float, reference: float) -> str:
    """How much more or less ``value`` is than ``reference``, in percent: "19% more"."""
    if not reference:
        return "not comparable"
    change = (value / reference - 1) * 100
    if abs(change) < 0.5:
        return "about the same as"
    return f"{abs(change):.0f}% {'more' if change > 0 else 'less'} than"


def more_or_less(difference: float) -> str:
    """A dollar difference as words: "$120 more" or "$120 less"."""
    return f"{money(abs(difference))} more" if difference >= 0 else f"{money(abs(difference))} less"


def level_words(level: str) -> str:
    """A building level as sentences write it: "elementary", "K-12"."""
    return LEVEL_WORDS.get(level, level)


def peer_label(level: str) -> str:
    """How the other buildings of a level are named in tables: "Other elementary buildings" ("Other same-level buildings" for level other)."""
    return f"Other {'same-level' if level == 'other' else level_words(level)} buildings"


def comparison_groups(review: Review, building_code: str, compare_with: str | list[str] = "level") -> dict[str, list[str]]:
    """The building, the district, and the buildings it is compared with (by default the district's other
    buildings of the same level, when there are any; see :data:`rar_protocol.data.choices.COMPARISONS`), by label."""
    building_code = chosen_building(review, building_code)
    level, peers = same_level_peers(review, building_code)
    peers = comparison_peers(review, building_code, compare_with, peers)
    groups = {review.building_name(building_code): [building_code], "District": sorted(review.tables["buildings"]["building_code"])}
    if peers:
        groups[peer_label(level) if compare_with == "level" else "Chosen buildings"] = peers
    return groups


def group_privacy_note(minimum: int) -> str:
    """The note under every table of a student group's counts."""
    return (
        f"{MARKER}: hidden because fewer than {minimum} students are behind the figure; where the district total is shown "
        "beside the buildings and exactly one building is hidden, the next smallest is hidden too, so no figure can be recovered by subtraction."
    )


def participant_privacy_note(minimum: int) -> str:
    """The note under every table of a strategy's participants."""
    return (
        f"Participant counts below {minimum}, and the cost per participant and outcomes computed from them, are hidden (<n); "
        "where a district total is shown beside the buildings and exactly one is hidden, the next smallest is hidden too."
    )


def need_weight_notes(left_out: list[tuple[str, str]]) -> list[str]:
    """Why configured need weights were not applied: ``left_out`` holds (group, "unknown" or "uncounted")."""
    notes = []
    for group, reason in left_out:
        if reason == "unknown":
            notes.append(f"The weight for '{group}' was ignored: the need groups are {', '.join(schema.NEED_GROUPS)}.")
        else:
            notes.append(f"The enrollment has no counts of {NEED_GROUP_WORDS[group]}, so that weight could not be applied.")
    return notes


def years_filter(years: list[str]) -> str:
    """The school years a data object covers, as a filter line."""
    years = sorted(years)
    return f"school years {years[0]} to {years[-1]}" if len(years) > 1 else f"school year {years[0]}"


def table_sources(review: Review, *tables: str) -> list[str]:
    """A source line for each named table the review provides: "staff table (staff.csv)"."""
    lines = []
    for name in tables:
        source = review.config.tables.get(name)
        if source is None:
            continue
        # Building spending may be summed from the general ledger instead of read from its own file.
        if source.from_ledger and "ledger" in review.config.tables:
            lines.append(f"{name} table (summed from the ledger, {review.config.tables['ledger'].file})")
        else:
            lines.append(f"{name} table ({source.file})")
        if name == "designations" and review.config.designations_note:
            lines[-1] += f"; designations {review.config.designations_note}"
        # Spending rows the review leaves out are said wherever the table is cited (rar_protocol.data.left_out).
        lines += [f"left out: {line}" for line in describe_all(review.left_out, name)]
    return lines


def state_caveat(review: Review) -> str:
    """The caveat of the review's state about comparing its buildings' figures."""
    return STATE_CAVEATS.get(review.config.state, GENERAL_CAVEAT)


def rank_among(rank: int, shown: int, hidden: int, *, minimum: int) -> str:
    """ "3rd of the 8 buildings shown (4 hidden: groups under 10)": a rank that says how many could not be ranked."""
    text = f"{ordinal(rank)} of the {shown} buildings shown" if hidden else f"{ordinal(rank)} of the district's {shown} buildings"
    return text + (f" ({hidden} hidden: groups under {minimum})" if hidden else "")


def split_not_reported(years: list[str]) -> str:
    """The one line a report gives when spending is not split by fund source."""
    return (
        f"Spending is given as one total per building in {', '.join(years)}, not split by fund source: federal and state + local dollars are not reported "
        "(shown as not reported, never as 0), so buildings are compared on total spending per pupil."
    )
