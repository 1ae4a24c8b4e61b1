"""Items that travel from the spiders through the pipelines to the exporters.

An :class:`Article` becomes one page of the mirror; a :class:`SectionListing`
tells the exporters which articles a section lists this run, including those
already mirrored (which are not fetched again but must still appear in that
section's index); an :class:`ArticleFailed` says which could not be mirrored.
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
    #: The spider that crawled it (the site), and the tree path of its page,
    #: decided once: where the article is already stored, else its home section.
    site: str = ""
    page: str = ""
    # Filled by the pipelines: where each mirrored picture is stored (link as
    # the body holds it -> tree path), and the body as Markdown.
    images: dict[str, str] = field(default_factory=dict)
    body_markdown: str = ""


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
    #: False when a list page failed midway (or the pager looped): the next run
    #: pages this section again past pages that list nothing new.
    complete: bool = True


@dataclass
class ArticleFailed:
    """An article this run could not mirror: the tree writer keeps it in the crawl state,
    so the next run requests it again (see ``store/crawl_state.py``)."""

    article_id: str
    url: str
    section: str
    reason: str
