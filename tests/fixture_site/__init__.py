"""Offline fixture of ntdtv.com (新唐人) for the goodnews-scraper tests.

``content`` holds what the site says (the expected crawl results), ``build``
renders it to HTML pages shaped like the real site, ``server`` serves them on
127.0.0.1 so the spider can crawl without the internet.
"""

from tests.fixture_site.build import FixtureResponse, build_site
from tests.fixture_site.content import (
    ARTICLES,
    SECTIONS,
    FixtureArticle,
    Section,
    articles,
    mirrored_articles,
)
from tests.fixture_site.server import FixtureServer

__all__ = [
    "ARTICLES",
    "SECTIONS",
    "FixtureArticle",
    "FixtureResponse",
    "FixtureServer",
    "Section",
    "articles",
    "build_site",
    "mirrored_articles",
]
