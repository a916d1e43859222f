"""A report's choices checked against the review: the building, the school year in focus, the comparison group.

A person types these in a notebook's parameters cell, in an analysis cell's keyword arguments or on
the command line (``rar run --building --school-year``); a choice the review does not have is a
:class:`~rar_protocol.errors.ParameterError` whose one-line message lists what the review does have.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from rar_protocol.data.loading import Review
from rar_protocol.data.parsing import normalize_school_year
from rar_protocol.errors import ParameterError

# What a building is compared with besides the district: "level" adds the district's other buildings
# of the same level (the protocol's default), "district" leaves them out; a list of building codes
# compares with those buildings instead.
COMPARISONS = ("level", "district")
LISTED = 8  # buildings named in a message before "and N more"


def _listing(review: Review, codes: Sequence[str]) -> str:
    named = [f"{code} {review.building_name(code)}" for code in codes[:LISTED]]
    return ", ".join(named) + (f" and {len(codes) - LISTED} more" if len(codes) > LISTED else "")


def chosen_building(review: Review, building: object) -> str:
    """The building code for ``building``: a code (leading zeros or not, as papermill may pass a number) or the building's name."""
    buildings = review.tables["buildings"]
    codes = [str(code) for code in buildings["building_code"]]
    text = str(building).strip()
    if text in codes:
        return text
    # papermill -p turns 01234 into 1234; a name typed instead of a code is as clear.
    for code, name in zip(codes, buildings["building_name"].astype(str)):
        if (text.isdigit() and code.lstrip("0") == text.lstrip("0")) or name.strip().casefold() == text.casefold():
            return code
    under_review = review.buildings_under_review() or sorted(codes)
    near = difflib.get_close_matches(text, codes, n=1) or difflib.get_close_matches(text, list(buildings["building_name"].astype(str)), n=1)
    hint = f" Did you mean {near[0]}?" if near else ""
    message = f"Building '{text}' is not in this review; buildings under review: {_listing(review, under_review)}."
    others = len(codes) - len(under_review)
    if others > 0:
        message += f" Any of the buildings table's {len(codes)} buildings can be studied (its building_code or building_name)."
    raise ParameterError("building_code", message + hint)


def chosen_year(review: Review, school_year: object) -> str | None:
    """The school year ``school_year`` names ("2023-24", "2023-2024", 2024, "FY2024"), or None for "" (the latest)."""
    if school_year is None or str(school_year).strip() == "":
        return None
    years = review.config.school_years
    year = normalize_school_year(school_year)
    if year not in years:
        raise ParameterError(
            "school_year",
            f"School year '{school_year}' is not in this review; its school years are {', '.join(years)} (\"\" for the latest). To add a year, add it to school_years in the review YAML.",
        )
    return year


def focus_year(review: Review, available: Iterable[str], school_year: object = None) -> str:
    """The year an analysis is about: the chosen one, or the latest year its table has.

    When the table has no row for the chosen year (the outcomes of a year not yet published, say)
    the latest year before it is used, or the earliest there is; the data object names the year it shows.
    """
    years = sorted({str(year) for year in available})
    chosen = chosen_year(review, school_year)
    if chosen is None or not years:
        return years[-1] if years else (chosen or review.latest_year)
    if chosen in years:
        return chosen
    before = [year for year in years if year < chosen]
    return before[-1] if before else years[0]


def comparison_peers(review: Review, building_code: str, compare_with: object, level_peers: list[str]) -> list[str]:
    """The buildings the building is compared with besides the district, for ``compare_with`` (see :data:`COMPARISONS`)."""
    if isinstance(compare_with, str):
        if compare_with == "level":
            return level_peers
        if compare_with == "district":
            return []
        raise ParameterError(
            "compare_with", f'compare_with=\'{compare_with}\' is not a comparison; choose "level" (the other buildings of the same level), "district" (the district alone) or a list of building codes.'
        )
    return sorted({chosen_building(review, code) for code in compare_with} - {building_code})
