"""Atom 1.0 feeds of the store's articles, for feed readers.

A feed is a pure function of its entries: ``updated`` is the newest entry's
time and no generator version or run time is written, so the same articles
give the same bytes and a run with nothing new leaves a feed untouched in
git. Entry ids are ``tag:`` URIs made from the site, edition and article id,
never from the mirror's address, so a reader keeps its read marks when
``MIRROR_BASE_URL`` changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import lxml.html
from feedgen.feed import FeedGenerator
from lxml import etree
from lxml.html import builder

from goodnews_scraper.conversion.clean_html import BODY_CLEANER

if TYPE_CHECKING:
    from goodnews_scraper.store.records import ArticleRecord

#: Authority and date of every ``tag:`` id (RFC 4151). Never change them:
#: feed readers know each article by its id.
TAG_AUTHORITY = "goodnews-scraper"
TAG_DATE = "2026"
#: ``updated`` of a feed without entries: a fixed time, never the run's.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_LIMIT = 50


class FeedError(ValueError):
    """Entries that cannot make a valid feed (a naive time, text XML cannot hold)."""


@dataclass(frozen=True)
class FeedEntry:
    """One article as a feed shows it."""

    id: str  # stable for ever: see entry_id()
    title: str
    link: str  # the mirror page (its share URL)
    published: datetime  # with its offset (+08:00 for Beijing time)
    content_html: str  # the whole article, safe HTML
    section: str = ""  # the section's slug, the entry's category term
    section_name: str = ""  # its label


def tag_uri(*parts: str) -> str:
    """A ``tag:`` URI of the project's, e.g. ``tag:goodnews-scraper,2026:ntdtv/gb/a1``."""
    return f"tag:{TAG_AUTHORITY},{TAG_DATE}:{'/'.join(parts)}"


def entry_id(site: str, edition: str, article_id: str) -> str:
    """The id of an article's entries in every feed: the same in a section's feed and in all.xml."""
    return tag_uri(site, edition, article_id)


def feed_id(site: str, edition: str, name: str) -> str:
    """The id of a feed: ``name`` is a section slug, or ``all`` for the whole mirror."""
    return tag_uri(site, edition, "feeds", name)


def _fragment(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html or "", create_parent="div")


def entry_html(record: ArticleRecord, asset_link: Callable[[str], str]) -> str:
    """The article as HTML for a feed: featured image and caption on top, then the body.

    Pictures the mirror stores (``record.images``) are linked through
    ``asset_link(tree_path)``, as the page links them; the others keep the
    site's URL, as the page does.
    """
    root = _fragment(record.body_html)
    for img in root.iter("img"):
        stored = record.images.get(img.get("src") or "")
        if stored is not None:
            img.set("src", asset_link(stored))
    featured = record.featured_image
    if featured is not None and featured.url:
        stored = record.images.get(featured.url)
        src = featured.url if stored is None else asset_link(stored)
        figure = builder.FIGURE(builder.IMG(src=src, alt=featured.caption))
        if featured.caption:
            figure.append(builder.FIGCAPTION(featured.caption))
        root.insert(0, figure)
    # A second pass of the body's own cleaner: a feed reader shows this HTML, so
    # nothing that runs may reach it even if a record was edited by hand.
    BODY_CLEANER(root)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def entry_from_record(
    record: ArticleRecord, *, link: str, asset_link: Callable[[str], str]
) -> FeedEntry:
    """A record's entry: ``link`` is its share URL, ``asset_link`` maps a tree path to a URL."""
    return FeedEntry(
        id=entry_id(record.site, record.edition, record.article_id),
        title=record.title,
        link=link,
        published=record.published_at,
        content_html=entry_html(record, asset_link),
        section=record.section,
        section_name=record.section_name,
    )


def newest_first(entries: Sequence[FeedEntry], limit: int = DEFAULT_LIMIT) -> list[FeedEntry]:
    """The ``limit`` newest entries, newest first; ties broken by id so the order never varies."""
    for entry in entries:
        if entry.published.utcoffset() is None:
            raise FeedError(f"entry {entry.id}: published time {entry.published} has no offset")
    ordered = sorted(entries, key=lambda entry: entry.id, reverse=True)
    ordered.sort(key=lambda entry: entry.published, reverse=True)
    return ordered[: max(limit, 0)]


def atom_feed(
    entries: Sequence[FeedEntry],
    *,
    feed_id: str,
    title: str,
    self_link: str,
    alternate_link: str,
    lang: str,
    limit: int = DEFAULT_LIMIT,
    author: str | None = None,
) -> bytes:
    """A valid Atom 1.0 document (UTF-8) of the ``limit`` newest entries, newest first.

    ``self_link`` is where the feed itself is served, ``alternate_link`` the
    page it follows (a section's index, the home page); ``author`` (default
    ``title``) is the feed's author, which Atom requires.
    """
    chosen = newest_first(entries, limit)
    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.author(name=author or title)
    feed.link(href=self_link, rel="self", type="application/atom+xml")
    feed.link(href=alternate_link, rel="alternate", type="text/html")
    feed.language(lang)
    feed.generator("")  # feedgen's default names its version: output would change with it
    feed.updated(chosen[0].published if chosen else EMPTY_FEED_UPDATED)
    for entry in chosen:
        item = feed.add_entry(order="append")
        item.id(entry.id)
        item.title(entry.title)
        item.link(href=entry.link, rel="alternate", type="text/html")
        item.published(entry.published)
        item.updated(entry.published)
        item.content(entry.content_html, type="html")
        if entry.section:
            item.category(term=entry.section, label=entry.section_name or entry.section)
    try:
        return bytes(feed.atom_str(pretty=True))
    except (ValueError, etree.LxmlError) as error:
        raise FeedError(f"feed {feed_id}: {error}") from error
