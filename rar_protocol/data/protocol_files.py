"""The protocol's editable files: the prompts printed under every data object, and the team's answers.

``rar validate`` and the reports read them with the same functions here, so a file that validates is
one every report can print: its shape is checked by pydantic models (``extra="forbid"``), and the
answers are checked against the prompts and the buildings.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from rar_protocol.data.config import validation_problems
from rar_protocol.data.problems import Problem
from rar_protocol.data.reading import read_yaml
from rar_protocol.errors import InputError

DEFAULT_PROMPTS = [
    {"key": "predict", "title": "Predict", "question": "What do we expect to see in this data, and why?"},
    {"key": "observe", "title": "Observe", "question": "What do we see? Only facts, with numbers."},
    {"key": "infer", "title": "Infer", "question": "What might explain it? Root-cause hypotheses (5 Whys, fishbone)."},
    {"key": "additional_data", "title": "Additional data needed", "question": "What else would we need to know to be sure?"},
]
# The district financial review's three guiding questions, as keyed in a responses file.
GUIDING_QUESTION_KEYS = ("discovered", "additional_questions", "clarity")
DISTRICT = "district"  # the responses key of the district financial review


def _as_text(value: Any) -> Any:
    """YAML reads an answer such as 2024, yes or 2025-03-12 as a number, a flag or a date: it is text as written."""
    return value if value is None or isinstance(value, (str, list, dict)) else str(value)


Answer = Annotated[str | None, BeforeValidator(_as_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prompt(_Strict):
    """One prompt: its key (used in responses files), its title and its question."""

    key: Annotated[str, BeforeValidator(_as_text)]
    title: Annotated[str, BeforeValidator(_as_text)]
    question: Annotated[str, BeforeValidator(_as_text)]


class PromptsFile(_Strict):
    """The prompts file: a list ``prompts``."""

    prompts: list[Prompt]


class ReportAnswers(_Strict):
    """The team's answers for one report: the guiding questions (district review) and, per data object, per prompt."""

    guiding_questions: dict[str, Answer] = Field(default_factory=dict)
    data_objects: dict[str, dict[str, Answer] | None] = Field(default_factory=dict)


class ResponsesFile(_Strict):
    """The responses file: report ("district" or a building code) to its answers."""

    reports: dict[str, ReportAnswers | None]


def read_prompts(path: Path) -> list[dict[str, str]]:
    """The prompts of an editable prompts file (a list under ``prompts``), checked."""
    label = str(path)
    raw = read_yaml(path)
    if not isinstance(raw, dict) or "prompts" not in raw:
        raise InputError([Problem(label, "The prompts file needs a list 'prompts' of entries with key, title and question.", "See parameters/protocol_prompts.yaml.", column="prompts")])
    try:
        parsed = PromptsFile.model_validate(raw)
    except ValidationError as error:
        raise InputError(validation_problems(error, label, root=PromptsFile)) from None
    first: dict[str, int] = {}
    problems = []
    for position, prompt in enumerate(parsed.prompts):
        if prompt.key in first:
            problems.append(
                Problem(
                    label,
                    f"Prompts {first[prompt.key] + 1} and {position + 1} have the same key '{prompt.key}'; answers in a responses file name their prompt by its key.",
                    "Give each prompt its own key.",
                    column=f"prompts.{position}.key",
                )
            )
        first.setdefault(prompt.key, position)
    if problems:
        raise InputError(problems)
    return [prompt.model_dump() for prompt in parsed.prompts]


def read_responses(path: Path) -> dict[str, dict[str, Any]]:
    """The team's answers by report (codes as text), checked for shape; an empty file holds none."""
    label = str(path)
    raw = read_yaml(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError([Problem(label, "The responses file must be a mapping: report (district or a building code) to answers.", "See parameters/sample_responses.yaml.")])
    try:
        # A building code written without quotes (90041) is read as a number: it names the same building.
        parsed = ResponsesFile.model_validate({"reports": {str(key): value for key, value in raw.items()}})
    except ValidationError as error:
        problems = validation_problems(error, label, root=ResponsesFile)
        # The models' wrapper key is not in the file: name keys as the file writes them.
        raise InputError([_as_written(problem) for problem in problems]) from None
    return {key: (answers or ReportAnswers()).model_dump() for key, answers in parsed.reports.items()}


def _as_written(problem: Problem) -> Problem:
    """A problem of the responses file in the file's own terms, not the models' (their wrapper key and names)."""
    message = problem.message.replace(" or instance of ReportAnswers", "")
    fix = (
        problem.fix
        if problem.fix != "Correct the value."
        else "Each report holds data_objects (a data object's key, then prompt keys with text answers) and, for the district, guiding_questions; see parameters/sample_responses.yaml."
    )
    return Problem(problem.file, message, fix, problem.row, (problem.column or "").removeprefix("reports.") or None)


def response_problems(responses: dict[str, dict[str, Any]], prompts: list[dict[str, str]] | None, building_codes: set[str], label: str) -> list[Problem]:
    """Answers no report would print: for a building not in the review, to a prompt or question that does not exist
    (prompts None: not checked against the prompts)."""
    problems = []
    prompt_keys = [prompt["key"] for prompt in prompts] if prompts is not None else None
    for report, answers in responses.items():
        if report != DISTRICT and report not in building_codes:
            near = difflib.get_close_matches(report, sorted(building_codes), n=1)
            hint = f"Did you mean '{near[0]}'? " if near else ""
            problems.append(
                Problem(
                    label,
                    f"'{report}' is neither 'district' nor a building in the buildings table, so no report would print these answers.",
                    f"{hint}Use 'district' or a building_code.",
                    column=report,
                )
            )
        for key in answers["guiding_questions"]:
            if key not in GUIDING_QUESTION_KEYS:
                problems.append(_unknown_key(label, f"{report}.guiding_questions.{key}", key, "guiding question", GUIDING_QUESTION_KEYS))
        for data_object, prompt_answers in answers["data_objects"].items():
            for key in prompt_answers or {}:
                if prompt_keys is not None and key not in prompt_keys:
                    problems.append(_unknown_key(label, f"{report}.data_objects.{data_object}.{key}", key, "prompt", prompt_keys))
    return problems


def _unknown_key(label: str, where: str, key: str, kind: str, allowed: list[str] | tuple[str, ...]) -> Problem:
    near = difflib.get_close_matches(key, list(allowed), n=1)
    hint = f"Did you mean '{near[0]}'? " if near else ""
    return Problem(label, f"'{key}' is not a {kind} of this review, so the answer would not be printed.", f"{hint}The {kind}s are: {', '.join(allowed)}.", column=where)


def protocol_file_problems(config_path: Path, prompts_file: str | None, responses_file: str | None, building_codes: set[str]) -> list[Problem]:
    """Every problem of a review's prompts and responses files, as the reports would read them."""
    problems: list[Problem] = []
    prompts: list[dict[str, str]] | None = DEFAULT_PROMPTS
    if prompts_file:
        try:
            prompts = read_prompts(config_path.parent / prompts_file)
        except InputError as error:
            problems += error.problems
            prompts = None  # answers cannot be matched to prompts that could not be read
    if responses_file:
        path = config_path.parent / responses_file
        try:
            problems += response_problems(read_responses(path), prompts, building_codes, str(path))
        except InputError as error:
            problems += error.problems
    return problems
