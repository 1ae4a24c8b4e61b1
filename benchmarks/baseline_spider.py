"""Scrapy's own floor: fetch the mirror's list and article pages, keep the raw HTML.

    scrapy runspider benchmarks/baseline_spider.py -a origin=URL -a sections=a,b -o raw.jsonl

It follows the same pager and article links as the ntdtv spider (with the
selectors of ``goodnews_scraper/sites/ntdtv.py``, links of any ntdtv host
mapped to ``origin``) and yields each article page's HTML as it came, so the
only work besides Scrapy's is one CSS query per list page and the JSON-lines
feed. It runs outside the project, with the project's and the ntdtv spider's Scrapy
settings (politeness, limits, ``CONCURRENT_ITEMS``) and garbage-collector
tuning, and none of its pipelines, feeds, extensions or add-ons.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response

from goodnews_scraper import settings as project
from goodnews_scraper.spiders.ntdtv import NtdtvSpider, keep_collections_short

#: Scrapy's own settings the mirror runs with (the benchmark overrides pace).
COPIED = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "RANDOMIZE_DOWNLOAD_DELAY",
    "RETRY_TIMES",
    "RETRY_HTTP_CODES",
    "DOWNLOAD_TIMEOUT",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_WARNSIZE",
    "COOKIES_ENABLED",
    "TELNETCONSOLE_ENABLED",
    "LOG_LEVEL",
    "FEED_EXPORT_ENCODING",
    "WARN_ON_GENERATOR_RETURN_VALUE",
)


class BaselineSpider(scrapy.Spider):
    name = "baseline"
    custom_settings = {  # noqa: RUF012 (Scrapy reads it as a class attribute)
        **{name: getattr(project, name) for name in COPIED if hasattr(project, name)},
        **(NtdtvSpider.custom_settings or {}),
    }

    def __init__(
        self, *args: Any, origin: str = "", sections: str = "", edition: str = "gb", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.origin = origin.rstrip("/")
        self.sections = [s for s in sections.split(",") if s]
        self.edition = edition

    def local(self, href: str, page_url: str) -> str:
        """The link on the served site, whatever ntdtv host or form it was written with."""
        return self.origin + urlsplit(urljoin(page_url, href)).path

    async def start(self) -> AsyncIterator[Any]:
        keep_collections_short()  # as the ntdtv spider does
        for section in self.sections:
            yield scrapy.Request(f"{self.origin}/{self.edition}/{section}", self.parse_list)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        for href in response.css("div.post_list div.one_post div.title > a::attr(href)").getall():
            yield scrapy.Request(self.local(href, response.url), self.parse_article)
        for href in response.css("a.next.page-numbers::attr(href)").getall()[:1]:
            yield scrapy.Request(self.local(href, response.url), self.parse_list)

    def parse_article(self, response: Response) -> Iterator[dict[str, str]]:
        yield {"url": response.url, "html": response.text}
