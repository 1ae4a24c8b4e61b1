"""epochtimes parsing on the fixture's pages and feeds, without Scrapy: fields, layers, clocks.

Also measures what reading a section's feed saves: the feed's whole items
need no page request (``test_requests_saved_by_reading_the_feed``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.error import HTTPError
from urllib.request import urlopen
from zoneinfo import ZoneInfo

import pytest
from parsel import Selector

from goodnews_scraper.sites.epochtimes import (
    OUTLET_NAMES,
    ArticleRejected,
    Feed,
    FeedRejected,
    ParsedArticle,
    SiteUrls,
    article_id,
    parse_article,
    parse_feed,
    parse_list_page,
    section_id,
)
from tests.fixture_site import FixtureServer
from tests.fixture_site.epochtimes_build import build_epochtimes_site
from tests.fixture_site.epochtimes_content import (
    ARTICLES,
    FEED_DOCTYPE,
    FEED_FULL,
    FEED_NOT_XML,
    FEED_TEASER,
    MIRRORED,
    SECTIONS,
    EpochArticle,
    EpochSection,
    article,
)

ORIGIN = "http://127.0.0.1:8000"
SITE = build_epochtimes_site(ORIGIN)
URLS = SiteUrls(ORIGIN)
NEW_YORK = ZoneInfo("America/New_York")
MIRRORED_ARTICLES = [a for a in ARTICLES if a.expect == MIRRORED]


def page_html(path: str) -> str:
    return SITE[path].body.decode("utf-8", "replace")


def parse(a: EpochArticle, **kwargs: datetime) -> ParsedArticle:
    return parse_article(page_html(a.path), ORIGIN + a.path, **kwargs)


def text_of(html: str) -> str:
    """What a reader sees of ``html``, without whitespace."""
    return re.sub(r"\s+", "", Selector(text=html).xpath("string(//body)").get(""))


def expected_published(a: EpochArticle) -> datetime:
    """The generic page keeps no clock but its lead line: that day, midnight in New York."""
    if a.page_time == "none" and not a.jsonld:
        assert a.lead is not None
        y, m, d = (int(part) for part in re.findall(r"\d+", a.lead))
        return datetime(y, m, d, tzinfo=NEW_YORK)
    return a.published


def feed(sec: EpochSection) -> Feed:
    return parse_feed(SITE[sec.feed_path].body, ORIGIN + sec.feed_path, sec.edition, URLS)


# --------------------------------------------------------------------------- article pages
@pytest.mark.parametrize("fixture", MIRRORED_ARTICLES, ids=lambda a: f"{a.edition}-{a.id}")
def test_article_fields(fixture: EpochArticle) -> None:
    parsed = parse_article(page_html(fixture.path), ORIGIN + fixture.path)
    assert parsed.title == fixture.title
    assert parsed.published == expected_published(fixture)
    assert parsed.published.tzinfo is not None
    assert parsed.extraction == fixture.extraction
    assert parsed.byline == (fixture.byline or "")
    if fixture.extraction != "structured":  # JSON-LD text keeps no links
        assert parsed.tags == list(fixture.tags)
    if fixture.featured is None or not fixture.featured.src.startswith("https://"):
        assert parsed.featured_image is None
    else:
        assert parsed.featured_image is not None
        assert parsed.featured_image.url == fixture.featured.src
        assert parsed.featured_image.caption == fixture.featured.caption
    body = text_of(parsed.body_html)
    for paragraph in fixture.paragraphs:
        assert re.sub(r"\s+", "", paragraph) in body
    for furniture in ("below_article_ad", "recommend_post", "share_box", "adsbygoogle", "/tag/"):
        assert furniture not in parsed.body_html
    for furniture in ("相关文章", "推荐阅读", "字号"):
        assert furniture not in body
    assert ("body: " in " ".join(parsed.missed)) == (fixture.extraction != "site")


def test_figures_lazy_images_and_videos_stay_in_the_body() -> None:
    figures = parse(article("n19000101")).body_html
    assert figures.count("wp-caption-text") == 2
    assert "学生们在教室里练习毛笔字" in figures and "calligraphy-class-2-1200x800" in figures
    lazy = parse(article("n19000102"))
    assert 'data-src="https://i.epochtimes.com/assets/uploads/2022/04/rice-planting-1' in (
        lazy.body_html
    )
    assert 'data-original="https://i.epochtimes.com/' in lazy.body_html
    assert lazy.featured_image is not None and lazy.featured_image.url.endswith(
        "rice-main-800x450.jpg"
    )
    videos = parse(article("n19000103")).body_html
    assert videos.count("<iframe") == 2
    assert "youtube.com/embed/" in videos and "youmaker.com/embed/" in videos


@pytest.mark.parametrize(
    "fixture", [a for a in ARTICLES if a.expect in ("no_title", "truncated")], ids=lambda a: a.id
)
def test_broken_articles_are_rejected_with_a_reason(fixture: EpochArticle) -> None:
    with pytest.raises(ArticleRejected) as rejected:
        parse(fixture)
    assert rejected.value.reason == fixture.expect


def test_page_readings_are_new_york_time_in_summer_and_winter() -> None:
    summer, winter = parse(article("n19000102")), parse(article("n19000103"))
    assert article("n19000102").page_time == article("n19000103").page_time == "text"
    assert summer.published.utcoffset() == timedelta(hours=-4)
    assert winter.published.utcoffset() == timedelta(hours=-5)
    assert summer.published == article("n19000102").published
    assert winter.published == article("n19000103").published


def test_url_date_is_never_the_publication_time() -> None:
    shifted = [
        a
        for a in MIRRORED_ARTICLES
        if a.url_date != f"{a.published:%y}/{a.published.month}/{a.published.day}"
    ]
    assert shifted
    for fixture in shifted:
        assert parse(fixture).published == expected_published(fixture)


def test_update_time_is_not_the_publication_time() -> None:
    fixture = article("n19000108")
    assert fixture.page_time == "update"
    parsed = parse(fixture)
    assert parsed.published == fixture.published  # from article:published_time
    assert any(miss.startswith("time: ") for miss in parsed.missed)


def test_the_feed_date_serves_only_when_the_page_has_no_time() -> None:
    when = datetime(2022, 4, 16, 13, 20, 59, tzinfo=UTC)
    assert parse(article("n19000108"), feed_published=when).published == when
    own = article("n19000101")
    assert parse(own, feed_published=when).published == own.published


def test_site_drift_falls_back_layer_by_layer_and_names_the_selectors() -> None:
    structured = article("n19000110")
    html = page_html(structured.path)
    parsed = parse_article(html, ORIGIN + structured.path)
    assert parsed.extraction == "structured"
    assert [miss.split(":")[0] for miss in parsed.missed] == ["title", "time", "body"]
    # Without its JSON-LD the page has nothing left to read: no title, no body.
    bare = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    bare = re.sub(r'<meta property="og:title"[^>]*>|<title>.*?</title>', "", bare)
    with pytest.raises(ArticleRejected) as rejected:
        parse_article(bare, ORIGIN + structured.path)
    assert rejected.value.reason == "no_title"
    with pytest.raises(ArticleRejected) as rejected:
        parse_article(bare.replace("<head>", "<head><title>标题</title>"), ORIGIN + structured.path)
    assert rejected.value.reason == "no_body"


def test_hostile_page_keeps_text_as_text_and_drops_what_runs() -> None:
    fixture = article("n19000109")
    parsed = parse(fixture)
    assert parsed.title == fixture.title  # markup in a title is text, for the renderers to escape
    assert "<script" not in parsed.body_html and "<style" not in parsed.body_html
    assert "注入的段落" not in text_of(parsed.body_html)
    assert "{%forxinrange(3)%}" in text_of(parsed.body_html)
    assert "&lt;img src=x onerror=alert(1)&gt;" in parsed.body_html
    assert parsed.featured_image is None  # a javascript: image is no image


# --------------------------------------------------------------------------- list pages
LIST_PAGES = [
    (sec, n) for sec in SECTIONS for n in range(1, len(sec.pages) + 1) if n != sec.failing_page
]


@pytest.mark.parametrize("sec,number", LIST_PAGES, ids=lambda v: getattr(v, "id", str(v)))
def test_list_pages(sec: EpochSection, number: int) -> None:
    url = ORIGIN + sec.page_path(number)
    page = parse_list_page(page_html(sec.page_path(number)), url, sec.edition, URLS)
    assert page.section_name == sec.name
    assert [a.article_id for a in page.articles] == list(sec.pages[number - 1])
    for listed in page.articles:
        assert listed.url == ORIGIN + article(listed.article_id).path  # one spelling, no utm_
    expected_next = ORIGIN + sec.page_path(number + 1) if number < len(sec.pages) else None
    assert page.next_url == (None if sec.drifted else expected_next)
    assert (page.layer == "generic") == sec.drifted
    assert bool(page.missed) == sec.drifted


def test_a_failing_list_page_answers_500() -> None:
    failing = [sec for sec in SECTIONS if sec.failing_page]
    assert failing
    for sec in failing:
        assert SITE[sec.page_path(sec.failing_page or 0)].status == 500


@pytest.mark.parametrize(
    "href",
    [
        "/b5/22/4/17/n19000101.htm",  # the other edition
        "https://example.org/gb/22/4/17/n19000101.htm",
        "http://10.0.0.1/gb/22/4/17/n19000101.htm",
        "http://[::1]/gb/22/4/17/n19000101.htm",
        "javascript:alert(1)",
        "/gb/22/4/17/n0190.htm",  # leading zero
        "/gb/2022/04/17/n19000101.htm",  # four-digit year
        "/gb/22/4/17/a103124021.html",  # ntdtv's form
        "/gb/22/4/17/n19000101.htm/../../../../etc/passwd",
        "/gb/22/4/17/n1234567890123.htm",  # too long
    ],
)
def test_other_edition_foreign_and_odd_links_are_not_articles(href: str) -> None:
    assert URLS.article_ref(href, ORIGIN + "/gb/nsc413.htm", "gb") is None


def test_site_host_spellings_are_articles_on_the_base() -> None:
    for prefix in ("https://www.epochtimes.com", "http://epochtimes.com", "//www.epochtimes.com"):
        ref = URLS.article_ref(prefix + "/gb/22/4/17/n19000101.htm?utm_source=x", ORIGIN, "gb")
        assert ref == ("n19000101", ORIGIN + "/gb/22/4/17/n19000101.htm")


@pytest.mark.parametrize("value", ["n1", "n13713766", "n999999999999"])
def test_article_ids_are_validated(value: str) -> None:
    assert article_id(value) == value


@pytest.mark.parametrize("value", ["", "n", "n0", "a103124021", "n1.htm", "../n1", "N1", "n1\n"])
def test_bad_article_ids_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not an epochtimes article id"):
        article_id(value)


@pytest.mark.parametrize("value", ["nsc412", "nf4514", "ncid1349362"])
def test_sections_are_validated(value: str) -> None:
    assert section_id(value) == value
    assert URLS.list_url("gb", value) == f"{ORIGIN}/gb/{value}.htm"
    assert URLS.feed_url("b5", value) == f"{ORIGIN}/b5/{value}.htm/feed"


@pytest.mark.parametrize("value", ["prog204", "nsc", "nsc412/../../x", "nsc412.htm", "../nsc1"])
def test_bad_sections_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="not an epochtimes channel id"):
        URLS.list_url("gb", value)


def test_outlet_names_per_edition() -> None:
    assert OUTLET_NAMES == {"gb": "大纪元", "b5": "大紀元"}


# --------------------------------------------------------------------------- feeds
READABLE_FEEDS = [sec for sec in SECTIONS if sec.feed in (FEED_FULL, FEED_TEASER)]


@pytest.mark.parametrize("sec", READABLE_FEEDS, ids=lambda s: f"{s.edition}-{s.id}")
def test_feed_items_and_whole_articles(sec: EpochSection) -> None:
    parsed = feed(sec)
    assert parsed.section_name == sec.name
    assert [e.listed.article_id for e in parsed.entries] == list(sec.items)
    assert parsed.skipped == [
        "https://example.org/gb/22/4/1/n1.htm",
        "http://10.0.0.1/gb/22/4/1/n2.htm",
    ]
    for entry in parsed.entries:
        fixture = article(entry.listed.article_id)
        assert entry.listed.url == ORIGIN + fixture.path
        assert entry.published == fixture.published
        whole = sec.feed == FEED_FULL and not fixture.feed_more_link and fixture.title is not None
        assert (entry.article is not None) == whole
        assert entry.page_needed == ("" if whole else "teaser")
        if entry.article is None:
            continue
        assert entry.article.title == fixture.title
        assert entry.article.published == fixture.published
        assert entry.article.byline == (fixture.byline or "")
        assert entry.article.tags == list(fixture.tags)
        assert entry.article.featured_image is None  # the lead image is only on the page
        assert "<script" not in entry.article.body_html
        for paragraph in fixture.paragraphs:
            assert re.sub(r"\s+", "", paragraph) in text_of(entry.article.body_html)


def test_a_whole_feed_item_is_the_page_article() -> None:
    """Same title, time, byline, tags and text as the page's site layer (lead image aside)."""
    compared = 0
    for sec in [s for s in READABLE_FEEDS if s.feed == FEED_FULL]:
        for entry in feed(sec).entries:
            fixture = article(entry.listed.article_id)
            if entry.article is None or fixture.extraction != "site":
                continue
            page = parse(fixture)
            assert (entry.article.title, entry.article.published) == (page.title, page.published)
            assert (entry.article.byline, entry.article.tags) == (page.byline, page.tags)
            assert text_of(entry.article.body_html) == text_of(page.body_html)
            compared += 1
    assert compared >= 5


@pytest.mark.parametrize(
    "kind,reason", [(FEED_NOT_XML, "feed_not_xml"), (FEED_DOCTYPE, "feed_doctype")]
)
def test_unreadable_feeds_are_rejected_with_a_reason(kind: str, reason: str) -> None:
    sec = next(s for s in SECTIONS if s.feed == kind)
    with pytest.raises(FeedRejected) as rejected:
        feed(sec)
    assert rejected.value.reason == reason
    assert "\n" not in str(rejected.value)


@pytest.mark.parametrize(
    "text,reason",
    [
        (b"", "feed_not_xml"),
        (b"\xff\xfe\x00garbage", "feed_not_xml"),
        ("<feed xmlns='http://www.w3.org/2005/Atom'></feed>", "feed_not_rss"),
        ("<rss version='2.0'></rss>", "feed_not_rss"),
    ],
)
def test_odd_feed_texts_are_rejected(text: bytes | str, reason: str) -> None:
    with pytest.raises(FeedRejected) as rejected:
        parse_feed(text, ORIGIN + "/gb/nsc413.htm/feed", "gb", URLS)
    assert rejected.value.reason == reason


def test_an_item_date_without_offset_is_not_trusted() -> None:
    item = article("n19000105")
    xml = (
        "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        "<title>大陆新闻 | 大纪元</title><item><title>河道清淤工程启动</title>"
        f"<link>{ORIGIN}{item.path}</link><pubDate>Thu, 14 Apr 2022 10:00:00 -0000</pubDate>"
        "<description>短</description><content:encoded><![CDATA[<p>一段比描述更长的正文文字。</p>]]>"
        "</content:encoded></item><item><title>坏日期</title>"
        f"<link>{ORIGIN}/gb/22/4/14/n19000199.htm</link><pubDate>yesterday</pubDate></item>"
        "</channel></rss>"
    )
    entries = parse_feed(xml, ORIGIN + "/gb/nsc413.htm/feed", "gb", URLS).entries
    assert [(e.published, e.article, e.page_needed) for e in entries] == [
        (None, None, "no_published"),
        (None, None, "teaser"),
    ]


# --------------------------------------------------------------------------- measured
def _page_route(sec: EpochSection, ids: set[str]) -> int:
    """Requests to reach ``ids`` through the list pages: each list page, then each article."""
    requests, url = 0, ORIGIN + sec.page_path(1)
    while url:
        requests += 1
        path = url[len(ORIGIN) :]
        if SITE[path].status != 200:
            break
        url = parse_list_page(page_html(path), url, sec.edition, URLS).next_url or ""
    return requests + len(ids)


def test_requests_saved_by_reading_the_feed(capsys: pytest.CaptureFixture[str]) -> None:
    """Per section: list pages + one request per article, against one feed + the teasers' pages.

    A feed that cannot be read costs its one request and then the page route.
    """
    rows, total_saved = [], 0
    for sec in SECTIONS:
        try:
            entries = feed(sec).entries
            ids = {e.listed.article_id for e in entries}
            by_feed = 1 + sum(1 for e in entries if e.article is None)
            by_pages = _page_route(sec, ids)
        except FeedRejected:
            ids = set(sec.pages[0])
            by_pages = _page_route(sec, ids)
            by_feed = 1 + by_pages
        # What the content says: list pages up to the first failing one, the feed's items,
        # and those it carries whole (not teasers, not untitled).
        list_pages = sec.failing_page or len(sec.pages)
        items = sec.items if sec.feed in (FEED_FULL, FEED_TEASER) else sec.pages[0]
        whole = [
            i
            for i in items
            if sec.feed == FEED_FULL and article(i).title and not article(i).feed_more_link
        ]
        assert by_pages == list_pages + len(items)
        if sec.feed in (FEED_NOT_XML, FEED_DOCTYPE):
            assert by_feed == 1 + by_pages
        else:
            assert by_feed == 1 + len(items) - len(whole)
        total_saved += by_pages - by_feed
        rows.append(f"{sec.edition}/{sec.id} {sec.feed}: pages {by_pages}, feed {by_feed}")
    assert total_saved > 0
    with capsys.disabled():
        print("\nrequests per section (list pages + articles vs feed + teaser pages):")
        print("\n".join(rows), f"\nsaved in all: {total_saved}")


def test_the_same_fixture_server_serves_the_epochtimes_site() -> None:
    """Feeds and pages come over HTTP from the ntdtv fixture's server, with the site's builder."""
    with FixtureServer(builder=build_epochtimes_site) as server:
        sec = next(s for s in SECTIONS if s.feed == FEED_FULL)
        with urlopen(server.url(sec.feed_path), timeout=10) as response:
            assert response.headers["Content-Type"].startswith("application/rss+xml")
            served = parse_feed(
                response.read(), server.url(sec.feed_path), sec.edition, SiteUrls(server.origin)
            )
        assert [e.listed.article_id for e in served.entries] == list(sec.items)
        with pytest.raises(HTTPError) as failed:
            urlopen(server.url(sec.page_path(sec.failing_page or 2)), timeout=10)
        failed.value.close()  # the error holds the response open
        assert failed.value.code == 500
