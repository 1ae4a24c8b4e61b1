"""The feed exporter that writes the mirror tree.

Pages (and their QR codes) are written as their items arrive, so memory does
not grow with the crawl; section indexes and the home page are written when
the feed finishes, by merging this run's articles into what each index
already lists. The file the feed hands over receives the run log: one JSON
line per file of the tree this run wrote.

Order of writes: QR code, then page (the page marks the article as
mirrored), then at the end index data, index page, home page. A kill at any
point leaves whole files, and the next run repairs any index that misses a
page stored in its section folder.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from scrapy.exporters import BaseItemExporter

from goodnews_scraper.conversion.templates import load_templates, render
from goodnews_scraper.items import Article, SectionListing
from goodnews_scraper.mirror.files import remove_temp_files
from goodnews_scraper.mirror.tree import (
    IndexEntry,
    MirrorTree,
    SectionIndex,
    page_meta_line,
    page_relpath,
    section_slug,
)
from goodnews_scraper.settings_checks import site_dir
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
        **kwargs: Any,
    ) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.tree = MirrorTree(root)
        self.templates = templates
        self.stats = stats
        self._existing: dict[str, str] = {}
        self._new_entries: dict[str, dict[str, IndexEntry]] = {}
        self._listings: dict[str, SectionListing] = {}
        self._edition = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: Any, **kwargs: Any) -> MirrorTreeExporter:
        return cls(
            file,
            root=site_dir(crawler.settings),
            templates=load_templates(crawler.settings.get("TEMPLATES_DIR")),
            stats=crawler.stats,
            **kwargs,
        )

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"goodnews/tree/{key}", count)

    def _write(self, path: Path, data: bytes) -> None:
        changed = self.tree.write(path, data)
        self._inc("files_written" if changed else "files_unchanged")
        relpath = path.relative_to(self.tree.root).as_posix()
        line = {"file": relpath, "changed": changed}
        self.file.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")

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
        self._write(self.tree.qr_path(slug, item.article_id), item.qr_png)
        page = page_meta_line(entry) + item.page_markdown
        self._write(self.tree.page_path(slug, item.article_id), page.encode())
        self._existing[item.article_id] = slug
        self._new_entries.setdefault(item.section, {})[item.article_id] = entry
        self._inc("pages")

    @timed("indexes")
    def finish_exporting(self) -> None:
        indexes = self._merged_indexes()
        for slug, index in sorted(indexes.items()):
            self._write_index(slug, index)
        if indexes or not self.tree.home_path.exists():
            self._write_home(indexes)

    def _known_entry(self, article_id: str) -> IndexEntry | None:
        for entries in self._new_entries.values():
            if article_id in entries:
                return entries[article_id]
        slug = self._existing.get(article_id)
        return self.tree.read_page_meta(slug, article_id) if slug else None

    def _merged_indexes(self) -> dict[str, SectionIndex]:
        """Every index of the tree, with this run's articles and repairs merged in."""
        indexes: dict[str, SectionIndex] = {}
        for slug in self.tree.index_slugs():
            index = self.tree.load_index(slug)
            if index is not None:
                indexes[slug] = index
        sections = set(self._new_entries) | set(self._listings)
        for section in sorted(sections):
            slug = section_slug(section)
            listing = self._listings.get(section)
            index = indexes.get(slug)
            if index is None:
                name = listing.section_name if listing else section
                index = SectionIndex(self._edition, section, name or section, {})
                indexes[slug] = index
            if listing is not None and listing.section_name:
                index.name = listing.section_name
            index.entries.update(self._new_entries.get(section, {}))
            for listed in listing.articles if listing else []:
                if listed.article_id not in index.entries:
                    entry = self._known_entry(listed.article_id)
                    if entry is not None:
                        index.entries[entry.id] = entry
        # Pages a killed run stored but never indexed.
        for article_id, slug in sorted(self._existing.items()):
            index = indexes.get(slug)
            if index is not None and article_id not in index.entries:
                entry = self.tree.read_page_meta(slug, article_id)
                if entry is not None:
                    index.entries[article_id] = entry
                    self._inc("index_repairs")
        return indexes

    def _write_index(self, slug: str, index: SectionIndex) -> None:
        self._write(self.tree.index_data_path(slug), index.to_json())
        entries = [
            {
                "title": entry.title,
                "date": entry.published[:10],
                "link": f"../{entry.page}",
            }
            for entry in index.sorted_entries()
        ]
        text = render(
            self.templates["index.md.j2"],
            edition=index.edition,
            section=index.section,
            section_name=index.name,
            home_link="../README.md",
            entries=entries,
        )
        self._write(self.tree.index_md_path(slug), text.encode())

    def _write_home(self, indexes: dict[str, SectionIndex]) -> None:
        edition = self._edition or next((i.edition for i in indexes.values()), "gb")
        sections = []
        for slug, index in sorted(indexes.items()):
            newest = index.sorted_entries()[:1]
            sections.append(
                {
                    "name": index.name,
                    "link": f"indexes/{slug}.md",
                    "count": len(index.entries),
                    "latest": newest[0].published[:10] if newest else "",
                }
            )
        text = render(self.templates["home.md.j2"], edition=edition, sections=sections)
        self._write(self.tree.home_path, text.encode())
