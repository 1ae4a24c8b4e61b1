"""Atom feeds of the fixture's articles, read back by feedparser.

The records are made by the project's own parser, cleaner and converter
(tests/records.py); the feed is checked as a feed reader sees it.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree

from goodnews_scraper.renderers.atom import (
    EMPTY_FEED_UPDATED,
    FeedEntry,
    FeedError,
    atom_feed,
    entry_from_record,
    entry_html,
    entry_id,
    feed_id,
)
from goodnews_scraper.renderers.html import EDITION_LANGS
from goodnews_scraper.store.records import ArticleRecord
from tests.crawl import FIXTURE_TOLERANCE, run_crawl
from tests.fixture_site import SECTIONS, FixtureServer, mirrored_articles
from tests.records import fixture_records, record
from tests.test_hostile import CAPTION, GOOD_ID, TITLE, article_page

BASE = "https://github.com/OWNER/REPO/blob/main"
ATOM = "{http://www.w3.org/2005/Atom}"
ASSETS = "https://raw.githubusercontent.com/OWNER/REPO/main"


def entries(
    records: list[ArticleRecord], base: str = BASE, assets: str = ASSETS
) -> list[FeedEntry]:
    return [
        entry_from_record(r, link=f"{base}/{r.page}", asset_link=lambda path: f"{assets}/{path}")
        for r in records
    ]


def feed(records: list[ArticleRecord], *, limit: int = 50, base: str = BASE) -> bytes:
    return atom_feed(
        entries(records, base),
        feed_id=feed_id("ntdtv", "gb", "all"),
        title="新唐人电视台 · 镜像",
        self_link=f"{base}/feeds/all.xml",
        alternate_link=f"{base}/README.md",
        lang=EDITION_LANGS["gb"],
        limit=limit,
    )


def raw_contents(document: bytes) -> dict[str, str]:
    """Each entry's HTML exactly as the feed holds it (feedparser would sanitise it first)."""
    root = etree.fromstring(document)
    return {
        entry.findtext(f"{ATOM}id"): entry.findtext(f"{ATOM}content")
        for entry in root.iter(f"{ATOM}entry")
    }


@pytest.fixture(scope="module")
def records() -> list[ArticleRecord]:
    return fixture_records("gb")


def test_the_feed_is_valid_atom_10(records: list[ArticleRecord]) -> None:
    parsed = feedparser.parse(feed(records))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.language == "zh-Hans"
    assert parsed.feed.id == "tag:goodnews-scraper,2026:ntdtv/gb/feeds/all"
    assert len(parsed.entries) == len(records) > 20


def test_entries_are_newest_first_with_their_offset(records: list[ArticleRecord]) -> None:
    parsed = feedparser.parse(feed(records))
    published = [datetime.fromisoformat(e.published) for e in parsed.entries]
    assert published == sorted((r.published_at for r in records), reverse=True)
    assert all(e.published.endswith("+08:00") for e in parsed.entries)


def test_only_the_newest_entries_are_kept(records: list[ArticleRecord]) -> None:
    parsed = feedparser.parse(feed(records, limit=5))
    newest = sorted(records, key=lambda r: r.published_at, reverse=True)[:5]
    assert [e.id for e in parsed.entries] == [
        entry_id(r.site, r.edition, r.article_id) for r in newest
    ]


def test_each_entry_carries_the_article(records: list[ArticleRecord]) -> None:
    parsed = feedparser.parse(feed(records))
    by_id = {e.id: e for e in parsed.entries}
    for article in mirrored_articles("gb"):
        if not article.sections:
            continue
        entry = by_id[entry_id("ntdtv", "gb", article.id)]
        assert entry.title == article.title
        assert entry.link == f"{BASE}/pages/{article.sections[0].replace('/', '-')}/{article.id}.md"
        text = " ".join(
            lxml.html.fragment_fromstring(entry.content[0].value, create_parent="div")
            .text_content()
            .split()
        )
        for paragraph in article.paragraphs:
            assert " ".join(paragraph.split()) in text, (article.id, paragraph)
        for subhead in article.subheads:
            assert subhead in text
        assert [tag.term for tag in entry.tags] == [article.sections[0]]


def test_every_entry_links_a_page_the_crawl_wrote(
    records: list[ArticleRecord], server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    sections = ",".join(s.path for s in SECTIONS if s.edition == "gb")
    run_crawl(server.origin, site, f"sections={sections}", settings=FIXTURE_TOLERANCE)
    parsed = feedparser.parse(feed(records))
    assert parsed.entries
    for entry in parsed.entries:
        assert entry.link.startswith(f"{BASE}/pages/")
        assert (site / entry.link.removeprefix(f"{BASE}/")).is_file(), entry.link


def test_a_b5_feed_says_its_language() -> None:
    b5 = fixture_records("b5")
    assert b5
    document = atom_feed(
        entries(b5),
        feed_id=feed_id("ntdtv", "b5", "prog204"),
        title="大陸",
        self_link=f"{BASE}/feeds/prog204.xml",
        alternate_link=f"{BASE}/indexes/prog204.md",
        lang=EDITION_LANGS["b5"],
    )
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0 and parsed.feed.language == "zh-Hant"
    assert {e.id.split(":")[-1].split("/")[1] for e in parsed.entries} == {"b5"}


def test_pictures_are_linked_as_on_the_page_featured_first(records: list[ArticleRecord]) -> None:
    with_featured = [r for r in records if r.featured_image and r.images]
    assert with_featured
    for r in with_featured:
        assert r.featured_image is not None
        html = entry_html(r, lambda path: f"../../{path}")
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        sources = [img.get("src") for img in root.iter("img")]
        assert sources and sources[0] == f"../../{r.images[r.featured_image.url]}"
        assert set(sources) <= {f"../../{path}" for path in r.images.values()}
        if r.featured_image.caption:
            assert root[0].findtext("figcaption") == r.featured_image.caption


def test_entry_ids_are_stable_when_the_mirror_moves(records: list[ArticleRecord]) -> None:
    here = feedparser.parse(feed(records))
    moved = feedparser.parse(feed(records, base="https://example.org/mirror"))
    ids = [e.id for e in here.entries]
    assert ids == [e.id for e in moved.entries]
    assert len(set(ids)) == len(ids)
    assert [e.link for e in here.entries] != [e.link for e in moved.entries]
    assert all(i.startswith("tag:goodnews-scraper,2026:ntdtv/gb/a") for i in ids)


def test_a_rerender_changes_no_byte(records: list[ArticleRecord]) -> None:
    first = feed(records)
    shuffled = list(records)
    random.Random(14).shuffle(shuffled)
    assert feed(shuffled) == first
    assert b"generator" not in first  # feedgen's default would carry its version


def test_updated_is_the_newest_entry_never_the_run(records: list[ArticleRecord]) -> None:
    parsed = feedparser.parse(feed(records))
    newest = max(r.published_at for r in records)
    assert datetime.fromisoformat(parsed.feed.updated) == newest
    older = [r for r in records if r.published_at < newest]
    parsed = feedparser.parse(feed(older))
    assert datetime.fromisoformat(parsed.feed.updated) == max(r.published_at for r in older)


def test_an_empty_feed_is_valid_and_fixed_in_time() -> None:
    empty = feed([])
    parsed = feedparser.parse(empty)
    assert parsed.bozo == 0 and parsed.version == "atom10" and parsed.entries == []
    assert datetime.fromisoformat(parsed.feed.updated) == EMPTY_FEED_UPDATED
    assert feed([]) == empty


def test_nothing_runs_from_a_hostile_or_edited_record() -> None:
    origin = "http://127.0.0.1:8000"
    url = f"{origin}/gb/2021/05/22/{GOOD_ID}.html"
    article = next(a for a in mirrored_articles("gb") if a.sections)
    hostile = record(article, article_page(origin, TITLE), url)
    # A record edited by hand: the feed cleans the body again.
    edited = dataclasses.replace(
        hostile,
        article_id="a199999009",
        body_html=hostile.body_html
        + '<p onclick="alert(1)">点<a href="javascript:alert(1)">我</a></p>'
        + "<script>stolen()</script><img src=x onerror=stolen()><style>p{}</style>",
    )
    document = feed([hostile, edited])
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0 and len(parsed.entries) == 2
    assert [entry.title for entry in parsed.entries] == [TITLE, TITLE]
    contents = raw_contents(document)
    assert len(contents) == 2
    for html in contents.values():
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        assert not root.xpath("//script | //style | //iframe | //object | //embed | //svg")
        for element in root.iter():
            assert not [a for a in element.attrib if a.lower().startswith("on")]
            assert not element.get("href", "").lower().startswith("javascript:")
        assert CAPTION in root.text_content()  # hostile text stays, as text
    edited_text = contents[entry_id("ntdtv", "gb", "a199999009")]
    assert "点" in edited_text and "stolen" not in edited_text


def test_a_time_without_offset_is_refused_in_one_line() -> None:
    entry = FeedEntry("tag:x,2026:a", "t", "https://x/a", datetime(2021, 5, 20, 8, 30), "<p>x</p>")
    with pytest.raises(FeedError, match="has no offset") as error:
        atom_feed(
            [entry],
            feed_id="tag:x,2026:f",
            title="t",
            self_link="s",
            alternate_link="a",
            lang="zh-Hans",
        )
    assert "\n" not in str(error.value)


def test_text_xml_cannot_hold_is_refused() -> None:
    beijing = timezone(timedelta(hours=8))
    entry = FeedEntry(
        "tag:x,2026:a", "坏\x07标题", "https://x/a", datetime(2021, 5, 20, tzinfo=beijing), ""
    )
    with pytest.raises(FeedError, match="tag:x,2026:f"):
        atom_feed(
            [entry],
            feed_id="tag:x,2026:f",
            title="t",
            self_link="s",
            alternate_link="a",
            lang="zh-Hans",
        )
