"""Fictional sample data: the demo district, or a statewide-size set for benchmarks.

Every number comes from one seeded generator, so a seed always gives the same tables. The demo
district is fictional on purpose: district code 99901 (Michigan has no 999xx districts), building
codes that start with 9, and "(fictional)" in its name.

The district is built to show what a review should find: the identified (CSI, ATS, TSI) buildings
serve more economically disadvantaged pupils and receive more federal but less state and local
money per pupil, mostly because novice teachers, cheaper on the salary schedule, concentrate there.

``plan`` draws the buildings, levels and identifications and holds the generator's parameters,
``simulate`` draws every table from the plan (and says what reconciles across them), ``write``
writes them as CSV files.
"""

from __future__ import annotations

from rar_protocol.sample.simulate import generate_district, generate_state
from rar_protocol.sample.write import main, write_tables

__all__ = ["generate_district", "generate_state", "main", "write_tables"]
