"""The ntdtv.com spider: the base spider (``spiders/mirror.py``) with ntdtv's site module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response

from goodnews_scraper.items import Article, ArticleFailed
from goodnews_scraper.sites.ntdtv import SITE
from goodnews_scraper.spiders.mirror import MirrorSpider

__all__ = ["NtdtvSpider"]


class NtdtvSpider(MirrorSpider):
    """Mirror ntdtv.com sections.

    Arguments: ``sections`` (comma-separated section paths such as
    ``prog204,news/china``), ``edition`` (``gb`` or ``b5``), ``max_pages``
    (list pages read per section at most).
    """

    name = "ntdtv"
    site = SITE

    def parse_list(self, response: Response, section: str, page: int) -> Iterator[Any]:
        """Read one list page; follow the pager or, when done, start the articles.

        Contracts (``scrapy check ntdtv``, see contracts.py): page 1 of a long
        section lists new articles, so the pager is followed.

        @site_url /gb/prog204
        @cb_kwargs {"section": "prog204", "page": 1}
        @returns requests 1 1
        @returns items 0 0
        """
        yield from super().parse_list(response, section, page)

    def parse_article(
        self, response: Response, article_id: str, section: str, section_name: str
    ) -> Iterator[Article | ArticleFailed]:
        """Parse an article page into an item (or a logged, counted rejection).

        @site_url /gb/2021/05/20/a103124021.html
        @cb_kwargs {"article_id": "a103124021", "section": "prog204", "section_name": "大陆"}
        @returns items 1 1
        @returns requests 0 0
        @scrapes url article_id title published body_html
        """
        yield from super().parse_article(response, article_id, section, section_name)
