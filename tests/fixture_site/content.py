# Chinese text uses full-width punctuation on purpose.
"""What the fixture site says: the single source of truth for crawl tests.

Every page served by the fixture is rendered from these dataclasses, and the
tests compare the crawler's output with them. All text is invented.

Conventions (read these before writing assertions):

* ``paragraphs`` are the texts of the body's ``<p>`` elements as a reader sees
  them, in order: the first one starts with the lead line, the last one is the
  byline when there is one. Page furniture (related links, print link, ads,
  hostile scripts) is never part of any expected field.
* Times are Beijing wall-clock ``YYYY-MM-DD HH:MM``. JSON-LD repeats the same
  digits with a wrong ``Z`` suffix; the URL date may be a day earlier.
* Article URLs use the canonical prefix ``https://www.ntdtv.com``; the server
  rewrites that prefix to its own origin (see ``build.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

CANONICAL = "https://www.ntdtv.com"
IMG = "https://i.ntdtv.com/assets/uploads"
PLACEHOLDER_GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
PLACEHOLDER_FILE = "/wp-content/themes/ntd/images/lazy.gif"

# Outcomes the crawler must reach for an article.
MIRRORED = "mirrored"
HTTP_404 = "http_404"
NO_TITLE = "no_title"
TRUNCATED = "truncated"


# --------------------------------------------------------------------------- blocks
@dataclass(frozen=True)
class Figure:
    """An image with caption; ``lazy`` puts the real URL in ``lazy_attr``."""

    src: str
    caption: str
    lazy: bool = False
    lazy_attr: str = "data-src"  # or "data-original"
    placeholder: str = PLACEHOLDER_GIF  # what ``src`` holds when lazy
    link: str | None = None  # <a href> wrapping the <img> (full-size image)


@dataclass(frozen=True)
class Paragraph:
    """A ``<p>``; ``html`` overrides the markup when it must differ from ``text``."""

    text: str
    html: str | None = None


@dataclass(frozen=True)
class Heading:
    """An ``<h2>`` subheading."""

    text: str


@dataclass(frozen=True)
class ListBlock:
    """A ``<ul>`` (or ``<ol>`` when ``ordered``)."""

    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    """A ``<table>``; the first row is the header."""

    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Quote:
    """A ``<blockquote>`` holding one paragraph."""

    text: str


@dataclass(frozen=True)
class Embed:
    """A player iframe inside ``div.video_fit_container``."""

    src: str


@dataclass(frozen=True)
class Related:
    """``div.post_related`` inside the body: furniture, never content."""

    ids: tuple[str, ...]


@dataclass(frozen=True)
class Raw:
    """Markup a reader never sees as text (scripts, styles, hostile bits)."""

    html: str


Block = Paragraph | Heading | ListBlock | Table | Quote | Figure | Embed | Related | Raw


# --------------------------------------------------------------------------- article
@dataclass(frozen=True)
class FixtureArticle:
    """One article page and what the crawler must make of it."""

    id: str  # "a103124021" (9 digits) or older "a7890123"
    edition: str  # "gb" | "b5"
    url_date: str  # "2021/05/20" as in the URL; may be a day before ``published``
    title: str | None  # None: no h1, no og:title, no JSON-LD headline, empty <title>
    published: str | None  # Beijing "YYYY-MM-DD HH:MM", as div.time shows it
    updated: str | None = None  # 更新时间 line shown BEFORE the publication line; not publication
    lead: str | None = None  # lead line, also the start of paragraphs[0]
    body: tuple[Block, ...] = ()  # body blocks in page order
    featured: Figure | None = None  # div.featured_image; with ``video``: og:image only (poster)
    video: str | None = None  # div.featured_video iframe src (video articles)
    tags: tuple[str, ...] = ()  # inline tag links /{edition}/{tag}.htm, in page order
    links: tuple[tuple[str, str], ...] = ()  # other inline links (text, href) inside paragraphs
    strong: tuple[str, ...] = ()  # texts wrapped in <strong> inside paragraphs
    byline: str | None = None  # also the last paragraph
    expect: str = MIRRORED  # MIRRORED | HTTP_404 | NO_TITLE | TRUNCATED
    extraction: str | None = "site"  # "site" | "structured" | "generic"; None unless mirrored
    layout: str = "standard"  # "standard" | "old" (div.main_title) | "structured" | "generic"
    time_label: bool = True  # False: div.time span holds the bare "YYYY-MM-DD HH:MM"
    jsonld: bool = True  # page carries a NewsArticle JSON-LD block
    jsonld_body: bool = True  # JSON-LD includes articleBody
    sections: tuple[str, ...] = field(default=())  # filled from SECTIONS: list pages linking it

    # --- derived expectations -------------------------------------------------
    @property
    def path(self) -> str:
        """URL path, e.g. ``/gb/2021/05/20/a103124021.html``."""
        return f"/{self.edition}/{self.url_date}/{self.id}.html"

    @property
    def url(self) -> str:
        """Canonical URL on the real site."""
        return CANONICAL + self.path

    @property
    def key(self) -> tuple[str, str]:
        """(edition, id): ids are unique per edition only."""
        return (self.edition, self.id)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.body if isinstance(b, Paragraph))

    @property
    def subheads(self) -> tuple[str, ...]:
        return tuple(b.text for b in self.body if isinstance(b, Heading))

    @property
    def list_items(self) -> tuple[str, ...]:
        return tuple(i for b in self.body if isinstance(b, ListBlock) for i in b.items)

    @property
    def table(self) -> tuple[tuple[str, ...], ...]:
        return next((b.rows for b in self.body if isinstance(b, Table)), ())

    @property
    def quote(self) -> str | None:
        return next((b.text for b in self.body if isinstance(b, Quote)), None)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.body if isinstance(b, Figure))

    @property
    def embeds(self) -> tuple[str, ...]:
        """Players embedded in the body (not the featured video)."""
        return tuple(b.src for b in self.body if isinstance(b, Embed))

    @property
    def jsonld_published(self) -> str | None:
        """What JSON-LD datePublished holds: Beijing digits with a wrong ``Z``."""
        return _fake_utc(self.published) if self.jsonld else None

    @property
    def jsonld_modified(self) -> str | None:
        return _fake_utc(self.updated or self.published) if self.jsonld else None

    @property
    def article_body(self) -> str:
        """JSON-LD articleBody: reader-visible block texts joined by blank lines."""
        parts: list[str] = []
        for b in self.body:
            if isinstance(b, Paragraph | Heading | Quote):
                parts.append(b.text)
            elif isinstance(b, ListBlock):
                parts.extend(b.items)
            elif isinstance(b, Table):
                parts.extend(" ".join(r) for r in b.rows)
        return "\n\n".join(parts)

    @property
    def excerpt(self) -> str:
        """List-page excerpt: start of the first paragraph without the lead."""
        first = self.paragraphs[0] if self.paragraphs else ""
        if self.lead and first.startswith(self.lead):
            first = first[len(self.lead) :]
        return first[:40] + "…"


def _fake_utc(beijing: str | None) -> str | None:
    """The site's JSON-LD bug: Beijing clock digits labelled as UTC."""
    return None if beijing is None else beijing.replace(" ", "T") + ":00Z"


# --------------------------------------------------------------------------- sections
@dataclass(frozen=True)
class Section:
    """One section list, paginated by following the pager links."""

    edition: str
    path: str  # "prog204" or "news/china"
    name: str  # as shown in the list page's h1
    pages: tuple[tuple[str, ...], ...]  # article ids per list page, top to bottom
    failing_page: int | None = None  # this page number answers HTTP 500 (lists nothing)
    block_title: bool = True  # False: <div class="post_list"><h1><span>name</span>
    far_page: int | None = None  # extra pager link labelled with commas ("1,234"), no such page

    def page_path(self, page: int) -> str:
        """``/gb/prog204`` for page 1, ``/gb/prog204/2`` after."""
        base = f"/{self.edition}/{self.path}"
        return base if page == 1 else f"{base}/{page}"

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(i for page in self.pages for i in page)


# --------------------------------------------------------------------------- helpers
def _lead(edition: str, published: str) -> str:
    y, m, d = published[:10].split("-")
    if edition == "b5":
        return f"【新唐人北京時間{y}年{m}月{d}日訊】"
    return f"【新唐人北京时间{y}年{m}月{d}日讯】"


def _img(month: str, name: str, size: str = "600x400", ext: str = "jpg") -> str:
    """An image URL on i.ntdtv.com; the fixture serves it on its origin (see ``images.py``)."""
    return f"{IMG}/{month}/{name}-{size}.{ext}"


# A 1x1 tracking pixel: too small to mirror.
TRACKING_PIXEL = _img("2021/05", "pixel", "1x1", "gif")


def _art(
    id: str,
    published: str,
    title: str | None,
    body: Iterable[str | Block],
    *,
    edition: str = "gb",
    url_date: str | None = None,
    lead: str | None = "auto",
    byline: str | None = None,
    **kw: object,
) -> FixtureArticle:
    """Build an article: prefix the lead to the first paragraph, append the byline."""
    if lead == "auto":
        lead = _lead(edition, published)
    blocks: list[Block] = [Paragraph(b) if isinstance(b, str) else b for b in body]
    if lead:
        i = next(i for i, b in enumerate(blocks) if isinstance(b, Paragraph))
        first = blocks[i]
        assert isinstance(first, Paragraph)
        blocks[i] = Paragraph(lead + first.text, lead + first.html if first.html else None)
    if byline:
        blocks.append(Paragraph(byline))
    return FixtureArticle(
        id=id,
        edition=edition,
        url_date=url_date or published[:10].replace("-", "/"),
        title=title,
        published=published,
        lead=lead,
        body=tuple(blocks),
        byline=byline,
        **kw,  # type: ignore[arg-type]
    )


YT = "https://www.youtube.com/embed/"
#: Other players: Ganjing World's embed, and the site's own <video> file.
GANJING_EMBED = "https://www.ganjingworld.com/embed/1fkc7vbr3ro6K4Uu7TPlzkn1p1ba1c"
SITE_VIDEO = "https://vod.ntdtv.com/gb/2021/05/15/tea-harvest.mp4"

# --------------------------------------------------------------------------- articles
_RAW: tuple[FixtureArticle, ...] = (
    # ---- prog204 大陆 -----------------------------------------------------------
    _art(
        "a103124021",
        "2021-05-20 08:30",
        "南方多地进入汛期 水利部门加强防汛值守",
        [
            "随着气温回升，南方多个省份近日陆续进入汛期，各地水利部门开始实行二十四小时防汛值守。",
            "据当地气象部门介绍，今年入汛时间与常年大致相当，但局地短时强降雨的概率有所上升。",
            Related(("a103123870", "a103122987")),
            Heading("水库提前腾出库容"),
            "多座中型水库已按调度方案提前泄水，为可能出现的强降雨腾出库容。防汛工作人员每天两次巡查堤坝，记录水位变化。",
            Figure(
                _img("2021/05", "flood-river-1"),
                "5月19日，一名工作人员在河堤上巡查水位。（示意图）",
            ),
            Heading("提醒民众注意出行安全"),
            "当地部门提醒民众，雨天尽量减少前往河道、山区等危险地带，遇到道路积水时不要涉水通行。",
        ],
        featured=Figure(
            _img("2021/05", "flood-main", "800x450"),
            "南方一处水库开闸泄洪。（示意图）",
            link=_img("2021/05", "flood-main", "1200x675"),
        ),
        tags=("水利", "防汛"),
        byline="（记者罗婷婷综合报导/责任编辑：文慧）",
    ),
    _art(
        "a103124355",
        "2021-05-21 14:05",
        "多家航空公司陆续恢复国际航线",
        [
            "近期多家航空公司宣布，将在夏季航季陆续恢复部分国际航线，航班频次仍低于往年同期。",
            "业内人士表示，各地入境政策不同，旅客出行前应留意目的地的最新规定，并预留足够的转机时间。",
            Table(
                (
                    ("航线", "每周班次", "恢复日期"),
                    ("上海—新加坡", "2", "6月1日"),
                    ("广州—曼谷", "3", "6月8日"),
                    ("北京—法兰克福", "1", "6月15日"),
                )
            ),
            "航空公司同时提醒，机票价格可能随供需变化而波动，旅客可关注官方渠道发布的信息。",
        ],
        strong=("航班频次仍低于往年同期",),
        byline="（责任编辑：李红）",
    ),
    _art(
        "a103123870",
        "2021-05-19 09:15",
        "春播进入尾声 农户抢抓晴好天气",
        [
            "眼下春播进入尾声，北方多地农户抓住连日晴好天气，加紧播种玉米和大豆。",
            Figure(
                _img("2021/05", "spring-sowing-1"),
                "农户在田间操作播种机。（示意图）",
                lazy=True,
            ),
            "一位种植户说，今年提前做了土壤检测，按照检测结果调整了施肥量，希望秋天能有好收成。",
            Figure(
                _img("2021/05", "spring-sowing-2"),
                "刚刚出苗的玉米地。（示意图）",
                lazy=True,
                placeholder=PLACEHOLDER_FILE,
            ),
            "农技人员表示，播种后仍需关注墒情变化，遇到干旱应及时灌溉。",
        ],
        updated="2021-05-20 10:00",
        byline="新唐人记者毕心慈、宇微综合报导",
    ),
    _art(
        "a103123602",
        "2021-05-20 00:30",
        "高校毕业季临近 毕业生求职渠道更加多样",
        [
            "又到一年毕业季，不少高校毕业生正在为求职做最后准备，线上招聘会成为重要渠道之一。",
            "一名即将毕业的学生说，她已经参加了十几场线上面试，感觉准备充分比投递数量更重要。",
            Quote("找工作不要只看第一份薪水，能不能学到东西同样重要。"),
            "就业指导老师建议，毕业生可以先明确自己的方向，再有针对性地准备简历。",
        ],
        url_date="2021/05/19",
        byline="（记者李佳综合报导/责任编辑：文慧）",
    ),
    _art(
        "a103122987",
        "2021-05-17 16:40",
        "城市推行垃圾分类 社区志愿者上门讲解",
        [
            "多座城市近年推行生活垃圾分类，一些社区组织志愿者上门讲解分类方法。",
            "志愿者介绍，居民最容易混淆的是厨余垃圾和其他垃圾，例如大骨头应投入其他垃圾桶。",
            ListBlock(
                (
                    "可回收物：纸张、塑料瓶、金属",
                    "有害垃圾：电池、灯管、过期药品",
                    "厨余垃圾：剩菜剩饭、果皮",
                    "其他垃圾：纸巾、陶瓷碎片",
                ),
                ordered=True,
            ),
            "社区工作人员表示，分类习惯需要时间养成，他们会继续在投放点安排人员引导。",
        ],
        featured=Figure(
            _img("2021/05", "garbage-sorting", "800x450"), "社区的分类垃圾桶。（示意图）"
        ),
        strong=("大骨头应投入其他垃圾桶",),
        byline="（责任编辑：李红）",
    ),
    _art(
        "a103122544",
        "2021-05-16 10:00",
        "此文章已被移除",
        ["这篇文章在列表中出现，但页面已不存在。"],
        expect=HTTP_404,
        extraction=None,
    ),
    _art(
        "a103122310",
        "2021-05-16 07:45",
        None,
        [
            "这是一篇没有标题的文章：页面没有任何标题元素，爬虫应当放弃它。",
            "正文本身是完整的，只是缺少标题。",
        ],
        expect=NO_TITLE,
        extraction=None,
    ),
    _art(
        "a103121876",
        "2021-05-15 11:20",
        "茶园迎来采摘旺季 茶农忙着制新茶",
        [
            "五月中旬，南方茶园迎来采摘旺季，茶农每天清晨上山采摘鲜叶。",
            Embed(GANJING_EMBED),
            "制茶师傅说，鲜叶采回后要经过摊晾、杀青、揉捻和烘干等工序，火候掌握全凭经验。",
            Raw(f'<video controls><source src="{SITE_VIDEO}" type="video/mp4"></video>'),
            "今年春季雨水适中，茶叶品质总体不错，但人工成本上涨让不少茶农感到压力。",
        ],
        time_label=False,
        tags=("茶叶",),
        byline="（记者罗婷婷综合报导/责任编辑：文慧）",
    ),
    _art(
        "a103121405",
        "2021-05-14 13:10",
        "铁路部门调整列车运行图",
        [
            "铁路部门宣布自下月起调整全国列车运行图，部分线路将增开夜间列车。",
            "调整后，多条干线的旅行时间将有所缩短，旅客可通过官方渠道查询具体车次信息。",
            "这一段在服务器返回的页面中被截断，读者只能看到前半部分。",
        ],
        expect=TRUNCATED,
        extraction=None,
    ),
    _art(
        "a103120932",
        "2021-05-13 18:25",
        "古镇旅游回暖 老街商铺重新热闹起来",
        [
            "随着天气转暖，江南一些古镇的游客逐渐增多，老街上的商铺重新热闹起来。",
            Embed(YT + "Xq3b7KfD1aQ"),
            "一家经营手工糕点的店主说，周末的客流已经恢复到往年的七八成。",
            "景区管理方表示，将在节假日实行预约限流，避免游客过度集中。",
        ],
        tags=("古镇",),
        byline="（记者李佳综合报导/责任编辑：李红）",
    ),
    # ---- prog202 国际 -----------------------------------------------------------
    _art(
        "a103124410",
        "2021-05-21 09:50",
        "日本多地推出夏季观光活动",
        [
            "日本多个地方政府近日公布夏季观光计划，包括花火大会和传统祭典，部分活动将采取限流措施。",
            "观光业者表示，希望在做好防疫的前提下逐步恢复客流，同时推出更多户外项目。",
            Figure(
                _img("2021/05", "japan-festival"),
                "夏季祭典上的灯笼。（示意图）",
                lazy=True,
                lazy_attr="data-original",
            ),
            "当地居民则希望主办方合理安排交通，减少活动对日常生活的影响。",
            Figure(_img("2021/05", "festival-corrupt"), "烟花大会的旧照片。（示意图）"),
            Figure(_img("2021/05", "festival-missing"), "祭典的游行队伍。（示意图）"),
        ],
        byline="（责任编辑：文慧）",
    ),
    _art(
        "a103124188",
        "2021-05-20 20:15",
        "安全测试](http://evil.example) <!-- # *bold* _x_ | [link]",
        [
            Paragraph(
                "这篇文章用于检验转换器能否安全处理恶意标记。",
                html="这篇文章用于检验转换器能否安全处理恶意标记。<script>alert(1)</script>",
            ),
            Raw("<style>body{display:none}</style>"),
            Paragraph(
                "正文里出现注释开头 <!-- 以及模板语法 {{ 7*7 }}，都应原样显示为文字。",
            ),
            Paragraph(
                "图片标签带有事件属性，读者只看到这句话。",
                html="图片标签带有事件属性，<img src=x onerror=alert(1)>读者只看到这句话。",
            ),
            Raw('<iframe src="https://evil.example/" width="1" height="1"></iframe>'),
            Paragraph(
                "请不要点击这个链接，它不会把你带到任何地方。",
                html=(
                    '请不要点击<a href="javascript:alert(1)">这个链接</a>，它不会把你带到任何地方。'
                ),
            ),
            "Markdown 符号如 *星号*、_下划线_、[方括号](链接) 和 # 井号也只是普通文字。",
        ],
        byline="（责任编辑：李红）",
    ),
    _art(
        "a103123050",
        "2021-05-18 12:00",
        "欧洲多国增开夜间列车",
        [
            "欧洲多国铁路公司近期宣布增开跨国夜间列车，连接多个主要城市。",
            Heading("乘客需求回升"),
            "铁路公司表示，越来越多的旅客愿意选择夜车出行，既节省住宿费用，又能在清晨抵达目的地。",
            ListBlock(("维也纳—阿姆斯特丹", "苏黎世—布拉格", "巴黎—柏林")),
            Figure(
                _img("2021/05", "night-train-cabin", "3200x1800"), "夜车卧铺车厢内景。（示意图）"
            ),
            "不过也有乘客反映卧铺票价偏高，希望未来能推出更多优惠。",
        ],
        featured=Figure(
            _img("2021/05", "night-train", "800x450"), "一列夜间列车停靠在站台。（示意图）"
        ),
        byline="新唐人记者毕心慈、宇微综合报导",
    ),
    _art(
        "a103122701",
        "2021-05-17 07:05",
        "澳洲农场主尝试新型节水灌溉",
        [
            "澳洲东南部一些农场主开始尝试新型滴灌设备，希望在干旱季节减少用水。",
            "一位农场主说，改用滴灌后，同样面积的果园用水量比过去少了将近三成。",
            "研究人员提醒，设备需要定期清洗，否则滴头容易堵塞。",
        ],
        layout="structured",
        extraction="structured",
        byline="（责任编辑：文慧）",
    ),
    # ---- prog203 美国 -----------------------------------------------------------
    _art(
        "a103124502",
        "2021-05-21 06:40",
        "加州进入山火季 居民清理房屋周边植被",
        [
            "美国加州即将进入山火高发季节，消防部门呼吁居民清理房屋周边的枯草和落叶。",
            "消防官员表示，在房屋四周留出防火空间，可以明显降低火势蔓延到住宅的风险。",
            Figure(_img("2021/05", "california-brush"), "居民清理院子里的枯枝。（示意图）"),
            Paragraph(
                "部分社区还组织了疏散演练，帮助居民熟悉撤离路线。",
                html="部分社区还组织了疏散演练，帮助居民熟悉撤离路线。"
                f'<img src="{TRACKING_PIXEL}" width="1" height="1" alt="">',
            ),
            Figure(_img("2021/05", "wildfire-risk", "1000x700", "png"), "山火风险分布示意图。"),
        ],
        tags=("加州", "山火"),
        byline="（记者李佳综合报导/责任编辑：文慧）",
    ),
    _art(
        "a103124133",
        "2021-05-20 19:00",
        "【新闻大家谈】美国各地社区花园受欢迎",
        [
            "美国各地的社区花园近年越来越受欢迎，居民在这里种菜、交流，也结识了新朋友。",
            Paragraph(
                "【点击观看完整视频】",
                html='<a href="https://www.ntdtv.com/gb/programs/news-talk">【点击观看完整视频】</a>',
            ),
        ],
        video=YT + "Lm4pQ9zT2Wc",
        featured=Figure(_img("2021/05", "community-garden", "800x450"), ""),
    ),
    _art(
        "a103123741",
        "2021-05-19 15:30",
        "美国中西部农民迎来播种季",
        [
            "美国中西部的农民正趁着天气转好加紧播种，今年玉米和大豆的种植面积预计与去年相当。",
            Heading("天气是最大的变数"),
            "一位艾奥瓦州的农民说，种得早不一定好，关键是要看土壤温度和未来几周的降雨。",
            "农业专家表示，近年来农民越来越多地使用卫星数据来决定播种时间。",
        ],
        layout="generic",
        extraction="generic",
        jsonld_body=False,
        byline="（责任编辑：李红）",
    ),
    # ---- news/china 中国 --------------------------------------------------------
    _art(
        "a103124620",
        "2021-05-21 17:20",
        "多地发布高温预警 电力部门保障用电",
        [
            "近日多地气温明显升高，气象部门发布高温预警，提醒民众注意防暑。",
            Figure(_img("2021/05", "library-night"), "不少市民到开着空调的图书馆避暑。（示意图）"),
            "电力部门表示，已提前检修输电线路，用电高峰期间将加强巡视。",
            "医生提醒，高温天气应多喝水，避免在正午时段长时间户外活动。",
        ],
        tags=("高温",),
        byline="（责任编辑：文慧）",
    ),
    _art(
        "a103124290",
        "2021-05-21 08:00",
        "图书馆延长开放时间 方便读者夜读",
        [
            "一些城市的公共图书馆宣布延长开放时间，晚上也能进馆阅读和借书。",
            Figure(_img("2021/05", "library-night"), "晚间在图书馆阅读的读者。（示意图）"),
            "馆方介绍，延时开放后，晚间读者以上班族和学生为主。",
        ],
        featured=Figure(
            _img("2021/05", "library", "800x450"), "公共图书馆阅览室。（示意图）", lazy=True
        ),
        byline="（记者罗婷婷综合报导/责任编辑：李红）",
    ),
    _art(
        "a103123988",
        "2021-05-20 11:45",
        "快递业务量持续增长 末端配送面临压力",
        [
            "今年以来，快递业务量保持增长，社区末端配送的压力随之加大。",
            "一名快递员说，高峰时期每天要派送三百多件包裹，经常顾不上吃午饭。",
            Heading("智能快递柜成为补充"),
            "不少小区增设了智能快递柜，但也有居民反映柜子数量不够用。",
        ],
        updated="2021-05-20 16:30",
        byline="新唐人记者毕心慈、宇微综合报导",
    ),
    _art(
        "a103123321",
        "2021-05-18 21:10",
        "夜市重新开张 小吃摊主期待客流",
        [
            "随着天气转暖，一些城市的夜市重新开张，小吃摊主们早早做好了准备。",
            "一位卖烤串的摊主说，夜市的生意主要看天气，下雨天基本没有客人。",
        ],
        byline="（责任编辑：文慧）",
    ),
    _art(
        "a103122876",
        "2021-05-17 09:30",
        "中小学开展防溺水安全教育",
        [
            "临近夏季，多地中小学开展防溺水安全教育，提醒学生不要私自下水游泳。",
            ListBlock(("不私自下水游泳", "不擅自与他人结伴游泳", "不到无安全设施的水域游泳")),
            "老师还通过情景演示，教学生遇到同伴落水时如何正确呼救。",
        ],
        byline="（记者李佳综合报导/责任编辑：文慧）",
    ),
    # ---- prog1695 中共杀人历史 --------------------------------------------------
    _art(
        "a103120456",
        "2021-05-12 10:10",
        "历史回顾：地方志中的饥荒记录",
        [
            "一些研究者多年来整理各地地方志，从中摘录有关上世纪六十年代初饥荒的记载。",
            "他们发现，不同县份的记录详略不一，有的只用寥寥数语带过，有的则列出了逐年的人口变化。",
            Quote("史料本身不会说话，需要研究者耐心比对。"),
            "研究者表示，希望这些整理工作能为后人了解那段历史提供参考。",
        ],
        byline="（责任编辑：李红）",
    ),
    _art(
        "a103119877",
        "2021-05-10 14:00",
        "口述历史：一位老人的回忆",
        [
            "一位年过八旬的老人近日接受采访，讲述了他年轻时经历的政治运动。",
            "老人说，那些年里许多家庭被迫分离，很多事情他至今记忆犹新。",
            "他希望年轻人多了解历史，珍惜今天能够自由表达的机会。",
        ],
        byline="新唐人记者毕心慈、宇微综合报导",
    ),
    # ---- prog1138 中国时局 ------------------------------------------------------
    _art(
        "a103124705",
        "2021-05-21 20:30",
        "学者分析：地方财政压力上升",
        [
            "多位学者近日撰文分析，部分地方政府的财政收支压力有所上升。",
            Heading("土地收入占比较高"),
            "他们指出，一些地区的财政收入仍较依赖土地出让，一旦房地产市场降温，收入就会受到影响。",
            Table(
                (
                    ("项目", "说明"),
                    ("税收收入", "增长放缓"),
                    ("土地出让收入", "波动较大"),
                )
            ),
            "学者建议，应逐步建立更稳定的地方税源。",
        ],
        byline="（记者罗婷婷综合报导/责任编辑：文慧）",
    ),
    _art(
        "a103123455",
        "2021-05-18 16:15",
        "评论：基层减负仍需落到实处",
        [
            "近年来各地多次提出为基层减负，但一些基层工作人员反映，填表和检查依然不少。",
            "评论人士认为，减负的关键在于减少不必要的考核，让基层人员有更多时间服务群众。",
        ],
        tags=("基层",),
        byline="（责任编辑：李红）",
    ),
    # ---- prog424 法轮功专题 -----------------------------------------------------
    _art(
        "a103121150",
        "2021-05-13 19:40",
        "世界法轮大法日 多地举办庆祝活动",
        [
            "5月13日是世界法轮大法日，多个国家的法轮功学员在公园和广场举办庆祝活动。",
            Figure(_img("2021/05", "dafa-day"), "学员在公园集体炼功。（示意图）"),
            "活动现场有集体炼功演示和腰鼓表演，不少路人驻足观看。",
            "一位参加活动的学员说，修炼让她身体变好了，心态也更加平和。",
        ],
        url_date="2021/05/13",
        byline="（记者李佳综合报导/责任编辑：文慧）",
    ),
    _art(
        "a103122190",
        "2021-05-16 09:00",
        "公园晨练：学员向民众介绍功法",
        [
            "每天清晨，一些法轮功学员在公园里集体炼功，并向感兴趣的民众介绍功法。",
            "一位第一次学炼的民众说，动作舒缓，练完后觉得很放松。",
        ],
        byline="新唐人记者毕心慈、宇微综合报导",
    ),
    # ---- prog647 文史 -----------------------------------------------------------
    _art(
        "a7890123",
        "2012-10-17 09:00",
        "重阳节的由来与习俗",
        [
            "农历九月初九是重阳节，自古就有登高、赏菊、插茱萸的习俗。",
            "古人认为九是阳数，两九相重，故称重阳。历代文人留下了许多吟咏重阳的诗篇。",
            "如今，重阳节也被赋予了敬老的含义，许多家庭会在这一天陪伴长辈。",
        ],
        lead="【新唐人2012年10月17日讯】",
        layout="old",
        jsonld_body=False,
        byline="（责任编辑：李红）",
    ),
    _art(
        "a103121090",
        "2021-05-13 12:30",
        "古建筑中的斗拱智慧",
        [
            "斗拱是中国古代木结构建筑中的重要构件，既能承重，又有装饰作用。",
            "建筑史学者介绍，斗拱由许多小木块层层叠加而成，不用一根铁钉。",
            ListBlock(("分散屋顶重量", "增加出檐深度", "提高抗震能力")),
            "一些保存完好的古建筑历经数百年仍然屹立，斗拱功不可没。",
        ],
        featured=Figure(_img("2021/05", "dougong", "800x450"), "古建筑屋檐下的斗拱。（示意图）"),
        tags=("古建筑",),
        byline="（记者罗婷婷综合报导/责任编辑：文慧）",
    ),
    # ---- prog1699 共产党百年真相 ------------------------------------------------
    _art(
        "a103124840",
        "2021-05-21 22:00",
        "系列节目介绍：百年历史的另一面",
        [
            "本台推出系列专题节目，通过史料和亲历者访谈回顾过去一百年的重要历史事件。",
            "节目制作组表示，每一集都会注明资料来源，方便观众查证。",
        ],
        byline="《新闻大家谈》制作组",
    ),
    # ---- b5 prog204 大陸 --------------------------------------------------------
    _art(
        "a103124021",
        "2021-05-20 08:30",
        "南方多地進入汛期 水利部門加強防汛值守",
        [
            "隨著氣溫回升，南方多個省份近日陸續進入汛期，各地水利部門開始實行二十四小時防汛值守。",
            "據當地氣象部門介紹，今年入汛時間與常年大致相當，但局地短時強降雨的機率有所上升。",
            "當地部門提醒民眾，雨天盡量減少前往河道、山區等危險地帶。",
        ],
        edition="b5",
        featured=Figure(
            _img("2021/05", "flood-main", "800x450"), "南方一處水庫開閘洩洪。（示意圖）"
        ),
        tags=("防汛",),
        byline="（記者羅婷婷綜合報導/責任編輯：文慧）",
    ),
    _art(
        "a103124377",
        "2021-05-21 15:00",
        "老街修繕完工 居民重返舊居",
        [
            "一條有百年歷史的老街近日完成修繕，搬出的居民陸續回到舊居。",
            "一位老住戶說，修繕保留了原來的青磚和木門，走在街上還是熟悉的感覺。",
        ],
        edition="b5",
        byline="（責任編輯：李紅）",
    ),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "gb",
        "prog204",
        "大陆",
        (
            ("a103124355", "a103124021", "a103123602", "a103123870"),
            ("a103122987", "a103122544", "a103122310", "a103121876"),
            ("a103121405", "a103120932"),
        ),
        far_page=1234,
    ),
    Section(
        "gb",
        "prog202",
        "国际",
        (
            ("a103124410", "a103124355", "a103124188"),
            ("a103123050", "a103122701"),
        ),
    ),
    Section(
        "gb", "prog203", "美国", (("a103124502", "a103124133", "a103123741"), ()), failing_page=2
    ),
    Section(
        "gb",
        "news/china",
        "中国",
        (
            ("a103124620", "a103124290", "a103123988"),
            ("a103123321", "a103122876"),
        ),
        block_title=False,
    ),
    Section("gb", "prog1695", "中共杀人历史", (("a103120456", "a103119877"),)),
    Section("gb", "prog1138", "中国时局", (("a103124705", "a103123455"),)),
    Section("gb", "prog424", "法轮功专题", (("a103121150", "a103122190"),)),
    Section("gb", "prog647", "文史", (("a103121090", "a7890123"),)),
    Section("gb", "prog1699", "共产党百年真相", (("a103124840",),)),
    Section("b5", "prog204", "大陸", (("a103124377", "a103124021"),)),
)


def _check(arts: Iterable[FixtureArticle], sections: Iterable[Section]) -> None:
    """Catch authoring mistakes at import: inline markup must find its text."""
    for a in arts:
        texts = [p.text for p in a.body if isinstance(p, Paragraph) and p.html is None]
        for needle in (*a.tags, *a.strong, *(t for t, _ in a.links)):
            assert any(needle in t for t in texts), (a.id, needle)
        assert a.byline is None or a.paragraphs[-1] == a.byline, a.id
    keys = [(s.edition, s.path) for s in sections]
    assert len(keys) == len(set(keys)), keys


def _with_sections(
    raw: Iterable[FixtureArticle], sections: Iterable[Section]
) -> tuple[FixtureArticle, ...]:
    """Fill ``FixtureArticle.sections`` from the list pages, so they cannot disagree."""
    secs = tuple(sections)
    return tuple(
        dataclasses.replace(
            a, sections=tuple(s.path for s in secs if s.edition == a.edition and a.id in s.ids)
        )
        for a in raw
    )


ARTICLES: tuple[FixtureArticle, ...] = _with_sections(_RAW, SECTIONS)
_check(ARTICLES, SECTIONS)

# Not on the site at start: tests add it between two runs (see ``with_new_article``).
NEW_ARTICLE: FixtureArticle = _art(
    "a103125001",
    "2021-05-22 07:30",
    "新开通的公交线路方便郊区居民出行",
    [
        "一条连接郊区和市中心的公交线路近日开通，沿线居民出行更加方便。",
        "公交公司表示，将根据客流情况调整发车间隔。",
    ],
    byline="（责任编辑：文慧）",
)


# --------------------------------------------------------------------------- queries
def articles(edition: str | None = "gb") -> tuple[FixtureArticle, ...]:
    """All articles of an edition (``None``: every edition), broken ones included."""
    return tuple(a for a in ARTICLES if edition is None or a.edition == edition)


def mirrored_articles(edition: str | None = "gb") -> tuple[FixtureArticle, ...]:
    """Articles the crawler must mirror."""
    return tuple(a for a in articles(edition) if a.expect == MIRRORED)


def article(id: str, edition: str = "gb") -> FixtureArticle:
    """Look an article up by id."""
    return next(a for a in ARTICLES if a.id == id and a.edition == edition)


def section(path: str, edition: str = "gb") -> Section:
    """Look a section up by path, e.g. ``"prog204"`` or ``"news/china"``."""
    return next(s for s in SECTIONS if s.path == path and s.edition == edition)


def with_new_article(
    new: FixtureArticle = NEW_ARTICLE, path: str = "prog204"
) -> tuple[tuple[FixtureArticle, ...], tuple[Section, ...]]:
    """Content after ``new`` was published at the top of ``path``'s first page."""
    sections = tuple(
        dataclasses.replace(s, pages=((new.id, *s.pages[0]), *s.pages[1:]))
        if (s.edition, s.path) == (new.edition, path)
        else s
        for s in SECTIONS
    )
    return _with_sections((*_RAW, new), sections), sections
