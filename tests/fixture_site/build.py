# Chinese text uses full-width punctuation; HTML templates keep long lines readable.
# ruff: noqa: E501
"""Render ``content.py`` to pages shaped like ntdtv.com.

The markup copies the real site's class names and adds plenty of chrome
(navigation, sidebar, footer, scripts, furniture inside the body) so that a
careless extractor picks up junk. Only the canonical prefix
``https://www.ntdtv.com`` is rewritten to the fixture's origin; the other host
forms (``http://ntdtv.com``, ``//www.ntdtv.com``, relative ``/gb/…``) stay as
they are so the spider's URL normalisation is exercised. Article pages also get
their image host ``https://i.ntdtv.com`` rewritten to ``<origin>/i.ntdtv.com``,
where the site serves real image files (see ``images.py``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from tests.fixture_site import images
from tests.fixture_site.content import (
    ARTICLES,
    CANONICAL,
    HTTP_404,
    MIRRORED,
    SECTIONS,
    TRUNCATED,
    Block,
    Embed,
    Figure,
    FixtureArticle,
    Heading,
    ListBlock,
    Paragraph,
    Quote,
    Raw,
    Related,
    Section,
    Table,
)

HTML = "text/html; charset=utf-8"
DEFAULT_THUMB = "https://i.ntdtv.com/assets/themes/ntd/images/shared/ntd_default-600x400.jpg"


@dataclass(frozen=True)
class FixtureResponse:
    """What the server answers for one path."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


#: Section lists that redirect to another section's list, as a renamed section does.
REDIRECTS = {"/gb/prog999": "/gb/prog1699"}


def html_response(text: str, status: int = 200) -> FixtureResponse:
    """An HTML page encoded as UTF-8."""
    return FixtureResponse(status, HTML, text.encode("utf-8"))


# --------------------------------------------------------------------------- wording
_WORDS = {
    "gb": {
        "lang": "zh-Hans",
        "site": "新唐人电视台",
        "home": "首页",
        "bj": "北京时间",
        "upd": "更新时间",
        "next": "下一页 »",
        "prev": "« 上一页",
        "related": "相关链接：",
        "print": "打印",
        "popular": "热门新闻",
        "more": "相关新闻",
        "share": "分享到：",
    },
    "b5": {
        "lang": "zh-Hant",
        "site": "新唐人電視台",
        "home": "首頁",
        "bj": "北京時間",
        "upd": "更新時間",
        "next": "下一頁 »",
        "prev": "« 上一頁",
        "related": "相關鏈接：",
        "print": "打印",
        "popular": "熱門新聞",
        "more": "相關新聞",
        "share": "分享到：",
    },
}

# Nav entries; some point at sections the fixture does not serve (404 if followed).
_NAV = {
    "gb": (
        ("prog204", "大陆"),
        ("prog202", "国际"),
        ("prog203", "美国"),
        ("prog205", "港澳"),
        ("news/china", "中国"),
        ("prog1255", "健康"),
        ("prog647", "文史"),
    ),
    "b5": (("prog204", "大陸"), ("prog202", "國際"), ("prog203", "美國"), ("prog205", "港澳")),
}

# How list items spell article links; only the first is rewritten to the origin.
_VARIANTS = (
    CANONICAL,
    "http://ntdtv.com",
    "",  # relative
    "https://ntdtv.com",
    "//www.ntdtv.com",
    "http://www.ntdtv.com",
)


def _w(edition: str, key: str) -> str:
    return _WORDS[edition][key]


# --------------------------------------------------------------------------- chrome
def _head(edition: str, title: str, extra: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="{_w(edition, "lang")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{CANONICAL}/wp-content/themes/ntd/css/style.css?ver=5.7.2">
<link rel="icon" href="{CANONICAL}/favicon.ico">
{extra}
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "{edition}"}});</script>
<script>var ntd_ajax = {{"url": "{CANONICAL}/wp-admin/admin-ajax.php"}};</script>
</head>"""


def _header(edition: str) -> str:
    nav = "".join(
        f'<li><a href="{CANONICAL}/{edition}/{p}">{escape(n)}</a></li>' for p, n in _NAV[edition]
    )
    other = "b5" if edition == "gb" else "gb"
    return f"""<header id="header">
<div class="top_bar"><a href="{CANONICAL}/{other}/">{"繁體" if edition == "gb" else "简体"}</a>
<a href="{CANONICAL}/{edition}/subscribe.html">订阅</a><a href="{CANONICAL}/{edition}/live.html">直播</a></div>
<div class="logo"><a href="{CANONICAL}/{edition}/"><img src="{CANONICAL}/wp-content/themes/ntd/images/logo.png" alt="{_w(edition, "site")}"></a></div>
<nav class="main_nav"><ul>{nav}</ul></nav>
<form class="search" action="{CANONICAL}/{edition}/search"><input name="q" placeholder="搜索"></form>
</header>"""


def _sidebar(edition: str, arts: Iterable[FixtureArticle], skip: str = "") -> str:
    items = "".join(
        f'<li><a href="{a.url}">{escape(a.title or "")}</a></li>'
        for a in [x for x in arts if x.id != skip][:5]
    )
    return f"""<aside id="sidebar">
<div class="widget popular"><h3>{_w(edition, "popular")}</h3><ul>{items}</ul></div>
<div class="widget ad"><div class="ad_slot" data-slot="sidebar-1"></div></div>
<div class="widget newsletter"><p>订阅新唐人电子报，每天获取最新消息。</p></div>
</aside>"""


def _footer(edition: str) -> str:
    return f"""<footer id="footer">
<div class="footer_links"><a href="{CANONICAL}/{edition}/about-us.html">关于我们</a>
<a href="{CANONICAL}/{edition}/contact.html">联系我们</a><a href="{CANONICAL}/{edition}/privacy.html">隐私政策</a></div>
<div class="copyright">© 2021 {_w(edition, "site")} 版权所有</div>
</footer>
<script src="{CANONICAL}/wp-content/themes/ntd/js/main.js?ver=5.7.2"></script>
<script>(function(){{var s=document.createElement('script');s.src='https://www.googletagmanager.com/gtag/js';document.head.appendChild(s);}})();</script>
</body>
</html>
"""


def _popular(arts: Iterable[FixtureArticle], edition: str) -> list[FixtureArticle]:
    return [a for a in arts if a.edition == edition and a.expect == MIRRORED and a.title]


# --------------------------------------------------------------------------- list pages
def _pager(sec: Section, page: int, prefix: str) -> str:
    """WordPress paginate_links; ``far_page`` adds a comma-formatted last number."""

    def href(n: int) -> str:
        return prefix + sec.page_path(n)

    parts = []
    if page > 1:
        parts.append(
            f'<a class="prev page-numbers" href="{href(page - 1)}">{_w(sec.edition, "prev")}</a>'
        )
    for n in range(1, sec.page_count + 1):
        if n == page:
            parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            parts.append(f'<a class="page-numbers" href="{href(n)}">{n}</a>')
    if sec.far_page:
        parts.append('<span class="page-numbers dots">…</span>')
        parts.append(f'<a class="page-numbers" href="{href(sec.far_page)}">{sec.far_page:,}</a>')
    if page < sec.page_count:
        parts.append(
            f'<a class="next page-numbers" href="{href(page + 1)}">{_w(sec.edition, "next")}</a>'
        )
    return f'<div class="pagination">{"".join(parts)}</div>'


def _list_item(a: FixtureArticle, n: int) -> str:
    url = _VARIANTS[n % len(_VARIANTS)] + a.path
    if n % 4 == 1:
        url += "?featureFlag=false"
    thumb = a.featured.src.replace("800x450", "600x400") if a.featured else DEFAULT_THUMB
    return f"""  <div class="one_post">
   <div class="img"><a href="{escape(url)}"><img src="{thumb}" alt=""></a></div>
   <div class="text"><div class="title"><a href="{escape(url)}">{escape(a.title or "")}</a></div><div class="excerpt">{escape(a.excerpt)}</div></div>
  </div>"""


def render_list_page(
    sec: Section, page: int, arts: Iterable[FixtureArticle], counter: int = 0
) -> str:
    """One page of a section list. ``counter`` picks the link spelling of each item."""
    by_id = {a.id: a for a in arts if a.edition == sec.edition}
    ed = sec.edition
    name = escape(sec.name)
    h1 = (
        f'<h1 class="block_title"><span>{name}</span></h1>'
        if sec.block_title
        else f"<h1><span>{name}</span></h1>"
    )
    items = "\n".join(_list_item(by_id[i], counter + k) for k, i in enumerate(sec.pages[page - 1]))
    # news/china spells its pager links relative, the prog lists absolute.
    prefix = CANONICAL if sec.block_title else ""
    return f"""{_head(ed, f"{name} | {_w(ed, 'site')}")}
<body class="archive category">
{_header(ed)}
<div id="main" class="container">
<div id="breadcrumb"><a href="{CANONICAL}/{ed}/">{_w(ed, "home")}</a> » <span>{name}</span></div>
<div class="post_list">
 {h1}
 <div class="list_wrapper">
{items}
 </div>
 {_pager(sec, page, prefix)}
</div>
{_sidebar(ed, _popular(by_id.values(), ed))}
</div>
{_footer(ed)}"""


# --------------------------------------------------------------------------- article pages
def _inline(a: FixtureArticle) -> list[tuple[str, str, str]]:
    """(needle, open tag, close tag) for tag links, other links and strong."""
    out = [(t, f'<a href="{CANONICAL}/{a.edition}/{escape(t)}.htm">', "</a>") for t in a.tags]
    out += [(t, f'<a href="{escape(h)}">', "</a>") for t, h in a.links]
    out += [(t, "<strong>", "</strong>") for t in a.strong]
    return out


def _paragraph_html(text: str, pending: list[tuple[str, str, str]]) -> str:
    """Escape ``text`` and wrap the first occurrence of each pending needle."""
    spans: list[tuple[int, int, str, str]] = []
    for item in list(pending):
        needle, open_, close = item
        start = text.find(needle)
        end = start + len(needle)
        if start >= 0 and all(end <= s or start >= e for s, e, _, _ in spans):
            spans.append((start, end, open_, close))
            pending.remove(item)
    out, pos = [], 0
    for s, e, open_, close in sorted(spans):
        out += [escape(text[pos:s]), open_, escape(text[s:e]), close]
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


def _img_tag(f: Figure, cls: str, alt: str = "") -> str:
    size = 'width="600" height="400"' if "600x400" in f.src else 'width="800" height="450"'
    if f.lazy:
        img = (
            f'<img class="{cls} lazy" src="{f.placeholder}" {f.lazy_attr}="{f.src}" '
            f'alt="{escape(alt)}" {size}>'
        )
    else:
        img = f'<img class="{cls}" src="{f.src}" alt="{escape(alt)}" {size}>'
    return f'<a href="{f.link}">{img}</a>' if f.link else img


def _block_html(
    b: Block,
    a: FixtureArticle,
    n: int,
    pending: list[tuple[str, str, str]],
    by_id: dict[str, FixtureArticle],
) -> str:
    if isinstance(b, Paragraph):
        return f"<p>{b.html if b.html is not None else _paragraph_html(b.text, pending)}</p>"
    if isinstance(b, Heading):
        return f"<h2>{escape(b.text)}</h2>"
    if isinstance(b, ListBlock):
        tag = "ol" if b.ordered else "ul"
        return f"<{tag}>" + "".join(f"<li>{escape(i)}</li>" for i in b.items) + f"</{tag}>"
    if isinstance(b, Table):
        head = "".join(f"<th>{escape(c)}</th>" for c in b.rows[0])
        rows = "".join(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>" for r in b.rows[1:]
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(b, Quote):
        return f"<blockquote><p>{escape(b.text)}</p></blockquote>"
    if isinstance(b, Figure):
        wp = int(a.id[1:]) % 100000 + n
        return (
            f'<figure id="attachment_{wp}" aria-describedby="caption-attachment-{wp}" '
            f'style="width: 600px" class="wp-caption aligncenter">'
            f"{_img_tag(b, f'size-medium wp-image-{wp}')}"
            f'<figcaption id="caption-attachment-{wp}" class="wp-caption-text">'
            f"{escape(b.caption)}</figcaption></figure>"
        )
    if isinstance(b, Embed):
        return (
            f'<div class="video_fit_container"><iframe src="{b.src}" width="560" '
            f'height="315" frameborder="0" allowfullscreen></iframe></div>'
        )
    if isinstance(b, Related):
        links = "".join(
            f'<li><a href="{by_id[i].url}">{escape(by_id[i].title or "")}</a></li>'
            for i in b.ids
            if i in by_id
        )
        return (
            f'<div class="post_related"><div class="related_title">'
            f"{_w(a.edition, 'related')}</div><ul>{links}</ul></div>"
        )
    assert isinstance(b, Raw)
    return b.html


def _jsonld(obj: object) -> str:
    """JSON safe inside <script>: no raw ``<``, ``>`` or ``&``."""
    text = json.dumps(obj, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'


def _article_head(a: FixtureArticle) -> str:
    site = _w(a.edition, "site")
    title = f"{escape(a.title)} | {site}" if a.title else ""
    meta = [
        f'<link rel="canonical" href="{a.url}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:url" content="{a.url}">',
        f'<meta property="og:site_name" content="{site}">',
        f'<meta name="description" content="{escape(a.excerpt)}">',
    ]
    if a.title:
        meta.append(f'<meta property="og:title" content="{escape(a.title)}">')
    if a.featured:
        meta.append(f'<meta property="og:image" content="{a.featured.src}">')
    # A Yoast-style site block first, so "first ld+json" is the wrong one.
    meta.append(
        _jsonld(
            {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": site,
                "url": f"{CANONICAL}/{a.edition}/",
            }
        )
    )
    if a.jsonld:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "mainEntityOfPage": {"@type": "WebPage", "@id": a.url},
        }
        if a.title:
            data["headline"] = a.title
        data["datePublished"] = a.jsonld_published
        data["dateModified"] = a.jsonld_modified
        if a.featured:
            data["image"] = [a.featured.src]
        data["author"] = {"@type": "Organization", "name": site}
        data["publisher"] = {
            "@type": "Organization",
            "name": site,
            "logo": {
                "@type": "ImageObject",
                "url": f"{CANONICAL}/wp-content/themes/ntd/images/logo.png",
            },
        }
        if a.jsonld_body:
            data["articleBody"] = a.article_body
        meta.append(_jsonld(data))
    return _head(a.edition, title, "\n".join(meta))


def _time_html(a: FixtureArticle) -> str:
    def line(label: str, value: str) -> str:
        return f'<div class="time"><span>{label}{value}</span></div>'

    out = []
    if a.updated:
        out.append(line(_w(a.edition, "upd") + "：", a.updated))
    if a.published:
        out.append(line(_w(a.edition, "bj") + "：" if a.time_label else "", a.published))
    return "\n".join(out)


def render_article(a: FixtureArticle, arts: Iterable[FixtureArticle] = ARTICLES) -> str:
    """The full article page (before origin rewriting and truncation)."""
    all_arts = list(arts)
    by_id = {x.id: x for x in all_arts if x.edition == a.edition}
    ed = a.edition
    pending = _inline(a)
    blocks = "\n".join(_block_html(b, a, n, pending, by_id) for n, b in enumerate(a.body))
    first_sec = a.sections[0] if a.sections else "prog204"
    sec_name = next((s.name for s in SECTIONS if (s.edition, s.path) == (ed, first_sec)), "")

    if a.title is None:
        title_html = ""
    elif a.layout == "old":
        title_html = f'<div class="main_title"><h1>{escape(a.title)}</h1></div>'
    else:
        title_html = f'<div class="article_title"><h1>{escape(a.title)}</h1></div>'

    if a.video:
        top = (
            f'<div class="featured_video"><div class="video_fit_container">'
            f'<iframe src="{a.video}" width="800" height="450" frameborder="0" '
            f"allowfullscreen></iframe></div></div>"
        )
    elif a.featured:
        f = a.featured
        top = (
            f'<div class="featured_image"><figure>{_img_tag(f, "featured", a.title or "")}'
            f'<span class="caption">{escape(f.caption)}</span></figure></div>'
        )
    else:
        top = ""

    furniture = (
        f'<div class="print_link"><a href="javascript:window.print();">'
        f'{_w(ed, "print")}</a></div>\n<div class="single_ad"></div>'
    )
    if a.layout == "structured":
        content = (
            '<div class="article_content"><div id="app-content" class="loading">'
            "正在加载…</div></div>"
        )
    elif a.layout == "generic":
        content = (
            f'<div class="share_bar">{_w(ed, "share")}<a href="#">Facebook</a> '
            f'<a href="#">Twitter</a></div>\n<div class="entry">\n{blocks}\n</div>'
        )
    else:
        content = (
            f'<div class="article_content">\n<div class="post_content" '
            f'itemprop="articleBody">\n{blocks}\n{furniture}\n</div>\n</div>'
        )

    more = "".join(
        f'<li><a href="{x.url}">{escape(x.title or "")}</a></li>'
        for x in _popular(all_arts, ed)[5:9]
        if x.id != a.id
    )
    return f"""{_article_head(a)}
<body class="post-template-default single single-post single-format-standard">
{_header(ed)}
<div id="main" class="container">
<div id="breadcrumb"><a href="{CANONICAL}/{ed}/">{_w(ed, "home")}</a> » <a href="{CANONICAL}/{ed}/{first_sec}">{escape(sec_name)}</a></div>
<div class="main_content">
{title_html}
<div class="article_info">
{_time_html(a)}
<div class="share"><a class="fb" href="#">Facebook</a><a class="tw" href="#">Twitter</a></div>
</div>
{top}
{content}
<div class="related_posts"><h3>{_w(ed, "more")}</h3><ul>{more}</ul></div>
<div id="comments"><p>请遵守当地法律法规，文明发言。</p></div>
</div>
{_sidebar(ed, _popular(all_arts, ed), skip=a.id)}
</div>
{_footer(ed)}"""


def _truncate(page: str, a: FixtureArticle) -> bytes:
    """Cut the page in the middle of its second paragraph, as a dropped connection would."""
    text = escape(a.paragraphs[1])
    cut = page.index(text, page.index('class="post_content"')) + len(text) // 2
    return page[:cut].encode("utf-8")


_NOT_FOUND = """<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">
<title>找不到页面 | 新唐人电视台</title></head><body><h1>404</h1><p>您访问的页面不存在。</p></body></html>
"""
_ERROR = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>500 Internal Server Error</title>
</head><body><h1>Internal Server Error</h1></body></html>
"""


def _image_response(url: str) -> dict[str, FixtureResponse]:
    """The image file served for an image-host URL (nothing for a "missing" one)."""
    spec = images.image_spec(url)
    data = images.image_bytes(spec) if spec is not None else None
    if spec is None or data is None:
        return {}
    return {spec.path: FixtureResponse(200, spec.content_type, data)}


def not_found() -> FixtureResponse:
    """The 404 page for unknown paths."""
    return html_response(_NOT_FOUND, 404)


# --------------------------------------------------------------------------- site
def build_site(
    origin: str | None = None,
    *,
    articles: Iterable[FixtureArticle] | None = None,
    sections: Iterable[Section] | None = None,
) -> dict[str, FixtureResponse]:
    """Map every served path (no query) to its response.

    ``origin`` (e.g. ``http://127.0.0.1:8123``) replaces the canonical prefix
    ``https://www.ntdtv.com`` only. ``articles``/``sections`` default to the
    fixture content; pass others (see ``content.with_new_article``) to change it.
    """
    arts = tuple(ARTICLES if articles is None else articles)
    secs = tuple(SECTIONS if sections is None else sections)

    def page(text: str, status: int = 200) -> FixtureResponse:
        return html_response(text.replace(CANONICAL, origin) if origin else text, status)

    site: dict[str, FixtureResponse] = {
        "/robots.txt": FixtureResponse(
            200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n"
        ),
    }
    # A section that moved: its list redirects to another section's (see REDIRECTS).
    for old_path, new_path in REDIRECTS.items():
        location = (origin or CANONICAL) + new_path
        site[old_path] = FixtureResponse(301, HTML, b"", (("Location", location),))
    counter = 0
    for sec in secs:
        for n in range(1, sec.page_count + 1):
            if n == sec.failing_page:
                site[sec.page_path(n)] = html_response(_ERROR, 500)
                continue
            site[sec.page_path(n)] = page(render_list_page(sec, n, arts, counter))
            counter += len(sec.pages[n - 1])
    for a in arts:
        if a.expect == HTTP_404:
            site[a.path] = not_found()
            continue
        raw = render_article(a, arts)
        for url in images.image_urls(raw):
            site.update(_image_response(url))
        if origin:
            raw = images.rewrite_image_host(raw, origin)
        text = page(raw).body.decode("utf-8")
        if a.expect == TRUNCATED:
            site[a.path] = FixtureResponse(200, HTML, _truncate(text, a))
        else:
            site[a.path] = html_response(text)
    return site
