"""What every publisher offers, and the errors and results they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from goodnews_scraper.mirror.files import TEMP_PREFIX
from goodnews_scraper.settings_checks import SettingError

if TYPE_CHECKING:
    from pathlib import Path


class PublishError(Exception):
    """Publishing failed. The message is one line, names the setting to check
    and never holds a credential."""

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


class PublishSettingError(SettingError):
    """A publishing setting the crawl cannot use (found before any network use)."""


@dataclass(frozen=True)
class PublishResult:
    """What one publication did."""

    published: tuple[str, ...]  # files sent, relative to the tree root
    unchanged: int  # files the destination already held
    summary: str  # one line for the log
    commits: int = 0
    rebased: bool = False


class Publisher(Protocol):
    """A destination for the tree.

    ``prepare`` runs before the crawl writes (the tree becomes what the
    destination holds, plus local files); ``publish`` runs after a crawl that
    finished and sends what changed. Both may block and raise PublishError;
    neither deletes anything in the destination.
    """

    kind: str

    @property
    def destination(self) -> str:
        """Where the tree goes, for the log: credentials masked."""
        ...

    def prepare(self) -> str: ...

    def publish(self, name: str) -> PublishResult: ...


def is_tree_file(relpath: str) -> bool:
    """Files of the tree: not hidden (``.git``), not a write in progress."""
    return not any(part.startswith(".") for part in relpath.split("/")) and not relpath.rsplit(
        "/", 1
    )[-1].startswith(TEMP_PREFIX)


def tree_files(root: Path) -> list[str]:
    """Every file of the tree under ``root``, relative, sorted."""
    if not root.is_dir():
        return []
    found = []
    for path in root.rglob("*"):
        relpath = path.relative_to(root).as_posix()
        if is_tree_file(relpath) and path.is_file() and not path.is_symlink():
            found.append(relpath)
    return sorted(found)


def publication_rank(relpath: str) -> int:
    """0 for pages, images and records, 1 for indexes and feeds, 2 for the home page."""
    if relpath in ("README.md", "index.html"):
        return 2
    return 1 if relpath.startswith(("indexes/", "feeds/")) else 0


def publication_order(relpaths: list[str]) -> list[str]:
    """Pages and images first, then indexes, then the home page, so a reader
    never follows a link to a file not yet sent."""
    return sorted(relpaths, key=lambda relpath: (publication_rank(relpath), relpath))
