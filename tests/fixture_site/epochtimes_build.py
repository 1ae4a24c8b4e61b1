# Chinese text uses full-width punctuation; HTML templates keep long lines readable.
# ruff: noqa: E501
"""Render ``epochtimes_content.py`` to pages and feeds shaped like epochtimes.com.

Served by the same :class:`~tests.fixture_site.server.FixtureServer` as the
ntdtv fixture: ``FixtureServer(builder=build_epochtimes_site)``. As there,
only the canonical prefix ``https://www.epochtimes.com`` is rewritten to the
fixture's origin; list items spell their links in the site's other forms
(``http://epochtimes.com``, ``//www.epochtimes.com``, relative) so URL
normalisation is exercised. The markup adds chrome and body furniture
(share header, ad slot, related and recommended blocks) that a careless
extractor would take for article text. Images on ``https://i.epochtimes.com``
are served on the origin under ``/i.epochtimes.com`` when asked
(``serve_images``: pages and feeds then link them there), drawn as
``images.py`` draws ntdtv's, so a crawl never leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from tests.fixture_site import images
from tests.fixture_site.build import FixtureResponse, html_response
from tests.fixture_site.content import Block, Embed, Figure, Heading, Paragraph, Quote, Raw
from tests.fixture_site.epochtimes_content import (
    ARTICLES,
    CANONICAL,
    FEED_DOCTYPE,
    FEED_FULL,
    FEED_NOT_XML,
    HTTP_404,
    PLACEHOLDER_GIF,
    SECTIONS,
    TRUNCATED,
    EpochArticle,
    EpochSection,
)

HTML = "text/html; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
NEW_YORK = ZoneInfo("America/New_York")

_WORDS = {
    "gb": {"lang": "zh-Hans", "site": "大纪元", "home": "首页", "upd": "更新", "next": "下一页"},
    "b5": {"lang": "zh-Hant", "site": "大紀元", "home": "首頁", "upd": "更新", "next": "下一頁"},
}
_VARIANTS = (
    CANONICAL,
    "http://epochtimes.com",
    "",
    "//www.epochtimes.com",
    "https://epochtimes.com",
)


def _w(edition: str, key: str) -> str:
    return _WORDS[edition][key]


def _head(edition: str, title: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="{_w(edition, "lang")}">
<head>
<meta charset="UTF-8">
<title>{title}</title>
<link rel="stylesheet" href="{CANONICAL}/wp-content/themes/epochtimes/style.css">
{extra}
<script>var et_ajax = {{"url": "{CANONICAL}/wp-admin/admin-ajax.php"}};</script>
</head>"""


def _header(edition: str) -> str:
    nav = "".join(
        f'<li><a href="{CANONICAL}/{edition}/{s.id}.htm">{escape(s.name)}</a></li>'
        for s in SECTIONS
        if s.edition == edition
    )
    return f"""<header id="header"><div class="logo"><a href="{CANONICAL}/{edition}/"><img src="{CANONICAL}/assets/logo.png" alt="{_w(edition, "site")}"></a></div>
<nav><ul>{nav}</ul></nav><form action="{CANONICAL}/{edition}/search"><input name="q"></form></header>"""


def _footer() -> str:
    return f"""<footer id="footer"><p>© 2000-2022 大纪元 版权所有</p></footer>
<script src="{CANONICAL}/wp-content/themes/epochtimes/main.js"></script>
</body>
</html>
"""


# --------------------------------------------------------------------------- list pages
def _list_item(a: EpochArticle, n: int) -> str:
    url = _VARIANTS[n % len(_VARIANTS)] + a.path + ("?utm_source=list" if n % 3 == 1 else "")
    title = escape(a.title or "")
    return f"""  <div class="one_post"><div class="img"><a href="{escape(url)}"><img src="{CANONICAL}/assets/thumb.jpg" alt=""></a></div>
   <div class="text"><div class="title"><a href="{escape(url)}">{title}</a></div><div class="excerpt">{escape(a.excerpt)}</div></div></div>"""


def _pager(sec: EpochSection, page: int) -> str:
    parts = []
    for n in range(1, len(sec.pages) + 1):
        if n == page:
            parts.append(f'<span class="page-numbers current">{n:,}</span>')
        else:
            parts.append(f'<a class="page-numbers" href="{CANONICAL}{sec.page_path(n)}">{n:,}</a>')
    if page < len(sec.pages):
        parts.append(
            f'<a class="next page-numbers" href="{CANONICAL}{sec.page_path(page + 1)}">{_w(sec.edition, "next")}</a>'
        )
    return f'<div class="pagination">{"".join(parts)}</div>'


def render_list_page(sec: EpochSection, page: int, arts: Iterable[EpochArticle]) -> str:
    by_id = {a.id: a for a in arts if a.edition == sec.edition}
    ed, name = sec.edition, escape(sec.name)
    if sec.drifted:
        # A redesign: cards instead of div.one_post, no h1 over the list.
        items = "\n".join(
            f'<article class="card"><a class="card_link" href="{CANONICAL}{by_id[i].path}">{escape(by_id[i].title or "")}</a></article>'
            for i in sec.pages[page - 1]
        )
        listing = f'<section class="cards">\n{items}\n</section>'
    else:
        items = "\n".join(_list_item(by_id[i], k) for k, i in enumerate(sec.pages[page - 1]))
        listing = f'<div class="post_list left_col">\n<h1>{name}</h1>\n{items}\n{_pager(sec, page)}\n</div>'
    return f"""{_head(ed, f"{name} | {_w(ed, 'site')}")}
<body class="archive">
{_header(ed)}
<div id="main">
{listing}
<aside id="sidebar"><h3>热门</h3><ul><li><a href="{CANONICAL}/{ed}/tag/热门.html">热门</a></li></ul></aside>
</div>
{_footer()}"""


# --------------------------------------------------------------------------- article bodies
def _img_tag(f: Figure, cls: str) -> str:
    if f.lazy:
        return f'<img class="{cls} lazy" src="{PLACEHOLDER_GIF}" {f.lazy_attr}="{escape(f.src)}" alt="">'
    return f'<img class="{cls}" src="{escape(f.src)}" alt="">'


def _paragraph(text: str, tags: list[str], edition: str) -> str:
    """Escape ``text``; the first occurrence of each pending tag becomes a /tag/ link."""
    out = escape(text)
    for tag in list(tags):
        needle = escape(tag)
        if needle in out:
            href = f"{CANONICAL}/{edition}/tag/{quote(tag)}.html"
            out = out.replace(needle, f'<a href="{escape(href)}">{needle}</a>', 1)
            tags.remove(tag)
    return f"<p>{out}</p>"


def body_html(a: EpochArticle) -> str:
    """The article's blocks as the site writes them (page body and feed content:encoded)."""
    tags = list(a.tags)
    out = []
    for n, b in enumerate(a.body):
        out.append(_block(b, a, n, tags))
    return "\n".join(out)


def _block(b: Block, a: EpochArticle, n: int, tags: list[str]) -> str:
    if isinstance(b, Paragraph):
        return _paragraph(b.text, tags, a.edition)
    if isinstance(b, Heading):
        return f"<h2>{escape(b.text)}</h2>"
    if isinstance(b, Quote):
        return f"<blockquote><p>{escape(b.text)}</p></blockquote>"
    if isinstance(b, Figure):
        wp = int(a.id[1:]) * 10 + n
        img = _img_tag(b, f"size-large wp-image-{wp}")
        if b.link:
            img = f'<a target="_blank" href="{escape(b.link)}">{img}</a>'
        return (
            f'<figure id="attachment_{wp}" class="wp-caption aligncenter" style="width: 600px">'
            f'{img}<figcaption class="wp-caption-text">{escape(b.caption)}</figcaption></figure>'
        )
    if isinstance(b, Embed):
        return f'<p><iframe src="{escape(b.src)}" width="560" height="315" frameborder="0" allowfullscreen="allowfullscreen"></iframe></p>'
    assert isinstance(b, Raw)
    return b.html


# --------------------------------------------------------------------------- article pages
def _local(a: EpochArticle) -> str:
    """The publication on the site's clock, as the page shows it: ``2022-04-17 8:02 AM``."""
    return _reading(a.published)


def _reading(moment: datetime) -> str:
    when = moment.astimezone(NEW_YORK)
    return f"{when:%Y-%m-%d} {when.hour % 12 or 12}:{when:%M} {'PM' if when.hour >= 12 else 'AM'}"


def _jsonld(obj: object) -> str:
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def _article_head(a: EpochArticle) -> str:
    site = _w(a.edition, "site")
    meta = [
        f'<link rel="canonical" href="{a.url}">',
        f'<meta property="og:site_name" content="{site}">',
        f'<meta property="og:url" content="{a.url}">',
    ]
    if a.title:
        meta.append(f'<meta property="og:title" content="{escape(a.title)}">')
    if a.page_time == "update":
        meta.append(
            f'<meta property="article:published_time" content="{a.published.astimezone(NEW_YORK).isoformat()}">'
        )
    meta.append(_jsonld({"@context": "https://schema.org", "@type": "WebSite", "name": site}))
    if a.jsonld:
        data: dict[str, object] = {"@context": "https://schema.org", "@type": "NewsArticle"}
        if a.title:
            data["headline"] = a.title
        data["datePublished"] = a.published.astimezone(NEW_YORK).isoformat()
        data["articleBody"] = a.article_body
        meta.append(_jsonld(data))
    title = f"{escape(a.title)} | {site}" if a.title else ""
    return _head(a.edition, title, "\n".join(meta))


def _time_html(a: EpochArticle) -> str:
    local = _local(a)
    if a.page_time == "datetime":
        iso = a.published.astimezone(NEW_YORK).isoformat()
        return f'<time datetime="{iso}">{local}</time>'
    if a.page_time == "text":
        return f"<time>{local}</time>"
    if a.page_time == "update":
        # Only the last update is shown: a day and a half after the publication.
        later = _reading(a.published + timedelta(hours=36))
        return f"<time>{_w(a.edition, 'upd')}: {later}</time>"
    return ""


def _arttop(a: EpochArticle) -> str:
    title = f'<h1 class="title">{escape(a.title)}</h1>' if a.title else ""
    info = f'<div class="info"><span class="author">大纪元</span>{_time_html(a)}</div>'
    image = ""
    f = a.featured
    if f is not None and f.lazy:
        image = f'<div class="featured_image">{_img_tag(f, "featured")}<div class="caption">{escape(f.caption)}</div></div>'
    elif f is not None:
        image = f'<div class="arttop_img"><img src="{escape(f.src)}" alt=""><div class="caption">{escape(f.caption)}</div></div>'
    if f is not None and f.lazy:
        return f'<div class="arttop arttop2">{title}{info}</div>\n{image}'
    return f'<div class="arttop arttop2">{title}{info}{image}</div>'


def render_article(a: EpochArticle) -> str:
    """The full article page (before origin rewriting and truncation)."""
    ed = a.edition
    sec = next((s for s in SECTIONS if s.edition == ed and s.id in a.sections), None)
    crumbs = f'<a class="breadcrumbs" href="{CANONICAL}/{ed}/">{_w(ed, "home")}</a>'
    if sec is not None:
        crumbs += (
            f' <a class="breadcrumbs" href="{CANONICAL}/{ed}/{sec.id}.htm">{escape(sec.name)}</a>'
        )
    furniture_top = '<header><div class="share_box"><a href="#">Facebook</a> <a href="#">Twitter</a></div><span class="font_size">字号：大 中 小</span></header>'
    furniture_end = (
        '<div id="below_article_ad"><ins class="adsbygoogle" data-ad-slot="1"></ins></div>\n'
        f'<aside><h3>相关文章</h3><ul><li><a href="{CANONICAL}/{ed}/22/1/1/n18000001.htm">一篇相关文章的标题</a></li></ul></aside>\n'
        f'<div id="recommend_post"><h3>推荐阅读</h3><a href="{CANONICAL}/{ed}/22/1/2/n18000002.htm">一篇推荐文章</a></div>'
    )
    if a.layout == "structured":
        # A redesign that renders the body with script: only JSON-LD still has it.
        main = f'<div class="article-app" data-id="{a.id}">正在加载…</div>'
        top = ""
    elif a.layout == "generic":
        main = f'<div class="entry">\n{body_html(a)}\n</div>'
        top = ""
    else:
        main = f'<div id="artbody" itemprop="articleBody">\n{furniture_top}\n{body_html(a)}\n{furniture_end}\n</div>'
        top = _arttop(a)
    return f"""{_article_head(a)}
<body class="single">
{_header(ed)}
<div id="main" class="main_content">
<div class="breadcrumb">{crumbs}</div>
{top}
{main}
</div>
<aside id="sidebar"><h3>热门</h3><ul><li><a href="{CANONICAL}/{ed}/22/1/3/n18000003.htm">热门文章一</a></li></ul></aside>
{_footer()}"""


# --------------------------------------------------------------------------- feeds
def _cdata(text: str) -> str:
    """``text`` as CDATA, split where it contains the CDATA terminator."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _rfc822(a: EpochArticle) -> str:
    return a.published.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _feed_item(a: EpochArticle, sec: EpochSection) -> str:
    content = ""
    if sec.feed == FEED_FULL:
        html = body_html(a)
        if a.feed_more_link:
            first = html.split("\n", 1)[0]
            html = (
                f'{first}\n<p><a href="{a.url}#more-{a.id[1:]}" class="more-link">继续阅读</a></p>'
            )
        content = f"\n\t\t<content:encoded>{_cdata(html)}</content:encoded>"
    categories = "".join(f"\n\t\t<category>{_cdata(t)}</category>" for t in (sec.name, *a.tags))
    return f"""
\t<item>
\t\t<title>{escape(a.title or "")}</title>
\t\t<link>{a.url}</link>
\t\t<pubDate>{_rfc822(a)}</pubDate>{categories}
\t\t<description>{_cdata(a.excerpt)}</description>{content}
\t</item>"""


def render_feed(sec: EpochSection, arts: Iterable[EpochArticle]) -> str:
    """A section's WordPress RSS 2.0 feed, items newest first as the section lists them."""
    by_id = {a.id: a for a in arts if a.edition == sec.edition}
    items = "".join(_feed_item(by_id[i], sec) for i in sec.items if i in by_id)
    # Two items the parser must skip: another host, and an IP literal.
    items += "\n\t<item><title>外站</title><link>https://example.org/gb/22/4/1/n1.htm</link></item>"
    items += "\n\t<item><title>地址</title><link>http://10.0.0.1/gb/22/4/1/n2.htm</link></item>"
    site = _w(sec.edition, "site")
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:atom="http://www.w3.org/2005/Atom">
<channel>
\t<title>{escape(sec.name)} | {site}</title>
\t<atom:link href="{CANONICAL}{sec.feed_path}" rel="self" type="application/rss+xml" />
\t<link>{CANONICAL}</link>
\t<description>大纪元新闻网</description>
\t<language>zh_CN</language>{items}
</channel>
</rss>
"""


#: A feed that declares entities: a reader that expands them blows up (billion laughs).
DOCTYPE_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&c; &x;</title>
<item><title>&c;</title><link>https://www.epochtimes.com/gb/22/4/13/n19000112.htm</link></item>
</channel></rss>
"""

_NOT_FOUND = """<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="UTF-8"><title>找不到页面 | 大纪元</title></head>
<body><h1>404</h1><p>您访问的页面不存在。</p></body></html>
"""
_ERROR = """<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>
"""


def _truncate(page: str, a: EpochArticle) -> bytes:
    """Cut the page in the middle of its second paragraph, as a dropped connection would."""
    text = escape(a.paragraphs[1])
    cut = page.index(text, page.index('id="artbody"')) + len(text) // 2
    return page[:cut].encode("utf-8")


IMAGE_HOST = "https://i.epochtimes.com"
SERVED_PREFIX = "/i.epochtimes.com"


def _image_files(text: str) -> dict[str, FixtureResponse]:
    """The files of the image-host URLs in ``text``, drawn from their names (see images.py)."""
    served: dict[str, FixtureResponse] = {}
    for url in re.findall(re.escape(IMAGE_HOST) + r"/[A-Za-z0-9/._-]+", text):
        spec = images.image_spec(images.IMAGE_HOST + url[len(IMAGE_HOST) :])
        data = images.image_bytes(spec) if spec is not None else None
        if spec is not None and data is not None:
            path = SERVED_PREFIX + url[len(IMAGE_HOST) :]
            served[path] = FixtureResponse(200, spec.content_type, data)
    return served


def build_epochtimes_site(
    origin: str | None = None,
    *,
    articles: Iterable[EpochArticle] | None = None,
    serve_images: bool = False,
) -> dict[str, FixtureResponse]:
    """Map every served path (no query) to its response; ``origin`` replaces the canonical prefix."""
    arts = tuple(ARTICLES if articles is None else articles)

    images_served: dict[str, FixtureResponse] = {}

    def rewrite(text: str) -> str:
        if not origin:
            return text
        if serve_images:
            images_served.update(_image_files(text))
            text = text.replace(IMAGE_HOST + "/", origin + SERVED_PREFIX + "/")
        return text.replace(CANONICAL, origin)

    site: dict[str, FixtureResponse] = {
        "/robots.txt": FixtureResponse(
            200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
        ),
    }
    for sec in SECTIONS:
        for n in range(1, len(sec.pages) + 1):
            if n == sec.failing_page:
                site[sec.page_path(n)] = html_response(_ERROR, 500)
            else:
                site[sec.page_path(n)] = html_response(rewrite(render_list_page(sec, n, arts)))
        if sec.feed == FEED_NOT_XML:
            # Feeds switched off: WordPress answers the section's HTML page instead.
            site[sec.feed_path] = site[sec.page_path(1)]
        elif sec.feed == FEED_DOCTYPE:
            site[sec.feed_path] = FixtureResponse(200, RSS, rewrite(DOCTYPE_FEED).encode("utf-8"))
        else:
            site[sec.feed_path] = FixtureResponse(
                200, RSS, rewrite(render_feed(sec, arts)).encode("utf-8")
            )
    for a in arts:
        if a.expect == HTTP_404:
            site[a.path] = html_response(_NOT_FOUND, 404)
            continue
        text = rewrite(render_article(a))
        if a.expect == TRUNCATED:
            site[a.path] = FixtureResponse(200, HTML, _truncate(text, a))
        else:
            site[a.path] = html_response(text)
    site.update(images_served)
    return site
