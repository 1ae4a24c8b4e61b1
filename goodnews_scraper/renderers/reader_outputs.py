"""The outputs for readers who are not on github.com: Atom feeds and HTML pages.

Both are renderings of what the tree already stores (records and index
data), switched on by settings: ``ATOM_ENABLED`` (feeds/<slug>.xml and
feeds/all.xml, the newest ``ATOM_ENTRIES`` articles) and ``HTML_ENABLED``
(a ``.html`` beside every ``.md``). The pure renderers are ``atom.py`` and
``html.py``; this module decides which files they make and from what.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from goodnews_scraper.conversion.templates import md_unescape
from goodnews_scraper.renderers.atom import FeedEntry, atom_feed, entry_from_record, feed_id
from goodnews_scraper.renderers.html import EDITION_LANGS, html_name, html_page
from goodnews_scraper.settings_checks import atom_entries

if TYPE_CHECKING:
    from jinja2 import Template
    from scrapy.settings import BaseSettings

    from goodnews_scraper.mirror.tree import IndexEntry
    from goodnews_scraper.renderers.links import Links
    from goodnews_scraper.store.records import ArticleRecord

FEEDS_DIR = "feeds"
ALL_FEED = f"{FEEDS_DIR}/all.xml"
_HEADING = re.compile(r"^# (.+)$", re.M)

#: Reads the store record of the page at a tree path (None when it has none).
RecordLoader = Callable[[str], "ArticleRecord | None"]


@dataclass(frozen=True)
class ReaderOutputs:
    atom: bool = True
    atom_entries: int = 50
    html: bool = False

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ReaderOutputs:
        return cls(
            atom=settings.getbool("ATOM_ENABLED", True),
            atom_entries=atom_entries(settings),
            html=settings.getbool("HTML_ENABLED", False),
        )


def heading(markdown: str) -> str:
    """The page's first ``# heading`` as text: the title of its HTML page and feed."""
    found = _HEADING.search(markdown)
    return md_unescape(found.group(1)).strip() if found else ""


def html_file(
    template: Template, markdown: str, md_relpath: str, edition: str, links: Links
) -> tuple[str, bytes]:
    """The ``.html`` beside a Markdown file of the tree."""
    prefixes = (links.assets_base_url + "/",) if links.assets_base_url else ()
    page = html_page(
        markdown,
        title=heading(markdown),
        lang=EDITION_LANGS.get(edition, "zh"),
        template=template,
        asset_prefixes=prefixes,
    )
    return html_name(md_relpath), page


def feed_file(
    relpath: str,
    *,
    site: str,
    edition: str,
    name: str,
    title: str,
    alternate: str,
    entries: Sequence[IndexEntry],
    load: RecordLoader,
    links: Links,
    limit: int,
) -> tuple[str, bytes]:
    """One feed of the newest ``limit`` of ``entries`` (index entries, newest first)."""
    feed_entries: list[FeedEntry] = []
    for entry in entries:
        if len(feed_entries) == limit:
            break
        record = load(entry.page)
        if record is None:  # a page of an earlier release not yet stored as a record
            continue
        feed_entries.append(
            entry_from_record(
                record,
                link=links.share_url(record),
                asset_link=lambda path: links.asset(path, relpath),
            )
        )
    data = atom_feed(
        feed_entries,
        feed_id=feed_id(site, edition, name),
        title=title,
        self_link=links.public(relpath) if links.mirror_base_url else relpath,
        alternate_link=links.public(alternate),
        lang=EDITION_LANGS.get(edition, "zh"),
        limit=limit,
    )
    return relpath, data
