"""Provenance: what a report was made from, kept apart from its content so content compares byte for byte."""

from __future__ import annotations

import hashlib
import html
import json
import platform
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from rar_protocol.files import write_atomically

KEY_PACKAGES = ("rar-protocol", "pandas", "numpy", "matplotlib", "seaborn", "pandera", "pydantic", "papermill", "nbconvert", "nbclient", "ipykernel")


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the numbers and the reports."""
    found = {"python": platform.python_version()}
    for package in KEY_PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def collect(input_files: list[Path], parameters: dict[str, Any]) -> dict[str, Any]:
    """The provenance block: parameters, SHA-256 of every input file, versions, and the run time (UTC)."""
    return {
        "run_time": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "parameters": parameters,
        "inputs": [{"path": str(path), "sha256": sha256(path)} for path in input_files],
        "versions": versions(),
    }


def write(provenance: dict[str, Any], path: Path) -> None:
    """Save the provenance as JSON (written whole, then renamed into place)."""
    write_atomically(path, json.dumps(provenance, indent=2, sort_keys=True).encode("utf-8"))


def footer_html(provenance: dict[str, Any]) -> str:
    """A short footer for the end of a report: run time, versions, and each input's SHA-256."""
    inputs = "".join(f"<li><code>{html.escape(Path(item['path']).name)}</code> sha256 {item['sha256'][:16]}…</li>" for item in provenance["inputs"])
    packages = ", ".join(f"{name} {version}" for name, version in provenance["versions"].items())
    parameters = ", ".join(f"{name}={value}" for name, value in sorted(provenance["parameters"].items()) if value not in ("", None))
    return (
        "<div class='rar-provenance'><h4>Provenance</h4>"
        f"<p>Made {html.escape(provenance['run_time'])} with {html.escape(packages)}.</p>"
        f"<p>Parameters: {html.escape(parameters)}</p>"
        f"<p>Inputs:</p><ul>{inputs}</ul></div>"
    )
