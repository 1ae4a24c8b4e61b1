"""The feed exporter that writes the mirror tree.

Pages (and their QR codes) are written as their items arrive, so memory does
not grow with the crawl; section indexes and the home page are written when
the feed finishes, by merging this run's articles into what each index
already lists. The file the feed hands over receives the run log: one JSON
line per file of the tree this run wrote.

Pages and QR codes are written in batches (``MIRROR_WRITE_BATCH`` articles,
or what ``MIRROR_WRITE_BATCH_SECONDS`` brought): temporary files first, one
sync of the disk, then the renames (see ``mirror.files.WriteBatch``). A kill
loses at most the batch in progress, whose articles the next run fetches again.

Order of writes: QR code, then page (the page marks the article as
mirrored), then at the end the indexes (each index page before its data: the
data decides what the next run adds) and the home page. A kill at any point
leaves whole files, and the next run completes the tree: what it lists again
is added again, and an index that misses a page stored in its section folder
is repaired (an index's head counts the pages it lists from that folder, so
the check reads no more than the heads).

Index writing follows what changed: only the sections this run lists are
read, only those it adds to are rewritten, and the home page is rendered
from the indexes' heads. An index longer than one page (``INDEX_PAGE_SIZE``)
is split by month: its own files hold its newest entries and the list of
months, and a run rewrites them and the months it adds to.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy.exporters import BaseItemExporter

from goodnews_scraper.conversion.templates import load_templates, render
from goodnews_scraper.items import Article, SectionListing
from goodnews_scraper.mirror.files import WriteBatch, remove_temp_files, sync_filesystem
from goodnews_scraper.mirror.tree import (
    IndexEntry,
    MirrorTree,
    SectionIndex,
    month_of,
    month_part,
    month_summary,
    page_meta_line,
    page_relpath,
    section_slug,
    split_head,
    split_index,
)
from goodnews_scraper.settings_checks import site_dir, write_batch
from goodnews_scraper.timing import timed

if TYPE_CHECKING:
    from pathlib import Path

    from jinja2 import Template
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class MirrorTreeExporter(BaseItemExporter):
    def __init__(
        self,
        file: Any,
        *,
        root: Path,
        templates: dict[str, Template],
        stats: StatsCollector | None = None,
        batch_articles: int = 100,
        batch_seconds: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.tree = MirrorTree(root)
        self.templates = templates
        self.stats = stats
        self.batch_articles = batch_articles
        self.batch_seconds = batch_seconds
        self._batch = WriteBatch()
        self._batched: list[str] = []  # article ids whose files are in the batch
        self._batch_started = 0.0
        self._existing: dict[str, str] = {}
        self._new_entries: dict[str, dict[str, IndexEntry]] = {}
        self._listings: dict[str, SectionListing] = {}
        self._heads: dict[str, SectionIndex | None] = {}
        self._edition = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> MirrorTreeExporter:
        batch_articles, batch_seconds = write_batch(crawler.settings)
        return cls(
            file,
            root=site_dir(crawler.settings),
            templates=load_templates(crawler.settings.get("TEMPLATES_DIR")),
            stats=crawler.stats,
            batch_articles=batch_articles,
            batch_seconds=batch_seconds,
            **kwargs,
        )

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"goodnews/tree/{key}", count)

    def _log_file(self, path: Path, changed: bool) -> None:
        self._inc("files_written" if changed else "files_unchanged")
        relpath = path.relative_to(self.tree.root).as_posix()
        line = {"file": relpath, "changed": changed}
        self.file.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")

    def _write(self, path: Path, data: bytes) -> bool:
        changed = self.tree.write(path, data)
        self._log_file(path, changed)
        return changed

    def _stage(self, path: Path, data: bytes) -> None:
        if not self.tree.stage(path, data, self._batch):
            self._log_file(path, changed=False)

    def _commit(self) -> None:
        """Put the batch's pages in place (see ``WriteBatch``) and count them."""
        for path in self._batch.commit():
            self._log_file(path, changed=True)
        self._inc("pages", len(self._batched))
        self._batched.clear()

    def start_exporting(self) -> None:
        self.tree.root.mkdir(parents=True, exist_ok=True)
        removed = remove_temp_files(self.tree.root)
        if removed:
            logger.info("Removed %d temporary files left by an interrupted run", removed)
        self._existing = self.tree.existing_pages()

    def export_item(self, item: Any) -> None:
        if isinstance(item, Article):
            self._export_article(item)
        elif isinstance(item, SectionListing):
            self._edition = item.edition
            self._listings[item.section] = item

    @timed("write_pages")
    def _export_article(self, item: Article) -> None:
        self._edition = item.edition
        # An article is stored once: where it already is, else in its home section.
        slug = self._existing.get(item.article_id) or section_slug(item.section)
        entry = IndexEntry(
            id=item.article_id,
            title=item.title,
            published=item.published.isoformat(),
            page=page_relpath(slug, item.article_id),
            url=item.url,
        )
        if not self._batched:
            self._batch_started = time.monotonic()
        self._stage(self.tree.qr_path(slug, item.article_id), item.qr_png)
        page = page_meta_line(entry) + item.page_markdown
        self._stage(self.tree.page_path(slug, item.article_id), page.encode())
        self._batched.append(item.article_id)
        self._existing[item.article_id] = slug
        self._new_entries.setdefault(item.section, {})[item.article_id] = entry
        if (
            len(self._batched) >= self.batch_articles
            or time.monotonic() - self._batch_started >= self.batch_seconds
        ):
            self._commit()

    def finish_exporting(self) -> None:
        self._finish_pages()
        self._finish_indexes()

    @timed("write_pages")
    def _finish_pages(self) -> None:
        written = len(self._batch)
        self._commit()
        if written:
            # The renames too must reach the disk before an index lists their pages.
            sync_filesystem(self.tree.root)

    @timed("indexes")
    def _finish_indexes(self) -> None:
        """Merge this run into the indexes it touches; the home page if any changed.

        The cost follows what changed, not the size of the tree: an index is
        rewritten only when this run adds to it, and a long (split) index only
        reads and rewrites its head and the months this run adds to.
        """
        for section in sorted(set(self._new_entries) | set(self._listings)):
            self._update_section(section)
        for slug, pages in sorted(Counter(self._existing.values()).items()):
            self._repair_section(slug, pages)
        # The home page reads only the indexes' heads (most already read above):
        # rendered every run, so a run killed before it is repaired by the next.
        self._write_home()

    def _known_entry(self, article_id: str) -> IndexEntry | None:
        for entries in self._new_entries.values():
            if article_id in entries:
                return entries[article_id]
        slug = self._existing.get(article_id)
        return self.tree.read_page_meta(slug, article_id) if slug else None

    def _head(self, slug: str) -> SectionIndex | None:
        """``indexes/<slug>.json`` as last read or written in this run."""
        if slug not in self._heads:
            self._heads[slug] = self.tree.load_head(slug)
        return self._heads[slug]

    def _update_section(self, section: str) -> bool:
        """Add this run's articles of ``section`` and those it listed but its index lacks."""
        slug = section_slug(section)
        listing = self._listings.get(section)
        new = self._new_entries.get(section, {})
        head = self._head(slug)
        if head is None:
            name = listing.section_name if listing else section
            index = SectionIndex(self._edition, section, name or section, {})
        else:
            index = head
        renamed = bool(listing and listing.section_name and listing.section_name != index.name)
        if index.months is not None and renamed:
            # The name heads every month page: rewrite them all (rare).
            full = self.tree.load_index(slug)
            assert full is not None
            index = SectionIndex(full.edition, full.section, full.name, full.entries)
        if listing is not None and listing.section_name:
            index.name = listing.section_name
        if index.months is not None:
            return self._update_split(slug, index, new, listing)
        before = dict(index.entries)
        index.entries.update(new)
        for listed in listing.articles if listing else []:
            if listed.article_id not in index.entries:
                entry = self._known_entry(listed.article_id)
                if entry is not None:
                    index.entries[entry.id] = entry
        if head is not None and not renamed and index.entries == before:
            return False
        return self._write_whole(slug, index)

    def _update_split(
        self,
        slug: str,
        head: SectionIndex,
        new: dict[str, IndexEntry],
        listing: SectionListing | None,
    ) -> bool:
        """Merge into a split index: read and rewrite only the months that change."""
        parts: dict[str, SectionIndex] = {}

        def part(month: str) -> SectionIndex:
            if month not in parts:
                found = self.tree.load_month(slug, month)
                parts[month] = month_part(head, month, found.entries if found else {})
            return parts[month]

        additions = dict(new)
        for listed in listing.articles if listing else []:
            article_id = listed.article_id
            if article_id in head.entries or article_id in additions:
                continue
            entry = self._known_entry(article_id)
            if entry is not None and article_id not in part(month_of(entry)).entries:
                additions[article_id] = entry
        changed_months = set()
        for entry in additions.values():
            target = part(month_of(entry))
            if target.entries.get(entry.id) != entry:
                target.entries[entry.id] = entry
                changed_months.add(target.month)
        summaries = {summary.month: summary for summary in head.months or []}
        fresh = {month: month_summary(slug, p) for month, p in parts.items()}
        if not changed_months and all(summaries.get(m) == s for m, s in fresh.items()):
            return False
        for month in sorted(changed_months, reverse=True):
            self._write_part(slug, parts[month])
        newest = dict(head.entries)
        for p in parts.values():
            newest.update(p.entries)
        self._write_part(slug, split_head(head, {**summaries, **fresh}, newest))
        return True

    def _repair_section(self, slug: str, pages: int) -> bool:
        """Index the pages a killed run stored in ``pages/<slug>/`` but never indexed."""
        head = self._head(slug)
        if head is None or head.stored(slug) >= pages:
            return False
        index = self.tree.load_index(slug)
        assert index is not None
        whole = SectionIndex(index.edition, index.section, index.name, index.entries)
        for article_id, folder in sorted(self._existing.items()):
            if folder == slug and article_id not in whole.entries:
                entry = self.tree.read_page_meta(slug, article_id)
                if entry is not None:
                    whole.entries[article_id] = entry
                    self._inc("index_repairs")
        return self._write_whole(slug, whole)

    def _write_whole(self, slug: str, index: SectionIndex) -> bool:
        """Write a whole index: its months first, its head last (the head decides)."""
        head, parts = split_index(index, slug)
        changed = False
        for part in parts:
            changed |= self._write_part(slug, part)
        return self._write_part(slug, head) or changed

    def _write_part(self, slug: str, part: SectionIndex) -> bool:
        """One index file and its page: a short index, a split one's head or a month."""
        if part.month:
            data_path, md_path = (
                self.tree.month_data_path(slug, part.month),
                self.tree.month_md_path(slug, part.month),
            )
            up, home, index_link = "../../", "../../README.md", f"../{slug}.md"
        else:
            data_path, md_path = self.tree.index_data_path(slug), self.tree.index_md_path(slug)
            up, home, index_link = "../", "../README.md", ""
        entries = [
            {"title": entry.title, "date": entry.published[:10], "link": f"{up}{entry.page}"}
            for entry in part.sorted_entries()
        ]
        archives = [
            {"month": m.month, "link": f"{slug}/{m.month}.md", "count": m.count}
            for m in part.months or []
        ]
        text = render(
            self.templates["index.md.j2"],
            edition=part.edition,
            section=part.section,
            section_name=part.name,
            home_link=home,
            entries=entries,
            count=part.count,
            month=part.month,
            index_link=index_link,
            archives=archives,
        )
        # The page first, its data last: the data decides what the next run adds,
        # so a kill between the two leaves a page that the next run rewrites.
        changed = self._write(md_path, text.encode())
        changed = self._write(data_path, part.to_json()) or changed
        if not part.month:
            self._heads[slug] = part
        return changed

    def _write_home(self) -> None:
        """The home page, from the head of every index (each a bounded read)."""
        edition = self._edition
        sections = []
        for slug in self.tree.index_slugs():
            head = self._head(slug)
            if head is None:
                continue
            edition = edition or head.edition
            newest = head.sorted_entries()[:1]
            sections.append(
                {
                    "name": head.name,
                    "link": f"indexes/{slug}.md",
                    "count": head.count,
                    "latest": newest[0].published[:10] if newest else "",
                }
            )
        text = render(self.templates["home.md.j2"], edition=edition or "gb", sections=sections)
        self._write(self.tree.home_path, text.encode())
