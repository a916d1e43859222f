"""Planning a run: which reports a review asks for, the choices of one `rar run`, and where it writes.

The report kinds come from :data:`rar_protocol.analyses.registry.REPORTS`; nothing here executes a
notebook or writes a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rar_protocol.analyses.registry import REPORTS
from rar_protocol.data.choices import chosen_year
from rar_protocol.data.loading import Review
from rar_protocol.data.problems import Problem
from rar_protocol.errors import InputError
from rar_protocol.protocol.export import safe_file_name

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class ReportJob:
    """One report to make: a notebook, for the district or for one building."""

    notebook: str
    title: str
    building_code: str | None = None
    # The school year the report is about ("" for the latest); every trend still spans the review's years.
    school_year: str = ""

    def data_object_folder(self, review: Review) -> str:
        """The report's MICIP files' folder: "district", or the building's code and name (its
        determination in a subfolder, so each report lists only its own files)."""
        if self.building_code is None:
            return "district"
        folder = safe_file_name(f"{self.building_code} {review.building_name(self.building_code)}")
        return f"{folder}/determination" if self.notebook == REPORTS["determination"].notebook else folder

    @property
    def stem(self) -> str:
        """The report's file name without extension, safe on every system."""
        base = Path(self.notebook).stem
        return safe_file_name(base if self.building_code is None else f"{base}_{self.building_code}")


@dataclass(frozen=True)
class RunOptions:
    """Choices of one `rar run`."""

    out: Path | None = None
    buildings: tuple[str, ...] = ()
    formats: tuple[str, ...] = FORMATS
    workers: int = 1
    pdf_engine: str = "auto"
    browser: str | None = None
    data_folder: Path | None = None
    run_date: date | None = None
    school_year: str = ""


def plan(review: Review, buildings: tuple[str, ...] = (), school_year: str = "") -> list[ReportJob]:
    """The reports a review asks for: the district financial review, then for each building under
    review the inquiry report of the chosen option and, with a determination file, the determination;
    each about ``school_year`` (one of the review's years; "" for the latest)."""
    year = chosen_year(review, school_year) or ""
    unknown = [code for code in buildings if code not in set(review.tables["buildings"]["building_code"])]
    if unknown:
        raise InputError([Problem("--building", f"Building '{code}' is not in the review's buildings table.", "Use a building_code from the buildings table.") for code in unknown])
    district, option, determination = REPORTS["district_review"], REPORTS.option(review.config.option.number), REPORTS["determination"]
    jobs = [ReportJob(district.notebook, district.title, school_year=year)]
    for code in buildings or tuple(review.buildings_under_review()):
        jobs.append(ReportJob(option.notebook, option.title, code, school_year=year))
        if review.config.determination_file:
            jobs.append(ReportJob(determination.notebook, determination.title, code, school_year=year))
    return jobs


def run_folder_for(review: Review, options: RunOptions) -> Path:
    """``OUT/<district_code>/<YYYY.MM.DD>/``; OUT defaults to the review's output_folder."""
    out = options.out or (review.config_path.parent / review.config.output_folder)
    run_date = options.run_date or date.today()
    return out.resolve() / safe_file_name(review.config.district_code) / run_date.strftime("%Y.%m.%d")
