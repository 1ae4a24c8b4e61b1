from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
import pytest

from goodnews_scraper.conversion.clean_html import DEFAULT_VIDEO_HOSTS, VIDEO_LINK_TEXT, clean_html

BASE = "https://www.example.com/gb/2024/03/05/a1234567.html"

BODY = """
<div class="post_content" style="color:red" onclick="track()">
  <p>北京时间周二，<strong>当地居民</strong>在广场上聚集，<em>表达诉求</em>。</p>
  <p>&nbsp;</p>
  <h2 id="s1" class="sub">事件经过</h2>
  <div>消息人士透露，现场约有数百人。</div>
  <figure id="attachment_1" class="wp-caption aligncenter" style="width: 600px">
    <img class="wp-image-101 lazy" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="
         data-src="/wp-content/uploads/2024/03/square.jpg" alt="广场" width="600">
    <figcaption class="wp-caption-text">广场上的人群（网络图片）</figcaption>
  </figure>
  <div class="video_fit_container"><iframe width="560"
    src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0" allowfullscreen></iframe></div>
  <p><img src="//img.example.com/a.png" alt="示意图"></p>
  <p>详情见<a href="../../related.html" target="_blank" rel="noopener">相关报道</a>。</p>
  <section><span style="font-weight:bold">分段文字</span><font color="red">红字</font></section>
  <ul><li>第一点</li><li>第二点</li></ul>
  <table class="t"><tr><th>城市</th><th>人数</th></tr>
    <tr><td colspan="2" style="x">约三百</td></tr></table>
  <blockquote><p>他说：“我们只想要公道。”</p></blockquote>
  <div></div>
</div>
"""


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_realistic_body_is_simplified() -> None:
    out = clean_html(BODY, BASE)
    tree = _tree(out)
    assert not tree.xpath(".//div|.//span|.//section|.//font|.//iframe")
    assert not tree.xpath("//*[@class or @style or @id or @width or @target or @onclick]")
    empty = [p for p in tree.xpath("//p") if not p.text_content().strip() and not len(p)]
    assert empty == []
    assert tree.xpath("//h2/text()") == ["事件经过"]
    assert "消息人士透露，现场约有数百人。" in tree.xpath("//p/text()")
    assert "分段文字红字" in [p.text_content() for p in tree.xpath("//p")]
    assert tree.xpath("//li/text()") == ["第一点", "第二点"]
    assert tree.xpath("//td/@colspan") == ["2"]
    assert tree.xpath("//blockquote/p/text()") == ["他说：“我们只想要公道。”"]


def test_figure_is_normalized_with_lazy_absolute_image() -> None:
    (figure,) = _tree(clean_html(BODY, BASE)).xpath("//figure")
    assert [child.tag for child in figure] == ["img", "figcaption"]
    assert figure[0].get("src") == "https://www.example.com/wp-content/uploads/2024/03/square.jpg"
    assert figure[0].get("alt") == "广场"
    assert figure[1].text == "广场上的人群（网络图片）"


def test_urls_are_absolute() -> None:
    tree = _tree(clean_html(BODY, BASE))
    assert "https://img.example.com/a.png" in tree.xpath("//img/@src")
    assert "https://www.example.com/gb/2024/related.html" in tree.xpath("//a/@href")


def test_youtube_iframe_becomes_video_paragraph() -> None:
    tree = _tree(clean_html(BODY, BASE))
    (link,) = tree.xpath("//a[text()=$t]", t=VIDEO_LINK_TEXT)
    assert link.get("href") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert link.getparent().tag == "p"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            '<iframe src="//player.example.org/embed/9"></iframe>',
            "https://player.example.org/embed/9",
        ),
        (
            '<video controls><source src="/media/v.mp4"></video>',
            "https://www.example.com/media/v.mp4",
        ),
        (
            '<iframe data-src="https://www.youtube-nocookie.com/embed/abc-_1"></iframe>',
            "https://www.youtube.com/watch?v=abc-_1",
        ),
    ],
)
def test_other_players(html: str, expected: str) -> None:
    hosts = [*DEFAULT_VIDEO_HOSTS, "player.example.org"]
    assert _tree(clean_html(html, BASE, hosts)).xpath("//p/a/@href") == [expected]


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/track",
        "//player.example.org/embed/9",
        "http://127.0.0.3:8080/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:6800/",
        "https://www.example.com:8443/embed/1",
    ],
)
def test_players_on_other_hosts_are_dropped_and_reported(src: str) -> None:
    dropped: list[str] = []
    html = f'<p>文</p><iframe width="1" height="1" src="{src}"></iframe>'
    cleaned = clean_html(html, BASE, dropped_players=dropped)
    assert VIDEO_LINK_TEXT not in cleaned and "<a" not in cleaned
    assert dropped == [urljoin(BASE, src)]


def test_players_on_the_pages_own_origin_become_links_even_on_an_address() -> None:
    base = "http://127.0.0.1:8123/gb/2021/05/20/a1.html"
    html = '<video src="http://127.0.0.1:8123/media/v.mp4"></video>'
    assert _tree(clean_html(html, base)).xpath("//p/a/@href") == [
        "http://127.0.0.1:8123/media/v.mp4"
    ]
    dropped: list[str] = []
    clean_html('<iframe src="http://127.0.0.1:9/x"></iframe>', base, dropped_players=dropped)
    assert dropped == ["http://127.0.0.1:9/x"]


@pytest.mark.parametrize(
    "html",
    ['<iframe src="javascript:alert(1)"></iframe>', '<iframe src="data:text/html,x"></iframe>'],
)
def test_non_web_players_are_dropped(html: str) -> None:
    assert clean_html(html, BASE) == ""


@pytest.mark.parametrize(
    ("html", "expected_src"),
    [
        ('<img src="/p.gif" data-original="/real.jpg">', "https://www.example.com/real.jpg"),
        (
            '<img src="" data-lazy-src="https://cdn.example.com/x.jpg">',
            "https://cdn.example.com/x.jpg",
        ),
        ('<img src="data:image/png;base64,AAAA">', None),
        ('<img src="javascript:alert(1)" onerror="alert(1)">', None),
    ],
)
def test_images(html: str, expected_src: str | None) -> None:
    srcs = _tree(clean_html(f"<p>图{html}</p>", BASE)).xpath("//img/@src")
    assert srcs == ([expected_src] if expected_src else [])


@pytest.mark.parametrize(
    "html",
    [
        '<p>正文<script>alert("x")</script></p>',
        '<p onmouseover="alert(1)">正文</p>',
        '<p><a href="javascript:alert(1)">正文</a></p>',
        '<p><a href=" JaVaScRiPt:alert(1)">正文</a></p>',
        '<p><a href="vbscript:msgbox">正文</a></p>',
        '<p><a href="data:text/html;base64,PHNjcmlwdD4=">正文</a></p>',
        "<style>p{color:red}</style><p>正文</p>",
        "<p>正文<!-- <script>alert(1)</script> --></p>",
        '<form action="/s"><input name="q"><p>正文</p></form><p>正文</p>',
        '<object data="x.swf"></object><embed src="javascript:x"><p>正文</p>',
        "<noscript><img src='/n.jpg'></noscript><p>正文</p>",
        '<p style="background:url(javascript:alert(1))">正文</p>',
        "<svg onload=alert(1)><a href='javascript:x'>x</a></svg><p>正文</p>",
        "<math><mi xlink:href='javascript:alert(1)'>x</mi></math><p>正文</p>",
        '<p>正文<embed src="https://v.example.com/p.swf">后文</p>',
    ],
)
def test_hostile_input(html: str) -> None:
    out = clean_html(html, BASE)
    lowered = out.lower()
    for needle in (
        "<script",
        " on",
        "javascript:",
        "vbscript:",
        "data:",
        "<style",
        "<!--",
        "<form",
        "<input",
        "<object",
        "<embed",
        "<svg",
        "<math",
        "style=",
    ):
        assert needle not in lowered
    assert "正文" in out


def test_escaped_markup_stays_text() -> None:
    out = clean_html("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", BASE)
    assert out == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n\t",
        "<p>",
        "</div></p>",
        "<p>未闭合<strong>粗体<a href='/x'>链",
        "<<<>>>",
        "<table><tr><td>单元格",
        '<?xml version="1.0" encoding="utf-8"?><p>正文</p>',
        "<p>正文</p></body></html><p>后文",
        "\x00\x01<p>控制字符</p>",
        "<figure><figcaption>",
        "<!--",
        "<div><div><div>深层",
    ],
)
def test_malformed_never_raises(html: str) -> None:
    out = clean_html(html, BASE)
    assert isinstance(out, str)
    if not html.strip():
        assert out == ""


def test_text_after_stray_body_end_is_kept() -> None:
    out = clean_html("<p>正文</p></body></html><p>后文", BASE)
    assert "正文" in out and "后文" in out


def test_empty_paragraphs_and_brs_are_dropped() -> None:
    out = clean_html("<p>&nbsp;</p><p><br></p><div> </div><p>一<br><br><br>二<br></p>", BASE)
    assert out == "<p>一<br>二</p>"
