"""What goodnews-scraper knows of epochtimes.com (大纪元): URLs, list pages, feeds, articles.

The site's second module, in the shape of :mod:`goodnews_scraper.sites.ntdtv`:
pure functions of a page's (or a feed's) text and URL, tested on fixture pages
without Scrapy. Where the facts come from, and how sure they are, is written
down in ``docs/epochtimes-site.md``.

Each section has a WordPress feed whose items carry the whole article in
``content:encoded``; :func:`parse_feed` turns such an item into the same
:class:`ParsedArticle` the page would give, so one feed request can replace
one request per article. The page stays the fallback: for teaser items, and
for what the feed lacks (the lead image sits in the page's ``div.arttop``).

Extraction on a page is layered as on ntdtv: the site's own selectors, then
the page's structured data (``article:published_time``, JSON-LD), then the
generic main-content fallback; each result names the site selectors that did
not match.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from lxml import etree

from goodnews_scraper.extraction import (
    Query,
    json_ld_scripts,
    json_ld_texts,
    main_content,
    news_article,
    parse_html,
    text_to_paragraphs_html,
)
from goodnews_scraper.items import (
    EXTRACTION_GENERIC,
    EXTRACTION_SITE,
    EXTRACTION_STRUCTURED,
    Image,
    ListedArticle,
)
from goodnews_scraper.sites.base import (
    ArticleRejected,
    Feed,
    FeedEntry,
    FeedRejected,
    ListPage,
    ParsedArticle,
    Site,
)
from goodnews_scraper.sites.html_text import STRING, clean_text, inner_html, text_of
from goodnews_scraper.sites.pager import next_page
from goodnews_scraper.sites.urls import SiteUrlsBase

__all__ = [
    "DEFAULT_SECTIONS",
    "EDITIONS",
    "OUTLET_NAMES",
    "SITE",
    "SITE_CLOCK",
    "ArticleRejected",
    "Feed",
    "FeedEntry",
    "FeedRejected",
    "ListPage",
    "ParsedArticle",
    "SiteUrls",
    "article_id",
    "clock_reading",
    "parse_article",
    "parse_feed",
    "parse_list_page",
    "section_id",
    "site_clock",
]

EDITIONS = ("gb", "b5")
#: The channels the mirror begood0513/goodnews synced (``scripts/sync_epoch.sh``).
DEFAULT_SECTIONS = (
    "nf4514",
    "nsc415",
    "nsc412",
    "nsc413",
    "nsc418",
    "nsc423",
    "nsc422",
    "nsc993",
    "nsc424",
)
#: The outlet's name as each edition writes it (templates' labels).
OUTLET_NAMES = {"gb": "大纪元", "b5": "大紀元"}
#: Host names the site's own pages use for itself, whatever the scheme.
SITE_HOSTS = frozenset({"www.epochtimes.com", "epochtimes.com"})
#: Where its pages put their images (``/assets/uploads/``), fetched by the images pipeline.
IMAGE_HOSTS = frozenset({"i.epochtimes.com"})
#: Where the players its articles embed come from, besides YouTube (VIDEO_HOSTS).
PLAYER_HOSTS = frozenset({"www.youmaker.com", "youmaker.com"})
#: Each edition's script as a language tag, for HTML ``lang`` and Atom ``xml:lang``.
EDITION_LANGS = {"gb": "zh-Hans", "b5": "zh-Hant"}
#: Query parameters that only track; dropped so one page has one URL.
TRACKING_PARAMS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_content"})
#: The clock of the site's own time readings that state no zone: the
#: publisher's home, New York (see the docs page: medium-low confidence).
#: Feed dates and ``datetime`` attributes state their offset and need none.
SITE_CLOCK = ZoneInfo("America/New_York")

#: ``n13713766``: the site's post number. Never trusted: validated here.
ARTICLE_ID_RE = re.compile(r"n[1-9][0-9]{0,11}")
#: Channel ids: ``nsc412`` (news sections), ``nf4514`` (collections), ``ncid1349362``.
SECTION_RE = re.compile(r"(?:nsc|nf|ncid)[1-9][0-9]{0,11}")
#: ``/gb/22/4/17/n13713766.htm``: two-digit year, month and day unpadded.
ARTICLE_PATH_RE = re.compile(
    r"/(gb|b5)/([0-9]{2})/([0-9]{1,2})/([0-9]{1,2})/(n[1-9][0-9]{0,11})\.htm"
)

#: A canonical article URL, as the item schema checks it.
URL_PATTERN = r'^https?://[^\s<>"]+/(gb|b5)/[0-9]{2}/[0-9]{1,2}/[0-9]{1,2}/n[1-9][0-9]{0,11}\.htm$'

_CLOCK_RE = re.compile(
    r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?\s*(\d{1,2}):(\d{2})(?::\d{2})?\s*([AaPp][Mm])?"
)
_ISO_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_LEAD_DATE_RE = re.compile(r"【大[纪紀]元(\d{4})年(\d{1,2})月(\d{1,2})日[讯訊]】")
_UPDATE_LABEL_RE = re.compile(r"更新")
_BYLINE_RE = re.compile(r"^[（(]?(?:责任编辑|責任編輯)[：:]\s*\S.*?[）)]?#?$")
_SITE_SUFFIX_RE = re.compile(r"\s*[|｜-]\s*大[纪紀]元.*$")
_FEED_TEASER_RE = re.compile(
    r'class="more-link"|#more-\d+|\[(?:&#8230;|…|\.\.\.)\]\s*(?:</p>)?\s*$'
)

#: Site selectors, by what they find; monitors report those that stop matching.
SEL_LIST_ITEMS = "div.post_list div.one_post"
SEL_LIST_TITLE = "div.title > a"
SEL_SECTION_NAME = ("div.post_list > h1", "h1.page_title", "div.breadcrumb > span")
SEL_PAGER = "a.page-numbers"
SEL_TITLE = ("h1.title", "div.arttop h1", "div.titles h1")
SEL_TIME = "div.info time, div#artbody header time"
SEL_BODY = "div#artbody"
SEL_FEATURED_IMAGE = "div.arttop img, div.featured_image img"
SEL_FEATURED_CAPTION = "div.arttop div.caption, div.featured_image div.caption"
SEL_PUBLISHED_META = 'meta[property="article:published_time"]::attr(content)'
#: Page furniture inside ``div#artbody``: not part of the article.
FURNITURE = (
    "header, aside, div#below_article_ad, div#recommend_post, twitter-widget, "
    "div.arttop, div.share_box, ins, script, style, noscript"
)
#: Inline tag links (``/gb/tag/<name>.html``): kept as plain text, collected as tags.
TAG_LINKS = 'a[href*="/tag/"]'

_LIST_ITEMS = Query(SEL_LIST_ITEMS)
_LIST_TITLE = Query(SEL_LIST_TITLE)
_SECTION_NAME = tuple(Query(query) for query in SEL_SECTION_NAME)
_PAGER = Query(SEL_PAGER)
_NEXT_HREF = Query(".next::attr(href)")
_CURRENT_PAGE_TEXT = Query("span.page-numbers.current ::text")
_ANCHORS = Query("body a[href]")
_TITLE = tuple(Query(query) for query in SEL_TITLE)
_TIME = Query(SEL_TIME)
_BODY = Query(SEL_BODY)
_FEATURED_IMAGE = Query(SEL_FEATURED_IMAGE)
_FEATURED_CAPTION = Query(SEL_FEATURED_CAPTION)
_PUBLISHED_META = Query(SEL_PUBLISHED_META)
_OG_TITLE = Query('meta[property="og:title"]::attr(content)')
_TITLE_TEXT = Query("title::text")
_FURNITURE = Query(FURNITURE)
_TAG_LINKS = Query(TAG_LINKS)
_PARAGRAPHS = Query("p")
_BODY_ELEMENT = Query("body")
_HTML_END_RE = re.compile(r"</html\s*>", re.IGNORECASE)

_RSS_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def article_id(value: str) -> str:
    """``value`` if it is an epochtimes article id (``n`` and digits); ValueError otherwise."""
    if not isinstance(value, str) or not ARTICLE_ID_RE.fullmatch(value):
        raise ValueError(f"not an epochtimes article id (n followed by digits): {value!r}")
    return value


def section_id(value: str) -> str:
    """``value`` if it is a channel id (``nsc412``, ``nf4514``, ``ncid…``); else ValueError."""
    if not isinstance(value, str) or not SECTION_RE.fullmatch(value):
        raise ValueError(f"not an epochtimes channel id (nsc/nf/ncid and digits): {value!r}")
    return value


def site_clock(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A clock reading the site shows without a zone, as an aware time on :data:`SITE_CLOCK`."""
    return datetime(year, month, day, hour, minute, tzinfo=SITE_CLOCK)


class SiteUrls(SiteUrlsBase):
    """Every site URL derives from one base URL (the live site or a fixture)."""

    SITE_HOSTS = SITE_HOSTS
    TRACKING_PARAMS = TRACKING_PARAMS
    ARTICLE_PATH_RE = ARTICLE_PATH_RE
    BASE_URL_NAME = "the epochtimes base URL"

    def list_url(self, edition: str, section: str) -> str:
        """A section's first list page (later pages: follow its pager)."""
        return f"{self.base}/{edition}/{section_id(section)}.htm"

    def feed_url(self, edition: str, section: str) -> str:
        """A section's WordPress feed, as the feed names itself (``atom:link rel=self``)."""
        return f"{self.base}/{edition}/{section_id(section)}.htm/feed"


# --------------------------------------------------------------------------- titles


def _strip_suffix(title: str) -> str:
    return _SITE_SUFFIX_RE.sub("", clean_text(title))


# --------------------------------------------------------------------------- list pages
def parse_list_page(html: str, url: str, edition: str, urls: SiteUrls) -> ListPage:
    """A section list page (``/gb/nsc413.htm``, ``…_2.htm``): name, articles in order, next page."""
    page = parse_html(html)
    missed: list[str] = []
    name = ""
    for query in _SECTION_NAME:
        name = clean_text(text_of(query(page)))
        if name:
            break
    if not name:
        missed.append("section name: " + " | ".join(SEL_SECTION_NAME))
        name = _strip_suffix("".join(_TITLE_TEXT(page)))

    articles: dict[str, ListedArticle] = {}
    layer = EXTRACTION_SITE
    for post in _LIST_ITEMS(page):
        links = _LIST_TITLE(post)
        ref = urls.article_ref(links[0].get("href", ""), url, edition) if links else None
        if ref is not None and ref[0] not in articles:
            title = clean_text(text_of(links))
            articles[ref[0]] = ListedArticle(article_id=ref[0], url=ref[1], title=title)
    if not articles:
        missed.append(f"list items: {SEL_LIST_ITEMS} {SEL_LIST_TITLE}")
        layer = EXTRACTION_GENERIC
        for anchor in _ANCHORS(page):
            ref = urls.article_ref(anchor.get("href"), url, edition)
            title = clean_text(STRING(anchor))
            if ref is not None and title and ref[0] not in articles:
                articles[ref[0]] = ListedArticle(article_id=ref[0], url=ref[1], title=title)
    return ListPage(
        section_name=name,
        articles=list(articles.values()),
        next_url=next_page(
            page,
            url,
            urls,
            pager=_PAGER,
            next_href=_NEXT_HREF,
            current_text=_CURRENT_PAGE_TEXT,
        ),
        layer=layer,
        missed=missed,
    )


# --------------------------------------------------------------------------- clocks
def _aware(value: str) -> datetime | None:
    """An ISO time that states its offset (``Z`` or ``±HH:MM``); None without one."""
    match = _ISO_RE.search(value.strip())
    if match is None:
        return None
    try:
        when = datetime.fromisoformat(match.group(0).replace(" ", "T"))
    except ValueError:
        return None
    return when if when.tzinfo is not None and 1990 <= when.year <= 2100 else None


def clock_reading(text: str) -> datetime | None:
    """A ``YYYY-MM-DD HH:MM [AM|PM]`` reading in ``text``, on the site's clock."""
    match = _CLOCK_RE.search(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups()[:5])
    meridiem = (match.group(6) or "").lower()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    try:
        return site_clock(year, month, day, hour, minute)
    except ValueError:
        return None


class _JsonLd:
    """The page's JSON-LD NewsArticle, decoded on the first field a fallback asks for."""

    def __init__(self, scripts: list[Any]) -> None:
        self._scripts = scripts
        self._data: dict[str, Any] | None = None

    def get(self, key: str) -> object:
        if self._data is None:
            self._data = news_article(json_ld_texts(self._scripts))
        return self._data.get(key)


def _page_time(page: Any) -> datetime | None:
    """The page's own publication time: a ``time`` not labelled as an update."""
    for node in _TIME(page):
        text = clean_text(STRING(node))
        if _UPDATE_LABEL_RE.search(text):
            continue
        when = _aware(node.get("datetime") or "") or clock_reading(text)
        if when is not None:
            return when
    return None


def _structured_time(page: Any, ld: _JsonLd) -> datetime | None:
    """``article:published_time``, then JSON-LD ``datePublished`` (unzoned: site clock)."""
    for value in _PUBLISHED_META(page):
        when = _aware(value)
        if when is not None:
            return when
    for key in ("datePublished", "dateCreated"):
        value = ld.get(key)
        if isinstance(value, str):
            when = _aware(value) or clock_reading(value.replace("T", " "))
            if when is not None:
                return when
    return None


def _lead_date(text: str) -> datetime | None:
    """The date of the lead line ``【大纪元2022年04月17日讯】``: a day, no time."""
    lead = _LEAD_DATE_RE.search(text)
    if lead is None:
        return None
    year, month, day = (int(part) for part in lead.groups())
    try:
        return site_clock(year, month, day)
    except ValueError:
        return None


# --------------------------------------------------------------------------- article pages
def _title(page: Any, ld: _JsonLd) -> tuple[str, bool]:
    for query in _TITLE:
        title = clean_text(text_of(query(page)))
        if title:
            return title, True
    headline = ld.get("headline")
    og_title = _OG_TITLE(page)
    candidates = [
        headline if isinstance(headline, str) else "",
        og_title[0] if og_title else "",
        _strip_suffix("".join(_TITLE_TEXT(page))),
    ]
    for candidate in candidates:
        title = clean_text(candidate)
        if title:
            return title, False
    raise ArticleRejected("no_title", "no title in page, JSON-LD, og:title or <title>")


def _image_url(img: Any) -> str:
    for attr in ("data-src", "data-original", "data-lazy-src", "src"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return ""


def _featured_image(page: Any, url: str) -> Image | None:
    """The lead image above the body (``div.arttop``) with its caption."""
    found = _FEATURED_IMAGE(page)
    src = _image_url(found[0]) if found else ""
    if not src:
        return None
    absolute = urljoin(url, src)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return Image(url=absolute, caption=clean_text(text_of(_FEATURED_CAPTION(page)[:1])))


def _clean_body(body: Any) -> tuple[str, list[str]]:
    """Body HTML without furniture, tag links as text (empty when no text is left); tags."""
    for junk in _FURNITURE(body):
        if junk is not body:
            junk.drop_tree()
    tags: list[str] = []
    for link in _TAG_LINKS(body):
        text = clean_text(STRING(link))
        if text and text not in tags:
            tags.append(text)
        link.drop_tag()
    if not STRING(body).strip():
        return "", tags
    return inner_html(body), tags


def _byline(body_html: str) -> str:
    """The editor line the site ends its articles with (``责任编辑：某``), without its ``#``."""
    for paragraph in reversed(_PARAGRAPHS(parse_html(body_html))):
        text = clean_text(STRING(paragraph))
        if text:
            return text.rstrip("#").strip() if _BYLINE_RE.match(text) else ""
    return ""


def parse_article(html: str, url: str, *, feed_published: datetime | None = None) -> ParsedArticle:
    """An article page; raises :class:`ArticleRejected` when it cannot be mirrored.

    ``feed_published``: the item's ``pubDate`` when the spider read the feed
    first; it serves when the page shows no publication time of its own.
    """
    if not _HTML_END_RE.search(html[-4096:]):
        raise ArticleRejected("truncated", "the page ends before </html>")
    page = parse_html(html)
    ld = _JsonLd(json_ld_scripts(page))
    missed: list[str] = []
    title, title_from_site = _title(page, ld)
    if not title_from_site:
        missed.append("title: " + " | ".join(SEL_TITLE))
    # Read before the body is cleaned: the time and the lead image sit in its furniture.
    published = _page_time(page)
    if published is None:
        missed.append(f"time: {SEL_TIME}")
        published = feed_published or _structured_time(page, ld)
    featured = _featured_image(page, url)

    found = _BODY(page)
    body_html, tags = _clean_body(found[0]) if found else ("", [])
    extraction = EXTRACTION_SITE
    if not body_html:
        missed.append(f"body: {SEL_BODY}")
        article_body = ld.get("articleBody")
        if isinstance(article_body, str) and article_body.strip():
            body_html, extraction = text_to_paragraphs_html(article_body), EXTRACTION_STRUCTURED
        else:
            content = main_content(page)
            if content is None:
                raise ArticleRejected("no_body", "no article body found by any layer")
            body_html, tags = _clean_body(content)
            # The fallback scores prose, so a footer can win on a page with no article:
            # the site opens every article with its lead line, a guess without it is none.
            if not _LEAD_DATE_RE.search(clean_text(STRING(parse_html(body_html or "<p/>")))):
                raise ArticleRejected("no_body", "no article body found by any layer")
            extraction = EXTRACTION_GENERIC
    if published is None:
        published = _lead_date(clean_text(STRING(parse_html(body_html))))
    if published is None:
        raise ArticleRejected(
            "no_published", "no publication time in page, feed, metadata, JSON-LD or lead line"
        )
    return ParsedArticle(
        title=title,
        published=published,
        body_html=body_html,
        extraction=extraction,
        byline=_byline(body_html),
        tags=tags,
        featured_image=featured,
        missed=missed,
    )


# --------------------------------------------------------------------------- feeds
def _feed_root(xml: bytes | str) -> Any:
    """The feed's ``<channel>``, parsed without DTDs, entities or network access."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data.strip(), parser=parser)
    except etree.XMLSyntaxError as error:
        raise FeedRejected("feed_not_xml", str(error)) from None
    if root.getroottree().docinfo.doctype:
        raise FeedRejected("feed_doctype", "a feed with a DOCTYPE (entities) is not read")
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise FeedRejected("feed_not_rss", f"root element <{root.tag}> is not an RSS 2.0 <rss>")
    return channel


def _item_text(item: Any, tag: str) -> str:
    node = item.find(tag)
    return "".join(node.itertext()) if node is not None else ""


def _pub_date(text: str) -> datetime | None:
    """An RFC 822 ``pubDate`` that states its offset (``-0000`` states none)."""
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None or not 1990 <= when.year <= 2100:
        return None
    return when.astimezone(timezone(timedelta(0)))


def _feed_article(
    title: str, published: datetime | None, content: str, description: str
) -> tuple[ParsedArticle | None, str]:
    """The whole article from ``content:encoded``, or why the item is only a teaser."""
    if not content.strip():
        return None, "teaser"
    if _FEED_TEASER_RE.search(content):
        return None, "teaser"
    body = _BODY_ELEMENT(parse_html(content))
    body_html, tags = _clean_body(body[0]) if body else ("", [])
    text = clean_text(STRING(parse_html(body_html))) if body_html else ""
    if not text:
        return None, "no_content"
    if len(text) <= len(clean_text(STRING(parse_html(description)))):
        return None, "teaser"
    if not title:
        return None, "no_title"
    if published is None:
        return None, "no_published"
    article = ParsedArticle(
        title=title,
        published=published,
        body_html=body_html,
        extraction=EXTRACTION_SITE,
        byline=_byline(body_html),
        tags=tags,
    )
    return article, ""


def parse_feed(xml: bytes | str, url: str, edition: str, urls: SiteUrls) -> Feed:
    """A section's feed (``/gb/nsc413.htm/feed``): its items, whole where ``content:encoded`` is.

    Raises :class:`FeedRejected` when the text is not an RSS 2.0 feed (or
    declares a DTD); items that link elsewhere are skipped, never trusted.
    """
    channel = _feed_root(xml)
    entries: dict[str, FeedEntry] = {}
    skipped: list[str] = []
    for item in channel.iterfind("item"):
        link = clean_text(_item_text(item, "link"))
        ref = urls.article_ref(link, url, edition)
        if ref is None:
            skipped.append(link)
            continue
        if ref[0] in entries:
            continue
        title = clean_text(_item_text(item, "title"))
        published = _pub_date(_item_text(item, "pubDate"))
        article, page_needed = _feed_article(
            title, published, _item_text(item, _RSS_CONTENT), _item_text(item, "description")
        )
        entries[ref[0]] = FeedEntry(
            listed=ListedArticle(article_id=ref[0], url=ref[1], title=title),
            published=published,
            article=article,
            page_needed=page_needed,
        )
    return Feed(
        section_name=_strip_suffix(_item_text(channel, "title")),
        entries=list(entries.values()),
        skipped=skipped,
    )


class EpochtimesSite(Site):
    """epochtimes.com (大纪元) for the base spider: feeds first, pages as the fallback."""

    name = "epochtimes"
    default_base_url = "https://www.epochtimes.com"
    editions = EDITIONS
    edition_langs = EDITION_LANGS
    default_sections = DEFAULT_SECTIONS
    section_re = SECTION_RE
    section_hint = "comma-separated channel ids such as nsc413,nf4514"
    article_id_re = ARTICLE_ID_RE
    url_pattern = URL_PATTERN
    clock = SITE_CLOCK
    site_hosts = SITE_HOSTS
    image_hosts = IMAGE_HOSTS
    player_hosts = PLAYER_HOSTS

    def urls(self, base_url: str) -> SiteUrls:
        return SiteUrls(base_url)

    def parse_list_page(self, html: str, url: str, edition: str, urls: Any) -> ListPage:
        return parse_list_page(html, url, edition, urls)

    def parse_article(
        self, html: str, url: str, *, feed_published: datetime | None = None
    ) -> ParsedArticle:
        return parse_article(html, url, feed_published=feed_published)

    def feed_url(self, urls: Any, edition: str, section: str) -> str | None:
        return str(urls.feed_url(edition, section))

    def parse_feed(self, xml: bytes, url: str, edition: str, urls: Any) -> Feed:
        return parse_feed(xml, url, edition, urls)


SITE = EpochtimesSite()
