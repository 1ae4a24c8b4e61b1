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


#: Components that Scrapy imports even when their setting turns them off (they
#: raise NotConfigured only once built): (switch, component setting, import path).
#: Scrapy's remote control alone imports aiohttp, about 0.2 s of every run's
#: start-up: a fifth of what a run with nothing new costs.
SWITCHED_OFF_COMPONENTS = (
    ("REMOTE_CONTROL_ENABLED", "EXTENSIONS", "scrapy.extensions.remote_control.RemoteControl"),
    (
        "COOKIES_ENABLED",
        "DOWNLOADER_MIDDLEWARES",
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    ),
)


class SwitchedOffComponentsAddon:
    """Leaves out components whose ``*_ENABLED`` setting is off, so they are never imported.

    A ``None`` in ``EXTENSIONS`` does not do it: Scrapy imports every key there
    to normalise it. So this removes the component from Scrapy's ``*_BASE``
    dict, and only where the project and the user have not named it at all.
    Turning the setting on (``-s REMOTE_CONTROL_ENABLED=True``) keeps it.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        for switch, components, path in SWITCHED_OFF_COMPONENTS:
            if settings.getbool(switch) or path in settings.getdict(components):
                continue
            base_name = f"{components}_BASE"
            base = settings.getdict(base_name)
            if base.pop(path, None) is not None:
                settings.set(base_name, base, priority="addon")
