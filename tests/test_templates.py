"""Pages, indexes and the home page rendered from the templates, checked with GitHub's renderer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from lxml import html as lxml_html

from goodnews_scraper.conversion.markdown import html_to_markdown
from goodnews_scraper.conversion.templates import (
    TemplateSetupError,
    load_templates,
    md_text,
    render,
)
from goodnews_scraper.items import Article, Image
from goodnews_scraper.mirror.tree import page_relpath, section_slug
from goodnews_scraper.renderers.links import Links
from goodnews_scraper.renderers.pages import page_markdown
from goodnews_scraper.sites.ntdtv import BEIJING
from goodnews_scraper.store.records import ArticleRecord
from tests.markdown_render import rendered_tree

if TYPE_CHECKING:
    from jinja2 import Template

HOSTILE_TEXTS = [
    "](http://evil.example) <!-- # *bold* _x_ | [link]",
    "# 标题 <script>alert(1)</script>",
    "{{ 7*7 }} {% if 1 %}x{% endif %}",
    "--> <img src=x onerror=alert(1)>",
    "1. 列表 > 引用 `code` ~~del~~ &amp; &lt;b&gt;",
    "https://evil.example/autolink www.evil.example",
    "line\nbreak\r\n# heading",
]


def to_html(markdown: str) -> lxml_html.HtmlElement:
    # UNSAFE lets raw HTML through, so any that leaked would show in the tree.
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return lxml_html.fragment_fromstring(rendered, create_parent="div")


def article(**changes: object) -> Article:
    fields: dict[str, object] = {
        "url": "https://www.ntdtv.com/gb/2021/05/20/a103124021.html",
        "article_id": "a103124021",
        "edition": "gb",
        "section": "news/china",
        "section_name": "中国",
        "title": "一个标题",
        "published": datetime(2021, 5, 20, 8, 30, tzinfo=BEIJING),
        "body_html": "",
        "extraction": "site",
        "body_markdown": "正文第一段。\n\n正文第二段。",
        "tags": ["标签一", "标签二"],
        "featured_image": Image("https://i.ntdtv.com/assets/uploads/2021/05/x-800x450.jpg", "图说"),
    }
    fields.update(changes)
    return Article(**fields)  # type: ignore[arg-type]


MIRROR = "https://github.com/OWNER/REPO/blob/main"


def render_page(template: Template, item: Article) -> str:
    """The page as the renderer makes it from the item's store record."""
    page = page_relpath(section_slug(item.section), item.article_id)
    return page_markdown(template, ArticleRecord.from_article(item, page), Links(MIRROR))


def share_url(item: Article) -> str:
    return f"{MIRROR}/{page_relpath(section_slug(item.section), item.article_id)}"


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_md_text_renders_as_itself(text: str) -> None:
    tree = to_html(f"# {md_text(text)}")
    assert [el.tag for el in tree.iterdescendants()] == ["h1"]
    assert tree.xpath("string(//h1)") == " ".join(text.split())


def test_page_has_header_title_article_footer() -> None:
    templates = load_templates()
    page = render_page(templates["page.md.j2"], article())
    tree = to_html(page)
    links = {a.text_content(): a.get("href") for a in tree.iter("a")}
    assert links["首页"] == "../../README.md"
    assert links["中国"] == "../../indexes/news-china.md"
    assert links["原文"] == "https://www.ntdtv.com/gb/2021/05/20/a103124021.html"
    share = "https://github.com/OWNER/REPO/blob/main/pages/news-china/a103124021.md"
    assert links[share] == share
    assert tree.xpath("string(//h1)") == "一个标题"
    images = [img.get("src") for img in tree.iter("img")]
    assert images == ["https://i.ntdtv.com/assets/uploads/2021/05/x-800x450.jpg", "a103124021.png"]
    text = tree.text_content()
    assert "正文第一段。" in text and "正文第二段。" in text
    assert "发布时间：2021-05-20 08:30（北京时间）" in text
    assert "标签一、标签二" in text
    assert page.endswith("\n") and not page.endswith("\n\n")


def test_traditional_edition_uses_traditional_labels() -> None:
    page = render_page(load_templates()["page.md.j2"], article(edition="b5"))
    assert "首頁" in page and "發佈時間" in page


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_values_cannot_break_the_page(text: str) -> None:
    item = article(
        title=text,
        section_name=text,
        tags=[text],
        featured_image=Image("https://i.ntdtv.com/x.jpg", text),
    )
    tree = to_html(render_page(load_templates()["page.md.j2"], item))
    assert not tree.xpath("//script | //comment() | //*[@onerror] | //h2 | //h3")
    assert {a.get("href") for a in tree.iter("a")} == {
        "../../README.md",
        "../../indexes/news-china.md",
        item.url,
        share_url(item),
    }
    assert tree.xpath("string(//h1)") == " ".join(text.split())


def test_index_and_home_templates() -> None:
    templates = load_templates()
    entries = [
        {"title": "](x) 新 <b>", "date": "2021-05-21", "link": "../pages/prog204/a2.md"},
        {"title": "旧", "date": "2021-05-20", "link": "../pages/prog202/a1.md"},
    ]
    index = render(
        templates["index.md.j2"],
        edition="gb",
        section="prog204",
        section_name="大陆",
        home_link="../README.md",
        entries=entries,
    )
    tree = to_html(index)
    assert [li.text_content() for li in tree.iter("li")] == [
        "2021-05-21 ](x) 新 <b>",
        "2021-05-20 旧",
    ]
    assert [a.get("href") for a in tree.iter("a")][1:] == [e["link"] for e in entries]
    home = render(
        templates["home.md.j2"],
        edition="gb",
        sections=[
            {"name": "大陆", "link": "indexes/prog204.md", "count": 2, "latest": "2021-05-21"}
        ],
        latest=[],
        updated="",
    )
    assert [a.get("href") for a in to_html(home).iter("a")] == ["indexes/prog204.md"]


def test_user_templates_override_packaged_ones(tmp_path: Path) -> None:
    (tmp_path / "footer.md.j2").write_text("自定义页脚 {{ share_url }}\n", encoding="utf-8")
    page = render_page(load_templates(tmp_path)["page.md.j2"], article())
    assert "自定义页脚 https://github.com/" in page
    assert "[首页](../../README.md)" in page  # the header is still the packaged one


def test_broken_user_template_fails_at_start(tmp_path: Path) -> None:
    (tmp_path / "index.md.j2").write_text("{% for x in %}", encoding="utf-8")
    with pytest.raises(TemplateSetupError, match=r"index\.md\.j2"):
        load_templates(tmp_path)


@pytest.mark.parametrize("name", ["header.md.j2", "_labels.md.j2"])
def test_broken_included_template_fails_at_start(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("{% set x = %}", encoding="utf-8")
    with pytest.raises(TemplateSetupError, match=name.replace(".", r"\.")):
        load_templates(tmp_path)


def _image_paragraph_shape(markdown: str) -> list[tuple[str, str]]:
    """(tag, text) of the children of the rendered paragraph that holds the image."""
    (paragraph,) = rendered_tree(markdown).xpath("//p[img[not(contains(@src, '.png'))]]")
    return [(child.tag, (child.text or "").strip()) for child in paragraph]


def test_lead_image_caption_sits_under_the_image_as_figure_captions_do() -> None:
    caption = "图说：民众集会"
    page = render_page(
        load_templates()["page.md.j2"],
        article(featured_image=Image("https://i.ntdtv.com/x.jpg", caption)),
    )
    figure = html_to_markdown(
        f'<figure><img src="https://i.ntdtv.com/y.jpg" alt="{caption}">'
        f"<figcaption>{caption}</figcaption></figure>"
    )
    # Under GitHub's renderer: the image, a line break, then the caption in italics.
    expected = [("img", ""), ("br", ""), ("em", caption)]
    assert _image_paragraph_shape(figure) == expected
    assert _image_paragraph_shape(page) == expected


def test_lead_image_without_caption_has_no_line_break() -> None:
    page = render_page(
        load_templates()["page.md.j2"],
        article(featured_image=Image("https://i.ntdtv.com/x.jpg", "")),
    )
    assert _image_paragraph_shape(page) == [("img", "")]
