"""The data analysis protocol's prompts (Predict, Observe, Infer, Additional data needed) and the team's answers.

The files are read and checked by rar_protocol.data.protocol_files, the same code `rar validate` uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rar_protocol.data.protocol_files import DEFAULT_PROMPTS, read_prompts, read_responses


def load_prompts(path: Path | None) -> list[dict[str, str]]:
    """The protocol prompts from an editable YAML file (a list under ``prompts``), or the defaults."""
    if path is None or not path.exists():
        return DEFAULT_PROMPTS
    return read_prompts(path)


def load_responses(path: Path | None) -> dict[str, Any]:
    """The team's recorded answers by report ("district" or a building code), or nothing when none were recorded yet."""
    if path is None or not path.exists():
        return {}
    return read_responses(path)
