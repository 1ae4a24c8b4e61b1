"""Store records for pages written before the store existed, without refetching.

A page of an earlier release holds its metadata (id, title, time, URLs) in
its first line and everything else as the packaged templates laid it out:
header, title, teaser note, lead image, body, tags, footer. This reads those
parts back into a record, then renders the record with the packaged
templates and keeps it only if that gives the old page again (the QR code
line aside, which is now a link): a page made by other templates, or edited
by hand, is left alone and reported, to be refetched (see docs/render.md).
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from goodnews_scraper.conversion.image_links import markdown_image_links
from goodnews_scraper.conversion.templates import load_templates, md_unescape, template_environment
from goodnews_scraper.mirror.tree import UnsafeNameError, parse_page_meta, record_relpath
from goodnews_scraper.renderers.links import Links
from goodnews_scraper.renderers.mirror import RenderedFile
from goodnews_scraper.renderers.pages import page_file
from goodnews_scraper.store.records import ArticleRecord, RecordImage

if TYPE_CHECKING:
    from goodnews_scraper.mirror.tree import IndexEntry, MirrorTree, SectionIndex

logger = logging.getLogger(__name__)

#: Every tree written before the store mirrored ntdtv.com, the only site then.
LEGACY_SITE = "ntdtv"
#: What the extraction field of an upgraded record says: rebuilt from its page.
UPGRADED = "upgraded"

_HEADER_SECTION = re.compile(r"^\[(?:[^\\\]]|\\.)*\]\([^)]*\) · \[(?P<name>(?:[^\\\]]|\\.)*)\]\(")
_IMAGE = re.compile(r"^!\[(?P<alt>(?:[^\\\]]|\\.)*)\]\((?P<dest>(?:[^\\()\s]|\\.)+)\)$")
_LINK_DEST = re.compile(r"\]\((?P<dest>(?:[^\\()\s]|\\.)+)\)$")
#: The QR code line of the old footer, and of the new one (a link to the share URL).
_OLD_QR = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<qr>[^)]*)\)$", re.M)
_NEW_QR = re.compile(r"^\[!\[(?P<alt>[^\]]*)\]\((?P<qr>[^)]*)\)\]\([^)]*\)$", re.M)


@dataclass
class UpgradeResult:
    records: int = 0
    #: Pages whose record could not be made exactly (tree paths): refetch them.
    inexact: list[str] = field(default_factory=list)
    #: Of those, what the crawl needs to fetch them again: the page's metadata entry.
    refetch: list[IndexEntry] = field(default_factory=list)


def _image_links(page: str, dests: list[str]) -> dict[str, str]:
    """Relative links into ``images/`` -> their tree paths (the old pages' mirrored pictures)."""
    found = {}
    for dest in dests:
        if "://" in dest:
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), dest))
        if target.startswith("images/"):
            found[dest] = target
    return found


def record_from_page(
    text: str, *, edition: str, section: str, labels: dict[str, str]
) -> tuple[ArticleRecord, str] | None:
    """(record, share URL) read from a page of an earlier release, or None if it is not one."""
    lines = text.split("\n")
    entry: IndexEntry | None = parse_page_meta(lines[0]) if lines else None
    header = _HEADER_SECTION.match(lines[1]) if len(lines) > 3 else None
    if entry is None or header is None or not lines[3].startswith("# "):
        return None
    try:
        footer = max(i for i, line in enumerate(lines) if line == "---")
    except ValueError:
        return None
    share = re.search(r"：<([^>]*)>$", "\n".join(lines[footer : footer + 3]), re.M)
    paragraphs = [p for p in "\n".join(lines[4:footer]).strip("\n").split("\n\n") if p]
    full_video_url = ""
    if paragraphs and paragraphs[0].startswith(f"> {labels['teaser']}"):
        link = _LINK_DEST.search(paragraphs.pop(0))
        full_video_url = md_unescape(link.group("dest")) if link else ""
    featured = None
    image = _IMAGE.match(paragraphs[0]) if paragraphs else None
    if image is not None:
        caption = md_unescape(image.group("alt"))
        paragraphs.pop(0)
        if caption and paragraphs and paragraphs[0] == f"*{image.group('alt')}*":
            paragraphs.pop(0)
        featured = RecordImage(md_unescape(image.group("dest")), caption)
    tags: list[str] = []
    if paragraphs and paragraphs[-1].startswith(f"{labels['tags']}："):
        tags = [md_unescape(t) for t in paragraphs.pop()[len(labels["tags"]) + 1 :].split("、")]
    body = "\n\n".join(paragraphs)
    dests = markdown_image_links(body) + ([featured.url] if featured else [])
    images = _image_links(entry.page, dests)
    record = ArticleRecord(
        site=LEGACY_SITE,
        edition=edition,
        article_id=entry.id,
        url=entry.url,
        section=section,
        section_name=md_unescape(header.group("name")),
        title=entry.title,
        published=entry.published,
        page=entry.page,
        body_html="",
        body_markdown=body,
        extraction=UPGRADED,
        tags=tags,
        featured_image=featured,
        full_video_url=full_video_url,
        images=dict(sorted(images.items())),
    )
    return record, share.group(1) if share else ""


def _mirror_base(record: ArticleRecord, share_url: str) -> str | None:
    """The MIRROR_BASE_URL the old page was made with, from its share link."""
    if share_url == record.url:
        return ""
    suffix = "/" + record.page
    return share_url.removesuffix(suffix) if share_url.endswith(suffix) else None


def _as_old_footer(text: str) -> str:
    return _NEW_QR.sub(lambda m: f"![{m.group('alt')}]({m.group('qr')})", text)


class PageUpgrader:
    """Reads old pages back into records, checked against the packaged templates."""

    def __init__(self, tree: MirrorTree) -> None:
        self.tree = tree
        self.template = load_templates()["page.md.j2"]
        self.labels = template_environment().get_template("_labels.md.j2").module.labels  # type: ignore[attr-defined]
        self._heads: dict[str, SectionIndex | None] = {}

    def pages_without_records(self) -> dict[str, str]:
        """Article id -> folder of the pages that have no store record yet."""
        records = self.tree.existing_records()
        return {aid: slug for aid, slug in self.tree.existing_pages().items() if aid not in records}

    def record(self, article_id: str, slug: str) -> ArticleRecord | None:
        """The page's record, or None when the page cannot be read back exactly."""
        if slug not in self._heads:
            self._heads[slug] = self.tree.load_head(slug)
        head = self._heads[slug]
        edition = head.edition if head else "gb"
        try:
            text = self.tree.page_path(slug, article_id).read_text(encoding="utf-8")
            parsed = record_from_page(
                text,
                edition=edition,
                section=head.section if head else slug,
                labels=self.labels[edition],
            )
        except (OSError, UnicodeDecodeError, UnsafeNameError, KeyError):
            return None
        base = _mirror_base(*parsed) if parsed else None
        if parsed is None or base is None:
            return None
        again = page_file(self.template, parsed[0], Links(base))
        return parsed[0] if text in (again, _as_old_footer(again)) else None


def upgrade_tree(tree: MirrorTree, write: Callable[[RenderedFile], bool]) -> UpgradeResult:
    """Write a record for every page that has none and can be read back exactly."""
    result = UpgradeResult()
    upgrader = PageUpgrader(tree)
    for article_id, slug in sorted(upgrader.pages_without_records().items()):
        record = upgrader.record(article_id, slug)
        if record is None:
            result.inexact.append(
                tree.page_path(slug, article_id).relative_to(tree.root).as_posix()
            )
            continue
        write(RenderedFile(record_relpath(record.page), record.to_json()))
        result.records += 1
    if result.inexact:
        logger.warning(
            "%d pages of an earlier release could not be stored as records exactly (first: %s); "
            "they are kept as they are until the crawl fetches them again (see docs/render.md)",
            len(result.inexact),
            result.inexact[0],
        )
    return result
