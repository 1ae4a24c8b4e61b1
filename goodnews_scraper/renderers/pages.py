"""An article's page and QR code, rendered from its store record."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from goodnews_scraper.conversion.image_links import relative_link, replace_markdown_images
from goodnews_scraper.conversion.templates import render
from goodnews_scraper.mirror.tree import IndexEntry, page_meta_line, section_slug

if TYPE_CHECKING:
    from jinja2 import Template

    from goodnews_scraper.renderers.links import Links
    from goodnews_scraper.store.records import ArticleRecord


def qr_relpath(record: ArticleRecord) -> str:
    """The QR code sits beside its page: ``pages/<slug>/<id>.png``."""
    return record.page.removesuffix(".md") + ".png"


def index_entry(record: ArticleRecord) -> IndexEntry:
    """What the section index lists of the article (also the page's metadata line)."""
    return IndexEntry(
        id=record.article_id,
        title=record.title,
        published=record.published,
        page=record.page,
        url=record.url,
    )


def linked_body(record: ArticleRecord, links: Links) -> str:
    """The body's Markdown with each mirrored picture linked as ``links`` says."""
    targets = {link: links.asset(path, record.page) for link, path in record.images.items()}
    return replace_markdown_images(record.body_markdown, targets)


def page_file(template: Template, record: ArticleRecord, links: Links) -> str:
    """The page file: a metadata line GitHub hides (it rebuilds a lost index entry), the page."""
    return page_meta_line(index_entry(record)) + page_markdown(template, record, links)


def page_markdown(template: Template, record: ArticleRecord, links: Links) -> str:
    """What the reader sees: header, title, article, footer."""
    featured = record.featured_image
    if featured is not None and featured.url in record.images:
        featured = replace(featured, url=links.asset(record.images[featured.url], record.page))
    return render(
        template,
        title=record.title,
        site=record.site,
        edition=record.edition,
        section_name=record.section_name,
        url=record.url,
        published=record.published_at.strftime("%Y-%m-%d %H:%M"),
        byline=record.byline,
        tags=record.tags,
        featured_image=featured,
        full_video_url=record.full_video_url,
        body_markdown=linked_body(record, links).strip(),
        share_url=links.share_url(record),
        qr_file=links.asset(qr_relpath(record), record.page),
        home_link=relative_link("README.md", record.page),
        index_link=relative_link(f"indexes/{section_slug(record.section)}.md", record.page),
    )
