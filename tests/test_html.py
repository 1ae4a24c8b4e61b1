"""HTML pages of a real crawl's tree: all the text, nothing that runs, every link a file.

The fixture is crawled for real and each ``.md`` page rendered beside it
(tests/html_tree.py); the text is compared with cmark-gfm's own rendering of
the same Markdown (tests/markdown_render.py), which the renderer does not use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
import pytest

from goodnews_scraper.conversion.templates import template_environment
from goodnews_scraper.renderers.html import (
    HTML_TEMPLATE,
    REMOTE_IMAGE_CLASS,
    html_body,
    html_name,
    html_page,
)
from tests.fixture_site import FixtureServer
from tests.html_tree import crawl_with_html, render_html_tree, title_of
from tests.markdown_render import rendered_text, rendered_tree
from tests.test_hostile import CAPTION, JINJA, SECTION, TITLE, hostile_site

DANGEROUS = "//script | //style[not(parent::head)] | //iframe | //object | //embed | //form | //svg"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, server: FixtureServer) -> Path:
    root = tmp_path_factory.mktemp("html") / "site"
    crawl_with_html(server.origin, root)
    return root


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("hostile-html") / "site"
    with FixtureServer(builder=hostile_site) as server:
        crawl_with_html(server.origin, root, f"sections={SECTION}")
    yield root


def pages(site: Path) -> list[tuple[Path, Path]]:
    """(Markdown page, its HTML) for every page of the tree."""
    return [
        (md, site / html_name(md.relative_to(site).as_posix())) for md in sorted(site.rglob("*.md"))
    ]


def document(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_bytes())


def test_every_page_has_its_html(site: Path) -> None:
    found = pages(site)
    assert len(found) > 30
    assert (site / "index.html").is_file() and not (site / "README.html").exists()
    assert (site / "indexes" / "prog204.html").is_file()
    assert (site / "pages" / "prog204" / "a103124021.html").is_file()
    for _, html in found:
        assert html.is_file(), html


def remote_images(markdown: str) -> int:
    """How many pictures of a page the mirror does not hold (their link is absolute)."""
    return len(rendered_tree(markdown).xpath("//img[starts-with(@src, 'http')]"))


def test_every_page_holds_all_its_text(site: Path) -> None:
    stand_ins = 0
    for md, html in pages(site):
        markdown = md.read_text("utf-8")
        (main,) = document(html).xpath("//main")
        # A picture on another host is a link with its alt text or name: that text is extra.
        links = main.xpath(f".//a[@class='{REMOTE_IMAGE_CLASS}']")
        assert len(links) == remote_images(markdown), md
        for link in links:
            stand_ins += 1
            link.drop_tree()
        assert " ".join(main.text_content().split()) == rendered_text(markdown), md
    assert stand_ins > 0  # the fixture has pictures that could not be mirrored


def test_every_page_is_a_phone_readable_document_in_its_language(site: Path) -> None:
    for _, html in pages(site):
        root = document(html)
        assert root.get("lang") == "zh-Hans"
        assert root.xpath("//meta[@name='viewport']/@content") == [
            "width=device-width, initial-scale=1"
        ]
        assert root.xpath("//meta/@charset") == ["utf-8"]
        assert root.findtext(".//title")
        assert not root.xpath("//link | //script | //*[@style]")  # nothing fetched, nothing run


def test_the_title_is_text_even_when_hostile(hostile: Path) -> None:
    page = hostile / "pages" / SECTION
    (html,) = page.glob("*.html")
    root = document(html)
    assert root.findtext(".//title") == TITLE
    assert [h.text_content() for h in root.iter("h1")] == [TITLE]
    text = root.text_content()
    assert JINJA in text and CAPTION in text


def test_no_script_or_event_handler_even_from_the_hostile_site(hostile: Path) -> None:
    found = pages(hostile)
    assert len(found) == 3  # the page, the section index, the home page
    for _, html in found:
        root = document(html)
        assert not root.xpath(DANGEROUS), html
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            assert not [a for a in element.attrib if a.lower().startswith("on")], html
            for name in ("href", "src", "action", "formaction"):
                value = re.sub(r"\s", "", element.get(name, "")).lower()
                assert not value.startswith(("javascript:", "vbscript:", "data:text")), html


def test_raw_html_in_markdown_stays_out() -> None:
    body = html_body(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        'text <b onclick="alert(3)">bold</b> [x](javascript:alert(4))\n'
    )
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    assert not root.xpath("//script | //b | //img")
    assert "alert(4)" not in body and "onclick" not in body and "onerror" not in body


def test_every_relative_link_and_image_is_a_file_and_none_is_markdown(site: Path) -> None:
    checked = 0
    for _, html in pages(site):
        root = document(html)
        targets = [*root.xpath("//a/@href"), *root.xpath("//img/@src")]
        for target in targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                continue
            path = unquote(parts.path)
            assert not path.endswith(".md"), (html, target)
            if not path:
                continue  # a fragment of this page
            assert (html.parent / path).resolve().is_file(), (html, target)
            assert (html.parent / path).resolve().is_relative_to(site.resolve())
            checked += 1
    assert checked > 100


def test_pictures_load_from_the_tree_only(site: Path) -> None:
    remote = 0
    for md, html in pages(site):
        root = document(html)
        for src in root.xpath("//img/@src"):
            assert not urlsplit(src).scheme and not src.startswith("//"), (html, src)
        remote += remote_images(md.read_text("utf-8"))
    assert remote > 0  # the fixture has pictures that could not be mirrored


def test_pictures_may_load_from_the_assets_host() -> None:
    markdown = "![a](https://cdn.example/m/images/a.jpg) ![b](https://i.ntdtv.com/b.jpg)\n"
    root = lxml.html.fragment_fromstring(
        html_body(markdown, asset_prefixes=["https://cdn.example/m/"]), create_parent="div"
    )
    assert root.xpath("//img/@src") == ["https://cdn.example/m/images/a.jpg"]
    assert root.xpath("//a/@href") == ["https://i.ntdtv.com/b.jpg"]
    assert root.xpath("//a/text()") == ["b"]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("page.md", "page.html"),
        ("../../README.md", "../../index.html"),
        ("../indexes/prog204.md#2021-05", "../indexes/prog204.html#2021-05"),
        ("a.md?plain=1", "a.html?plain=1"),
        ("https://github.com/OWNER/REPO/blob/main/pages/prog204/a1.md", None),
        ("/pages/prog204/a1.md", None),
        ("images/a.jpg", None),
        ("#top", None),
    ],
)
def test_only_relative_markdown_links_turn_to_html(link: str, expected: str | None) -> None:
    root = lxml.html.fragment_fromstring(html_body(f"[x]({link})\n"), create_parent="div")
    assert root.xpath("//a/@href") == [expected or link]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("README.md", "index.html"),
        ("indexes/prog204.md", "indexes/prog204.html"),
        ("indexes/prog204/2021-05.md", "indexes/prog204/2021-05.html"),
        ("pages/news-china/a1.md", "pages/news-china/a1.html"),
    ],
)
def test_html_names(path: str, expected: str) -> None:
    assert html_name(path) == expected


def test_a_rerender_changes_no_byte(site: Path) -> None:
    before = {html: html.read_bytes() for _, html in pages(site)}
    render_html_tree(site)
    assert {html: html.read_bytes() for _, html in pages(site)} == before


def test_the_template_is_the_users_to_change(tmp_path: Path) -> None:
    (tmp_path / HTML_TEMPLATE).write_text(
        '<html lang="{{ lang }}"><title>{{ title }}</title><article>{{ body }}</article></html>\n',
        "utf-8",
    )
    template = template_environment(tmp_path).get_template(HTML_TEMPLATE)
    page = html_page(
        "# 标题\n\n[下一页](b.md)\n", title="<标题>", lang="zh-Hant", template=template
    )
    assert (
        page
        == (
            '<html lang="zh-Hant"><title>&lt;标题&gt;</title><article><h1>标题</h1>\n'
            '<p><a href="b.html">下一页</a></p></article></html>\n'
        ).encode()
    )
    assert title_of("# 标题\n") == "标题"
