"""The report kinds: the one place that knows what reports a review can make.

Each :class:`ReportKind` says its key, title, notebook, the analysis module behind it, the review
option it serves (1-4) and the inventory measures it uses. The run plan, the data inventory, the
district review's option section, the determination's evidence check and the start page all read
:data:`REPORTS`; registration order is report order. Analysis modules are imported by name when
first used, so the registry imports none of them and they may all import it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rar_protocol.data.loading import Review
    from rar_protocol.protocol.data_object import DataObject


@dataclass(frozen=True)
class ReportKind:
    """One kind of report: a notebook, the analysis module it calls and what it needs."""

    key: str
    title: str
    notebook: str
    module: str
    # "district": one report per run; "building": one per building under review.
    scope: str = "building"
    option: int | None = None
    option_name: str = ""
    measures: tuple[str, ...] = ()

    def analysis(self) -> ModuleType:
        """The analysis module behind the report (``rar_protocol.analyses.<module>``)."""
        return importlib.import_module(f"rar_protocol.analyses.{self.module}")

    def measures_used(self, review: Review) -> list[str]:
        """The inventory measures the report uses for this review (option 1's depend on its group)."""
        module = self.analysis()
        if hasattr(module, "relevant_measures"):
            return list(module.relevant_measures(review))
        return list(self.measures)

    def data_objects(self, review: Review, building_code: str | None = None) -> list[DataObject]:
        """The report's data objects; their figures are drawn only when shown or exported."""
        module = self.analysis()
        return module.data_objects(review) if self.scope == "district" else module.data_objects(review, building_code)


class Registry:
    """The report kinds in report order, found by key or by review option number."""

    def __init__(self) -> None:
        self._kinds: dict[str, ReportKind] = {}

    def register(self, kind: ReportKind) -> ReportKind:
        """Add a report kind; a key or option registered twice is a programming error."""
        if kind.key in self._kinds or (kind.option is not None and any(other.option == kind.option for other in self._kinds.values())):
            raise ValueError(f"report kind {kind.key!r} (option {kind.option}) is registered already")
        self._kinds[kind.key] = kind
        return kind

    def __iter__(self) -> Iterator[ReportKind]:
        return iter(self._kinds.values())

    def __getitem__(self, key: str) -> ReportKind:
        return self._kinds[key]

    def options(self) -> list[ReportKind]:
        """The four review options' reports, by option number."""
        return sorted((kind for kind in self if kind.option is not None), key=lambda kind: kind.option)

    def option(self, number: int) -> ReportKind:
        """The report of review option ``number``."""
        for kind in self:
            if kind.option == number:
                return kind
        raise KeyError(number)

    def evidence_kinds(self, review: Review) -> list[ReportKind]:
        """The reports whose data objects a building's determination may cite: the district review's and the chosen option's."""
        return [self["district_review"], self.option(review.config.option.number)]


REPORTS = Registry()
REPORTS.register(
    ReportKind(
        key="district_review",
        title="District Financial Review",
        notebook="10_district_financial_review.ipynb",
        module="district_review",
        scope="district",
    )
)
REPORTS.register(
    ReportKind(
        key="student_group",
        title="Resource Allocation Inquiry: Student Group",
        notebook="21_option_student_group.ipynb",
        module="student_group",
        option=1,
        option_name="student group",
        measures=(
            "achievement by student group",
            "counts of economically disadvantaged pupils",
            "counts of students with disabilities",
            "counts of English learners",
            "spending by Bulletin 1022 function",
            "staff FTE by role",
            "novice teachers",
            "teachers rated effective",
        ),
    )
)
REPORTS.register(
    ReportKind(
        key="strategy",
        title="Resource Allocation Inquiry: MICIP Strategy",
        notebook="22_option_micip_strategy.ipynb",
        module="strategy",
        option=2,
        option_name="MICIP strategy",
        measures=("MICIP strategies with cost and participants", "strategy outcomes for participants and non-participants", "achievement for all students"),
    )
)
REPORTS.register(
    ReportKind(
        key="distribution",
        title="Resource Allocation Inquiry: Financial Distribution and Utilization",
        notebook="23_option_financial_distribution.ipynb",
        module="distribution",
        option=3,
        option_name="financial distribution and utilization",
        measures=("per-pupil spending by fund source", "spending by Bulletin 1022 function", "general ledger (budget and actual)", "staff salaries", "counts of economically disadvantaged pupils"),
    )
)
REPORTS.register(
    ReportKind(
        key="diagnostic",
        title="Resource Allocation Inquiry: Equitable Resource Diagnostic",
        notebook="24_option_resource_diagnostic.ipynb",
        module="diagnostic",
        option=4,
        option_name="Equitable Resource Diagnostic",
        measures=(
            "per-pupil spending by fund source",
            "novice teachers",
            "teachers rated effective",
            "staff FTE by role",
            "Equitable Resource Diagnostic indicators",
            "counts of economically disadvantaged pupils",
        ),
    )
)
REPORTS.register(
    ReportKind(
        key="determination",
        title="Resource Equity Determination",
        notebook="30_equity_determination.ipynb",
        module="determination",
    )
)


def evidence_objects(review: Review, building_code: str) -> dict[str, DataObject]:
    """The data objects a building's determination may cite, by name; their figures are not drawn."""
    return {data_object.name: data_object for kind in REPORTS.evidence_kinds(review) for data_object in kind.data_objects(review, building_code)}
