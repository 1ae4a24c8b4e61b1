"""Build the configured publisher from settings.

The settings are read and checked in ``settings_checks`` (nothing there
touches the network, so a bad setting is found before the crawl starts);
this only picks the publisher for them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from goodnews_scraper.settings_checks import GitTarget, publish_target, site_dir

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.settings import BaseSettings

    from goodnews_scraper.publishing.base import Publisher


def publisher_from_settings(
    settings: BaseSettings, environ: Mapping[str, str] = os.environ
) -> Publisher | None:
    """The publisher PUBLISH chooses, or None; raises PublishSettingError naming a bad setting."""
    target = publish_target(settings, environ)
    if target is None:
        return None
    root = site_dir(settings)
    if isinstance(target, GitTarget):
        from goodnews_scraper.publishing.git import GitPublisher

        return GitPublisher(root, target)
    from goodnews_scraper.publishing.s3 import S3Publisher

    return S3Publisher(root, target)
