"""The fixture site serves what ``content.py`` says, shaped like ntdtv.com."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from tests.fixture_site import FixtureServer, build_site
from tests.fixture_site.build import HTML, FixtureResponse, html_response
from tests.fixture_site.content import (
    ARTICLES,
    CANONICAL,
    HTTP_404,
    MIRRORED,
    NEW_ARTICLE,
    NO_TITLE,
    SECTIONS,
    TRUNCATED,
    FixtureArticle,
    article,
    articles,
    mirrored_articles,
    section,
    with_new_article,
)
from tests.fixture_site.images import served_url

# Never let a proxy from the environment see these requests.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url: str) -> tuple[int, str, bytes]:
    """(status, content type, body) without raising on HTTP errors."""
    try:
        with _OPENER.open(url, timeout=10) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except HTTPError as e:
        with e:
            return e.code, e.headers["Content-Type"], e.read()


def parse(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(body.decode("utf-8"))


def test_content_shape() -> None:
    gb = articles("gb")
    assert len(gb) >= 25
    assert len(mirrored_articles("gb")) >= 25
    assert len({a.key for a in ARTICLES}) == len(ARTICLES)
    assert any({"prog204", "prog202"} <= set(a.sections) for a in gb)
    assert {a.id for a in articles("b5")} & {a.id for a in gb}
    for a in ARTICLES:
        assert a.sections, f"{a.id} is listed on no list page"
        assert (a.expect == MIRRORED) == (a.extraction is not None)
    expects = {a.expect for a in gb}
    assert {MIRRORED, HTTP_404, NO_TITLE, TRUNCATED} <= expects
    assert {a.extraction for a in gb} >= {"site", "structured", "generic"}


def test_robots_allows_everything(server: FixtureServer) -> None:
    status, ctype, body = fetch(server.url("/robots.txt"))
    assert status == 200 and ctype.startswith("text/plain")
    assert b"Allow: /" in body


def test_list_pages(server: FixtureServer) -> None:
    for sec in SECTIONS:
        for n in range(1, sec.page_count + 1):
            status, ctype, body = fetch(server.url(sec.page_path(n)))
            if n == sec.failing_page:
                assert status == 500
                continue
            assert (status, ctype) == (200, HTML)
            tree = parse(body)
            name = tree.xpath('//div[@class="post_list"]/h1/span/text()')
            assert name == [sec.name]
            assert bool(tree.cssselect("h1.block_title")) == sec.block_title
            titles = tree.cssselect("div.post_list > div.list_wrapper > div.one_post div.title > a")
            assert len(titles) == len(sec.pages[n - 1])
            assert tree.xpath('//div[@id="breadcrumb"]/a/text()')[0] in ("首页", "首頁")


def _listed_ids(server: FixtureServer) -> set[tuple[str, str]]:
    found = set()
    for sec in SECTIONS:
        for n in range(1, sec.page_count + 1):
            status, _, body = fetch(server.url(sec.page_path(n)))
            if status != 200:
                continue
            for a in parse(body).cssselect("div.one_post div.title > a"):
                path = urlsplit(urljoin(server.origin, a.get("href"))).path
                found.add((path.split("/")[1], path.rsplit("/", 1)[1].removesuffix(".html")))
    return found


def test_every_article_is_listed(server: FixtureServer) -> None:
    assert {a.key for a in ARTICLES} <= _listed_ids(server)


def test_articles_answer_as_expected(server: FixtureServer) -> None:
    for a in ARTICLES:
        status, ctype, body = fetch(server.url(a.path))
        if a.expect == HTTP_404:
            assert status == 404, a.id
            continue
        assert (status, ctype) == (200, HTML), a.id
        text = body.decode("utf-8")
        if a.expect == TRUNCATED:
            assert not text.rstrip().endswith("</html>")
            assert text.endswith(a.paragraphs[1][: len(a.paragraphs[1]) // 2])
        else:
            assert text.rstrip().endswith("</html>"), a.id


def test_query_string_and_trailing_slash_are_ignored(server: FixtureServer) -> None:
    a = article("a103124021")
    assert fetch(server.url(a.path + "?featureFlag=false"))[0] == 200
    assert fetch(server.url("/gb/prog204/"))[0] == 200
    assert fetch(server.url("/gb/no-such-page"))[0] == 404


def test_canonical_prefix_rewritten_variants_kept(server: FixtureServer) -> None:
    pages = [fetch(server.url(s.page_path(1)))[2].decode() for s in SECTIONS]
    joined = "\n".join(pages)
    assert CANONICAL not in joined
    assert f'href="{server.origin}/gb/' in joined
    for variant in (
        '"http://ntdtv.com/',
        '"https://ntdtv.com/',
        '"//www.ntdtv.com/',
        '"http://www.ntdtv.com/',
        '"/gb/20',
    ):
        assert variant in joined, variant
    assert "?featureFlag=false" in joined
    # Images are not rewritten: they stay on i.ntdtv.com.
    assert "https://i.ntdtv.com/assets/uploads/" in joined

    a = article("a103124021")
    tree = parse(fetch(server.url(a.path))[2])
    assert tree.xpath('//link[@rel="canonical"]/@href') == [server.url(a.path)]


def test_build_without_origin_keeps_canonical() -> None:
    site = build_site()
    a = article("a103124021")
    assert f'<link rel="canonical" href="{a.url}">' in site[a.path].body.decode()


def _clean_tree(body: bytes) -> lxml.html.HtmlElement:
    tree = parse(body)
    for el in tree.xpath("//script|//style"):
        el.drop_tree()
    return tree


def _jsonld_article(tree: lxml.html.HtmlElement) -> dict[str, object] | None:
    for s in tree.xpath('//script[@type="application/ld+json"]/text()'):
        data = json.loads(s)
        if data.get("@type") == "NewsArticle":
            return dict(data)
    return None


@pytest.mark.parametrize(
    "a", [a for a in ARTICLES if a.expect == MIRRORED], ids=lambda a: f"{a.edition}-{a.id}"
)
def test_page_matches_content(server: FixtureServer, a: FixtureArticle) -> None:
    """The fixture is self-consistent: the page says what content.py expects."""
    body = fetch(server.url(a.path))[2]
    data = _jsonld_article(parse(body))
    tree = _clean_tree(body)
    title = tree.cssselect("div.main_title h1" if a.layout == "old" else "div.article_title > h1")
    assert [t.text_content() for t in title] == [a.title]
    spans = [s.text_content() for s in tree.cssselect("div.article_info > div.time > span")]
    assert spans[-1].endswith(str(a.published))
    if a.updated:
        assert len(spans) == 2 and spans[0].endswith(a.updated)
    if a.extraction == "site":
        paras = tree.cssselect('div.article_content > div.post_content[itemprop="articleBody"] > p')
        assert [p.text_content() for p in paras] == list(a.paragraphs)
        assert [h.text_content() for h in tree.cssselect("div.post_content > h2")] == list(
            a.subheads
        )
        captions = tree.cssselect("figure.wp-caption > figcaption.wp-caption-text")
        assert [c.text_content() for c in captions] == [f.caption for f in a.figures]
        tags = tree.cssselect('div.post_content p a[href$=".htm"]')
        assert [t.text_content() for t in tags] == list(a.tags)
    elif a.extraction == "structured":
        assert not tree.cssselect("div.post_content")
        assert data is not None
        assert str(data["articleBody"]).split("\n\n") == list(a.paragraphs)
    else:
        assert not tree.cssselect("div.post_content")
        assert data is None or "articleBody" not in data
        paras = tree.cssselect("div.entry > p")
        assert [p.text_content() for p in paras] == list(a.paragraphs)
    if a.jsonld:
        assert data is not None
        assert data["datePublished"] == a.jsonld_published
        assert data["headline"] == a.title
    if a.byline:
        assert a.paragraphs[-1] == a.byline
    if a.lead:
        assert a.paragraphs[0].startswith(a.lead)


def test_no_title_page_has_no_title_anywhere(server: FixtureServer) -> None:
    a = next(x for x in ARTICLES if x.expect == NO_TITLE)
    tree = parse(fetch(server.url(a.path))[2])
    assert not tree.xpath("//h1")
    assert not tree.xpath('//meta[@property="og:title"]')
    assert tree.findtext(".//title") in (None, "")
    data = _jsonld_article(tree)
    assert data is not None and "headline" not in data


def test_hostile_markup_is_present(server: FixtureServer) -> None:
    a = article("a103124188")
    text = fetch(server.url(a.path))[2].decode()
    for needle in (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        'href="javascript:alert(1)"',
        '<iframe src="https://evil.example/"',
        "<style>",
        "&lt;!--",
        "{{ 7*7 }}",
    ):
        assert needle in text, needle
    assert "](http://evil.example) <!-- #" in str(a.title)


def test_lazy_images(server: FixtureServer) -> None:
    tree = parse(fetch(server.url(article("a103123870").path))[2])
    imgs = tree.cssselect("figure.wp-caption img")
    assert [i.get("data-src") for i in imgs] == [
        served_url(f.src, server.origin) for f in article("a103123870").figures
    ]
    assert imgs[0].get("src").startswith("data:image/gif")
    assert imgs[1].get("src") == "/wp-content/themes/ntd/images/lazy.gif"
    tree = parse(fetch(server.url(article("a103124410").path))[2])
    assert tree.cssselect("figure.wp-caption img")[0].get("data-original")


def test_pager(server: FixtureServer) -> None:
    sec = section("prog204")
    tree = parse(fetch(server.url(sec.page_path(3)))[2])
    links = tree.cssselect("div.pagination a.page-numbers")
    assert links[-1].text_content() == "1,234"
    assert not tree.cssselect("a.next")
    assert fetch(urljoin(server.origin, links[-1].get("href")))[0] == 404
    tree = parse(fetch(server.url(sec.page_path(1)))[2])
    assert tree.cssselect("a.next.page-numbers")[0].get("href") == server.url("/gb/prog204/2")
    tree = parse(fetch(server.url("/gb/news/china"))[2])
    assert tree.cssselect("a.next.page-numbers")[0].get("href") == "/gb/news/china/2"


def test_video_article(server: FixtureServer) -> None:
    a = article("a103124133")
    tree = parse(fetch(server.url(a.path))[2])
    assert tree.cssselect("div.featured_video iframe")[0].get("src") == a.video
    assert not tree.cssselect("div.featured_image")
    assert a.paragraphs[-1] == "【点击观看完整视频】"


def test_url_date_differs_from_publication() -> None:
    a = article("a103123602")
    assert a.url_date == "2021/05/19" and a.published == "2021-05-20 00:30"


def test_overrides() -> None:
    extra = html_response("<html><body><p>hello</p></body></html>")
    a = article("a103124021")
    with FixtureServer(overrides={"/extra.html": extra, a.path: None}) as s:
        assert fetch(s.url("/extra.html"))[2] == extra.body
        assert fetch(s.url(a.path))[0] == 404
        s.set(a.path, FixtureResponse(503, HTML, b"busy", (("Retry-After", "1"),)))
        assert fetch(s.url(a.path))[0] == 503
        s.remove("/extra.html")
        assert fetch(s.url("/extra.html"))[0] == 404


def test_new_article_between_runs() -> None:
    with FixtureServer() as s:
        assert fetch(s.url(NEW_ARTICLE.path))[0] == 404
        port = s.origin
        arts, secs = with_new_article()
        s.rebuild(lambda origin: build_site(origin, articles=arts, sections=secs))
        assert s.origin == port
        assert fetch(s.url(NEW_ARTICLE.path))[0] == 200
        assert NEW_ARTICLE.path.encode() in fetch(s.url("/gb/prog204"))[2]


def test_parallel_requests(server: FixtureServer) -> None:
    paths = [a.path for a in mirrored_articles(None)] * 2
    with ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(lambda p: fetch(server.url(p))[0], paths))
    assert statuses == [200] * len(paths)
