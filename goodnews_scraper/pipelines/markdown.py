"""Convert the cleaned article body to Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from goodnews_scraper.conversion.markdown import html_to_markdown
from goodnews_scraper.items import Article
from goodnews_scraper.timing import timed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class MarkdownPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MarkdownPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    @timed("markdown")
    def process_item(self, item: object) -> object:
        if not isinstance(item, Article):
            return item
        item.body_markdown = html_to_markdown(item.body_html)
        if not item.body_markdown.strip():
            # An empty page would replace nothing and tell the reader nothing.
            self.stats.inc_value("goodnews/articles/rejected/empty_body")
            raise DropItem(f"{item.url}: the article body is empty after cleaning")
        return item
