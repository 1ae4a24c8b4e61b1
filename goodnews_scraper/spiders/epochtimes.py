"""The epochtimes.com (大纪元) spider: the base spider with epochtimes' site module.

Each section's feed is read first (its whole items need no page request);
list pages and article pages follow where the feed does not suffice.
"""

from __future__ import annotations

from goodnews_scraper.sites.epochtimes import SITE
from goodnews_scraper.spiders.mirror import MirrorSpider


class EpochtimesSpider(MirrorSpider):
    """Mirror epochtimes.com channels.

    Arguments: ``sections`` (comma-separated channel ids such as
    ``nsc413,nf4514``), ``edition`` (``gb`` or ``b5``), ``max_pages`` (list
    pages read per section at most).
    """

    name = "epochtimes"
    site = SITE
