"""What goodnews-scraper knows of ntdtv.com: URLs, list pages, article pages.

Everything site-specific lives here (and in the spider that calls it), as pure
functions of a page's HTML and URL, so they are tested on fixture pages
without Scrapy. Extraction is layered: the site's own selectors, then the
page's JSON-LD, then a generic main-content fallback; each result says which
layer served it and which site selectors did not match.

A page is parsed once into an lxml tree, as parsel would parse it, and queried
with XPath translated from the CSS selectors and compiled at import: a query
then costs one C call instead of a parsel Selector per matched node. The
fallback layers run only when the site layer misses (JSON-LD is decoded only
when a field needs it).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from urllib.parse import urljoin, urlsplit

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
from goodnews_scraper.mirror.tree import SECTION_RE
from goodnews_scraper.sites.base import ArticleRejected, ListPage, ParsedArticle, Site
from goodnews_scraper.sites.html_text import STRING, clean_text, inner_html, outer_html, text_of
from goodnews_scraper.sites.pager import next_page
from goodnews_scraper.sites.urls import SiteUrlsBase

__all__ = ["SITE", "ArticleRejected", "ListPage", "ParsedArticle", "SiteUrls"]

EDITIONS = ("gb", "b5")
DEFAULT_SECTIONS = (
    "prog1695",
    "prog1138",
    "prog204",
    "prog203",
    "prog202",
    "prog424",
    "prog647",
    "prog1699",
)
#: Host names the site's own pages use for itself, whatever the scheme.
SITE_HOSTS = frozenset({"www.ntdtv.com", "ntdtv.com"})
#: Where the site's pages put their images (fetched by the images pipeline).
IMAGE_HOSTS = frozenset({"i.ntdtv.com"})
#: Where its own players play from (their links are kept, as YouTube's are).
PLAYER_HOSTS = frozenset({"vod.ntdtv.com"})
#: Query parameters that only track; dropped so one page has one URL.
TRACKING_PARAMS = frozenset({"featureflag", "utm_source", "utm_medium", "utm_campaign"})
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

ARTICLE_ID_RE = re.compile(r"a[0-9]{1,12}")
ARTICLE_PATH_RE = re.compile(r"/(gb|b5)/(\d{4})/(\d{2})/(\d{2})/(a\d{1,12})\.html")
#: A canonical article URL, as the item schema checks it.
URL_PATTERN = r'^https?://[^\s<>"]+/(gb|b5)/[0-9]{4}/[0-9]{2}/[0-9]{2}/a[0-9]{1,12}\.html$'
_CLOCK_RE = re.compile(r"(\d{4})[-/年](\d{1,2})[-/月](\d{1,2})日?\s*(\d{1,2}):(\d{2})")
_ISO_CLOCK_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})")
_LEAD_DATE_RE = re.compile(r"【新唐人(?:北京[时時]间)?(\d{4})年(\d{1,2})月(\d{1,2})日[讯訊]】")
_UPDATE_LABEL_RE = re.compile(r"更新")
_BYLINE_RE = re.compile(
    r"^[（(].*(?:记者|記者|编辑|編輯|报导|報導|报道|報道).*[）)]$"
    r"|^新唐人(?:记者|記者).*(?:报导|報導|报道|報道)$"
    r"|^《.*》制作组$|^《.*》製作組$"
)
_SITE_SUFFIX_RE = re.compile(r"\s*[|｜-]\s*新唐人.*$")

#: Site selectors, by what they find; monitors report those that stop matching.
SEL_LIST_ITEMS = "div.post_list div.one_post"
SEL_LIST_TITLE = "div.title > a"
SEL_SECTION_NAME = ("h1.block_title span", "h1.block_title", "div.post_list > h1 > span")
SEL_PAGER = "a.page-numbers"
SEL_TITLE = ("div.article_title > h1", "div.main_title h1", "div.main_title")
SEL_TIME = "div.article_info div.time span"
SEL_BODY = "div.article_content div.post_content, div.post_content[itemprop=articleBody]"
SEL_FEATURED_IMAGE = "div.featured_image figure img"
SEL_FEATURED_CAPTION = "div.featured_image span.caption"
SEL_FEATURED_VIDEO = "div.featured_video iframe"
#: Video pages have no featured image; their og:image is the video's poster.
SEL_VIDEO_POSTER = 'meta[property="og:image"]::attr(content)'
#: The last paragraph of a programme teaser: a link to the full video.
FULL_VIDEO_LINK_RE = re.compile(r"^【?(?:点击|點擊)(?:观看|觀看)完整(?:视频|視頻|版)】?$")
#: Page furniture inside the body: not part of the article.
FURNITURE = "div.post_related, div.print_link, div.single_ad, script, style"
#: Inline tag links: kept as plain text, collected as the item's tags.
TAG_LINKS = 'a[href$=".htm"]'

# The selectors above and a few more, compiled once.
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
_FEATURED_VIDEO = Query(SEL_FEATURED_VIDEO)
_VIDEO_POSTER = Query(SEL_VIDEO_POSTER)
_OG_TITLE = Query('meta[property="og:title"]::attr(content)')
_TITLE_TEXT = Query("title::text")
_FURNITURE = Query(FURNITURE)
_TAG_LINKS = Query(TAG_LINKS)
_PARAGRAPHS = Query("p")
_LINK_HREF = Query("a::attr(href)")
_LAST_PARAGRAPH = etree.XPath("(descendant-or-self::p)[last()]")
#: The text of a node: what parsel's ``::text`` yields for it, joined, in one call.
_HTML_END_RE = re.compile(r"</html\s*>", re.IGNORECASE)


class SiteUrls(SiteUrlsBase):
    """Every site URL derives from one base URL (the live site or a fixture)."""

    SITE_HOSTS = SITE_HOSTS
    TRACKING_PARAMS = TRACKING_PARAMS
    ARTICLE_PATH_RE = ARTICLE_PATH_RE
    BASE_URL_NAME = "NTDTV_BASE_URL"

    def list_url(self, edition: str, section: str) -> str:
        return f"{self.base}/{edition}/{section}"


def parse_list_page(html: str, url: str, edition: str, urls: SiteUrls) -> ListPage:
    """A section list page: its name, its articles in order, its next page."""
    page = parse_html(html)
    missed: list[str] = []
    name = ""
    for query in _SECTION_NAME:
        name = clean_text(text_of(query(page)))
        if name:
            break
    if not name:
        missed.append("section name: " + " | ".join(SEL_SECTION_NAME))
        name = clean_text("".join(_TITLE_TEXT(page)))
        name = _SITE_SUFFIX_RE.sub("", name)

    articles: dict[str, ListedArticle] = {}
    layer = EXTRACTION_SITE
    for post in _LIST_ITEMS(page):
        links = _LIST_TITLE(post)
        ref = urls.article_ref(links[0].get("href", ""), url, edition) if links else None
        if ref is not None and ref[0] not in articles:
            title = clean_text(text_of(links))
            articles[ref[0]] = ListedArticle(article_id=ref[0], url=ref[1], title=title)
    if not articles:
        # The list markup changed: any link to an article of this edition will do.
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


class _JsonLd:
    """The page's JSON-LD NewsArticle, decoded on the first field a fallback asks for."""

    def __init__(self, scripts: list[Any]) -> None:
        self._scripts = scripts
        self._data: dict[str, Any] | None = None

    def get(self, key: str) -> object:
        if self._data is None:
            self._data = news_article(json_ld_texts(self._scripts))
        return self._data.get(key)


def beijing_clock(text: str) -> datetime | None:
    """A ``YYYY-MM-DD HH:MM`` clock reading in ``text``, as Beijing time."""
    match = _CLOCK_RE.search(text) or _ISO_CLOCK_RE.search(text)
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=BEIJING)
    except ValueError:
        return None


def _published(page: Any, ld: _JsonLd, body: Any) -> tuple[datetime, bool]:
    """Publication time from the three clocks; True when the site's own line served.

    The page's line is Beijing time. JSON-LD holds the same clock digits but
    wrongly marked ``Z``, so its digits are read as Beijing time too. The URL
    date can be a day off and is never used. ``body`` is the parsed body HTML,
    whose text is read only when the lead line is the last clock left.
    """
    for span in _TIME(page):
        text = clean_text(STRING(span))
        if _UPDATE_LABEL_RE.search(text):
            continue
        when = beijing_clock(text)
        if when is not None:
            return when, True
    for key in ("datePublished", "dateCreated"):
        value = ld.get(key)
        if isinstance(value, str):
            match = _ISO_CLOCK_RE.search(value)
            when = beijing_clock(match.group(0)) if match else None
            if when is not None:
                return when, False
    lead = _LEAD_DATE_RE.search(clean_text(STRING(body)))
    if lead is not None:
        year, month, day = (int(part) for part in lead.groups())
        return datetime(year, month, day, tzinfo=BEIJING), False
    raise ArticleRejected("no_published", "no publication time in page, JSON-LD or lead line")


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
        _SITE_SUFFIX_RE.sub("", clean_text("".join(_TITLE_TEXT(page)))),
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
    """The featured image with its caption; on a video page, the video's poster."""
    img = _FEATURED_IMAGE(page)
    if img:
        src = _image_url(img[0])
        caption = clean_text(text_of(_FEATURED_CAPTION(page)))
    elif _FEATURED_VIDEO(page):
        poster = _VIDEO_POSTER(page)
        src, caption = (poster[0] if poster else "").strip(), ""
    else:
        return None
    if not src:
        return None
    absolute = urljoin(url, src)
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return Image(url=absolute, caption=caption)


def _last_paragraph(body: Any) -> tuple[str, Any | None]:
    """The body's last paragraph with text, and that text: where byline and teaser link sit."""
    last = _LAST_PARAGRAPH(body)
    text = clean_text(STRING(last[0])) if last else ""
    if text:
        return text, last[0]
    for paragraph in reversed(_PARAGRAPHS(body)):
        text = clean_text(STRING(paragraph))
        if text:
            return text, paragraph
    return "", None


def _full_video_url(text: str, paragraph: Any | None, url: str) -> str:
    """The link that ends a programme teaser (``【点击观看完整视频】``), or ""."""
    if paragraph is None:
        return ""
    hrefs = _LINK_HREF(paragraph)
    if not FULL_VIDEO_LINK_RE.match(text) or not hrefs or not hrefs[0]:
        return ""
    absolute = urljoin(url, hrefs[0].strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else ""


def _byline(text: str) -> str:
    """The editor or reporter line the site puts in the body's last paragraph."""
    return text if _BYLINE_RE.match(text) else ""


def _site_body(page: Any) -> tuple[str, list[str]]:
    """Body HTML with furniture removed and tag links as text (empty when no text); tags."""
    found = _BODY(page)
    if not found:
        return "", []
    body = found[0]
    for junk in _FURNITURE(body):
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


def parse_article(html: str, url: str) -> ParsedArticle:
    """An article page; raises :class:`ArticleRejected` when it cannot be mirrored."""
    if not _HTML_END_RE.search(html[-4096:]):
        raise ArticleRejected("truncated", "the page ends before </html>")
    page = parse_html(html)
    # Found before the site layer edits the tree; read only if a fallback needs it.
    ld = _JsonLd(json_ld_scripts(page))
    missed: list[str] = []
    title, title_from_site = _title(page, ld)
    if not title_from_site:
        missed.append("title: " + " | ".join(SEL_TITLE))

    body_html, tags = _site_body(page)
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
            body_html, extraction = outer_html(content), EXTRACTION_GENERIC

    video = _FEATURED_VIDEO(page)
    if video:
        # The cleaner turns the player into a visible link above the teaser.
        body_html = outer_html(video[0]) + body_html

    # Byline and teaser link are read from the body HTML as later stages see it.
    body = parse_html(body_html)
    last_text, last_paragraph = _last_paragraph(body)
    published, time_from_site = _published(page, ld, body)
    if not time_from_site:
        missed.append(f"time: {SEL_TIME}")
    return ParsedArticle(
        title=title,
        published=published,
        body_html=body_html,
        extraction=extraction,
        byline=_byline(last_text),
        tags=tags,
        featured_image=_featured_image(page, url),
        full_video_url=_full_video_url(last_text, last_paragraph, url),
        missed=missed,
    )


class NtdtvSite(Site):
    """ntdtv.com (新唐人) for the base spider."""

    name = "ntdtv"
    default_base_url = "https://www.ntdtv.com"
    base_url_alias = "NTDTV_BASE_URL"
    editions = EDITIONS
    edition_langs = {"gb": "zh-Hans", "b5": "zh-Hant"}  # noqa: RUF012
    default_sections = DEFAULT_SECTIONS
    section_re = SECTION_RE
    section_hint = "comma-separated section paths such as prog204,news/china"
    article_id_re = ARTICLE_ID_RE
    url_pattern = URL_PATTERN
    clock: tzinfo = BEIJING
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
        return parse_article(html, url)


SITE = NtdtvSite()
