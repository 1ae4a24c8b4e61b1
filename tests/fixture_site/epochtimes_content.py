# Chinese text uses full-width punctuation on purpose.
"""What the epochtimes fixture says: the source of truth for its parsing tests.

The epochtimes pages, feeds and list pages (``epochtimes_build.py``) are
rendered from these dataclasses. All text is invented; the markup follows
what ``docs/epochtimes-site.md`` records of the real site.

Conventions:

* ``published`` is the moment the article went out, in UTC (the feed's
  ``pubDate`` states ``+0000``). Pages show it on the site's clock, New York
  time, as ``YYYY-MM-DD H:MM AM``; whole minutes only, so every clock agrees.
* ``paragraphs`` are the texts of the body's ``<p>`` elements as a reader sees
  them: the first starts with the lead line ``【大纪元…讯】``, the last is the
  byline (``责任编辑：…``) when there is one.
* The URL date (``22/4/16``) is the day the post was created, which can be a
  day before the publication.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.fixture_site.content import (
    PLACEHOLDER_GIF,
    Block,
    Embed,
    Figure,
    Heading,
    Paragraph,
    Quote,
    Raw,
)

CANONICAL = "https://www.epochtimes.com"
IMG = "https://i.epochtimes.com/assets/uploads"

# Outcomes the crawler must reach for an article.
MIRRORED = "mirrored"
HTTP_404 = "http_404"
NO_TITLE = "no_title"
TRUNCATED = "truncated"

# Feed kinds of a section.
FEED_FULL = "full"  # content:encoded carries each whole article
FEED_TEASER = "teaser"  # no content:encoded: description only
FEED_NOT_XML = "not_xml"  # the feed URL answers an HTML page
FEED_DOCTYPE = "doctype"  # a feed that declares entities (billion laughs)


@dataclass(frozen=True)
class EpochArticle:
    """One article page (and feed item) and what the parsers must make of it."""

    id: str  # "n19000101"
    edition: str  # "gb" | "b5"
    url_date: str  # "22/4/17" as in the URL
    title: str | None  # None: no h1, no og:title, no JSON-LD headline, empty <title>
    published: datetime  # UTC
    lead: str | None = None
    body: tuple[Block, ...] = ()
    featured: Figure | None = None  # the lead image in div.arttop (or div.featured_image when lazy)
    tags: tuple[str, ...] = ()  # inline /tag/ links, in page order
    byline: str | None = None  # last paragraph, as the parser reports it
    expect: str = MIRRORED
    extraction: str | None = "site"  # "site" | "structured" | "generic"; None unless mirrored
    #: "standard"; "structured" and "generic": site selectors gone (drift); "hostile".
    layout: str = "standard"
    #: "datetime": <time datetime=…>; "text": the reading only; "update": only a 更新 time
    #: (the publication comes from article:published_time); "none": no time element.
    page_time: str = "datetime"
    jsonld: bool = True  # page carries a NewsArticle JSON-LD block
    #: The feed item ends with a "more" link: a teaser even in a full feed.
    feed_more_link: bool = False
    sections: tuple[str, ...] = field(default=())

    @property
    def path(self) -> str:
        return f"/{self.edition}/{self.url_date}/{self.id}.htm"

    @property
    def url(self) -> str:
        return CANONICAL + self.path

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.body if isinstance(b, Paragraph))

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.body if isinstance(b, Figure))

    @property
    def embeds(self) -> tuple[str, ...]:
        return tuple(b.src for b in self.body if isinstance(b, Embed))

    @property
    def article_body(self) -> str:
        """JSON-LD articleBody: reader-visible block texts joined by blank lines."""
        return "\n\n".join(b.text for b in self.body if isinstance(b, Paragraph | Heading | Quote))

    @property
    def excerpt(self) -> str:
        """The feed's description and the list's excerpt: the first paragraph without the lead."""
        first = self.paragraphs[0] if self.paragraphs else ""
        if self.lead and first.startswith(self.lead):
            first = first[len(self.lead) :]
        return first[:40] + "…"


@dataclass(frozen=True)
class EpochSection:
    """A channel: its list pages (pager links ``…_2.htm``) and its feed."""

    edition: str
    id: str  # "nsc413"
    name: str
    pages: tuple[tuple[str, ...], ...]  # article ids per list page
    feed: str = FEED_FULL
    #: Article ids in the feed, newest first (default: the first list page's).
    feed_ids: tuple[str, ...] | None = None
    failing_page: int | None = None  # this list page answers HTTP 500
    drifted: bool = False  # list markup changed: no div.one_post

    def page_path(self, page: int) -> str:
        base = f"/{self.edition}/{self.id}"
        return f"{base}.htm" if page == 1 else f"{base}_{page}.htm"

    @property
    def feed_path(self) -> str:
        return f"/{self.edition}/{self.id}.htm/feed"

    @property
    def items(self) -> tuple[str, ...]:
        return self.pages[0] if self.feed_ids is None else self.feed_ids


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def _lead(edition: str, day: str) -> str:
    y, m, d = day.split("-")
    return f"【大紀元{y}年{m}月{d}日訊】" if edition == "b5" else f"【大纪元{y}年{m}月{d}日讯】"


def _img(month: str, name: str, size: str = "600x400") -> str:
    return f"{IMG}/{month}/{name}-{size}.jpg"


def _art(
    id: str,
    published: str,
    title: str | None,
    body: Iterable[str | Block],
    *,
    edition: str = "gb",
    url_date: str | None = None,
    lead_day: str | None = None,
    byline: str | None = None,
    **kw: object,
) -> EpochArticle:
    """An article: the lead line starts the first paragraph, the byline ends the body."""
    when = _utc(published)
    lead = _lead(edition, lead_day or published[:10])
    blocks: list[Block] = [Paragraph(b) if isinstance(b, str) else b for b in body]
    i = next(i for i, b in enumerate(blocks) if isinstance(b, Paragraph))
    first = blocks[i]
    assert isinstance(first, Paragraph)
    blocks[i] = Paragraph(lead + first.text)
    if byline:
        blocks.append(Paragraph(byline))
    return EpochArticle(
        id=id,
        edition=edition,
        url_date=url_date or f"{when:%y}/{when.month}/{when.day}",
        title=title,
        published=when,
        lead=lead,
        body=tuple(blocks),
        byline=byline.rstrip("#") if byline else None,
        **kw,  # type: ignore[arg-type]
    )


YT = "https://www.youtube.com/embed/"
YOUMAKER = "https://www.youmaker.com/embed/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9?r=16x9"

_RAW: tuple[EpochArticle, ...] = (
    # ---- gb nsc413 大陆新闻 -------------------------------------------------------
    _art(
        "n19000101",
        "2022-04-17 12:02",
        "山区小学开设书法课 孩子们练字兴致高",
        [
            "西南一所山区小学本学期开设了书法课，每周两节，由退休老教师义务授课。",
            "老教师说，练字先练心，一笔一画都要耐心，孩子们的坐姿和专注力都有了进步。",
            Figure(_img("2022/04", "calligraphy-class-1"), "学生们在教室里练习毛笔字。（示意图）"),
            Heading("家长自发捐赠笔墨"),
            "不少家长得知后自发捐赠了毛笔、墨汁和宣纸，学校把这些用品整理后分发到各个班级。",
            Figure(
                _img("2022/04", "calligraphy-class-2"),
                "一名学生展示自己写的“福”字。（示意图）",
                link=_img("2022/04", "calligraphy-class-2", "1200x800"),
            ),
            "学校计划在学期末举办一次书法展，展出学生们的作品。",
        ],
        featured=Figure(
            _img("2022/04", "calligraphy-main", "800x450"), "山区小学的书法课。（示意图）"
        ),
        tags=("山区小学", "书法"),
        byline="责任编辑：文华",
    ),
    _art(
        "n19000102",
        "2022-04-17 01:15",
        "春耕时节 农民抢种早稻",
        [
            "眼下正值春耕，南方多地农民趁着晴好天气抢种早稻，田间一片忙碌。",
            Figure(_img("2022/04", "rice-planting-1"), "农民在水田里插秧。（示意图）", lazy=True),
            "一位种田多年的农民说，今年雨水比往年多，秧苗长势不错，只盼收割时别遇上连阴雨。",
            Figure(
                _img("2022/04", "rice-planting-2"),
                "刚插好秧的稻田。（示意图）",
                lazy=True,
                lazy_attr="data-original",
            ),
            "农技站提醒，插秧后要注意防治病虫害，及时排灌。",
        ],
        url_date="22/4/16",
        lead_day="2022-04-16",
        featured=Figure(
            _img("2022/04", "rice-main", "800x450"), "田间的插秧机。（示意图）", lazy=True
        ),
        page_time="text",
        byline="责任编辑：高义#",
    ),
    _art(
        "n19000103",
        "2022-01-20 15:30",
        "冬季长跑活动在多地举行",
        [
            "一年一度的冬季长跑活动近日在多座城市举行，参加者从小学生到七旬老人都有。",
            Embed(YT + "Xy12AbCdEf0"),
            Heading("老人坚持晨跑二十年"),
            "一位七十二岁的老人说，他坚持晨跑已有二十年，冬天也不间断，身体比年轻时还好。",
            Embed(YOUMAKER),
            "组织者表示，明年还将增设亲子组，鼓励更多家庭参与。",
        ],
        byline="责任编辑：林妍",
        page_time="text",
    ),
    _art(
        "n19000104",
        "2022-04-15 09:00",
        "此文章已被移除",
        ["这篇文章在列表中出现，但页面已不存在。"],
        expect=HTTP_404,
        extraction=None,
    ),
    _art(
        "n19000105",
        "2022-04-14 10:00",
        "河道清淤工程启动",
        [
            "城区主要河道的清淤工程本周启动，预计两个月完成，施工期间部分步道封闭。",
            "施工方表示，清出的淤泥将集中处理，不会随意堆放。",
        ],
        byline="责任编辑：方明",
    ),
    # ---- gb nsc412 美国新闻 (teaser-only feed) ------------------------------------
    _art(
        "n19000106",
        "2022-04-16 20:00",
        None,
        ["这个页面没有任何标题。", "正文仍然存在，但无法为它生成页面标题。"],
        expect=NO_TITLE,
        extraction=None,
    ),
    _art(
        "n19000107",
        "2022-04-16 18:45",
        "图书馆延长周末开放时间",
        [
            "市图书馆宣布自下月起延长周末开放时间，晚上九点闭馆。",
            "馆方表示，此举是为了方便上班族和学生在周末借阅与自习，这一段在传输中被截断。",
            "馆方还将增加自助借还机的数量。",
        ],
        expect=TRUNCATED,
        extraction=None,
    ),
    _art(
        "n19000108",
        "2022-04-16 13:20",
        "社区花园迎来第一批志愿者",
        [
            "一座新建的社区花园本周迎来第一批志愿者，大家一起翻土、播种、搭建花架。",
            Quote("种花的人，心里也会开出花来。"),
            "花园负责人说，今后每个周六上午都会组织志愿活动，欢迎居民报名。",
        ],
        tags=("社区花园",),
        page_time="update",
        byline="责任编辑：高静",
    ),
    # ---- gb nsc993 自由广场 -----------------------------------------------------
    _art(
        "n19000109",
        "2022-04-15 22:10",
        "读者来信：<script>alert('t')</script>{{ 7*7 }} 一封信",
        [
            "这是一封读者来信，信中的标记必须始终是文字。<img src=x onerror=alert(1)>",
            Raw(
                "<script>document.write('<p>注入的段落</p>')</script>"
                "<style>p{display:none}</style>"
                '<p><a href="javascript:alert(1)">点这里</a>不是链接。</p>'
                '<iframe src="http://10.0.0.1/admin"></iframe>'
                "<!-- </div></div> ]]> -->"
            ),
            "来信最后说：{% for x in range(3) %}循环{% endfor %}也只是文字。",
        ],
        featured=Figure("javascript:alert('img')", "图片说明](javascript:alert(1))"),
        layout="hostile",
        byline="责任编辑：高义",
    ),
    _art(
        "n19000110",
        "2022-04-15 14:00",
        "老街改造保留青石板路",
        [
            "老街改造方案日前公布，原有的青石板路面将全部保留，只更换排水管道。",
            "不少老住户表示满意，说青石板路是几代人的记忆。",
        ],
        layout="structured",
        extraction="structured",
        page_time="none",
        byline="责任编辑：李红",
    ),
    _art(
        "n19000111",
        "2022-04-14 02:30",
        "夜市重新开张 摊主盼回客流",
        [
            "停业数月的夜市本周末重新开张，摊主们早早摆好摊位，盼着客流回升。",
            "一位卖烤红薯的摊主说，开张第一晚就卖出了两百多个，比预想的好。",
            "管理方表示，将继续做好卫生和秩序维护。",
        ],
        layout="generic",
        extraction="generic",
        page_time="none",
        jsonld=False,
        lead_day="2022-04-13",
        byline="责任编辑：方晓",
    ),
    _art(
        "n19000112",
        "2022-04-13 09:40",
        "网友热议：慢生活的意义",
        [
            "近日，一篇谈论慢生活的文章在网上引发讨论，许多网友分享了自己放慢脚步的经历。",
            "有网友说，每天留出半小时散步，比什么都重要。",
            "也有网友认为，慢生活不是不努力，而是知道自己要什么。",
        ],
        tags=("慢生活",),
        feed_more_link=True,
        byline="责任编辑：高义",
    ),
    # ---- gb nf4514 头条集锦 (drifted list markup) --------------------------------
    _art(
        "n19000113",
        "2022-04-12 11:11",
        "博物馆推出夜场参观",
        [
            "市博物馆本月起每周五推出夜场参观，开放到晚上八点。",
            "馆方表示，夜场将配合讲解员导览，让观众在安静的环境中欣赏展品。",
        ],
        byline="责任编辑：文华",
    ),
    # ---- b5 nsc413 大陸新聞 -------------------------------------------------------
    _art(
        "n19000201",
        "2022-04-17 03:29",
        "古鎮茶館重新開業",
        [
            "一座古鎮上的老茶館近日重新開業，店主保留了原來的木桌和長凳。",
            Figure(_img("2022/04", "teahouse-1"), "茶館裡的木桌長凳。（示意圖）"),
            "老顧客說，喝的是茶，品的是舊時光。",
        ],
        edition="b5",
        featured=Figure(_img("2022/04", "teahouse-main", "800x450"), "古鎮老茶館。（示意圖）"),
        tags=("茶館",),
        byline="責任編輯：高義",
    ),
    _art(
        "n19000202",
        "2022-04-16 07:05",
        "山間步道完成修繕",
        [
            "郊外一條山間步道完成修繕，新增了休息亭和指示牌。",
            "登山愛好者表示，步道平整了許多，適合全家一起走。",
        ],
        edition="b5",
        page_time="text",
        byline="責任編輯：林妍",
    ),
)

SECTIONS: tuple[EpochSection, ...] = (
    EpochSection(
        "gb",
        "nsc413",
        "大陆新闻",
        (("n19000101", "n19000102", "n19000103", "n19000104"), ("n19000105",)),
        failing_page=2,
        feed_ids=("n19000101", "n19000102", "n19000103", "n19000105"),
    ),
    EpochSection(
        "gb",
        "nsc412",
        "美国新闻",
        (("n19000106", "n19000107", "n19000108"),),
        feed=FEED_TEASER,
    ),
    EpochSection(
        "gb",
        "nsc993",
        "自由广场",
        (("n19000109", "n19000110", "n19000111", "n19000112"),),
    ),
    EpochSection("gb", "nf4514", "头条集锦", (("n19000113", "n19000101"),), drifted=True),
    EpochSection("gb", "nsc418", "国际新闻", (("n19000113",),), feed=FEED_NOT_XML),
    EpochSection("gb", "nsc424", "纪元特稿", (("n19000112",),), feed=FEED_DOCTYPE),
    EpochSection("b5", "nsc413", "大陸新聞", (("n19000201", "n19000202"),)),
)


def _with_sections(arts: Iterable[EpochArticle]) -> tuple[EpochArticle, ...]:
    out = []
    for a in arts:
        secs = tuple(s.id for s in SECTIONS if s.edition == a.edition and a.id in sum(s.pages, ()))
        out.append(EpochArticle(**{**a.__dict__, "sections": secs}))
    return tuple(out)


ARTICLES: tuple[EpochArticle, ...] = _with_sections(_RAW)


def article(id: str) -> EpochArticle:
    return next(a for a in ARTICLES if a.id == id)


def articles(edition: str | None = "gb") -> tuple[EpochArticle, ...]:
    return tuple(a for a in ARTICLES if edition is None or a.edition == edition)


__all__ = [
    "ARTICLES",
    "CANONICAL",
    "FEED_DOCTYPE",
    "FEED_FULL",
    "FEED_NOT_XML",
    "FEED_TEASER",
    "HTTP_404",
    "IMG",
    "MIRRORED",
    "NO_TITLE",
    "PLACEHOLDER_GIF",
    "SECTIONS",
    "TRUNCATED",
    "EpochArticle",
    "EpochSection",
    "article",
    "articles",
]
