"""rar-protocol: Michigan's Resource Allocation Review as a data model, analyses and notebook reports.

The package is layered; imports only point down the list, and each layer's ``__init__`` says what
it may import:

- ``data``: the review's tables in (specs, YAML config, formats, reading, mapping, loading)
- ``measures``: numbers only (per-pupil finance, outcomes, equity statistics, privacy)
- ``protocol``: the data object and its presentation (words, figures, display, MICIP export, prompts)
- ``analyses``: one module per report kind, and the registry that lists them
- ``report``: making reports (plan, kernels, execution, HTML, PDF, context, provenance)
- ``cli``: the ``rar`` command
"""

from rar_protocol.analyses.registry import REPORTS, ReportKind
from rar_protocol.data.loading import Review, load_review
from rar_protocol.data.problems import Problem
from rar_protocol.errors import InputError, PdfError, RarError, ReportError
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.report.context import ReportContext, open_report, start_report

__all__ = [
    "DataObject",
    "InputError",
    "PdfError",
    "Problem",
    "REPORTS",
    "RarError",
    "ReportContext",
    "ReportError",
    "ReportKind",
    "Review",
    "load_review",
    "open_report",
    "start_report",
]
__version__ = "0.1.0"
