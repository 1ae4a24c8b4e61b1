"""Atomic, change-aware file writes.

Mirror trees live in git, so a file is only rewritten when its bytes change,
and every write goes to a temporary file in the same folder that is renamed
over the target: a crash or kill at any moment leaves either the old file or
the new one, never a truncated one.

Syncing each file to disk costs more than writing it (0.2 to 0.4 ms of CPU
a file on the benchmark's disk, and the process waits longer), so the many
files of a crawl are written as a :class:`WriteBatch`: temporary files first,
one sync of the filesystem for all of them, then the renames.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

#: Temporary files start with this prefix; a later run removes leftovers.
TEMP_PREFIX = ".goodnews-tmp-"


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except FileNotFoundError:
        return False


def _write_temp(path: Path, data: bytes, sync: bool) -> str:
    """A temporary file beside ``path`` holding ``data``; its name."""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    except FileNotFoundError:  # the folder's first file
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            if sync:
                os.fsync(tmp.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return tmp_name


def _replace(tmp_name: str, path: Path) -> None:
    try:
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically (and durably) unless it already holds it.

    Returns True when the file was (re)written.
    """
    if _unchanged(path, data):
        return False
    _replace(_write_temp(path, data, sync=True), path)
    return True


def sync_filesystem(folder: Path) -> None:
    """Flush everything written so far to disk, in one call (``folder``'s files among it).

    ``os.sync`` flushes every filesystem, not only ``folder``'s; it runs once a
    batch, and the tree is what a mirror host writes.
    """
    os.sync()


class WriteBatch:
    """Atomic writes that become durable together, in the order they were added.

    :meth:`add` writes a temporary file beside the target (unless the target
    already holds the bytes); :meth:`commit` syncs the filesystem once, then
    renames every temporary file over its target. A kill before the commit
    leaves only temporary files, which the next run removes (and the crawl
    fetches those articles again); a crash after it leaves whole files.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []

    def __len__(self) -> int:
        return len(self._staged)

    def add(self, path: Path, data: bytes) -> bool:
        """Stage ``data`` for ``path``; False (and nothing staged) when it is unchanged."""
        if _unchanged(path, data):
            return False
        self._staged.append((_write_temp(path, data, sync=False), path))
        return True

    def commit(self) -> list[Path]:
        """Make the staged files durable, then put them in place; their paths."""
        staged, self._staged = self._staged, []
        if not staged:
            return []
        try:
            sync_filesystem(staged[0][1].parent)
            for tmp_name, path in staged:
                _replace(tmp_name, path)
        except BaseException:
            for tmp_name, _ in staged:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp_name)
            raise
        return [path for _, path in staged]


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
