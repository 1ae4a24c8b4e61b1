"""Log records made shorter where Scrapy says in a traceback what one line says.

Scrapy's robots.txt middleware logs a robots.txt it could not download as an
error with the whole traceback (76 lines for an unreachable site), before the
spider's own one line per section that failed. Nothing is lost by making it
one warning line: the crawl goes on as if robots.txt allowed everything, and
each list page that fails is logged by the spider. A standard
``logging.Filter`` on the middleware's logger does it; the middleware itself
is left as Scrapy ships it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: The logger of Scrapy's RobotsTxtMiddleware.
ROBOTSTXT_LOGGER = "scrapy.downloadermiddlewares.robotstxt"


class RobotsTxtErrorInOneLine(logging.Filter):
    """Turns the robots.txt middleware's download error (with traceback) into one warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not record.exc_info:
            return True
        error = record.exc_info[1]
        request = record.args.get("request") if isinstance(record.args, dict) else None
        url = getattr(request, "url", "")
        where = urlsplit(url).netloc if url else "the site"
        record.msg = "robots.txt of %s could not be read (%s: %s); crawling as if it allowed all"
        record.args = (where, type(error).__name__, error)
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        return True


class OneLineLogErrors:
    """Installs the filters above for the crawl (the ``EXTENSIONS`` setting)."""

    def __init__(self) -> None:
        self.filter = RobotsTxtErrorInOneLine()
        logging.getLogger(ROBOTSTXT_LOGGER).addFilter(self.filter)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OneLineLogErrors:
        extension = cls()
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_stopped(self, **_kwargs: Any) -> None:
        logging.getLogger(ROBOTSTXT_LOGGER).removeFilter(self.filter)
