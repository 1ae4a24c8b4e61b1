"""The feed exporter that writes the mirror tree: the one owner of SITE_DIR's files.

Each article goes into the article store (``store/articles/``), and its page
and QR code are rendered from that record by the same renderer that
``scrapy render`` runs, as the items arrive, so memory does not grow with the
crawl; section indexes and the home page are written when the feed
finishes, by merging this run's articles into what each index already
lists. The file the feed hands over receives the run log: one JSON line per
file of the tree this run wrote.

Scrapy only logs an exporter's exception ("Task exception was never
retrieved"), so this one catches its own failures, logs one line and sets
``goodnews/tree/failed``: the crawl's exit status, the monitors and
publishing all read it, and a failed write is never reported as a finished
run. Files are written atomically, and an index lists only pages already in
place, so after a failure (a full disk) the tree is consistent and the next
run completes it.

Pages and QR codes are written in batches (``MIRROR_WRITE_BATCH`` articles,
or what ``MIRROR_WRITE_BATCH_SECONDS`` brought): temporary files first, one
sync of the disk, then the renames (see ``mirror.files.WriteBatch``). A kill
loses at most the batch in progress, whose articles the next run fetches again.

Order of writes: store record, QR code, then page (the page marks the
article as mirrored), then at the end the indexes (each index page before its data: the
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

from scrapy import signals
from scrapy.exporters import BaseItemExporter

from goodnews_scraper.items import Article, ArticleFailed, SectionListing
from goodnews_scraper.mirror.files import WriteBatch, remove_temp_files, sync_filesystem
from goodnews_scraper.mirror.tree import (
    IndexEntry,
    MirrorTree,
    SectionIndex,
    month_of,
    month_part,
    month_summary,
    page_relpath,
    record_relpath,
    section_slug,
    split_head,
    split_index,
)
from goodnews_scraper.monitors import TREE_FAILED_STAT
from goodnews_scraper.renderers.indexes import HomeSection
from goodnews_scraper.renderers.mirror import MirrorRenderer, RenderedFile
from goodnews_scraper.renderers.pages import index_entry
from goodnews_scraper.settings_checks import retry_days, site_dir, write_batch
from goodnews_scraper.store.crawl_state import REFETCH, STATE_RELPATH, CrawlState, today
from goodnews_scraper.store.records import ArticleRecord, load_record
from goodnews_scraper.store.upgrade import upgrade_tree
from goodnews_scraper.timing import timed

if TYPE_CHECKING:
    from pathlib import Path

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


logger = logging.getLogger(__name__)


class MirrorTreeExporter(BaseItemExporter):
    def __init__(
        self,
        file: Any,
        *,
        root: Path,
        renderer: MirrorRenderer,
        stats: StatsCollector | None = None,
        batch_articles: int = 100,
        batch_seconds: float = 10.0,
        retry_days: int = 7,
        **kwargs: Any,
    ) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.tree = MirrorTree(root)
        self.renderer = renderer
        self.stats = stats
        self.batch_articles = batch_articles
        self.batch_seconds = batch_seconds
        self._batch = WriteBatch()
        self._batched: list[tuple[str, IndexEntry]] = []  # (section, entry) of the batch
        self._batch_started = 0.0
        self._existing: dict[str, str] | None = None
        self._new_entries: dict[str, dict[str, IndexEntry]] = {}
        self._listings: dict[str, SectionListing] = {}
        self._heads: dict[str, SectionIndex | None] = {}
        self._edition = ""
        self._failures: dict[str, tuple[str, str, str]] = {}  # id -> url, section, reason
        self.retry_days = retry_days

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> MirrorTreeExporter:
        batch_articles, batch_seconds = write_batch(crawler.settings)
        site = crawler.spider.name if crawler.spider is not None else ""
        renderer = MirrorRenderer.from_settings(crawler.settings, site, crawler.stats)
        if not renderer.links.mirror_base_url:
            logger.warning(
                "MIRROR_BASE_URL is not set: share links and QR codes point to the original "
                "articles. Set it to where the tree is published, e.g. "
                "-s MIRROR_BASE_URL=https://github.com/OWNER/REPO/blob/main"
            )
        exporter = cls(
            file,
            root=site_dir(crawler.settings),
            renderer=renderer,
            stats=crawler.stats,
            batch_articles=batch_articles,
            batch_seconds=batch_seconds,
            retry_days=retry_days(crawler.settings),
            **kwargs,
        )
        crawler.signals.connect(exporter.item_dropped, signal=signals.item_dropped)
        return exporter

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"goodnews/tree/{key}", count)

    def _failed(self, doing: str, error: Exception) -> None:
        """Record a failure of the tree writer: one log line, and the stats the job reads."""
        self._inc("errors")
        first = self.stats is None or not self.stats.get_value(TREE_FAILED_STAT)
        if self.stats is not None:
            self.stats.set_value(TREE_FAILED_STAT, 1)
            if first:
                self.stats.set_value("goodnews/tree/error", f"{doing}: {error}")
        if first:
            logger.error("Writing the tree failed while %s: %s", doing, error)
        else:
            logger.debug("Writing the tree failed again while %s: %s", doing, error)

    def _log_file(self, path: Path, changed: bool) -> None:
        self._inc("files_written" if changed else "files_unchanged")
        relpath = path.relative_to(self.tree.root).as_posix()
        line = {"file": relpath, "changed": changed}
        self.file.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")

    def _write(self, file: RenderedFile) -> bool:
        path = self.tree.root / file.relpath
        changed = self.tree.write(path, file.data)
        self._log_file(path, changed)
        return changed

    def _stage(self, file: RenderedFile) -> None:
        path = self.tree.root / file.relpath
        if not self.tree.stage(path, file.data, self._batch):
            self._log_file(path, changed=False)

    def _commit(self) -> None:
        """Put the batch's files in place (see ``WriteBatch``); then the indexes may list them."""
        batched, self._batched = self._batched, []
        for path in self._batch.commit():
            self._log_file(path, changed=True)
        for section, entry in batched:
            self._new_entries.setdefault(section, {})[entry.id] = entry
        self._inc("pages", len(batched))

    def start_exporting(self) -> None:
        try:
            self.tree.root.mkdir(parents=True, exist_ok=True)
            removed = remove_temp_files(self.tree.root)
            if removed:
                logger.info("Removed %d temporary files left by an interrupted run", removed)
        except Exception as error:  # a full disk, a permission: the run must fail, not stall
            self._failed("preparing SITE_DIR", error)

    @property
    def existing(self) -> dict[str, str]:
        """Article id -> folder of its page. Read on first use: publishing restores
        the tree at ``spider_opened``, after the feed has started."""
        if self._existing is None:
            self._existing = self.tree.existing_pages()
        return self._existing

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        """A pipeline dropped an article (invalid, empty): the crawl state keeps it."""
        if isinstance(item, Article):
            self._failures[item.article_id] = (item.url, item.section, "dropped")

    def export_item(self, item: Any) -> None:
        try:
            if isinstance(item, Article):
                self._export_article(item)
            elif isinstance(item, ArticleRecord):
                self._export_record(item, item.section)
            elif isinstance(item, ArticleFailed):
                self._failures[item.article_id] = (item.url, item.section, item.reason)
            elif isinstance(item, SectionListing):
                self._edition = item.edition
                self._listings[item.section] = item
        except Exception as error:
            # Nothing half-done is listed: an entry joins the batch once all its files are staged.
            self._failed(f"storing {getattr(item, 'url', item)!s}", error)

    def _export_article(self, item: Article) -> None:
        # An article is stored once: where it already is, else in its home section.
        page = item.page or page_relpath(
            self.existing.get(item.article_id) or section_slug(item.section), item.article_id
        )
        self._export_record(ArticleRecord.from_article(item, page), item.section)

    @timed("write_pages")
    def _export_record(self, record: ArticleRecord, section: str) -> None:
        """Store a record and render its files, in the batch (an index lists it once committed)."""
        self._edition = record.edition
        files = [
            RenderedFile(record_relpath(record.page), record.to_json()),
            *self.renderer.article_files(record),
        ]
        if not self._batched:
            self._batch_started = time.monotonic()
        for file in files:
            self._stage(file)
        self._batched.append((section, index_entry(record)))
        self.existing[record.article_id] = record.page.split("/")[1]
        if (
            len(self._batched) >= self.batch_articles
            or time.monotonic() - self._batch_started >= self.batch_seconds
        ):
            self._commit()

    def finish_exporting(self) -> None:
        try:
            self._finish_pages()
            self._finish_state(self._upgrade())
            self._finish_indexes()
        except Exception as error:
            self._failed("writing the indexes and home page", error)

    def _upgrade(self) -> list[IndexEntry]:
        """Store records for pages of an earlier release; those it cannot, to refetch."""
        upgraded = upgrade_tree(self.tree, self._write)
        if upgraded.records:
            self._inc("upgraded_records", upgraded.records)
            logger.info("Stored %d pages of an earlier release as records", upgraded.records)
        return upgraded.refetch

    def _finish_state(self, refetch: list[IndexEntry]) -> None:
        """Keep this run's failures in the crawl state; forget what is now stored."""
        state = CrawlState.load(self.tree)
        for entry in refetch:
            section = self._section_of(entry)
            state.queue_refetch(entry.id, entry.url, section)
        # A pending article whose page exists (stored by a killed run) is done too.
        done = {entry.id for entry in self._written_entries()} | {
            a for a, p in state.articles.items() if a in self.existing and p.last_reason != REFETCH
        }
        given_up = state.update(self._failures, done, today(), self.retry_days)
        for listing in self._listings.values():
            if listing.complete:
                state.page_again.discard(listing.section)
            else:
                state.page_again.add(listing.section)
        if given_up:
            if self.stats is not None:
                self.stats.set_value("goodnews/state/given_up", len(given_up))
            first = given_up[0]
            logger.warning(
                "Gave up on %d articles still failing %d days after their first failure, "
                "first %s (%s); they stay in %s and are not requested again",
                len(given_up),
                self.retry_days,
                first.url,
                first.last_reason,
                STATE_RELPATH,
            )
        if self.stats is not None:
            self.stats.set_value("goodnews/state/pending", len(state.pending()))
        self._write(RenderedFile(STATE_RELPATH, state.to_json()))

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
        repaired = set()
        for slug, pages in sorted(Counter(self.existing.values()).items()):
            if self._repair_section(slug, pages):
                repaired.add(slug)
        # Feeds of the sections this run listed or stored articles in, rendered
        # every run like the home page (a run killed before them is repaired by
        # the next; a backfilled or refetched record changes a feed, not an index).
        touched = {section_slug(section) for section in self._listings} | repaired
        touched |= {entry.page.split("/")[1] for entry in self._written_entries()}
        for slug in sorted(touched):
            head = self._head(slug)
            if head is not None:
                self._write_files(self.renderer.feed_files(slug, head, self._load))
        # The home page reads only the indexes' heads (most already read above):
        # rendered every run, so a run killed before it is repaired by the next.
        self._write_home()

    def _written_entries(self) -> list[IndexEntry]:
        """The index entries of the articles this run put in place."""
        return [entry for entries in self._new_entries.values() for entry in entries.values()]

    def _load(self, page: str) -> ArticleRecord | None:
        return load_record(self.tree, page)

    def _write_files(self, files: list[RenderedFile]) -> bool:
        changed = False
        for file in files:
            changed = self._write(file) or changed
        return changed

    def _section_of(self, entry: IndexEntry) -> str:
        """The section whose folder holds the entry's page (from its index)."""
        slug = entry.page.split("/")[1]
        head = self._head(slug)
        return head.section if head else slug

    def _known_entry(self, article_id: str) -> IndexEntry | None:
        for entries in self._new_entries.values():
            if article_id in entries:
                return entries[article_id]
        slug = self.existing.get(article_id)
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
        for article_id, folder in sorted(self.existing.items()):
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
            data_path = self.tree.month_data_path(slug, part.month)
        else:
            data_path = self.tree.index_data_path(slug)
        # The page first, its data last: the data decides what the next run adds,
        # so a kill between the two leaves a page that the next run rewrites.
        changed = self._write_files(self.renderer.index_files(slug, part))
        data = RenderedFile(data_path.relative_to(self.tree.root).as_posix(), part.to_json())
        changed = self._write(data) or changed
        if not part.month:
            self._heads[slug] = part
        return changed

    def _write_home(self) -> None:
        """The home page, from the head of every index (each a bounded read)."""
        edition = self._edition
        sections = []
        for slug in self.tree.index_slugs():
            head = self._head(slug)
            if head is not None:
                edition = edition or head.edition
                sections.append(HomeSection(slug, head))
        self._write_files(self.renderer.home_files(edition or "gb", sections, self._load))
