"""Store records of the fixture's articles, made by the project's own parser, cleaner and converter.

The store is filled by the crawl; renderers are pure functions of records,
so their tests build the records the same way the pipelines do (parse,
clean, convert to Markdown, name each picture by the SHA-1 of its URL)
without Scrapy or a disk.
"""

from __future__ import annotations

import hashlib

from goodnews_scraper.conversion.clean_html import clean_html
from goodnews_scraper.conversion.image_links import html_image_urls
from goodnews_scraper.conversion.markdown import html_to_markdown
from goodnews_scraper.mirror.tree import page_relpath, section_slug
from goodnews_scraper.sites.ntdtv import parse_article
from goodnews_scraper.store.records import ArticleRecord, RecordImage
from tests.fixture_site import SECTIONS, FixtureArticle, build_site, mirrored_articles

ORIGIN = "http://127.0.0.1:8000"


def image_path(url: str) -> str:
    """Where the images pipeline stores the picture at ``url``."""
    return f"images/{hashlib.sha1(url.encode()).hexdigest()}.jpg"


def section_name(edition: str, section: str) -> str:
    return next(s.name for s in SECTIONS if s.edition == edition and s.path == section)


def record_from_page(
    html: str, url: str, *, article_id: str, edition: str, section: str, section_name: str
) -> ArticleRecord:
    """The record the crawl stores for the article page ``html``, every picture mirrored."""
    parsed = parse_article(html, url)
    body = clean_html(parsed.body_html, url)
    featured = parsed.featured_image
    urls = html_image_urls(body) + ([featured.url] if featured and featured.url else [])
    return ArticleRecord(
        site="ntdtv",
        edition=edition,
        article_id=article_id,
        url=url,
        section=section,
        section_name=section_name,
        title=parsed.title,
        published=parsed.published.isoformat(),
        page=page_relpath(section_slug(section), article_id),
        body_html=body,
        body_markdown=html_to_markdown(body),
        extraction=parsed.extraction,
        byline=parsed.byline,
        tags=list(parsed.tags),
        featured_image=None if featured is None else RecordImage(featured.url, featured.caption),
        full_video_url=parsed.full_video_url,
        images={url: image_path(url) for url in sorted(set(urls))},
    )


def record(article: FixtureArticle, html: str, url: str) -> ArticleRecord:
    """The record of a fixture article, filed under its first section."""
    section = article.sections[0]
    return record_from_page(
        html,
        url,
        article_id=article.id,
        edition=article.edition,
        section=section,
        section_name=section_name(article.edition, section),
    )


def fixture_records(edition: str = "gb", origin: str = ORIGIN) -> list[ArticleRecord]:
    """A record for each article of ``edition`` the crawl mirrors, in fixture order."""
    pages = build_site(origin)
    return [
        record(article, pages[article.path].body.decode("utf-8"), origin + article.path)
        for article in mirrored_articles(edition)
        if article.sections
    ]
