"""Make the article body safe and simple before it becomes Markdown."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals

from goodnews_scraper.conversion.clean_html import clean_html
from goodnews_scraper.items import Article
from goodnews_scraper.timing import timed

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


def video_hosts(hosts: list[str]) -> frozenset[str]:
    return frozenset(host.strip().lower() for host in hosts if host.strip())


class CleanHtmlPipeline:
    def __init__(self, stats: StatsCollector, video_hosts: frozenset[str]) -> None:
        self.stats = stats
        self.video_hosts = video_hosts
        self._logged_hosts: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanHtmlPipeline:
        assert crawler.stats is not None
        pipeline = cls(crawler.stats, video_hosts(crawler.settings.getlist("VIDEO_HOSTS")))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        return pipeline

    def spider_opened(self, spider: Spider) -> None:
        """Add the site's own player hosts, which the spider declares (``player_hosts``)."""
        site = [*getattr(spider, "site_hosts", ()), *getattr(spider, "player_hosts", ())]
        self.video_hosts = self.video_hosts | video_hosts(site)

    @timed("clean")
    def process_item(self, item: object) -> object:
        if isinstance(item, Article):
            dropped: list[str] = []
            item.body_html = clean_html(item.body_html, item.url, self.video_hosts, dropped)
            self.stats.inc_value("goodnews/pipeline/cleaned")
            for url in dropped:
                self._dropped(url, item.url)
        return item

    def _dropped(self, url: str, page: str) -> None:
        """Counted each time, logged once a host: a player not in VIDEO_HOSTS."""
        self.stats.inc_value("goodnews/players/dropped")
        host = urlsplit(url).netloc or "?"
        if host not in self._logged_hosts:
            self._logged_hosts.add(host)
            logger.warning(
                "Player dropped: %s is not in VIDEO_HOSTS (first: %s in %s)", host, url, page
            )
