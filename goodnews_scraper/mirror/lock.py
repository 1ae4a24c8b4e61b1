"""One writer per tree: an exclusive lock on a folder, held for a whole run.

Two runs into one folder (Scrapyd jobs side by side, overlapping cron runs)
would remove each other's staged files and fight over one git index. The
lock is ``<folder>/.goodnews.lock``: an advisory ``flock`` held on it for the
run, and in it who holds it (pid, host, start time) for the message the next
run prints. The kernel releases the lock when its process dies, however it
dies, so a lock file whose lock is free was left by a dead run: it is taken
over, and the log says whose it was. The file is hidden, so publishing never
sends it (``publishing.base.is_tree_file``) and a git clone into the folder
leaves it alone (git only sees it as untracked, which publishing skips).

Any command that writes a tree takes it: ``scrapy crawl`` here, a future
``scrapy render`` through the same :class:`TreeLock`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

logger = logging.getLogger(__name__)

LOCK_NAME = ".goodnews.lock"


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a lock."""

    pid: int
    host: str
    started: str  # ISO 8601, UTC

    @classmethod
    def me(cls) -> Holder:
        started = datetime.now(UTC).replace(microsecond=0).isoformat()
        return cls(os.getpid(), socket.gethostname(), started)

    @classmethod
    def parse(cls, raw: bytes) -> Holder | None:
        try:
            data = json.loads(raw)
            return cls(int(data["pid"]), str(data["host"]), str(data["started"]))
        except (ValueError, KeyError, TypeError):
            return None

    def to_json(self) -> bytes:
        data = {"pid": self.pid, "host": self.host, "started": self.started}
        return json.dumps(data, sort_keys=True).encode() + b"\n"

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host}, started {self.started}"


class TreeLocked(Exception):
    """Another live process holds the tree's lock; the message names it in one line."""

    def __init__(self, root: Path, holder: Holder | None) -> None:
        who = str(holder) if holder else "a process that left no name"
        super().__init__(
            f"SITE_DIR {str(root)!r} is in use by another run ({who}); "
            f"wait for it to end (lock: {root / LOCK_NAME})"
        )
        self.holder = holder


class TreeLock:
    """An exclusive lock on ``root`` (created if missing), as a context manager.

    ``acquire`` raises :class:`TreeLocked` at once when a live process holds
    it (it never waits); ``release`` is idempotent.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / LOCK_NAME
        self._fd: int | None = None
        #: Who held the lock before, when this one took over a dead run's.
        self.taken_over: Holder | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> TreeLock:
        if self._fd is not None:
            return self
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = Holder.parse(_read(fd))
                os.close(fd)
                raise TreeLocked(self.root, holder) from None
            except BaseException:
                os.close(fd)
                raise
            # A releasing run removes the file after we opened it: lock the new one.
            if _same_file(fd, self.path):
                break
            os.close(fd)
        self.taken_over = Holder.parse(_read(fd))
        if self.taken_over is not None:
            logger.warning(
                "Took over the lock of SITE_DIR %r left by a run that is gone (%s)",
                str(self.root),
                self.taken_over,
            )
        os.ftruncate(fd, 0)
        os.pwrite(fd, Holder.me().to_json(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            # Removed while still locked, so no run finds our name in a free lock.
            if _same_file(fd, self.path):
                self.path.unlink()
        finally:
            os.close(fd)

    def __enter__(self) -> TreeLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read(fd: int) -> bytes:
    return os.pread(fd, 4096, 0)


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (mine.st_dev, mine.st_ino) == (on_disk.st_dev, on_disk.st_ino)
