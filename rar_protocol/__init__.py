"""rar-protocol: Michigan's Resource Allocation Review as a data model, analyses and notebook reports."""

from rar_protocol.analyses import district_review, inventory
from rar_protocol.measures import finance, outcomes, privacy
from rar_protocol.protocol import data_object as protocol
from rar_protocol.data import schema
from rar_protocol.data.loading import Review, load_review
from rar_protocol.data.problems import Problem
from rar_protocol.errors import InputError
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
