"""Built-in formats: Michigan's published layouts, each a YAML file of mapping keys beside this module.

A table names its format (``format: mi_school_data_directory``) and its own keys are laid over the
format's, so a district adds a spelling or a column without copying the whole mapping.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from rar_protocol.data.problems import Problem
from rar_protocol.data.reading import read_yaml
from rar_protocol.errors import InputError

FORMATS_FOLDER = Path(__file__).resolve().parent
# Keys whose mappings merge entry by entry; any other key of the table replaces the format's.
_MERGED_KEYS = ("filter", "sums", "compute", "cases", "headers", "rename", "values", "constants", "zero_pad")
# Keys that describe a format rather than map a table.
_FORMAT_ABOUT_KEYS = ("table", "description")


def available_formats() -> list[str]:
    """The names of the built-in formats (rar_protocol/data/formats/<name>.yaml)."""
    return sorted(path.stem for path in FORMATS_FOLDER.glob("*.yaml"))


def read_format(name: str) -> dict[str, Any]:
    """A built-in format as written: its table, description and mapping keys."""
    if name not in available_formats():
        raise KeyError(name)
    raw = read_yaml(FORMATS_FOLDER / f"{name}.yaml")
    return dict(raw)


def format_mapping(name: str) -> dict[str, Any]:
    """A built-in format's mapping keys (the TableSource keys it sets)."""
    return {key: value for key, value in read_format(name).items() if key not in _FORMAT_ABOUT_KEYS}


def merge_format(format_keys: dict[str, Any], table_keys: dict[str, Any]) -> dict[str, Any]:
    """A table's keys laid over its format's: the table's win, entry by entry in mappings such as rename."""
    merged = dict(format_keys)
    for key, value in table_keys.items():
        base = merged.get(key)
        if key in _MERGED_KEYS and isinstance(value, dict) and isinstance(base, dict):
            if key == "rename":
                # A column the user maps to a canonical name replaces the format's column for it.
                base = {source: target for source, target in base.items() if target not in set(value.values())}
            combined = {**base, **value}
            if key == "values":
                # One column's recoding is merged too: a user adds a spelling, the format keeps the rest.
                for column, recoding in value.items():
                    if isinstance(base.get(column), dict) and isinstance(recoding, dict):
                        combined[column] = {**base[column], **recoding}
            merged[key] = combined
        else:
            merged[key] = value
    return merged


def apply_formats(tables: Any, label: str) -> Any:
    """Each table's keys merged over its built-in format, problems for unknown or misused formats."""
    if not isinstance(tables, dict):
        return tables
    problems = []
    result = {}
    for name, keys in tables.items():
        if not isinstance(keys, dict) or not isinstance(keys.get("format"), str):
            result[name] = keys
            continue
        chosen = keys["format"]
        if chosen not in available_formats():
            near = difflib.get_close_matches(chosen, available_formats(), n=1)
            hint = f"Did you mean '{near[0]}'? " if near else ""
            problems.append(
                Problem(
                    label,
                    f"Unknown format '{chosen}'.",
                    f"{hint}The formats are: {', '.join(available_formats())} (each described in docs/data_dictionary.md); or remove format: and map the columns yourself.",
                    column=f"tables.{name}.format",
                )
            )
            continue
        made = read_format(chosen).get("table")
        if made != name:
            problems.append(
                Problem(
                    label,
                    f"The format '{chosen}' makes the {made} table, not {name}.",
                    f"Move it under tables.{made}, or choose a format for {name}: {', '.join(available_formats())}.",
                    column=f"tables.{name}.format",
                )
            )
            continue
        result[name] = merge_format(format_mapping(chosen), keys)
    if problems:
        raise InputError(problems)
    return result
