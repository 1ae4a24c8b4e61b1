"""The ntdtv.com spider: section list pages first, then the articles they list.

The crawl has two phases so the output does not depend on timing: all list
pages of all sections are read first; then each article not yet mirrored is
requested once, with the first section (in the order of the ``sections``
argument) that lists it as its home. A section's list pages are read until
``max_pages`` or until a page lists only articles already in that section's
index, so a re-run with nothing new makes one request per section and none
for articles. (The index, not the page files, decides: indexes are written
last, so after a killed run the pages it never reached are listed again.)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.http import Response, TextResponse

from goodnews_scraper.items import Article, ListedArticle, SectionListing
from goodnews_scraper.mirror.tree import SECTION_RE, MirrorTree, section_slug
from goodnews_scraper.settings_checks import SettingError, site_dir
from goodnews_scraper.sites.ntdtv import (
    DEFAULT_SECTIONS,
    EDITIONS,
    ArticleRejected,
    SiteUrls,
    parse_article,
    parse_list_page,
)
from goodnews_scraper.spiders.arguments import choice, comma_list, positive_int
from goodnews_scraper.timing import stage_timer

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 5
MAX_PAGES_LIMIT = 1000


def _is_html(response: Response) -> bool:
    """Scrapy makes any ``.html`` URL an HtmlResponse, whatever the server sent."""
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return isinstance(response, TextResponse) and (
        not content_type or "html" in content_type or "xml" in content_type
    )


class NtdtvSpider(scrapy.Spider):
    """Mirror ntdtv.com sections.

    Arguments: ``sections`` (comma-separated section paths such as
    ``prog204,news/china``), ``edition`` (``gb`` or ``b5``), ``max_pages``
    (list pages read per section at most).
    """

    name = "ntdtv"
    #: Each article response gives one item, and Scrapy 2.19 starts CONCURRENT_ITEMS
    #: asyncio workers for every response's output: about 1 ms of CPU each at the
    #: default of 100 (see README, "Benchmarks").
    custom_settings: dict[str, Any] | None = {"CONCURRENT_ITEMS": 1}  # noqa: RUF012
    urls: SiteUrls
    tree: MirrorTree
    allowed_domains: list[str]

    def __init__(
        self,
        *args: Any,
        sections: str | None = None,
        edition: str = "gb",
        max_pages: str | int = DEFAULT_MAX_PAGES,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sections, self.edition, self.max_pages = self.check_arguments(
            sections=sections, edition=edition, max_pages=max_pages
        )
        self.mirrored: set[str] = set()
        self.indexed: dict[str, set[str]] = {}
        self._pending = set(self.sections)
        self._listings: dict[str, SectionListing] = {}
        self._visited: dict[str, set[str]] = {section: set() for section in self.sections}

    @staticmethod
    def check_arguments(
        sections: str | None = None,
        edition: str = "gb",
        max_pages: str | int = DEFAULT_MAX_PAGES,
        **_others: object,
    ) -> tuple[tuple[str, ...], str, int]:
        """The checked arguments; raises :class:`SpiderArgumentError` naming a bad one."""
        return (
            comma_list(
                "sections",
                ",".join(DEFAULT_SECTIONS) if sections is None else sections,
                SECTION_RE,
                "comma-separated section paths such as prog204,news/china",
            ),
            choice("edition", edition, EDITIONS),
            positive_int("max_pages", max_pages, MAX_PAGES_LIMIT),
        )

    @classmethod
    def preflight(cls, settings: BaseSettings, **arguments: Any) -> tuple[SiteUrls, MirrorTree]:
        """Check arguments and settings before the crawl; raise naming the bad one."""
        edition = cls.check_arguments(**arguments)[1]
        try:
            urls = SiteUrls(settings.get("NTDTV_BASE_URL", ""))
        except ValueError as error:
            raise SettingError(str(error)) from error
        tree = MirrorTree(site_dir(settings))
        held = tree.edition()
        if held is not None and held != edition:
            raise SettingError(
                f"SITE_DIR {str(tree.root)!r} holds the {held} edition; mirror "
                f"edition={edition} into another folder (-s SITE_DIR=...)"
            )
        return urls, tree

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NtdtvSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.urls, spider.tree = cls.preflight(crawler.settings, **kwargs)
        spider.allowed_domains = [spider.urls.host]
        return spider

    async def start(self) -> AsyncIterator[Any]:
        # Read the tree now, not when the spider is built: extensions may fill
        # SITE_DIR at spider_opened (publishing clones or restores the mirror).
        self.mirrored = set(self.tree.existing_pages())
        for section in self.sections:
            index = self.tree.load_index(section_slug(section))
            self.indexed[section] = set(index.entries) if index else set()
        for section in self.sections:
            yield self._list_request(self.urls.list_url(self.edition, section), section, 1)

    def _list_request(self, url: str, section: str, page: int) -> scrapy.Request:
        self._visited[section].add(url)
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"section": section, "page": page},
        )

    def log(self, message: Any, level: int = logging.DEBUG, **kw: Any) -> None:
        """Spidermon reports through ``Spider.log()``, which Scrapy 2.19 deprecates."""
        self.logger.log(level, message, **kw)

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"goodnews/{key}", count)

    def parse_list(self, response: Response, section: str, page: int) -> Iterator[Any]:
        """Read one list page; follow the pager or, when done, start the articles."""
        if not _is_html(response):
            self._inc(f"sections/{section}/list_failed/not_html")
            logger.warning("List page %s is not HTML; section %s stops here", response.url, section)
            yield from self._section_done(section)
            return
        with stage_timer(self, self.crawler.stats, "parse_list"):
            listed = parse_list_page(response.text, response.url, self.edition, self.urls)
        self._inc(f"sections/{section}/list_pages")
        self._inc(f"extraction/list/{listed.layer}")
        for missed in listed.missed:
            self._inc(f"selectors_missed/{missed}")
        listing = self._listings.setdefault(
            section, SectionListing(self.edition, section, listed.section_name)
        )
        known = {entry.article_id for entry in listing.articles}
        listing.articles.extend(a for a in listed.articles if a.article_id not in known)
        indexed = self.indexed.get(section, set())
        fresh = [a for a in listed.articles if a.article_id not in indexed]
        next_url = listed.next_url
        if not listed.articles:
            logger.warning("List page %s lists no article (section %s)", response.url, section)
        elif not fresh:
            logger.info("Section %s: page %d lists nothing new", section, page)
        elif next_url is None or page >= self.max_pages:
            pass
        elif next_url in self._visited[section]:
            self._inc(f"sections/{section}/pager_loop")
            logger.warning(
                "Pager of %s points back to %s; section %s stops", response.url, next_url, section
            )
        else:
            yield self._list_request(next_url, section, page + 1)
            return
        yield from self._section_done(section)

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        section = request.cb_kwargs["section"]
        reason = getattr(getattr(failure.value, "response", None), "status", None)
        reason = f"http_{reason}" if reason else failure.type.__name__
        self._inc(f"sections/{section}/list_failed/{reason}")
        logger.error(
            "List page %s failed (%s); section %s stops here", request.url, reason, section
        )
        yield from self._section_done(section)

    def _section_done(self, section: str) -> Iterator[Any]:
        self._pending.discard(section)
        if not self._pending:
            yield from self._article_phase()

    def _article_phase(self) -> Iterator[Any]:
        """Emit the listings, then one request per article not yet mirrored."""
        homes: dict[str, tuple[str, str, ListedArticle]] = {}
        for section in self.sections:
            listing = self._listings.get(section)
            if listing is None:
                continue
            yield listing
            # Per-section counts for the monitors and the end-of-run summary.
            self._inc(f"sections/{section}/articles/listed", len(listing.articles))
            already = sum(1 for listed in listing.articles if listed.article_id in self.mirrored)
            self._inc(f"sections/{section}/articles/already_mirrored", already)
            for listed in listing.articles:
                if listed.article_id not in self.mirrored:
                    homes.setdefault(listed.article_id, (section, listing.section_name, listed))
        logger.info(
            "Listed %d articles in %d sections, %d not mirrored yet",
            sum(len(listing.articles) for listing in self._listings.values()),
            len(self._listings),
            len(homes),
        )
        for article_id, (section, section_name, listed) in homes.items():
            self._inc("articles/requested")
            self._inc(f"sections/{section}/articles/requested")
            yield scrapy.Request(
                listed.url,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={
                    "article_id": article_id,
                    "section": section,
                    "section_name": section_name,
                },
            )

    def parse_article(
        self, response: Response, article_id: str, section: str, section_name: str
    ) -> Iterator[Article]:
        """Parse an article page into an item (or a logged, counted rejection)."""
        url = response.request.url if response.request else response.url
        try:
            if not _is_html(response):
                content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
                raise ArticleRejected("not_html", f"content type {content_type!r}")
            with stage_timer(self, self.crawler.stats, "parse"):
                parsed = parse_article(response.text, response.url)
        except ArticleRejected as rejected:
            self._inc(f"articles/rejected/{rejected.reason}")
            self._inc(f"sections/{section}/articles/rejected/{rejected.reason}")
            logger.warning("Skipped article %s: %s", url, rejected)
            return
        self._inc(f"extraction/article/{parsed.extraction}")
        for missed in parsed.missed:
            self._inc(f"selectors_missed/{missed}")
        yield parsed.article(
            url=url,
            article_id=article_id,
            edition=self.edition,
            section=section,
            section_name=section_name or section,
        )

    def article_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        reason = f"http_{status}" if status else failure.type.__name__
        self._inc(f"articles/failed/{reason}")
        self._inc(f"sections/{request.cb_kwargs['section']}/articles/failed/{reason}")
        logger.error("Article %s failed (%s); it will be tried again next run", request.url, reason)
