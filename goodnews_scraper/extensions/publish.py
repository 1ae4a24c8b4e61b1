"""Publish the finished tree when the crawl ends (``PUBLISH = "git"`` or ``"s3"``).

One extension, the same under ``scrapy crawl``, Scrapyd and Scrapy Cloud:

* ``spider_opened``: the publisher prepares SITE_DIR (clone, or restore
  from the bucket) before any item is exported, so what is already
  published is part of the tree the crawl completes. If that fails, the
  spider closes at once: crawling a tree that cannot be published is wasted.
* ``spider_closed``: Scrapy runs the handlers of a signal concurrently, and
  the mirror feed writes the indexes and home page in FeedExporter's own
  ``spider_closed`` handler; so this one waits for ``feed_exporter_closed``
  (sent once every feed is stored) and then publishes, only when the finish
  reason is ``finished``.

Outcomes go to stats under ``goodnews/publish/`` (``failed`` is 1 on any
failure) and to the log, credentials masked. Blocking work runs in a thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from goodnews_scraper.monitors import TREE_FAILED_STAT
from goodnews_scraper.publishing.base import PublishError
from goodnews_scraper.publishing.config import publisher_from_settings
from goodnews_scraper.publishing.redact import mask_url
from goodnews_scraper.settings_checks import SettingError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from goodnews_scraper.publishing.base import Publisher, PublishResult

logger = logging.getLogger(__name__)

#: The finish reason a crawl must end with to be published.
FINISHED = "finished"
#: The finish reason when publishing cannot be set up at start.
SETUP_FAILED = "publish_setup_failed"


class PublishExtension:
    def __init__(
        self, crawler: Crawler, publisher: Publisher | None, setup_error: str = ""
    ) -> None:
        self.crawler = crawler
        self.publisher = publisher
        self.setup_error = setup_error
        self._feeds_closed: Deferred[None] = Deferred()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PublishExtension:
        try:
            publisher = publisher_from_settings(crawler.settings)
        except SettingError as error:
            extension = cls(crawler, None, str(error))
        else:
            if publisher is None:
                raise NotConfigured("PUBLISH is not set: the tree stays in SITE_DIR")
            extension = cls(crawler, publisher)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.feed_exporter_closed, signals.feed_exporter_closed)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    # --- stats and log ----------------------------------------------------------------
    def _stat(self, key: str, value: int | str = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(f"goodnews/publish/{key}", value)

    def _fail(self, message: str) -> None:
        message = mask_url(message)
        self._stat("failed")
        self._stat("error", message)
        logger.error("Publishing failed: %s", message)

    # --- handlers -----------------------------------------------------------------
    async def spider_opened(self) -> None:
        if self.publisher is None:
            self._fail(self.setup_error)
            raise CloseSpider(SETUP_FAILED)
        logger.info("Publishing to %s when the crawl finishes", self.publisher.destination)
        try:
            ready = await run_in_thread(self.publisher.prepare)
        except Exception as error:
            self._fail(self._describe(error))
            raise CloseSpider(SETUP_FAILED) from error
        logger.info("Publishing set up: %s", ready)

    def feed_exporter_closed(self) -> None:
        if not self._feeds_closed.called:
            self._feeds_closed.callback(None)

    async def spider_closed(self, reason: str) -> None:
        if self.publisher is None or reason == SETUP_FAILED:
            return  # already reported
        if self.crawler.get_extension(FeedExporter) is not None:
            # The tree is complete only once the mirror feed has finished.
            await maybe_deferred_to_future(self._feeds_closed)
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value(TREE_FAILED_STAT):
            self._stat("skipped")
            logger.error(
                "Not publishing to %s: writing the tree failed (%s); the next run completes it",
                self.publisher.destination,
                self.crawler.stats.get_value("goodnews/tree/error", "see the log"),
            )
            return
        if reason != FINISHED:
            self._stat("skipped")
            logger.warning(
                "Not publishing to %s: the crawl closed with reason %r, not %r; the tree "
                "stays in SITE_DIR and the next finished run publishes it",
                self.publisher.destination,
                reason,
                FINISHED,
            )
            return
        assert self.crawler.spider is not None
        try:
            result = await run_in_thread(self.publisher.publish, self.crawler.spider.name)
        except Exception as error:
            self._fail(self._describe(error))
            return
        self._record(result)

    @staticmethod
    def _describe(error: Exception) -> str:
        if isinstance(error, PublishError):
            return str(error)
        # Not foreseen (a full disk, a permission): still one line, and the traceback at DEBUG.
        logger.debug("Publishing failed", exc_info=error)
        return f"{type(error).__name__}: {error}"

    def _record(self, result: PublishResult) -> None:
        self._stat("succeeded")
        self._stat("files", len(result.published))
        self._stat("files_unchanged", result.unchanged)
        if result.commits:
            self._stat("commits", result.commits)
        if result.rebased:
            self._stat("rebased")
        logger.info("Published: %s", result.summary)
