"""Atomic, change-aware file writes.

Mirror trees live in git, so a file is only rewritten when its bytes change,
and every write goes to a temporary file in the same folder that is renamed
over the target: a crash or kill at any moment leaves either the old file or
the new one, never a truncated one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

#: Temporary files start with this prefix; a later run removes leftovers.
TEMP_PREFIX = ".goodnews-tmp-"


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds it.

    Returns True when the file was (re)written.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return True


def remove_temp_files(root: Path) -> int:
    """Delete temporary files a killed run left behind; returns how many."""
    removed = 0
    if not root.is_dir():
        return removed
    for leftover in root.rglob(f"{TEMP_PREFIX}*"):
        if leftover.is_file():
            leftover.unlink()
            removed += 1
    return removed
