"""What a site module supplies, and the result shapes every site's parsers share.

A site is one module under ``goodnews_scraper/sites/`` with one :class:`Site`
object: its URLs, editions, sections, how to read a list page, an article
page and (optionally) a section's feed, its clock, its hosts and the
patterns of its ids and URLs. The base spider (``spiders/mirror.py``) runs
the crawl for any of them; pipelines, store and renderers know no site, only
its name (``ArticleRecord.site``, the ``site`` variable of the templates).
Adding a site: ``docs/sites.md``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol

from goodnews_scraper.items import EXTRACTION_SITE, Article, Image, ListedArticle


class ArticleRejected(ValueError):
    """A page that cannot become a mirror page; ``reason`` is a stats key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class FeedRejected(ValueError):
    """A feed that cannot be read at all; ``reason`` is a stats key."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class ListPage:
    section_name: str
    articles: list[ListedArticle]
    next_url: str | None
    #: "site" when the site's list selectors matched, "generic" otherwise.
    layer: str = EXTRACTION_SITE
    missed: list[str] = field(default_factory=list)


@dataclass
class ParsedArticle:
    title: str
    published: datetime
    body_html: str
    extraction: str
    byline: str = ""
    tags: list[str] = field(default_factory=list)
    featured_image: Image | None = None
    #: The full video, when the body is only a programme teaser (ends with its link).
    full_video_url: str = ""
    #: Site selectors that did not match this page (a sign of site drift).
    missed: list[str] = field(default_factory=list)

    def article(
        self, *, url: str, article_id: str, edition: str, section: str, section_name: str
    ) -> Article:
        """The item for this page: what it says, and where it was found."""
        return Article(
            url=url,
            article_id=article_id,
            edition=edition,
            section=section,
            section_name=section_name,
            title=self.title,
            published=self.published,
            body_html=self.body_html,
            extraction=self.extraction,
            byline=self.byline,
            tags=self.tags,
            featured_image=self.featured_image,
            full_video_url=self.full_video_url,
        )


@dataclass
class FeedEntry:
    """One feed item: the listed article, and the whole article when the item carries it."""

    listed: ListedArticle
    #: The item's publication time (it states its offset), or None.
    published: datetime | None
    #: The article as its page would give it (maybe without the lead image), when whole.
    article: ParsedArticle | None = None
    #: Why the page must still be fetched ("" when ``article`` is set).
    page_needed: str = ""


@dataclass
class Feed:
    section_name: str
    entries: list[FeedEntry]
    #: Items that are not articles of this edition on this site (their links), in order.
    skipped: list[str] = field(default_factory=list)


class SiteUrls(Protocol):
    """Every URL of a site, derived from one base URL (the live site or a fixture)."""

    base: str
    netloc: str
    host: str

    def list_url(self, edition: str, section: str) -> str: ...

    def site_url(self, href: str, page_url: str) -> str | None: ...

    def article_ref(self, href: str, page_url: str, edition: str) -> tuple[str, str] | None: ...


class Site(ABC):
    """One site the mirror can crawl; the base spider asks it everything site-specific."""

    #: The spider's name, the records' ``site`` and the key of the templates' labels.
    name: str
    default_base_url: str
    #: An older setting that also names the base URL (``NTDTV_BASE_URL``), or "".
    base_url_alias: str = ""
    editions: tuple[str, ...]
    #: Each edition's script as a language tag, for HTML ``lang`` and Atom ``xml:lang``.
    edition_langs: dict[str, str]
    default_sections: tuple[str, ...]
    #: What a ``sections`` argument may hold, and how a bad one is described.
    section_re: re.Pattern[str]
    section_hint: str
    #: The site's own article ids (each site validates its own, strictly).
    article_id_re: re.Pattern[str]
    #: A canonical article URL, as a JSON Schema ``pattern`` (``schemas/article.json``
    #: holds what every site shares; this narrows it).
    url_pattern: str
    #: The clock every stored publication time is given on (its offset is the site's).
    clock: tzinfo
    #: Host names its pages use for itself, where its images and its players come from.
    site_hosts: frozenset[str]
    image_hosts: frozenset[str]
    player_hosts: frozenset[str]

    @abstractmethod
    def urls(self, base_url: str) -> SiteUrls:
        """The site's URLs on ``base_url``; raises ValueError naming a bad one."""

    @abstractmethod
    def parse_list_page(self, html: str, url: str, edition: str, urls: SiteUrls) -> ListPage:
        """A section list page: its name, its articles in order, its next page."""

    @abstractmethod
    def parse_article(
        self, html: str, url: str, *, feed_published: datetime | None = None
    ) -> ParsedArticle:
        """An article page; raises :class:`ArticleRejected` when it cannot be mirrored.

        ``feed_published``: the feed item's time, when the feed listed the article.
        """

    def feed_url(self, urls: SiteUrls, edition: str, section: str) -> str | None:
        """The section's feed, read before its list pages; None: the site has none."""
        return None

    def parse_feed(self, xml: bytes, url: str, edition: str, urls: SiteUrls) -> Feed:
        """A section's feed; raises :class:`FeedRejected` when it cannot be read."""
        raise FeedRejected("no_feed", f"{self.name} has no feeds")

    def item_schema(self) -> dict[str, Any]:
        """What this site adds to the shared article schema: its URL and id patterns."""
        return {
            "properties": {
                "url": {"pattern": self.url_pattern},
                "article_id": {"pattern": f"^(?:{self.article_id_re.pattern})$"},
                "edition": {"enum": list(self.editions)},
            }
        }
