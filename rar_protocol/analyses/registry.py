"""The four review options: their notebooks and the analysis module behind each."""

from __future__ import annotations

import importlib
from types import ModuleType

OPTION_NOTEBOOKS = {
    1: "21_option_student_group.ipynb",
    2: "22_option_micip_strategy.ipynb",
    3: "23_option_financial_distribution.ipynb",
    4: "24_option_resource_diagnostic.ipynb",
}
OPTION_TITLES = {
    1: "Resource Allocation Inquiry: Student Group",
    2: "Resource Allocation Inquiry: MICIP Strategy",
    3: "Resource Allocation Inquiry: Financial Distribution and Utilization",
    4: "Resource Allocation Inquiry: Equitable Resource Diagnostic",
}
_MODULES = {1: "student_group", 2: "strategy", 3: "distribution", 4: "diagnostic"}


def option_module(number: int) -> ModuleType:
    """The analysis module of a review option; each has ``data_objects(review, building_code)``."""
    return importlib.import_module(f"rar_protocol.analyses.{_MODULES[number]}")
