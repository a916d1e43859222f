"""Data inventory: which tables and measures a review has, and what each review option can use."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from rar_protocol.analyses.registry import REPORTS
from rar_protocol.data import schema
from rar_protocol.data.choices import chosen_year
from rar_protocol.data.loading import Review
from rar_protocol.measures import finance


@dataclass(frozen=True)
class OptionSupport:
    """What the review's data can and cannot show for one review option."""

    number: int
    name: str
    available: list[str]
    missing: list[str]
    evidence: list[str]


def _filled(frame: pd.DataFrame | None, column: str) -> bool:
    return frame is not None and column in frame.columns and frame[column].notna().any()


def measures(review: Review) -> dict[str, bool]:
    """Each measure an analysis may use, and whether the review's data has it."""
    enrollment = review.tables["enrollment"]
    expenditures = review.table("expenditures")
    outcomes = review.table("outcomes")
    staff = review.table("staff")
    groups = set(outcomes["student_group"]) - {"all"} if outcomes is not None else set()
    return {
        "per-pupil spending by fund source": expenditures is not None and set(expenditures["school_year"]) != set(finance.unsplit_years(review, "fund_source")),
        "counts of economically disadvantaged pupils": _filled(enrollment, "economically_disadvantaged"),
        "counts of students with disabilities": _filled(enrollment, "students_with_disabilities"),
        "counts of English learners": _filled(enrollment, "english_learners"),
        "achievement for all students": outcomes is not None,
        "achievement by student group": bool(groups),
        "spending by Bulletin 1022 function": _filled(expenditures, "function_code"),
        "general ledger (budget and actual)": review.has("ledger"),
        "staff FTE by role": staff is not None,
        "novice teachers": _filled(staff, "novice_fte"),
        "teachers rated effective": _filled(staff, "effective_fte"),
        "staff salaries": _filled(staff, "average_salary"),
        "MICIP strategies with cost and participants": review.has("strategies"),
        "strategy outcomes for participants and non-participants": _filled(review.table("strategies"), "participant_outcome"),
        "Equitable Resource Diagnostic indicators": review.has("indicators"),
        "ESSA designations": review.has("designations"),
    }


def option_support(review: Review, evidence: dict[int, list[str]] | None = None) -> list[OptionSupport]:
    """For each of the four review options: the measures present, those missing, and evidence pointing to it."""
    present = measures(review)
    evidence = evidence or {}
    return [
        OptionSupport(
            number=kind.option,
            name=kind.option_name,
            available=[m for m in kind.measures if present[m]],
            missing=[m for m in kind.measures if not present[m]],
            evidence=evidence.get(kind.option, []),
        )
        for kind in REPORTS.options()
    ]


def missing_measures(review: Review) -> list[str]:
    """Every measure the review's data lacks: "data we do not have" is a finding in itself."""
    return [name for name, available in measures(review).items() if not available]


def reports_table(review: Review) -> pd.DataFrame:
    """Every report kind in report order, its notebook, and the measures it uses that this review has and lacks."""
    present = measures(review)
    rows = []
    for kind in REPORTS:
        used = kind.measures_used(review) if kind.option is not None else []
        rows.append(
            {
                "Report": kind.title,
                "Notebook": kind.notebook,
                "Review option": kind.option or "",
                "Data available": ", ".join(m for m in used if present[m]),
                "Data we do not have": ", ".join(m for m in used if not present[m]),
            }
        )
    return pd.DataFrame(rows)


def review_summary(review: Review, year: str | None = None) -> pd.DataFrame:
    """Who and what the review is about, one fact a row: district, years, buildings, identified and under review, option."""
    config = review.config
    focus = chosen_year(review, year) or review.latest_year
    identified = review.identified_buildings(focus)
    under_review = review.buildings_under_review()
    option = REPORTS.option(config.option.number)
    rows = [
        ("District", f"{review.district_name} ({config.district_code})"),
        ("School years", ", ".join(config.school_years)),
        ("Buildings", f"{len(review.tables['buildings'])}"),
        (f"Identified in {focus} (CSI, ATS or TSI)", ", ".join(f"{code} {review.building_name(code)}" for code in identified) or "none"),
        ("Under review", ", ".join(f"{code} {review.building_name(code)}" for code in under_review) or "none"),
        ("Review option", f"{config.option.number}: {option.option_name} ({option.notebook})"),
    ]
    return pd.DataFrame(rows, columns=["", "This review"])


def tables_table(review: Review) -> pd.DataFrame:
    """Every table of the data model: whether the review provides it, from which file, its rows, years and buildings."""
    rows = []
    for name, spec in schema.ALL_TABLES.items():
        frame = review.table(name)
        source = review.config.tables.get(name)
        where = ("from the ledger" if source.from_ledger else f"{source.file}" + (f" (sheet {source.sheet})" if source.sheet else "")) if source else ""
        if frame is None:
            rows.append({"Table": name, "Provided": "required, missing" if spec.required else "no", "File": where, "Rows": "", "School years": "", "Buildings": "", "What it holds": spec.description})
            continue
        years = sorted(frame["school_year"].dropna().unique()) if "school_year" in frame.columns else []
        codes = frame["building_code"].nunique() if "building_code" in frame.columns else ""
        rows.append(
            {
                "Table": name,
                "Provided": "yes",
                "File": where,
                "Rows": f"{len(frame):,}",
                "School years": (years[0] if len(years) == 1 else f"{years[0]} to {years[-1]}") if years else "",
                "Buildings": f"{codes}",
                "What it holds": spec.description,
            }
        )
    return pd.DataFrame(rows)


def options_table(review: Review) -> pd.DataFrame:
    """The four review options: the notebook of each, whether this review's data supports it fully, partly or not, and what it lacks."""
    rows = []
    for option in option_support(review):
        kind = REPORTS.option(option.number)
        support = "fully" if not option.missing else ("partly" if option.available else "not yet")
        chosen = " (chosen in the YAML)" if option.number == review.config.option.number else ""
        rows.append(
            {
                "Option": f"{option.number}{chosen}",
                "Centered on": option.name,
                "Notebook": kind.notebook,
                "The data supports it": support,
                "Data available": ", ".join(option.available) or "none",
                "Data we do not have": ", ".join(option.missing) or "nothing",
            }
        )
    return pd.DataFrame(rows)
