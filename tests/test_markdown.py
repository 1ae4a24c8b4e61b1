from __future__ import annotations

import lxml.html
import pytest

from goodnews_scraper.conversion.clean_html import VIDEO_LINK_TEXT, clean_html
from goodnews_scraper.conversion.markdown import escape_text, html_to_markdown
from tests.markdown_render import render, rendered_text, rendered_tree

BASE = "https://www.example.com/gb/2024/03/05/a1234567.html"

BODY = """
<div class="post_content">
  <p>周二上午，数百名居民聚集在市政府门前，<strong>要求</strong>当局公开<em>拆迁补偿</em>标准。</p>
  <h2>现场情况</h2>
  <p>一位姓王的居民说，他家的房子已经被拆了三个月。<br>
  至今没有拿到任何补偿。</p>
  <figure class="wp-caption aligncenter">
    <img class="wp-image-2201" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="
         data-src="/wp-content/uploads/2024/03/crowd.jpg" alt="聚集的居民">
    <figcaption class="wp-caption-text">3月5日，居民在市政府门前聚集。（网络图片）</figcaption>
  </figure>
  <div class="video_fit_container">
    <iframe src="https://www.youtube.com/embed/AbC_dEf-123?feature=oembed"></iframe>
  </div>
  <h3>居民的诉求</h3>
  <ul><li>公开补偿标准</li><li>停止强制拆迁</li></ul>
  <ol><li>先协商</li><li>再拆迁</li></ol>
  <table>
    <tr><td>小区</td><td>户数</td></tr>
    <tr><td>东风小区</td><td>120</td></tr>
    <tr><td>红旗小区</td><td>85</td></tr>
  </table>
  <blockquote><p>我们只想要一个说法。</p></blockquote>
  <p>详见<a href="/gb/2024/03/04/a1234000.html">此前报道</a>。</p>
</div>
"""

VISIBLE = [
    "周二上午，数百名居民聚集在市政府门前，要求当局公开拆迁补偿标准。",
    "现场情况",
    "一位姓王的居民说，他家的房子已经被拆了三个月。",
    "至今没有拿到任何补偿。",
    "3月5日，居民在市政府门前聚集。（网络图片）",
    "居民的诉求",
    "公开补偿标准",
    "停止强制拆迁",
    "先协商",
    "再拆迁",
    "东风小区",
    "红旗小区",
    "我们只想要一个说法。",
    "详见此前报道。",
]


@pytest.fixture(scope="module")
def markdown() -> str:
    return html_to_markdown(clean_html(BODY, BASE))


@pytest.mark.parametrize("text", VISIBLE)
def test_every_source_text_is_visible(markdown: str, text: str) -> None:
    assert text in rendered_text(markdown)


def test_structure(markdown: str) -> None:
    tree = rendered_tree(markdown)
    assert tree.xpath("//h2/text()") == ["现场情况"]
    assert tree.xpath("//h3/text()") == ["居民的诉求"]
    assert tree.xpath("//ul/li/text()") == ["公开补偿标准", "停止强制拆迁"]
    assert tree.xpath("//ol/li/text()") == ["先协商", "再拆迁"]
    assert tree.xpath("//table/thead//th/text()") == ["小区", "户数"]
    assert tree.xpath("//table/tbody//td/text()") == ["东风小区", "120", "红旗小区", "85"]
    assert tree.xpath("//blockquote/p/text()") == ["我们只想要一个说法。"]
    assert tree.xpath("//strong/text()") == ["要求"]
    assert tree.xpath("//em/text()") == ["拆迁补偿", "3月5日，居民在市政府门前聚集。（网络图片）"]
    assert len(tree.xpath("//br")) == 2  # the source <br> and the image/caption break
    assert "https://www.example.com/gb/2024/03/04/a1234000.html" in tree.xpath("//a/@href")


def test_markdown_style(markdown: str) -> None:
    assert "## 现场情况\n" in markdown
    assert "### 居民的诉求\n" in markdown
    assert "- 公开补偿标准\n- 停止强制拆迁\n" in markdown
    assert "| 小区 | 户数 |\n| --- | --- |\n" in markdown


def test_figure_keeps_caption_with_lazy_absolute_image(markdown: str) -> None:
    tree = rendered_tree(markdown)
    (img,) = tree.xpath("//img")
    assert img.get("src") == "https://www.example.com/wp-content/uploads/2024/03/crowd.jpg"
    assert img.get("alt") == "聚集的居民"
    paragraph = img.getparent()
    assert paragraph.tag == "p"
    assert [el.tag for el in paragraph] == ["img", "br", "em"]
    assert paragraph[2].text == "3月5日，居民在市政府门前聚集。（网络图片）"


def test_youtube_link(markdown: str) -> None:
    tree = rendered_tree(markdown)
    (link,) = tree.xpath("//a[text()=$t]", t=VIDEO_LINK_TEXT)
    assert link.get("href") == "https://www.youtube.com/watch?v=AbC_dEf-123"
    assert link.getparent().tag == "p"


def test_output_is_normalized_and_deterministic(markdown: str) -> None:
    assert markdown.endswith("\n") and not markdown.endswith("\n\n")
    assert "\n\n\n" not in markdown
    assert all(line == line.rstrip() for line in markdown.split("\n"))
    assert html_to_markdown(clean_html(BODY, BASE)) == markdown


HOSTILE = [
    ("<p>前<script>alert(1)</script>后</p>", "前后"),
    ('<p onclick="alert(1)">图<img src="javascript:x" onerror="alert(1)">文</p>', "图文"),
    ('<p><a href="javascript:alert(1)">点击</a>这里</p>', "点击这里"),
    ('<p>图片<img src="data:image/png;base64,iVBORw0KGgo=">说明</p>', "图片说明"),
    ("<style>p{display:none}</style><p>正文</p>", "正文"),
    ("<p>正文<!-- <script>alert(1)</script> --></p>", "正文"),
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"),
    ("<p>&lt;img src=x onerror=alert(1)&gt;</p>", "<img src=x onerror=alert(1)>"),
    ("<p>a &amp;lt;b&amp;gt; &amp;amp; c</p>", "a &lt;b&gt; &amp; c"),
    (
        "<p>*bold* _x_ [a](http://evil.example) # heading</p>",
        "*bold* _x_ [a](http://evil.example) # heading",
    ),
    ("<p>**粗体** __下划线__ `代码` ~~删除~~</p>", "**粗体** __下划线__ `代码` ~~删除~~"),
    ("<p>1. 第一条</p>", "1. 第一条"),
    ("<p>2) 第二条</p>", "2) 第二条"),
    ("<p>&gt; 不是引用</p>", "> 不是引用"),
    ("<p># 不是标题</p>", "# 不是标题"),
    ("<p>- 不是列表</p>", "- 不是列表"),
    ("<p>+ 不是列表</p>", "+ 不是列表"),
    ("<p>---</p>", "---"),
    ("<p>第一行<br>1. 第二行<br>- 第三行<br>=====</p>", "第一行 1. 第二行 - 第三行 ====="),
    ("<p>第一行\n# 第二行\n    缩进</p>", "第一行 # 第二行 缩进"),
    ("<p>[注1]: http://evil.example</p><p>见[注1]</p>", "[注1]: http://evil.example 见[注1]"),
    (
        "<p>访问 www.evil.example 或 https://evil.example/x</p>",
        "访问 www.evil.example 或 https://evil.example/x",
    ),
    ("<p>a | b</p><p>--- | ---</p>", "a | b --- | ---"),
    ("<p>反斜杠 \\*不是强调\\* C:\\temp\\</p>", "反斜杠 \\*不是强调\\* C:\\temp\\"),
    ("<p>&amp;copy; &amp;#60;</p>", "&copy; &#60;"),
    ("<p>中*文*字 中_文_字 snake_case</p>", "中*文*字 中_文_字 snake_case"),
    (
        '<p><a href="http://ok.example/">链接 ](javascript:alert(1)) [</a></p>',
        "链接 ](javascript:alert(1)) [",
    ),
]
_UNWANTED = (
    "//script|//style|//em|//strong|//h1|//h2|//h3|//h4|//ol|//ul|//blockquote|//code|//del"
    "|//table|//hr|//img"
)


@pytest.mark.parametrize(("html", "visible"), HOSTILE)
def test_hostile_input_stays_text(html: str, visible: str) -> None:
    markdown = html_to_markdown(clean_html(html, BASE))
    rendered = render(markdown)
    tree = rendered_tree(markdown)
    assert "raw HTML omitted" not in rendered
    assert not tree.xpath(_UNWANTED)
    assert not [a for el in tree.iter() for a in el.attrib if a.lower().startswith("on")]
    assert not [h for h in tree.xpath("//a/@href") if "evil" in h or "javascript" in h.lower()]
    assert rendered_text(markdown) == visible


@pytest.mark.parametrize(
    "html",
    [
        "<p>他说<strong>“我们要公道”</strong>然后离开。</p>",
        "<p><strong>重要：</strong>明天停课。</p>",
    ],
)
def test_emphasis_that_github_cannot_render_is_dropped_not_garbled(html: str) -> None:
    markdown = html_to_markdown(html)
    assert "*" not in markdown
    assert rendered_text(markdown) == lxml.html.fromstring(html).text_content()


@pytest.mark.parametrize(
    "html",
    [
        "<p>他说：<strong>“我们要公道”</strong>。</p>",
        "<p><strong>重要</strong>：明天停课。</p>",
        "<p>这是<em>强调</em>的文字</p>",
    ],
)
def test_emphasis_that_github_can_render_is_kept(html: str) -> None:
    tree = rendered_tree(html_to_markdown(html))
    assert tree.xpath("//strong|//em")
    assert "*" not in rendered_text(html_to_markdown(html))


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/a b/c.html",
        "https://www.example.com/wiki/Foo_(bar)",
        "https://www.example.com/x?a=1&b=2|3",
        "https://www.example.com/)(",
    ],
)
def test_awkward_urls_survive(url: str) -> None:
    html = f'<p><a href="{url}">链接</a><img src="{url}" alt="图"></p>'
    tree = rendered_tree(html_to_markdown(html))
    expected = url.replace(" ", "%20").replace("|", "%7C")
    assert tree.xpath("//a/@href") == [expected]
    assert tree.xpath("//img/@src") == [expected]


def test_table_with_uneven_rows_and_pipes() -> None:
    html = (
        "<table><thead><tr><th>项目</th><th>说明</th></tr></thead><tbody>"
        "<tr><td colspan='2'>合并|单元格</td></tr><tr><td>甲</td><td>乙</td><td>丙</td></tr>"
        "</tbody></table>"
    )
    tree = rendered_tree(html_to_markdown(html))
    assert tree.xpath("//th/text()") == ["项目", "说明"]
    assert tree.xpath("//td/text()") == ["合并|单元格", "甲", "乙", "丙"]


def test_chinese_text_is_not_escaped() -> None:
    text = "新唐人电视台记者_采访报道：市民表示，“希望早日解决”。"
    assert escape_text(text) == text
    assert html_to_markdown(f"<p>{text}</p>") == text + "\n"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "  ",
        "<p>",
        "<table><tr><td>",
        "<ul><li>未闭合",
        "<p><strong>粗体<em>斜体",
        "<<>>",
        "<figure><figcaption>只有说明</figcaption></figure>",
        "<blockquote>",
        "<br><br>",
    ],
)
def test_malformed_never_raises(html: str) -> None:
    markdown = html_to_markdown(html)
    assert markdown == "" or (markdown.endswith("\n") and not markdown.endswith("\n\n"))
    markdown = html_to_markdown(clean_html(html, BASE))
    assert markdown == "" or markdown.endswith("\n")


@pytest.mark.parametrize("tag", ["ul", "ol"])
def test_adjacent_lists_stay_separate(tag: str) -> None:
    html = f"<{tag}><li>甲</li></{tag}><{tag}><li>乙</li></{tag}><{tag}><li>丙</li></{tag}>"
    tree = rendered_tree(html_to_markdown(html))
    assert [lst.xpath("li/text()") for lst in tree.xpath(f"//{tag}")] == [["甲"], ["乙"], ["丙"]]
    assert not tree.xpath("//li/p")


def test_body_that_looks_like_a_url_does_not_warn() -> None:
    assert (
        html_to_markdown("https://www.example.com/a.html") == "https\\://www\\.example.com/a.html\n"
    )
