"""Make the article body safe and simple before it becomes Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from goodnews_scraper.conversion.clean_html import clean_html
from goodnews_scraper.items import Article
from goodnews_scraper.timing import timed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class CleanHtmlPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CleanHtmlPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    @timed("clean")
    def process_item(self, item: object) -> object:
        if isinstance(item, Article):
            item.body_html = clean_html(item.body_html, item.url)
            self.stats.inc_value("goodnews/pipeline/cleaned")
        return item
