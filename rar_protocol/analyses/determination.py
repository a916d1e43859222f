"""Phase 4, the resource equity determination: per building, inequity or equity, its evidence and plan,
and the MICIP entry built from MDE's sample language.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rar_protocol.analyses.registry import evidence_objects
from rar_protocol.data.config import validation_problems
from rar_protocol.data.loading import Review
from rar_protocol.data.problems import Problem
from rar_protocol.data.reading import read_yaml
from rar_protocol.errors import InputError
from rar_protocol.protocol.data_object import DataObject
from rar_protocol.protocol.units import declare

NO_INEQUITY_TASK = "Resource Allocation Review"
# The columns of a MICIP entry, in the order MICIP asks for them.
MICIP_COLUMNS = ["Goal", "Type", "Name", "Description", "Tagged school", "Finding", "Evidence", "District agreed", "Agreed on"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Plan(_Strict):
    """How the district will address an inequity, as entered in MICIP."""

    goal: str
    type: Literal["task", "activity"] = "activity"
    name: str
    strategy: str | None = None
    owner: str | None = None
    timeline: str | None = None


class Determination(_Strict):
    """One building's determination, agreed (or not yet) with the district team."""

    finding: Literal["inequity", "equity"]
    # What the review examined: fills the parentheses of MDE's no-inequity sentence.
    reviewed: str | None = None
    inequity: str | None = None
    evidence: list[str] = Field(default_factory=list)
    statements: list[str] = Field(default_factory=list)
    root_cause: str | None = None
    plan: Plan | None = None
    goal: str | None = None
    district_agreed: bool = False
    agreed_on: date | None = None

    @model_validator(mode="after")
    def _inequity_is_complete(self) -> Determination:
        if self.finding == "inequity":
            missing = [name for name, value in (("inequity", self.inequity), ("evidence", self.evidence), ("plan", self.plan)) if not value]
            if missing:
                raise ValueError(f"an inequity needs {', '.join(missing)}: say what the inequity is, the data objects it rests on and the plan to address it")
        elif not self.reviewed:
            raise ValueError("an equity finding needs 'reviewed': what the review examined, for the MICIP task's description")
        return self


class DeterminationFile(_Strict):
    """The determination file of a review: one entry per building code."""

    buildings: dict[str, Determination]


def load_determinations(review: Review, data_object_names: Callable[[str], list[str]], *, check_only: str | None = None) -> dict[str, Determination]:
    """Read and check the review's determination file; evidence must name data objects that exist.

    ``data_object_names(building_code)`` gives the names of the data objects the review makes for a
    building (the district review's and the building's option report's); ``check_only`` limits the
    evidence check to one building.
    """
    name = review.config.determination_file
    if not name:
        return {}
    path = review.config_path.parent / name
    label = str(path)
    raw = read_yaml(path)
    try:
        parsed = DeterminationFile.model_validate({"buildings": {str(k): v for k, v in (raw or {}).get("buildings", {}).items()}} if isinstance(raw, dict) and set(raw) <= {"buildings"} else raw)
    except ValidationError as error:
        raise InputError(validation_problems(error, label)) from None
    problems = []
    known = set(review.tables["buildings"]["building_code"])
    for code, entry in parsed.buildings.items():
        if code not in known:
            problems.append(Problem(label, f"Building '{code}' is not in the buildings table.", "Use a building_code from the buildings table.", column=f"buildings.{code}"))
            continue
        if check_only is not None and code != check_only:
            continue
        available = data_object_names(code) if entry.evidence else []
        for evidence in entry.evidence:
            if evidence not in available:
                near = difflib.get_close_matches(evidence, available, n=1)
                hint = f"Did you mean '{near[0]}'? " if near else ""
                problems.append(
                    Problem(
                        label, f"Evidence '{evidence}' names no data object of this review.", f"{hint}The data objects for {code} are: {'; '.join(available)}.", column=f"buildings.{code}.evidence"
                    )
                )
    if problems:
        raise InputError(problems)
    return parsed.buildings


def micip_entry(review: Review, building_code: str, entry: Determination) -> dict[str, str]:
    """The MICIP task or activity for one building, in MDE's sample language, tagged to the building."""
    school = review.building_name(building_code)
    if entry.finding == "inequity":
        plan = entry.plan
        assert plan is not None
        action = f" by {plan.strategy[0].lower() + plan.strategy[1:]}" if plan.strategy else ""
        description = f"To address the inequity ({entry.inequity}) determined by the Resource Allocation Review{action}."
        if plan.owner or plan.timeline:
            description += " " + "; ".join(part for part in (f"Owner: {plan.owner}" if plan.owner else "", f"Timeline: {plan.timeline}" if plan.timeline else "") if part) + "."
        goal, kind, name = plan.goal, plan.type, plan.name
    else:
        description = f"A resource allocation review of ({entry.reviewed}) resulted in determining that an inequity does not currently exist."
        goal, kind, name = entry.goal or "", "task", NO_INEQUITY_TASK
    return {
        "Goal": goal,
        "Type": kind,
        "Name": name,
        "Description": description,
        "Tagged school": f"{school} ({building_code})",
        "Finding": entry.finding,
        "Evidence": "; ".join(entry.evidence),
        "District agreed": "yes" if entry.district_agreed else "no",
        "Agreed on": entry.agreed_on.isoformat() if entry.agreed_on else "",
    }


def micip_export(review: Review, determinations: dict[str, Determination]) -> DataObject:
    """One row per MICIP entry, ready to enter: the "Equity Determination" data object."""
    rows = [micip_entry(review, code, entry) for code, entry in sorted(determinations.items())]
    table = pd.DataFrame(rows, columns=MICIP_COLUMNS)
    inequities = sum(1 for entry in determinations.values() if entry.finding == "inequity")
    agreed = sum(1 for entry in determinations.values() if entry.district_agreed)
    return DataObject(
        units=declare(text=MICIP_COLUMNS),
        name="Equity Determination",
        table=table,
        observations=[f"{len(rows)} building(s) determined: {inequities} inequity, {len(rows) - inequities} equity; the district team agreed to {agreed}."],
        sources=[f"determination file ({review.config.determination_file})"],
    )


def building_determination(review: Review, building_code: str, entry: Determination | None, evidence_by_name: dict[str, DataObject]) -> DataObject:
    """One building's determination: the finding, its evidence with key figures, statements and the MICIP entry."""
    school = review.building_name(building_code)
    if entry is None:
        return DataObject(
            name=f"Equity Determination {school}",
            observations=[f"No determination has been recorded for {school} yet. Add it to the review's determination file (see `rar init`)."],
            sources=[],
            missing=["equity determination for this building"],
        )
    micip = micip_entry(review, building_code, entry)
    observations = [f"Finding: {entry.finding}" + (f" — {entry.inequity}" if entry.inequity else "") + "."]
    for name in entry.evidence:
        evidence = evidence_by_name.get(name)
        if evidence is not None and evidence.observations:
            observations.append(f"Evidence, {name}: {evidence.observations[0]}")
    observations += [f"Priority {number}: {statement}" for number, statement in enumerate(entry.statements, start=1)]
    if entry.root_cause:
        observations.append(f"Root cause: {entry.root_cause}")
    agreed = (
        f"The district team agreed on {entry.agreed_on:%B %d, %Y}."
        if entry.district_agreed and entry.agreed_on
        else ("The district team agreed." if entry.district_agreed else "Not yet agreed with the district team.")
    )
    observations.append(agreed)
    table = pd.DataFrame([micip])
    return DataObject(
        units=declare(text=MICIP_COLUMNS),
        name=f"Equity Determination {school}",
        table=table,
        observations=observations,
        sources=[f"determination file ({review.config.determination_file})", *entry.evidence],
    )


def check_determinations(review: Review) -> dict[str, Determination]:
    """Load the determination file, checking every evidence name against the data objects the review makes."""
    cache: dict[str, list[str]] = {}

    def names(building_code: str) -> list[str]:
        if building_code not in cache:
            cache[building_code] = sorted(evidence_objects(review, building_code))
        return cache[building_code]

    return load_determinations(review, names)


def for_building(review: Review, building_code: str) -> DataObject:
    """The determination data object of one building (with its evidence's key figures)."""
    objects = evidence_objects(review, building_code)
    determinations = load_determinations(review, lambda code: sorted(objects), check_only=building_code)
    return building_determination(review, building_code, determinations.get(building_code), objects)
