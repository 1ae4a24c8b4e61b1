"""The crawl of any site (``sites/base.py``): section lists first, then the articles they list.

The crawl has two phases so the output does not depend on timing: all list
pages of all sections are read first; then each article not yet mirrored is
requested once, with the first section (in the order of the ``sections``
argument) that lists it as its home. A section's list pages are read until
``max_pages`` or until a page lists only articles already in that section's
index, so a re-run with nothing new makes one request per section and none
for articles. (The index, not the page files, decides: indexes are written
last, so after a killed run the pages it never reached are listed again.)

Articles that failed in earlier runs are in the crawl state
(``store/crawl-state.json``): they are requested directly, wherever they are
listed now, until they are mirrored or given up (``CRAWL_RETRY_DAYS``).

A site with feeds (epochtimes) has each section's feed read first: a feed
that lists nothing new ends the section in one request; else the list pages
follow as above. Whole feed items become articles without a request for
their page (``SITE_FEED_ARTICLES``); teasers, and articles the feed does not
carry, are requested. An unreadable feed is counted and the list is read.

Each site's spider is this class with a :class:`~goodnews_scraper.sites.base.Site`
and a name (``spiders/ntdtv.py``, ``spiders/epochtimes.py``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.http import Response, TextResponse

from goodnews_scraper.items import Article, ArticleFailed, ListedArticle, SectionListing
from goodnews_scraper.mirror.tree import MirrorTree, page_relpath, section_slug
from goodnews_scraper.settings_checks import SettingError, retry_days, site_dir
from goodnews_scraper.sites.base import ArticleRejected, FeedRejected, ParsedArticle, Site, SiteUrls
from goodnews_scraper.spiders.arguments import choice, comma_list, positive_int
from goodnews_scraper.store.crawl_state import REFETCH, CrawlState, StateError, gives_up, today
from goodnews_scraper.store.records import first_record
from goodnews_scraper.timing import stage_timer

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from goodnews_scraper.sites.base import Feed

logger = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 5
MAX_PAGES_LIMIT = 1000
#: Finish reasons of a crawl that must not be published (see `start`, `_section_done`).
EDITION_MISMATCH = "edition_mismatch"
SITE_MISMATCH = "site_mismatch"
NO_LIST_PAGE = "no_list_page"
#: A request that reaches no network: it resumes the crawl after a dropped list request.
_RESUME_URL = "data:,"


def _is_html(response: Response) -> bool:
    """Scrapy makes any ``.html`` URL an HtmlResponse, whatever the server sent."""
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    return isinstance(response, TextResponse) and (
        not content_type or "html" in content_type or "xml" in content_type
    )


def base_url(settings: BaseSettings, site: Site) -> str:
    """SITE_BASE_URL, else the site's own older setting (NTDTV_BASE_URL), else its default."""
    chosen = settings.get("SITE_BASE_URL") or ""
    if not chosen and site.base_url_alias:
        chosen = settings.get(site.base_url_alias) or ""
    return str(chosen or site.default_base_url)


class MirrorSpider(scrapy.Spider):
    """Mirror a site's sections (the subclass names the site).

    Arguments: ``sections`` (comma-separated, as the site names them),
    ``edition`` (one of the site's, ``gb`` or ``b5``), ``max_pages`` (list
    pages read per section at most).
    """

    site: Site
    #: Each article response gives one item, and Scrapy 2.19 starts CONCURRENT_ITEMS
    #: asyncio workers for every response's output: about 1 ms of CPU each at the
    #: default of 100 (see README, "Benchmarks").
    custom_settings: dict[str, Any] | None = {"CONCURRENT_ITEMS": 1}  # noqa: RUF012
    urls: SiteUrls
    tree: MirrorTree
    allowed_domains: list[str]
    #: For the pipelines, which know no site: the site's hosts, the hosts its
    #: images and players come from, and its own origin (``host[:port]``, maybe
    #: an address).
    site_hosts: frozenset[str]
    image_hosts: frozenset[str]
    player_hosts: frozenset[str]
    own_netlocs: frozenset[str]

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
        self.stored: dict[str, str] = {}  # article id -> folder (slug) of its page
        self.state = CrawlState({})
        self.indexed: dict[str, set[str]] = {}
        self._pending = set(self.sections)
        self._cut_short: set[str] = set()
        self._listings: dict[str, SectionListing] = {}
        self._visited: dict[str, set[str]] = {section: set() for section in self.sections}
        #: Whole articles the feeds carried (id -> article), and the feed times of the others.
        self._feed_articles: dict[str, ParsedArticle] = {}
        self._feed_times: dict[str, datetime] = {}
        #: Sections whose listing is named by their feed until a list page names it.
        self._named_by_feed: set[str] = set()
        self.feed_articles = True

    @classmethod
    def check_arguments(
        cls,
        sections: str | None = None,
        edition: str = "gb",
        max_pages: str | int = DEFAULT_MAX_PAGES,
        **_others: object,
    ) -> tuple[tuple[str, ...], str, int]:
        """The checked arguments; raises :class:`SpiderArgumentError` naming a bad one."""
        site = cls.site
        return (
            comma_list(
                "sections",
                ",".join(site.default_sections) if sections is None else sections,
                site.section_re,
                site.section_hint,
            ),
            choice("edition", edition, site.editions),
            positive_int("max_pages", max_pages, MAX_PAGES_LIMIT),
        )

    @classmethod
    def preflight(cls, settings: BaseSettings, **arguments: Any) -> tuple[SiteUrls, MirrorTree]:
        """Check arguments and settings before the crawl; raise naming the bad one."""
        edition = cls.check_arguments(**arguments)[1]
        try:
            urls = cls.site.urls(base_url(settings, cls.site))
        except ValueError as error:
            raise SettingError(str(error)) from error
        tree = MirrorTree(site_dir(settings))
        cls.check_site(tree)
        cls.check_edition(tree, edition)
        return urls, tree

    @classmethod
    def check_site(cls, tree: MirrorTree) -> None:
        """One site per tree: raise naming the site whose records SITE_DIR holds."""
        record = first_record(tree) if tree.root.is_dir() else None
        if record is not None and record.site != cls.site.name:
            raise SettingError(
                f"SITE_DIR {str(tree.root)!r} holds the {record.site} mirror; mirror "
                f"{cls.site.name} into another folder (-s SITE_DIR=...)"
            )

    @staticmethod
    def check_edition(tree: MirrorTree, edition: str) -> None:
        """One edition per tree: raise naming the edition SITE_DIR already holds."""
        held = tree.edition()
        if held is not None and held != edition:
            raise SettingError(
                f"SITE_DIR {str(tree.root)!r} holds the {held} edition; mirror "
                f"edition={edition} into another folder (-s SITE_DIR=...)"
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> MirrorSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.urls, spider.tree = cls.preflight(crawler.settings, **kwargs)
        spider.allowed_domains = [spider.urls.host]
        spider.site_hosts = cls.site.site_hosts | {spider.urls.host}
        spider.image_hosts = cls.site.image_hosts
        spider.player_hosts = cls.site.player_hosts
        spider.feed_articles = crawler.settings.getbool("SITE_FEED_ARTICLES", True)
        spider.own_netlocs = frozenset({spider.urls.netloc.lower()})
        crawler.signals.connect(spider.list_dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        # Read the tree now, not when the spider is built: extensions may fill
        # SITE_DIR at spider_opened (publishing clones or restores the mirror).
        self._check_restored_edition()
        self.stored = self.tree.existing_pages()
        try:
            self.state = CrawlState.load(self.tree)
        except StateError as error:
            # Losing the promises is better than not mirroring: the lists still show most.
            logger.error("%s; starting with no pending articles", error)
        for section in self.sections:
            index = self.tree.load_index(section_slug(section))
            self.indexed[section] = set(index.entries) if index else set()
        for section in self.sections:
            feed_url = self.site.feed_url(self.urls, self.edition, section)
            if feed_url is None:
                yield self._list_request(self.urls.list_url(self.edition, section), section, 1)
            else:
                yield self._feed_request(feed_url, section)

    def _check_restored_edition(self) -> None:
        """The site and edition checks again, on the tree publishing restored at spider_opened.

        ``preflight`` ran on the local folder, which on a fresh disk is empty.
        """
        try:
            self.check_site(self.tree)
        except SettingError as error:
            logger.error("scrapy crawl: error: %s", error)
            raise CloseSpider(SITE_MISMATCH) from None
        try:
            self.check_edition(self.tree, self.edition)
        except SettingError as error:
            logger.error("scrapy crawl: error: %s", error)
            raise CloseSpider(EDITION_MISMATCH) from None

    def _feed_request(self, url: str, section: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_feed,
            errback=self.feed_failed,
            cb_kwargs={"section": section},
        )

    def parse_feed(self, response: Response, section: str) -> Iterator[Any]:
        """Read a section's feed: it ends the section when it lists nothing new."""
        try:
            with stage_timer(self, self.crawler.stats, "parse_feed"):
                feed = self.site.parse_feed(response.body, response.url, self.edition, self.urls)
        except FeedRejected as rejected:
            yield from self._feed_unread(section, response.url, rejected.reason)
            return
        if not feed.entries:
            yield from self._feed_unread(section, response.url, "feed_empty")
            return
        self._inc(f"sections/{section}/feeds")
        # A feed is the newest list page of its section: counted as one.
        self._inc(f"sections/{section}/list_pages")
        if feed.skipped:
            self._inc(f"sections/{section}/feed_items_skipped", len(feed.skipped))
        listing = self._feed_listing(section, feed)
        known = {entry.article_id for entry in listing.articles}
        listing.articles.extend(e.listed for e in feed.entries if e.listed.article_id not in known)
        for entry in feed.entries:
            article_id = entry.listed.article_id
            if entry.article is not None and self.feed_articles:
                self._feed_articles.setdefault(article_id, entry.article)
            else:
                self._inc(f"feeds/page_needed/{entry.page_needed or 'setting'}")
            if entry.published is not None:
                self._feed_times.setdefault(article_id, entry.published)
        indexed = self.indexed.get(section, set())
        fresh = [
            e
            for e in feed.entries
            if e.listed.article_id not in indexed and e.listed.article_id not in self.state.articles
        ]
        if not fresh and section not in self.state.page_again:
            logger.info("Section %s: its feed lists nothing new", section)
            yield from self._section_done(section)
            return
        yield self._list_request(self.urls.list_url(self.edition, section), section, 1)

    def _feed_listing(self, section: str, feed: Feed) -> SectionListing:
        """The section's listing, named as its index names it, else as its feed does."""
        listing = self._listings.get(section)
        if listing is None:
            head = self.tree.load_head(section_slug(section))
            name = head.name if head and head.name else feed.section_name
            listing = self._listings[section] = SectionListing(self.edition, section, name)
            self._named_by_feed.add(section)
        return listing

    def _feed_unread(self, section: str, url: str, reason: str) -> Iterator[Any]:
        self._inc(f"sections/{section}/feed_failed/{reason}")
        logger.warning(
            "Feed %s not read (%s); section %s is listed from its pages", url, reason, section
        )
        yield self._list_request(self.urls.list_url(self.edition, section), section, 1)

    def feed_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        reason = f"http_{status}" if status else failure.type.__name__
        yield from self._feed_unread(request.cb_kwargs["section"], request.url, reason)

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
            yield from self._section_done(section, complete=False)
            return
        with stage_timer(self, self.crawler.stats, "parse_list"):
            listed = self.site.parse_list_page(response.text, response.url, self.edition, self.urls)
        self._inc(f"sections/{section}/list_pages")
        self._inc(f"extraction/list/{listed.layer}")
        for missed in listed.missed:
            self._inc(f"selectors_missed/{missed}")
        listing = self._listings.setdefault(
            section, SectionListing(self.edition, section, listed.section_name)
        )
        if section in self._named_by_feed and listed.section_name:
            # The list page names its section better than a feed's title does.
            self._named_by_feed.discard(section)
            listing.section_name = listed.section_name
        known = {entry.article_id for entry in listing.articles}
        listing.articles.extend(a for a in listed.articles if a.article_id not in known)
        indexed = self.indexed.get(section, set())
        # Articles the crawl state holds are requested directly (or given up): not new here.
        fresh = [
            a
            for a in listed.articles
            if a.article_id not in indexed and a.article_id not in self.state.articles
        ]
        next_url = listed.next_url
        complete = True
        if not listed.articles:
            logger.warning("List page %s lists no article (section %s)", response.url, section)
            complete = False
        elif not fresh and section not in self.state.page_again:
            logger.info("Section %s: page %d lists nothing new", section, page)
        elif next_url is None or page >= self.max_pages:
            pass
        elif next_url in self._visited[section]:
            self._inc(f"sections/{section}/pager_loop")
            logger.warning(
                "Pager of %s points back to %s; section %s stops", response.url, next_url, section
            )
            complete = False
        else:
            yield self._list_request(next_url, section, page + 1)
            return
        yield from self._section_done(section, complete)

    def list_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        section = request.cb_kwargs["section"]
        reason = getattr(getattr(failure.value, "response", None), "status", None)
        reason = f"http_{reason}" if reason else failure.type.__name__
        self._inc(f"sections/{section}/list_failed/{reason}")
        logger.error(
            "List page %s failed (%s); section %s stops here", request.url, reason, section
        )
        yield from self._section_done(section, complete=False)

    def list_dropped(self, request: scrapy.Request) -> None:
        """A list request Scrapy dropped (``request_dropped``) still ends its section.

        The scheduler drops a duplicate without calling back, e.g. a section
        that redirects to a page already read; without this the article phase
        would never start. A signal handler cannot emit items, so the section
        ends in the callback of a request that reaches no network.
        """
        if request.callback != self.parse_list:
            return
        section = request.cb_kwargs["section"]
        self._inc(f"sections/{section}/list_dropped")
        logger.warning(
            "List page %s was dropped (a duplicate: it redirects to a page already read); "
            "section %s stops here",
            request.url,
            section,
        )
        assert self.crawler.engine is not None
        self.crawler.engine.crawl(
            scrapy.Request(
                _RESUME_URL,
                callback=self.list_resumed,
                cb_kwargs={"section": section},
                dont_filter=True,
                meta={"allow_offsite": True},
            )
        )

    def list_resumed(self, response: Response, section: str) -> Iterator[Any]:
        """The end of a section whose list request was dropped (see `list_dropped`)."""
        yield from self._section_done(section)

    def _section_done(self, section: str, complete: bool = True) -> Iterator[Any]:
        """``complete``: its pages were read as far as the rules say; else the crawl
        state asks the next run to page it again past pages with nothing new."""
        self._pending.discard(section)
        if not complete:
            self._cut_short.add(section)
        if self._pending:
            return
        if not self._listings:
            # The site was not reached: a tree without a section must not be published.
            logger.warning("No list page of any section was read; the crawl stops unpublished")
            raise CloseSpider(NO_LIST_PAGE)
        yield from self._article_phase()

    def _article_phase(self) -> Iterator[Any]:
        """Emit the listings, then one request per article not yet mirrored."""
        homes: dict[str, tuple[str, str, ListedArticle]] = {}
        given_up = self.state.given_up()
        for section in self.sections:
            listing = self._listings.get(section)
            if listing is None:
                continue
            listing.complete = section not in self._cut_short
            yield listing
            # Per-section counts for the monitors and the end-of-run summary.
            self._inc(f"sections/{section}/articles/listed", len(listing.articles))
            already = sum(1 for listed in listing.articles if listed.article_id in self.stored)
            self._inc(f"sections/{section}/articles/already_mirrored", already)
            for listed in listing.articles:
                if listed.article_id not in self.stored and listed.article_id not in given_up:
                    homes.setdefault(listed.article_id, (section, listing.section_name, listed))
        # Stored articles are fetched again only when the state asks (a page it cannot re-render).
        again = [
            p
            for p in self.state.pending()
            if p.article_id not in self.stored or p.last_reason == REFETCH
        ]
        logger.info(
            "Listed %d articles in %d sections, %d not mirrored yet; %d failed before",
            sum(len(listing.articles) for listing in self._listings.values()),
            len(self._listings),
            len(homes),
            len(again),
        )
        for article_id, (section, section_name, listed) in homes.items():
            yield self._article(listed.url, article_id, section, section_name)
        for pending in again:
            if pending.article_id not in homes:
                self._inc("articles/requested_again")
                name = self._section_name(pending.section)
                yield self._article(pending.url, pending.article_id, pending.section, name)

    def _article(
        self, url: str, article_id: str, section: str, section_name: str
    ) -> scrapy.Request | Article:
        """The article from its feed item when the feed carried it whole, else its request."""
        parsed = self._feed_articles.get(article_id)
        if parsed is None:
            return self._article_request(url, article_id, section, section_name)
        self._inc("articles/requested")
        self._inc(f"sections/{section}/articles/requested")
        self._inc("articles/from_feed")
        return self._item(parsed, url, article_id, section, section_name)

    def _article_request(
        self, url: str, article_id: str, section: str, section_name: str
    ) -> scrapy.Request:
        self._inc("articles/requested")
        self._inc(f"sections/{section}/articles/requested")
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"article_id": article_id, "section": section, "section_name": section_name},
        )

    def _item(
        self, parsed: ParsedArticle, url: str, article_id: str, section: str, section_name: str
    ) -> Article:
        """The item of a parsed article, its time on the site's clock, its page decided once."""
        self._inc(f"extraction/article/{parsed.extraction}")
        for missed in parsed.missed:
            self._inc(f"selectors_missed/{missed}")
        article = parsed.article(
            url=url,
            article_id=article_id,
            edition=self.edition,
            section=section,
            section_name=section_name or section,
        )
        article.published = article.published.astimezone(self.site.clock)
        article.site = self.name
        # Decided once: where the article is already stored, else its home section.
        article.page = page_relpath(
            self.stored.get(article_id) or section_slug(section), article_id
        )
        return article

    def _section_name(self, section: str) -> str:
        """A section's name from this run's list pages, else from its index."""
        listing = self._listings.get(section)
        if listing is not None and listing.section_name:
            return listing.section_name
        head = self.tree.load_head(section_slug(section))
        return head.name if head else section

    def _failed(
        self, article_id: str, url: str, section: str, reason: str
    ) -> tuple[ArticleFailed, bool]:
        """The crawl state's record of a failure, and whether this run gives the article up."""
        known = self.state.articles.get(article_id)
        first = known.first_failed if known and known.first_failed else today().isoformat()
        given_up = gives_up(first, today(), retry_days(self.crawler.settings))
        if given_up:
            self._inc("articles/given_up")
            logger.warning(
                "Article %s failed (%s), first on %s; given up: it will not be requested again",
                url,
                reason,
                first,
            )
        return ArticleFailed(article_id, url, section, reason), given_up

    def parse_article(
        self, response: Response, article_id: str, section: str, section_name: str
    ) -> Iterator[Article | ArticleFailed]:
        """Parse an article page into an item (or a logged, counted rejection)."""
        url = response.request.url if response.request else response.url
        try:
            if not _is_html(response):
                content_type = (response.headers.get("Content-Type") or b"").decode("latin-1")
                raise ArticleRejected("not_html", f"content type {content_type!r}")
            with stage_timer(self, self.crawler.stats, "parse"):
                parsed = self.site.parse_article(
                    response.text, response.url, feed_published=self._feed_times.get(article_id)
                )
        except ArticleRejected as rejected:
            self._inc(f"articles/rejected/{rejected.reason}")
            self._inc(f"sections/{section}/articles/rejected/{rejected.reason}")
            logger.warning("Skipped article %s: %s", url, rejected)
            yield self._failed(article_id, url, section, rejected.reason)[0]
            return
        yield self._item(parsed, url, article_id, section, section_name)

    def article_failed(self, failure: Failure) -> Iterator[ArticleFailed]:
        request = failure.request  # type: ignore[attr-defined]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        reason = f"http_{status}" if status else failure.type.__name__
        section = request.cb_kwargs["section"]
        self._inc(f"articles/failed/{reason}")
        self._inc(f"sections/{section}/articles/failed/{reason}")
        failed, given_up = self._failed(
            request.cb_kwargs["article_id"], request.url, section, reason
        )
        if not given_up:
            logger.error(
                "Article %s failed (%s); it will be tried again next run", request.url, reason
            )
        yield failed
