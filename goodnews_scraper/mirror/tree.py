"""The layout of a mirror tree and what can be read back from it.

::

    SITE_DIR/
      README.md                   home page, links every section index
      indexes/<slug>.md           a section's articles, newest first
      indexes/<slug>.json         the same entries as data, merged run after run
      pages/<slug>/<id>.md        one page per article, stored once
      pages/<slug>/<id>.png       its QR code

The tree itself is the crawl state: an article is mirrored when its page
exists, so nothing can disagree with the files. Ids and slugs are validated
here, whoever produced them, so no name can point outside the tree.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from goodnews_scraper.mirror.files import write_if_changed

ARTICLE_ID_RE = re.compile(r"a[0-9]{1,12}")
SECTION_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}(?:/[a-z0-9][a-z0-9_-]{0,63}){0,3}")
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,255}")
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
    published: str  # ISO 8601 with offset, Beijing time
    page: str  # path of the page relative to the tree root
    url: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndexEntry:
        return cls(**{name: str(data[name]) for name in cls.__dataclass_fields__})

    def sort_key(self) -> tuple[str, int]:
        """Newest first; the id breaks ties so the order is stable."""
        return (self.published, int(self.id[1:]))


@dataclass
class SectionIndex:
    edition: str
    section: str
    name: str
    entries: dict[str, IndexEntry]

    def sorted_entries(self) -> list[IndexEntry]:
        return sorted(self.entries.values(), key=IndexEntry.sort_key, reverse=True)

    def to_json(self) -> bytes:
        """One entry a line, so a new article is a one-line diff in git."""
        head = {"edition": self.edition, "section": self.section, "name": self.name}
        lines = [
            json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True)
            for entry in self.sorted_entries()
        ]
        body = ",\n  ".join(lines)
        head_json = json.dumps(head, ensure_ascii=False, sort_keys=True)[:-1]
        articles = f'"articles": [\n  {body}\n]' if lines else '"articles": []'
        return f"{head_json}, {articles}}}\n".encode()

    @classmethod
    def from_json(cls, raw: bytes) -> SectionIndex:
        data = json.loads(raw)
        entries = [IndexEntry.from_dict(item) for item in data["articles"]]
        return cls(
            edition=str(data["edition"]),
            section=check_section(str(data["section"])),
            name=str(data["name"]),
            entries={entry.id: entry for entry in entries},
        )


def page_relpath(slug: str, article_id: str) -> str:
    """Where an article's page lives, relative to the tree root."""
    if not SLUG_RE.fullmatch(slug):
        raise UnsafeNameError(f"not a section slug: {slug[:80]!r}")
    return f"pages/{slug}/{check_article_id(article_id)}.md"


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

    def existing_pages(self) -> dict[str, str]:
        """Article id -> slug of the folder its page is stored in."""
        found: dict[str, str] = {}
        if not self.pages_dir.is_dir():
            return found
        for folder in sorted(self.pages_dir.iterdir()):
            if not (folder.is_dir() and SLUG_RE.fullmatch(folder.name)):
                continue
            for page in folder.iterdir():
                if page.suffix == ".md" and ARTICLE_ID_RE.fullmatch(page.stem):
                    found.setdefault(page.stem, folder.name)
        return found

    def read_page_meta(self, slug: str, article_id: str) -> IndexEntry | None:
        try:
            with self.page_path(slug, article_id).open(encoding="utf-8") as page:
                return parse_page_meta(page.readline())
        except (FileNotFoundError, UnicodeDecodeError):
            return None

    def load_index(self, slug: str) -> SectionIndex | None:
        try:
            return SectionIndex.from_json(self.index_data_path(slug).read_bytes())
        except FileNotFoundError:
            return None

    def index_slugs(self) -> list[str]:
        if not self.indexes_dir.is_dir():
            return []
        return sorted(
            path.stem for path in self.indexes_dir.glob("*.json") if SLUG_RE.fullmatch(path.stem)
        )

    def edition(self) -> str | None:
        """The edition the tree holds (one tree, one edition), if any index says."""
        for slug in self.index_slugs():
            index = self.load_index(slug)
            if index is not None:
                return index.edition
        return None

    def write(self, path: Path, data: bytes) -> bool:
        if self.root.resolve() not in path.resolve().parents:
            raise UnsafeNameError(f"{path} is outside {self.root}")
        return write_if_changed(path, data)
