"""A site that attacks the mirror: every byte from the network is hostile.

A list page and two article pages, served on 127.0.0.1, try path traversal
in ids, slugs and image names (``..``, ``%2e%2e``, absolute paths, NUL bytes,
very long names); scripts, styles, frames, objects, event handlers,
``javascript:``/``data:`` URLs; Markdown and HTML injection through the
section name, titles, captions, bylines and tags; Jinja2 syntax in the text.
The real crawl runs once against it; the tests read what it wrote. (Unit
tests of the same defences: test_mirror_tree, test_arguments, test_templates,
test_clean_html, test_markdown.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from lxml import html as lxml_html

from tests.crawl import CrawlResult, run_crawl
from tests.fixture_site import FixtureResponse, FixtureServer, build_site

HTML = "text/html; charset=utf-8"
SECTION = "prog1699"
GOOD_ID, BAD_ID = "a199999001", "a199999002"
DAY = "/gb/2021/05/22/"

#: Strings a template engine or a Markdown renderer must not act on.
JINJA = "{{ 7*7 }} {% for x in range(3) %}循环{% endfor %} {# 注释 #} {{ config }}"
SECTION_NAME = "专题](javascript:alert(1)) <!-- # {{ 7*7 }} <b>粗</b>"
TITLE = "# 假标题](javascript:alert('t')) <!-- 注释开始 {{ 7*7 }} <script>alert(1)</script>"
CAPTION = "图片说明](javascript:alert('c')) <!-- {% raw %} <img src=x onerror=alert(1)>"
BYLINE = "（记者](javascript:alert('b')) <!-- {{ 7*7 }} 报导/责任编辑：<i>某</i>）"
TAG = "标签](javascript:alert('tag'))<!--"
#: Image names that must not become paths.
IMAGE_NAMES = (
    "../../../../etc/passwd.jpg",
    "%2e%2e/%2e%2e/%2e%2e/secret.jpg",
    "x%00.jpg",
    "/abs/olute.jpg",
    "a" * 300 + ".jpg",
)
#: List links that must not become requests, let alone files.
HOSTILE_LINKS = (
    f"{DAY}a..html",
    f"{DAY}%2e%2e.html",
    f"{DAY}%2e%2e%2f%2e%2e%2fa1.html",
    f"{DAY}a1%00.html",
    f"{DAY}a1/../../../../etc/passwd.html",
    f"{DAY}a{'1' * 13}.html",
    f"{DAY}{'a' * 300}.html",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/gb/2021/05/22/a199999003.html",
)


def list_page(origin: str) -> str:
    items = [(f"{DAY}{GOOD_ID}.html", TITLE), (f"{DAY}{BAD_ID}.html", "坏标题")]
    items += [(href, f"恶意链接 {n}") for n, href in enumerate(HOSTILE_LINKS)]
    posts = "\n".join(
        f'<div class="one_post"><div class="text"><div class="title">'
        f'<a href="{escape(href)}">{escape(title)}</a></div></div></div>'
        for href, title in items
    )
    return f"""<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">
<title>{escape(SECTION_NAME)} | 新唐人电视台</title></head><body>
<div class="post_list"><h1 class="block_title"><span>{escape(SECTION_NAME)}</span></h1>
<div class="list_wrapper">{posts}</div></div>
<a href="{origin}/gb/2021/05/22/a1.html" onclick="alert(1)">x</a></body></html>"""


def escape(text: str) -> str:
    from html import escape as html_escape

    return html_escape(text, quote=True)


def article_page(origin: str, title: str) -> str:
    images = "".join(
        f'<figure class="wp-caption"><img src="{origin}/i.ntdtv.com/assets/uploads/{name}" '
        f'width="600" height="400"><figcaption class="wp-caption-text">{escape(CAPTION)}'
        f"</figcaption></figure>"
        for name in IMAGE_NAMES
    )
    return f"""<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">
<title>{escape(title)} | 新唐人电视台</title>
<script>alert("head")</script></head>
<body onload="alert(1)">
<div class="main_content">
<div class="article_title"><h1>{escape(title)}</h1></div>
<div class="article_info"><div class="time"><span>北京时间：2021-05-22 10:00</span></div></div>
<div class="featured_image"><figure><img class="featured" src="javascript:alert('f')">
<span class="caption">{escape(CAPTION)}</span></figure></div>
<div class="article_content"><div class="post_content" itemprop="articleBody">
<p>【新唐人北京时间2021年05月22日讯】第一段。{escape(JINJA)}</p>
<p>第二段<a href="/gb/{escape(TAG)}.htm">{escape(TAG)}</a>继续。</p>
<p onclick="alert(1)" style="color:red">事件<a href="javascript:alert(1)">点我</a>
<a href=" JaVaScRiPt:alert(2)">大小写</a><a href="data:text/html;base64,PHNjcmlwdD4=">数据</a>
<a href="vbscript:msgbox(1)">vb</a></p>
<script>alert(2)</script><style>p {{ color: red }}</style>
<iframe src="https://evil.example/"></iframe><object data="x.swf"></object><embed src="x.swf">
<form action="https://evil.example/"><input name="q"></form>
<p><img src="x" onerror="alert(1)"><img src="data:image/png;base64,AAAA">
<svg onload="alert(1)"></svg></p>
{images}
<p># 不是标题</p><p>---</p>
<p>[链接](javascript:alert(1)) ![图](javascript:alert(2)) &lt;!-- 开 ``` *强调*</p>
<p>&lt;/textarea&gt;&lt;script&gt;alert(3)&lt;/script&gt;</p>
<p>{escape(BYLINE)}</p>
</div></div></div></body></html>"""


def hostile_site(origin: str) -> dict[str, FixtureResponse]:
    site = build_site(origin)
    site[f"/gb/{SECTION}"] = FixtureResponse(200, HTML, list_page(origin).encode())
    good = article_page(origin, TITLE)
    site[f"{DAY}{GOOD_ID}.html"] = FixtureResponse(200, HTML, good.encode())
    # A control character in the title: the schema rejects the article.
    bad = article_page(origin, "坏\x07标题")
    site[f"{DAY}{BAD_ID}.html"] = FixtureResponse(200, HTML, bad.encode())
    return site


@dataclass
class Crawl:
    result: CrawlResult
    root: Path
    requests: list[str]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawl]:
    root = tmp_path_factory.mktemp("hostile")
    with FixtureServer(builder=hostile_site) as server:
        result = run_crawl(server.origin, root / "site", f"sections={SECTION}")
        yield Crawl(result, root, list(server.requests))


def render(markdown: str) -> lxml_html.HtmlElement:
    # UNSAFE keeps raw HTML in the output, so anything that got through shows.
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return lxml_html.fragment_fromstring(rendered, create_parent="div")


def test_the_crawl_finishes_and_fails_the_job_for_the_rejected_article(crawl: Crawl) -> None:
    log = crawl.result.log
    assert "Spider closed (finished)" in log
    assert crawl.result.returncode == 1
    failed = [
        line.split("Monitor failed: ")[1] for line in log.splitlines() if "Monitor failed" in line
    ]
    assert [line.split("/")[0] for line in failed] == ["Item Validation Monitor"]


def test_nothing_is_written_outside_the_tree_and_every_name_is_safe(crawl: Crawl) -> None:
    # Beside the tree only the run's working folder (.scrapy: MIRROR_FEED_URI's run log).
    assert sorted(p.name for p in crawl.root.iterdir()) == [".scrapy", "site"]
    run_log = [p.relative_to(crawl.root).as_posix() for p in crawl.root.rglob(".scrapy/**/*.*")]
    assert run_log == [".scrapy/goodnews/ntdtv-last-run.jsonl"]
    for path in (crawl.root / "site").rglob("*"):
        relative = path.relative_to(crawl.root / "site").as_posix()
        assert re.fullmatch(r"[A-Za-z0-9_.-]{1,120}(/[A-Za-z0-9_.-]{1,120})*", relative), relative
        assert ".." not in relative.split("/")
        assert not path.is_symlink()


def test_hostile_links_are_never_requested(crawl: Crawl) -> None:
    # Only the two real articles are fetched; images (any name) come from the image host.
    pages = {p for p in crawl.requests if not p.startswith("/i.ntdtv.com/")}
    assert pages == {
        "/robots.txt",
        f"/gb/{SECTION}",
        f"{DAY}{GOOD_ID}.html",
        f"{DAY}{BAD_ID}.html",
        f"{DAY}x",  # <img src="x">, tried as an image
    }


def test_nothing_executable_reaches_a_page_or_an_index(crawl: Crawl) -> None:
    site = crawl.root / "site"
    documents = sorted(site.rglob("*.md"))
    assert len(documents) == 3  # the page, the section index, the home page
    for document in documents:
        tree = render(document.read_text("utf-8"))
        assert not tree.xpath(
            "//script | //style | //iframe | //object | //embed | //form | //input | //svg"
        ), document
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            assert not [a for a in element.attrib if a.lower().startswith("on")], document
            for name in ("href", "src"):
                value = re.sub(r"\s", "", element.get(name, "")).lower()
                unsafe = value.startswith(("javascript:", "data:", "vbscript:"))
                assert not unsafe, (document, value)


def test_injected_markup_stays_text_and_the_page_keeps_its_shape(crawl: Crawl) -> None:
    page = crawl.root / "site" / "pages" / SECTION / f"{GOOD_ID}.md"
    tree = render(page.read_text("utf-8"))
    # One title, the whole hostile string as text; one comment: the metadata.
    assert [h.text_content() for h in tree.iter("h1")] == [TITLE]
    comments = tree.xpath("//comment()")
    assert len(comments) == 1 and comments[0].text.startswith(" goodnews-scraper {")
    text = tree.text_content()
    assert JINJA in text  # Jinja2 syntax in the article is not evaluated
    assert BYLINE in text
    assert CAPTION in text
    assert "# 不是标题" in text
    assert "发布时间：2021-05-22 10:00（北京时间）" in text  # the footer is still there
    assert not tree.xpath("//h2 | //h3 | //h4 | //h5 | //h6")


def test_index_and_home_page_keep_their_shape(crawl: Crawl) -> None:
    site = crawl.root / "site"
    index = render((site / "indexes" / f"{SECTION}.md").read_text("utf-8"))
    assert SECTION_NAME in index.text_content()
    links = [a.get("href") for a in index.iter("a")]
    assert f"../pages/{SECTION}/{GOOD_ID}.md" in links
    assert TITLE in [a.text_content() for a in index.iter("a")]
    assert not index.xpath("//comment()")
    home = render((site / "README.md").read_text("utf-8"))
    hrefs = [a.get("href") for a in home.iter("a")]
    assert hrefs[0] == f"indexes/{SECTION}.md"
    assert all(href.startswith(f"pages/{SECTION}/") for href in hrefs[1:])
    assert SECTION_NAME in home.text_content()


def test_each_rejection_is_logged_once(crawl: Crawl) -> None:
    log = crawl.result.log
    # The article whose title holds a control character fails the schema.
    assert not (crawl.root / "site" / "pages" / SECTION / f"{BAD_ID}.md").exists()
    dropped = [line for line in log.splitlines() if f"{BAD_ID}.html" in line]
    assert len(dropped) == 1 and "does not match the schema (title:" in dropped[0]
    assert crawl.result.stat("spidermon/validation/items/dropped") == 1
    # Each hostile image name is not mirrored, and said so once.
    for name in IMAGE_NAMES:
        said = [line for line in log.splitlines() if name in line and "] WARNING: " in line]
        assert len(said) == 1, name
        assert "Image not mirrored" in said[0]
