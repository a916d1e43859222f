"""The data analysis protocol's prompts (Predict, Observe, Infer, Additional data needed) and the team's answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rar_protocol.data.problems import Problem
from rar_protocol.data.reading import read_yaml
from rar_protocol.errors import InputError

DEFAULT_PROMPTS = [
    {"key": "predict", "title": "Predict", "question": "What do we expect to see in this data, and why?"},
    {"key": "observe", "title": "Observe", "question": "What do we see? Only facts, with numbers."},
    {"key": "infer", "title": "Infer", "question": "What might explain it? Root-cause hypotheses (5 Whys, fishbone)."},
    {"key": "additional_data", "title": "Additional data needed", "question": "What else would we need to know to be sure?"},
]


def load_prompts(path: Path | None) -> list[dict[str, str]]:
    """The protocol prompts from an editable YAML file (a list under ``prompts``), or the defaults."""
    if path is None or not path.exists():
        return DEFAULT_PROMPTS
    raw = read_yaml(path)
    prompts = raw.get("prompts") if isinstance(raw, dict) else None
    if not isinstance(prompts, list) or not all(isinstance(p, dict) and {"key", "title", "question"} <= set(p) for p in prompts):
        raise InputError([Problem(str(path), "The prompts file needs a list 'prompts' of entries with key, title and question.", "See parameters/protocol_prompts.yaml.", column="prompts")])
    return [{name: str(p[name]) for name in ("key", "title", "question")} for p in prompts]


def load_responses(path: Path | None) -> dict[str, Any]:
    """The team's recorded answers (a YAML mapping), or nothing when none were recorded yet."""
    if path is None or not path.exists():
        return {}
    raw = read_yaml(path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError([Problem(str(path), "The responses file must be a mapping: report (district or a building code) to answers.", "See parameters/sample_responses.yaml.")])
    return raw
