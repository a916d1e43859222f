"""Files written whole or not at all: a run folder never holds a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(destination: Path, data: bytes) -> Path:
    """Write bytes via a temporary sibling file so the destination is complete or absent."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        # mkstemp creates 0600 files; give the report the permissions a normal file would get.
        os.chmod(temporary_name, 0o666 & ~_current_umask())
        os.replace(temporary_name, destination)
    except OSError as error:
        Path(temporary_name).unlink(missing_ok=True)
        if error.filename is None:
            # A failed write (e.g. ENOSPC) names no file; name the destination so the user sees which.
            raise OSError(error.errno, error.strerror or str(error), str(destination)) from error
        raise
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise
    return destination


def _current_umask() -> int:
    """Return the process umask (reading it requires setting it, so restore it at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
