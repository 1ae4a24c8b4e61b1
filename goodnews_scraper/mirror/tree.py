"""The layout of a mirror tree and what can be read back from it.

::

    SITE_DIR/
      README.md                   home page, links every section index
      indexes/<slug>.md           a section's articles, newest first
      indexes/<slug>.json         the same entries as data, merged run after run
      indexes/<slug>/<YYYY-MM>.md   a long section's articles of one month
      indexes/<slug>/<YYYY-MM>.json (past INDEX_PAGE_SIZE articles; the section's
                                  own files then hold its newest ones and the months)
      pages/<slug>/<id>.md        one page per article, stored once
      pages/<slug>/<id>.png       its QR code
      store/articles/<slug>/<id>.json   the article as data, from which its page
                                  and QR code are rendered (``scrapy render``)

An article is mirrored when its page exists, so nothing can disagree with the
files. Ids and slugs are validated here, whoever produced them, so no name
can point outside the tree.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from string import ascii_lowercase
from typing import Any

from goodnews_scraper.mirror.files import WriteBatch, write_if_changed

#: The ids of every site (ntdtv ``a103124021``, epochtimes ``n13713766``): letters, then
#: a number. Each site checks its own strictly; this keeps any of them a safe file name.
ARTICLE_ID_RE = re.compile(r"[a-z]{1,3}[0-9]{1,12}")
MONTH_RE = re.compile(r"[0-9]{4}-[0-9]{2}")
#: Articles a section's index page shows. A longer index is split by month of
#: publication, so a run rewrites the months it adds to, not the whole history.
INDEX_PAGE_SIZE = 200
SECTION_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}(?:/[a-z0-9][a-z0-9_-]{0,63}){0,3}")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,255}")
#: Where the article store keeps one record per article, in the page's folder name.
STORE_ARTICLES_DIR = "store/articles"
#: Files the publication holds that this disk does not, one tree path a line,
#: sorted: a fresh disk gets only what a run reads (see docs/fresh-disk.md),
#: and the publisher lists the rest here, so that the tree still knows them.
PUBLISHED_ONLY = ".goodnews-published-only"
#: What every run reads of the tree, besides the records of the feeds' entries
#: (:meth:`MirrorTree.feed_records`): a fresh disk restores these.
RUN_INPUTS = ("README.md", "index.html", "indexes/", "feeds/", "store/crawl-state.json")
META_PREFIX = "<!-- goodnews-scraper "
META_SUFFIX = " -->"


class UnsafeNameError(ValueError):
    """An id or section path that must not become a file name."""


def check_article_id(article_id: str) -> str:
    if not ARTICLE_ID_RE.fullmatch(article_id):
        raise UnsafeNameError(f"not an article id: {article_id[:80]!r}")
    return article_id


def check_section(section: str) -> str:
    if not SECTION_RE.fullmatch(section):
        raise UnsafeNameError(f"not a section path: {section[:80]!r}")
    return section


def section_slug(section: str) -> str:
    """``news/china`` -> ``news-china``: the file name of a section."""
    return check_section(section).replace("/", "-")


@dataclass(frozen=True)
class IndexEntry:
    """What an index lists of one article; also the page's metadata line."""

    id: str
    title: str
    published: str  # ISO 8601 with the site's offset
    page: str  # path of the page relative to the tree root
    url: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexEntry:
        return cls(
            str(data["id"]),
            str(data["title"]),
            str(data["published"]),
            str(data["page"]),
            str(data["url"]),
        )

    def sort_key(self) -> tuple[str, int]:
        """Newest first; the id breaks ties so the order is stable."""
        return (self.published, int(self.id.lstrip(ascii_lowercase)))


def month_of(entry: IndexEntry) -> str:
    """``YYYY-MM`` of the entry's publication: the month file that lists it."""
    month = entry.published[:7]
    return month if MONTH_RE.fullmatch(month) else "0000-00"


@dataclass(frozen=True)
class MonthSummary:
    """What a split index's head says of one month file."""

    month: str
    count: int  # entries of the month
    stored: int  # of them, pages stored in the section's own folder


@dataclass
class SectionIndex:
    """A section's index entries, or one part of a split index.

    ``months`` is set on the head of a split index (``indexes/<slug>.json``,
    whose ``entries`` are then the newest :data:`INDEX_PAGE_SIZE` only);
    ``month`` on one of its month files. A short index has neither.
    """

    edition: str
    section: str
    name: str
    entries: dict[str, IndexEntry]
    months: list[MonthSummary] | None = None
    month: str = ""

    @property
    def count(self) -> int:
        """Entries of the whole section (of the month, for a month file)."""
        return sum(m.count for m in self.months) if self.months is not None else len(self.entries)

    def stored(self, slug: str) -> int:
        """Entries whose page is stored in the folder ``pages/<slug>/``."""
        if self.months is not None:
            return sum(m.stored for m in self.months)
        prefix = f"pages/{slug}/"
        return sum(1 for entry in self.entries.values() if entry.page.startswith(prefix))

    def sorted_entries(self) -> list[IndexEntry]:
        return sorted(self.entries.values(), key=IndexEntry.sort_key, reverse=True)

    def to_json(self) -> bytes:
        """One entry (and one month) a line, so a new article is a one-line diff in git."""
        head: dict[str, object] = {
            "edition": self.edition,
            "section": self.section,
            "name": self.name,
        }
        if self.month:
            head["month"] = self.month
        if self.months is not None:
            head["count"] = self.count
        head_json = json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1]
        parts = [head_json]
        if self.months is not None:
            parts.append(_json_list("months", [asdict(m) for m in self.months]))
        parts.append(_json_list("articles", [asdict(e) for e in self.sorted_entries()]))
        return (", ".join(parts) + "}\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> SectionIndex:
        data = json.loads(raw)
        entries = [IndexEntry.from_dict(item) for item in data["articles"]]
        months = data.get("months")
        return cls(
            edition=str(data["edition"]),
            section=check_section(str(data["section"])),
            name=str(data["name"]),
            entries={entry.id: entry for entry in entries},
            months=None
            if months is None
            else [MonthSummary(str(m["month"]), int(m["count"]), int(m["stored"])) for m in months],
            month=str(data.get("month", "")),
        )


def _json_list(key: str, items: list[dict[str, Any]]) -> str:
    lines = [json.dumps(item, ensure_ascii=False, sort_keys=True) for item in items]
    body = ",\n  ".join(lines)
    return f'"{key}": [\n  {body}\n]' if lines else f'"{key}": []'


def month_part(index: SectionIndex, month: str, entries: dict[str, IndexEntry]) -> SectionIndex:
    """The month file of a split index."""
    return SectionIndex(index.edition, index.section, index.name, entries, month=month)


def month_summary(slug: str, part: SectionIndex) -> MonthSummary:
    return MonthSummary(part.month, len(part.entries), part.stored(slug))


def split_head(
    index: SectionIndex, months: dict[str, MonthSummary], newest: dict[str, IndexEntry]
) -> SectionIndex:
    """The head of a split index: its newest entries (of ``newest``) and its months."""
    ordered = sorted(newest.values(), key=IndexEntry.sort_key, reverse=True)[:INDEX_PAGE_SIZE]
    return SectionIndex(
        index.edition,
        index.section,
        index.name,
        {entry.id: entry for entry in ordered},
        months=[months[m] for m in sorted(months, reverse=True) if months[m].count],
    )


def split_index(index: SectionIndex, slug: str) -> tuple[SectionIndex, list[SectionIndex]]:
    """A whole index as it is stored: (head, month files); a short one is its own head."""
    if len(index.entries) <= INDEX_PAGE_SIZE:
        return SectionIndex(index.edition, index.section, index.name, index.entries), []
    by_month: dict[str, dict[str, IndexEntry]] = {}
    for entry in index.entries.values():
        by_month.setdefault(month_of(entry), {})[entry.id] = entry
    parts = [month_part(index, month, by_month[month]) for month in sorted(by_month, reverse=True)]
    summaries = {part.month: month_summary(slug, part) for part in parts}
    return split_head(index, summaries, index.entries), parts


def _check_month(month: str) -> str:
    if not MONTH_RE.fullmatch(month):
        raise UnsafeNameError(f"not a month: {month[:80]!r}")
    return month


def page_relpath(slug: str, article_id: str) -> str:
    """Where an article's page lives, relative to the tree root."""
    if not SLUG_RE.fullmatch(slug):
        raise UnsafeNameError(f"not a section slug: {slug[:80]!r}")
    return f"pages/{slug}/{check_article_id(article_id)}.md"


def record_relpath(page: str) -> str:
    """Where the store keeps the record of the page at tree path ``page``."""
    folder, _, name = page.removeprefix("pages/").partition("/")
    article_id = name.removesuffix(".md")
    if page != page_relpath(folder, article_id):
        raise UnsafeNameError(f"not a page path: {page[:80]!r}")
    return f"{STORE_ARTICLES_DIR}/{folder}/{article_id}.json"


def page_meta_line(entry: IndexEntry) -> str:
    """An HTML comment GitHub hides, from which a lost index can be rebuilt."""
    data = json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True)
    # Neither "-->" nor "<" may end the comment early, whatever the title holds.
    data = data.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"{META_PREFIX}{data}{META_SUFFIX}\n"


def parse_page_meta(first_line: str) -> IndexEntry | None:
    line = first_line.strip()
    if not (line.startswith(META_PREFIX.strip()) and line.endswith(META_SUFFIX.strip())):
        return None
    try:
        data = json.loads(line[len(META_PREFIX.strip()) : -len(META_SUFFIX.strip())])
        entry = IndexEntry.from_dict(data)
        check_article_id(entry.id)
    except (ValueError, KeyError, TypeError):
        return None
    return entry


class MirrorTree:
    """Paths of a mirror tree rooted at ``root`` and the reads the crawl needs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._checked_folders: set[Path] = set()
        self._published_only: tuple[int, list[str]] | None = None

    @property
    def home_path(self) -> Path:
        return self.root / "README.md"

    @property
    def indexes_dir(self) -> Path:
        return self.root / "indexes"

    @property
    def pages_dir(self) -> Path:
        return self.root / "pages"

    def page_path(self, slug: str, article_id: str) -> Path:
        return self.root / page_relpath(slug, article_id)

    def qr_path(self, slug: str, article_id: str) -> Path:
        return self.page_path(slug, article_id).with_suffix(".png")

    def index_md_path(self, slug: str) -> Path:
        return self.indexes_dir / f"{slug}.md"

    def index_data_path(self, slug: str) -> Path:
        return self.indexes_dir / f"{slug}.json"

    def month_md_path(self, slug: str, month: str) -> Path:
        return self.indexes_dir / slug / f"{_check_month(month)}.md"

    def month_data_path(self, slug: str, month: str) -> Path:
        return self.indexes_dir / slug / f"{_check_month(month)}.json"

    @property
    def records_dir(self) -> Path:
        return self.root / STORE_ARTICLES_DIR

    def record_path(self, page: str) -> Path:
        return self.root / record_relpath(page)

    def existing_pages(self) -> dict[str, str]:
        """Article id -> slug of the folder its page is stored in (on disk or published only)."""
        found = _scan_articles(self.pages_dir, "md")
        return _listed_articles(self.published_only(), "pages/", ".md", found)

    def existing_records(self) -> dict[str, str]:
        """Article id -> slug of the folder its store record is kept in (on disk or published)."""
        found = self.records_on_disk()
        return _listed_articles(self.published_only(), f"{STORE_ARTICLES_DIR}/", ".json", found)

    def records_on_disk(self) -> dict[str, str]:
        """Article id -> slug of the records this disk holds (not those published only)."""
        return _scan_articles(self.records_dir, "json")

    def published_only(self) -> list[str]:
        """Tree paths the publication holds and this disk does not (:data:`PUBLISHED_ONLY`)."""
        path = self.root / PUBLISHED_ONLY
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        if self._published_only is None or self._published_only[0] != mtime:
            self._published_only = (mtime, path.read_text(encoding="utf-8").splitlines())
        return self._published_only[1]

    def holds_folder(self, relpath: str) -> bool:
        """Whether the tree has files under ``relpath``, on disk or published only."""
        prefix = relpath.rstrip("/") + "/"
        return (self.root / relpath).is_dir() or any(
            path.startswith(prefix) for path in self.published_only()
        )

    def feed_records(self, entries: int) -> list[str]:
        """Tree paths of the records the feeds may read: the newest ``entries`` of every head.

        With :data:`RUN_INPUTS`, all a run reads of the tree; the feed of
        the whole mirror takes its entries from the same heads.
        """
        needed: set[str] = set()
        for slug in self.index_slugs() if entries > 0 else []:
            head = self.load_head(slug)
            for entry in head.sorted_entries()[:entries] if head else []:
                try:
                    needed.add(record_relpath(entry.page))
                except UnsafeNameError:
                    continue
        return sorted(needed)

    def read_page_meta(self, slug: str, article_id: str) -> IndexEntry | None:
        try:
            with self.page_path(slug, article_id).open(encoding="utf-8") as page:
                return parse_page_meta(page.readline())
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def load_head(self, slug: str) -> SectionIndex | None:
        """``indexes/<slug>.json``: all of a short index, the head of a split one."""
        try:
            return SectionIndex.from_json(self.index_data_path(slug).read_bytes())
        except FileNotFoundError:
            return None

    def load_month(self, slug: str, month: str) -> SectionIndex | None:
        try:
            return SectionIndex.from_json(self.month_data_path(slug, month).read_bytes())
        except FileNotFoundError:
            return None

    def month_files(self, slug: str) -> list[str]:
        """Months of a split index found on disk, newest first."""
        folder = self.indexes_dir / slug
        if not folder.is_dir():
            return []
        return sorted(
            (path.stem for path in folder.glob("*.json") if MONTH_RE.fullmatch(path.stem)),
            reverse=True,
        )

    def load_index(self, slug: str) -> SectionIndex | None:
        """Every entry of a section's index, whether split or not.

        A split index is read from all its month files on disk, so entries a
        killed run added to a month before it could rewrite the head count.
        """
        head = self.load_head(slug)
        if head is None or head.months is None:
            return head
        entries = dict(head.entries)
        for month in self.month_files(slug):
            part = self.load_month(slug, month)
            if part is not None:
                entries.update(part.entries)
        return SectionIndex(head.edition, head.section, head.name, entries, head.months)

    def index_slugs(self) -> list[str]:
        if not self.indexes_dir.is_dir():
            return []
        return sorted(
            path.stem for path in self.indexes_dir.glob("*.json") if SLUG_RE.fullmatch(path.stem)
        )

    def edition(self) -> str | None:
        """The edition the tree holds (one tree, one edition), if any index says."""
        for slug in self.index_slugs():
            index = self.load_head(slug)
            if index is not None:
                return index.edition
        return None

    def _check_target(self, path: Path) -> None:
        # Resolving costs a system call per path component: check each folder once.
        folder = path.parent
        if folder not in self._checked_folders:
            root = self.root.resolve()
            if root != folder.resolve() and root not in folder.resolve().parents:
                raise UnsafeNameError(f"{path} is outside {self.root}")
            self._checked_folders.add(folder)
        if path.is_symlink():
            raise UnsafeNameError(f"{path} is a symbolic link")

    def write(self, path: Path, data: bytes) -> bool:
        """Write one file of the tree now (atomically, durably) unless unchanged."""
        self._check_target(path)
        return write_if_changed(path, data)

    def stage(self, path: Path, data: bytes, batch: WriteBatch) -> bool:
        """Add one file of the tree to ``batch`` unless unchanged."""
        self._check_target(path)
        return batch.add(path, data)


def _listed_articles(
    listed: list[str], prefix: str, suffix: str, found: dict[str, str]
) -> dict[str, str]:
    """``found`` with the ``<prefix><slug>/<id><suffix>`` paths of ``listed`` added."""
    for path in listed:
        if path.startswith(prefix) and path.endswith(suffix):
            slug, _, name = path[len(prefix) : -len(suffix)].partition("/")
            if SLUG_RE.fullmatch(slug) and ARTICLE_ID_RE.fullmatch(name):
                found.setdefault(name, slug)
    return found


def _scan_articles(folder: Path, suffix: str) -> dict[str, str]:
    """Article id -> slug for the ``<folder>/<slug>/<id>.<suffix>`` files.

    Every run lists the whole tree, so this reads names with ``os.scandir``
    rather than building a ``Path`` for each file.
    """
    found: dict[str, str] = {}
    try:
        with os.scandir(folder) as entries:
            slugs = sorted(e.name for e in entries if e.is_dir() and SLUG_RE.fullmatch(e.name))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for slug in slugs:
        with os.scandir(folder / slug) as entries:
            for entry in entries:
                stem, dot, found_suffix = entry.name.rpartition(".")
                if dot and found_suffix == suffix and ARTICLE_ID_RE.fullmatch(stem):
                    found.setdefault(stem, slug)
    return found
