"""Give each page its public URL and draw the QR code that opens it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from goodnews_scraper.conversion.qr_code import qr_png
from goodnews_scraper.items import Article
from goodnews_scraper.mirror.tree import page_relpath, section_slug
from goodnews_scraper.settings_checks import mirror_base_url
from goodnews_scraper.timing import timed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class QrCodePipeline:
    def __init__(self, stats: StatsCollector, base_url: str) -> None:
        self.stats = stats
        self.base_url = base_url
        if not base_url:
            logger.warning(
                "MIRROR_BASE_URL is not set: share links and QR codes point to the original "
                "articles. Set it to where the tree is published, e.g. "
                "-s MIRROR_BASE_URL=https://github.com/OWNER/REPO/blob/main"
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QrCodePipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, mirror_base_url(crawler.settings))

    def page_url(self, item: Article) -> str:
        if not self.base_url:
            return item.url
        relpath = page_relpath(section_slug(item.section), item.article_id)
        return f"{self.base_url}/{relpath}"

    @timed("qr_code")
    def process_item(self, item: object) -> object:
        if isinstance(item, Article):
            item.page_url = self.page_url(item)
            item.qr_png = qr_png(item.page_url)
            self.stats.inc_value("goodnews/pipeline/qr_codes")
        return item
