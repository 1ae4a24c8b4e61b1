"""Items that travel from the spiders through the pipelines to the exporters.

Two kinds: an :class:`Article` becomes one page of the mirror; a
:class:`SectionListing` tells the exporters which articles a section lists
this run, including those already mirrored (which are not fetched again but
must still appear in that section's index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: Extraction layers, most trusted first. Monitors compare their shares.
EXTRACTION_SITE = "site"
EXTRACTION_STRUCTURED = "structured"
EXTRACTION_GENERIC = "generic"
EXTRACTION_LAYERS = (EXTRACTION_SITE, EXTRACTION_STRUCTURED, EXTRACTION_GENERIC)


@dataclass
class Image:
    url: str
    caption: str = ""


def _serialize_bytes(value: bytes) -> int:
    # Other feeds (Scrapyd's items_dir, Scrapy Cloud) get the size, not the PNG.
    return len(value)


@dataclass
class Article:
    """One article, as the spider parsed it and the pipelines completed it."""

    url: str
    article_id: str
    edition: str
    section: str
    section_name: str
    title: str
    published: datetime
    body_html: str
    extraction: str
    byline: str = ""
    tags: list[str] = field(default_factory=list)
    featured_image: Image | None = None
    #: The full video's URL when the body is only a programme's teaser that
    #: ends with a "watch the full video" link (the page says so).
    full_video_url: str = ""
    # Filled by the pipelines, in this order.
    body_markdown: str = ""
    page_url: str = ""
    qr_png: bytes = field(default=b"", metadata={"serializer": _serialize_bytes})
    page_markdown: str = ""


@dataclass
class ListedArticle:
    article_id: str
    url: str
    title: str


@dataclass
class SectionListing:
    """The articles a section's list pages showed this run, in list order."""

    edition: str
    section: str
    section_name: str
    articles: list[ListedArticle] = field(default_factory=list)
