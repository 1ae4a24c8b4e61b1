"""Scrapy add-ons of the project (the ``ADDONS`` setting).

Runners replace ``FEEDS`` on the command line: Scrapyd does it when its
``items_dir`` is set, and so does ``scrapy crawl -o items.jsonl``. A
replaced ``FEEDS`` would silently drop the mirror feed, and with it the page
tree. Add-ons see the final settings before the crawl starts, so this one
puts the mirror feed back beside the runner's own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

MIRROR_FORMAT = "mirror"


class MirrorFeedAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getdict("ITEM_PIPELINES"):
            # `scrapy check` turns off pipelines and feeds: contracts write no tree.
            return
        feeds = settings.getdict("FEEDS")
        if any(
            isinstance(options, dict) and options.get("format") == MIRROR_FORMAT
            for options in feeds.values()
        ):
            return
        uri = settings["MIRROR_FEED_URI"]
        feeds[uri] = dict(settings.getdict("MIRROR_FEED_OPTIONS"))
        settings.set("FEEDS", feeds, priority=settings.getpriority("FEEDS") or "addon")
        logger.info(
            "FEEDS was replaced (e.g. by Scrapyd's items_dir); the mirror feed was added back: %s",
            uri,
        )
