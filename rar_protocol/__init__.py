"""rar-protocol: Michigan's Resource Allocation Review as a data model, analyses and notebook reports."""

from rar_protocol import district_review, finance, inventory, outcomes, privacy, protocol, schema
from rar_protocol.loading import Review, load_review
from rar_protocol.problems import InputError, Problem
from rar_protocol.report.context import ReportContext, open_report

__all__ = [
    "InputError",
    "Problem",
    "ReportContext",
    "Review",
    "district_review",
    "finance",
    "inventory",
    "load_review",
    "open_report",
    "outcomes",
    "privacy",
    "protocol",
    "schema",
]
__version__ = "0.1.0"
