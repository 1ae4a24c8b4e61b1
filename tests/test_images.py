"""Images and videos readers can see: mirrored image files, relative links, video links.

The end-to-end tests run the real ``scrapy crawl`` against the fixture site, which
serves real image files drawn by Pillow (``tests/fixture_site/images.py``); the
stored files are read back with Pillow and the pages through GitHub's renderer.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image as PILImage
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.utils.test import get_crawler

from goodnews_scraper import settings as project_settings
from goodnews_scraper.conversion.clean_html import clean_html
from goodnews_scraper.conversion.image_links import (
    html_image_urls,
    markdown_image_urls,
    relative_link,
    replace_html_images,
    replace_markdown_images,
)
from goodnews_scraper.conversion.markdown import html_to_markdown
from goodnews_scraper.mirror.tree import section_slug
from goodnews_scraper.pipelines.images import (
    BACKFILL_MARKER,
    MirrorImagesPipeline,
    failure_reason,
)
from goodnews_scraper.settings_checks import SettingError, check_image_settings
from goodnews_scraper.sites.ntdtv import IMAGE_HOSTS, parse_article
from goodnews_scraper.store.crawl_state import STATE_RELPATH
from tests.crawl import CrawlResult, run_crawl
from tests.fixture_site import FixtureResponse, FixtureServer, build_site
from tests.fixture_site.content import (
    GANJING_EMBED,
    SITE_VIDEO,
    YT,
    FixtureArticle,
    article,
    articles,
    section,
)
from tests.fixture_site.images import (
    CORRUPT,
    IMAGE,
    MISSING,
    ImageSpec,
    image_spec,
    image_urls,
    served_url,
)
from tests.fixture_site.images import (
    image_bytes as fixture_image_bytes,
)
from tests.markdown_render import rendered_tree

MIRROR = "https://github.com/OWNER/REPO/blob/main"
CRAWLED = ("prog204", "prog202", "prog203", "news/china")
SECTIONS_ARG = "sections=" + ",".join(CRAWLED)
# The fixture breaks some articles on purpose; monitors judge that in their own tests.
SETTINGS = {"MIRROR_BASE_URL": MIRROR, "SPIDERMON_ENABLED": "False"}
MAX_WIDTH, MIN_SIDE = 800, 50  # the defaults in settings.py


# --------------------------------------------------------------------------- expectations
def crawled_articles() -> dict[str, tuple[FixtureArticle, str]]:
    """Mirrored article id -> (article, slug of its home folder)."""
    homes: dict[str, tuple[FixtureArticle, str]] = {}
    for path in CRAWLED:
        sec = section(path)
        for number, ids in enumerate(sec.pages, start=1):
            if number == sec.failing_page:
                break
            for aid in ids:
                fixture = article(aid)
                if fixture.expect == "mirrored":
                    homes.setdefault(aid, (fixture, section_slug(path)))
    return homes


@functools.cache
def fixture_site() -> dict[str, FixtureResponse]:
    """The fixture's pages as the real site would serve them (image host kept)."""
    return build_site()


def article_images(fixture: FixtureArticle) -> list[ImageSpec]:
    """Every image-host image the article page shows (featured image first)."""
    specs = [image_spec(url) for url in image_urls(fixture_site()[fixture.path].body.decode())]
    # The featured image's full-size link is not an image of the page.
    return [s for s in specs if s is not None and not s.url.endswith("-1200x675.jpg")]


def mirrorable(spec: ImageSpec) -> bool:
    return spec.kind == IMAGE and min(spec.width, spec.height) >= MIN_SIDE


def stored_name(spec: ImageSpec, origin: str) -> str:
    digest = hashlib.sha1(served_url(spec.url, origin).encode()).hexdigest()
    return f"images/{digest}.webp"


def expected_size(spec: ImageSpec, max_width: int = MAX_WIDTH) -> tuple[int, int]:
    if spec.width <= max_width:
        return spec.width, spec.height
    return max_width, round(spec.height * max_width / spec.width)


def page_markdown(result: CrawlResult, aid: str, slug: str) -> str:
    return (result.site / "pages" / slug / f"{aid}.md").read_text(encoding="utf-8")


def page_images(result: CrawlResult, aid: str, slug: str) -> list[str]:
    """``<img src>`` of a page as GitHub renders it (raw HTML not trusted)."""
    tree = rendered_tree(page_markdown(result, aid, slug))
    return [img.get("src") for img in tree.iter("img")]


# --------------------------------------------------------------------------- crawls
@pytest.fixture(scope="module")
def first_requests() -> list[str]:
    """What the server was asked during the first run."""
    return []


@pytest.fixture(scope="module")
def first_run(
    server: FixtureServer, first_requests: list[str], tmp_path_factory: pytest.TempPathFactory
) -> CrawlResult:
    site = tmp_path_factory.mktemp("images") / "site"
    server.requests.clear()
    result = run_crawl(server.origin, site, SECTIONS_ARG, settings=SETTINGS)
    assert result.returncode == 0, result.log[-3000:]
    first_requests.extend(server.requests)
    return result


def test_every_image_is_stored_once_resized_as_the_settings_say(
    first_run: CrawlResult, first_requests: list[str], server: FixtureServer
) -> None:
    expected: dict[str, ImageSpec] = {}
    for fixture, _ in crawled_articles().values():
        for spec in filter(mirrorable, article_images(fixture)):
            expected[stored_name(spec, server.origin)] = spec
    stored = {p.relative_to(first_run.site).as_posix() for p in first_run.site.glob("images/*")}
    assert stored == set(expected)
    assert {spec.format for spec in expected.values()} >= {"jpg", "png"}
    assert max(spec.width for spec in expected.values()) > 3 * MAX_WIDTH  # the huge one
    for name, spec in expected.items():
        with PILImage.open(first_run.site / name) as image:
            assert image.format == "WEBP"
            assert image.mode == "RGB"
            assert image.size == expected_size(spec), name
    # An image two articles show is stored (and downloaded) once.
    requested = [r for r in first_requests if r.startswith("/i.ntdtv.com/")]
    assert len(requested) == len(set(requested))
    assert first_run.stat("goodnews/images/downloaded") == len(expected)


def test_transparent_png_is_flattened_on_white(
    first_run: CrawlResult, server: FixtureServer
) -> None:
    png = next(
        spec
        for fixture, _ in crawled_articles().values()
        for spec in article_images(fixture)
        if spec.format == "png"
    )
    with PILImage.open(first_run.site / stored_name(png, server.origin)) as image:
        assert image.getpixel((2, 2)) >= (250, 250, 250)  # was transparent


def test_pages_show_mirrored_images_by_relative_paths(
    first_run: CrawlResult, server: FixtureServer
) -> None:
    shown = 0
    for aid, (fixture, slug) in crawled_articles().items():
        srcs = page_images(first_run, aid, slug)
        page_dir = first_run.site / "pages" / slug
        for spec in article_images(fixture):
            if mirrorable(spec):
                link = "../../" + stored_name(spec, server.origin)
                assert link in srcs, (aid, spec.url)
                assert (page_dir / link).resolve().is_file()
                shown += 1
            else:
                assert served_url(spec.url, server.origin) in srcs, (aid, spec.url)
        # The caption stays with its image: on the line right after it.
        markdown = page_markdown(first_run, aid, slug)
        for figure in fixture.figures:
            spec = image_spec(figure.src)
            assert spec is not None
            target = (
                "../../" + stored_name(spec, server.origin)
                if mirrorable(spec)
                else served_url(spec.url, server.origin)
            )
            assert f"]({target})\\\n*{figure.caption}*" in markdown
    assert shown >= 12


def test_failed_images_keep_their_remote_url_are_counted_and_logged_once(
    first_run: CrawlResult, server: FixtureServer
) -> None:
    failing = {
        spec.url: spec
        for fixture, _ in crawled_articles().values()
        for spec in article_images(fixture)
        if not mirrorable(spec)
    }
    kinds = {spec.kind for spec in failing.values()}
    assert {CORRUPT, MISSING, IMAGE} <= kinds  # IMAGE: the tracking pixel, too small
    # The hostile page's <img src=x> is a 404 on the site itself.
    assert first_run.stat("goodnews/images/failed/http_404") == 1 + sum(
        spec.kind == MISSING for spec in failing.values()
    )
    assert first_run.stat("goodnews/images/failed/not_an_image") == sum(
        spec.kind == CORRUPT for spec in failing.values()
    )
    assert first_run.stat("goodnews/images/failed/too_small") == sum(
        spec.kind == IMAGE for spec in failing.values()
    )
    for url in failing:
        lines = [
            line for line in first_run.log.splitlines() if served_url(url, server.origin) in line
        ]
        assert len([line for line in lines if "Image not mirrored" in line]) == 1, url
    assert "Traceback" not in first_run.log
    assert "ERROR: ImagesPipeline" not in first_run.log


def test_video_pages_link_the_players_and_say_when_they_are_teasers(
    first_run: CrawlResult, server: FixtureServer
) -> None:
    homes = crawled_articles()
    public = {
        YT + "Lm4pQ9zT2Wc": "https://www.youtube.com/watch?v=Lm4pQ9zT2Wc",
        YT + "Xq3b7KfD1aQ": "https://www.youtube.com/watch?v=Xq3b7KfD1aQ",
        GANJING_EMBED: GANJING_EMBED.replace("/embed/", "/video/"),
        SITE_VIDEO: SITE_VIDEO,
    }
    players = [(aid, src) for aid, (f, _) in homes.items() for src in (f.video, *f.embeds) if src]
    players.append(("a103121876", SITE_VIDEO))
    assert len({src for _, src in players}) == 4
    for aid, src in players:
        tree = rendered_tree(page_markdown(first_run, aid, homes[aid][1]))
        links = {a.get("href"): a.text_content() for a in tree.iter("a")}
        assert links.get(public[src]) == "▶ 视频", (aid, src)

    # The programme teaser: poster (mirrored og:image) above the player, and a line
    # saying the page is only a teaser, pointing to the full video.
    teaser = article("a103124133")
    assert teaser.video and teaser.featured
    markdown = page_markdown(first_run, teaser.id, homes[teaser.id][1])
    poster = "../../" + stored_name(image_spec(teaser.featured.src), server.origin)  # type: ignore[arg-type]
    assert markdown.index(f"]({poster})") < markdown.index("[▶ 视频]")
    tree = rendered_tree(markdown)
    (note,) = tree.xpath("//blockquote")
    assert "节目简介" in note.text_content()
    assert note.xpath(".//a/@href") == [server.url("/gb/programs/news-talk")]
    # An ordinary article says nothing of the kind.
    assert "节目简介" not in page_markdown(first_run, "a103124502", "prog203")


def test_rerun_downloads_no_stored_image_and_gives_the_same_tree(
    first_run: CrawlResult, server: FixtureServer, tmp_path: Path
) -> None:
    """Articles fetched again (their pages lost) reuse the stored images."""
    site = tmp_path / "site"
    shutil.copytree(first_run.site, site)
    for lost in ("pages", "indexes", "README.md"):
        path = site / lost
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    mtimes = {p.name: p.stat().st_mtime_ns for p in site.glob("images/*")}
    server.requests.clear()
    again = run_crawl(server.origin, site, SECTIONS_ARG, settings=SETTINGS)
    assert again.returncode == 0, again.log[-3000:]
    assert again.files() == first_run.files()
    assert {p.name: p.stat().st_mtime_ns for p in site.glob("images/*")} == mtimes
    stored_paths = set()
    for fixture, _ in crawled_articles().values():
        stored_paths |= {s.path for s in article_images(fixture) if mirrorable(s)}
    assert not stored_paths & set(server.requests)
    assert again.stat("goodnews/images/downloaded") == 0
    assert again.stat("goodnews/images/uptodate") == len(stored_paths)


def test_images_off_keeps_remote_urls_and_turning_them_on_fills_them_in(
    first_run: CrawlResult, server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    off = run_crawl(
        server.origin, site, SECTIONS_ARG, settings={**SETTINGS, "IMAGES_ENABLED": "False"}
    )
    assert off.returncode == 0, off.log[-3000:]
    assert not list(site.glob("images/*.webp"))
    assert (site / "images" / BACKFILL_MARKER).is_file()
    flood = page_images(off, "a103124021", "prog204")
    assert served_url(article("a103124021").featured.src, server.origin) in flood  # type: ignore[union-attr]

    server.requests.clear()
    on = run_crawl(server.origin, site, SECTIONS_ARG, settings=SETTINGS)
    assert on.returncode == 0, on.log[-3000:]
    # No mirrored article was fetched again (only those the crawl state still owes),
    # yet every page now shows its mirrored images: the same tree as a run that had
    # images on from the start.
    owed = {entry["url"] for entry in json.loads((site / STATE_RELPATH).read_bytes())["articles"]}
    fetched = [r for r in server.requests if re.fullmatch(r"/gb/\d{4}/\d\d/\d\d/a\d+\.html", r)]
    assert {server.origin + path for path in fetched} <= owed
    with_images = [
        f for f, _ in crawled_articles().values() if any(map(mirrorable, article_images(f)))
    ]
    assert on.stat("goodnews/images/backfilled_pages") == len(with_images)
    assert on.files() == first_run.files()

    server.requests.clear()
    quiet = run_crawl(server.origin, site, SECTIONS_ARG, settings=SETTINGS)
    assert quiet.returncode == 0, quiet.log[-3000:]
    others = [r for r in server.requests if not r.startswith(("/gb/prog", "/gb/news", "/robots"))]
    assert {server.origin + path for path in others} <= owed  # only what the state still owes
    assert quiet.files() == first_run.files()


def test_size_settings_and_too_large_downloads(server: FixtureServer, tmp_path: Path) -> None:
    """A smaller IMAGES_MAX_WIDTH, and IMAGES_MAX_BYTES below the huge file's size."""
    huge = next(s for s in article_images(article("a103123050")) if s.width > 3 * MAX_WIDTH)
    size = len(fixture_image_bytes(huge) or b"")
    result = run_crawl(
        server.origin,
        tmp_path / "site",
        "sections=prog202",
        settings={**SETTINGS, "IMAGES_MAX_WIDTH": "300", "IMAGES_MAX_BYTES": str(size - 1)},
    )
    assert result.returncode == 0, result.log[-3000:]
    assert result.stat("goodnews/images/failed/too_large") == 1
    assert served_url(huge.url, server.origin) in page_images(result, "a103123050", "prog202")
    stored = list(result.site.glob("images/*.webp"))
    assert stored
    for path in stored:
        with PILImage.open(path) as image:
            assert image.width <= 300


# --------------------------------------------------------------------------- pure parts
def test_html_image_links_are_found_and_replaced_in_place() -> None:
    body = clean_html(
        '<p>一<img src="/a.jpg">二</p><figure><img data-src="https://i.example/b.png" '
        'src="data:image/gif;base64,R0lGOD"><figcaption>图</figcaption></figure>'
        '<p><img src="/a.jpg"></p>',
        "https://www.example.com/gb/x.html",
    )
    urls = html_image_urls(body)
    assert urls == ["https://www.example.com/a.jpg", "https://i.example/b.png"]
    assert replace_html_images(body, {}) == body
    replaced = replace_html_images(body, {urls[1]: "../../images/b.jpg"})
    assert replaced == body.replace(urls[1], "../../images/b.jpg")
    assert html_image_urls(replaced) == [urls[0]]


def test_markdown_image_links_survive_the_converters_escaping() -> None:
    odd = "https://i.example/a (1)/图&amp;x=1.jpg"
    markdown = html_to_markdown(
        f'<p>文字 ![不是图](https://x.example/y.jpg) 结束</p><figure><img src="{odd}" alt="说]明">'
        "<figcaption>图说</figcaption></figure>"
    )
    (url,) = markdown_image_urls(markdown)
    assert Request(url).url == Request(odd.replace("&amp;", "&")).url
    replaced = replace_markdown_images(markdown, {url: "../../images/abc.jpg"})
    tree = rendered_tree(replaced)
    assert [img.get("src") for img in tree.iter("img")] == ["../../images/abc.jpg"]
    assert [img.get("alt") for img in tree.iter("img")] == ["说]明"]
    assert "![不是图]" in tree.text_content()


def test_relative_link_from_a_page() -> None:
    assert relative_link("images/ab.jpg", "pages/news-china/a1.md") == "../../images/ab.jpg"


def test_failure_reasons_name_the_cause() -> None:
    assert failure_reason(DownloadTimeoutError("took longer than 30 seconds")) == "timeout"
    assert (
        failure_reason(DownloadCancelledError("larger than download max size (9)")) == "too_large"
    )
    assert failure_reason(IgnoreRequest("Forbidden by robots.txt")) == "robots_txt"
    assert failure_reason(IgnoreRequest("Filtered offsite request")) == "filtered"
    assert failure_reason(ConnectionResetError()) == "ConnectionResetError"


def _crawler(tmp_path: Path, **settings: object) -> Crawler:
    """A crawler with the project's image settings (and ``settings`` over them)."""
    images = {
        k: v for k, v in vars(project_settings).items() if k.startswith(("IMAGES_", "MEDIA_"))
    }
    return get_crawler(Spider, {**images, "SITE_DIR": str(tmp_path / "site"), **settings})


def _pipeline(tmp_path: Path, **settings: object) -> MirrorImagesPipeline:
    return MirrorImagesPipeline.from_crawler(_crawler(tmp_path, **settings))


@pytest.mark.parametrize(("image_format", "suffix"), [("WEBP", ".webp"), ("JPEG", ".jpg")])
def test_conversion_is_deterministic_and_bounded(
    tmp_path: Path, image_format: str, suffix: str
) -> None:
    pipeline = _pipeline(
        tmp_path, IMAGES_MAX_WIDTH=640, IMAGES_FORMAT=image_format, IMAGES_JPEG_QUALITY=60
    )
    assert pipeline.file_path(Request("https://i.ntdtv.com/a.jpg")).endswith(suffix)
    spec = image_spec("https://i.ntdtv.com/assets/uploads/2021/05/t-1000x700.png")
    assert spec is not None
    source = fixture_image_bytes(spec)
    assert source is not None
    outputs = []
    for _ in range(2):
        with PILImage.open(io.BytesIO(source)) as image:
            converted, buf = pipeline.convert_image(image, response_body=io.BytesIO())
        outputs.append(buf.getvalue())
        assert converted.size == (640, 448) and converted.mode == "RGB"
    assert outputs[0] == outputs[1]
    assert PILImage.open(io.BytesIO(outputs[0])).format == image_format


def test_media_requests_are_not_dropped_as_offsite(tmp_path: Path) -> None:
    """The image host is not the spider's allowed domain; Scrapy must still fetch it."""
    crawler = _crawler(tmp_path)
    spider = Spider("ntdtv", allowed_domains=["www.ntdtv.com"])
    spider.image_hosts = IMAGE_HOSTS  # as the ntdtv spider declares them
    crawler.spider = spider
    offsite = OffsiteMiddleware.from_crawler(crawler)
    offsite.spider_opened(spider)
    pipeline = MirrorImagesPipeline.from_crawler(crawler)
    pipeline.open_spider()
    page = parse_article(
        build_site()[article("a103124021").path].body.decode(), article("a103124021").url
    )
    from goodnews_scraper.items import Article

    item = Article(
        url=article("a103124021").url,
        article_id="a103124021",
        edition="gb",
        section="prog204",
        section_name="大陆",
        title=page.title,
        published=page.published,
        body_html=clean_html(page.body_html, article("a103124021").url),
        extraction=page.extraction,
        featured_image=page.featured_image,
    )
    requests = pipeline.get_media_requests(item, pipeline.spiderinfo)
    assert [r.url for r in requests][:1] == [article("a103124021").featured.src]  # type: ignore[union-attr]
    assert all(r.url.startswith("https://i.ntdtv.com/") for r in requests) and len(requests) == 2
    for request in requests:
        offsite.process_request(request)  # raises IgnoreRequest if it would be dropped
    with pytest.raises(IgnoreRequest):
        offsite.process_request(Request(requests[0].url))


def test_images_off_is_not_configured_and_bad_settings_fail_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        _pipeline(tmp_path, IMAGES_ENABLED=False)
    for name, value in (
        ("IMAGES_MAX_WIDTH", "wide"),
        ("IMAGES_JPEG_QUALITY", 100),
        ("IMAGES_WEBP_QUALITY", 0),
        ("IMAGES_FORMAT", "gif"),
        ("IMAGES_MIN_WIDTH", -1),
    ):
        crawler = _crawler(tmp_path, **{name: value})
        with pytest.raises(SettingError, match=name):
            check_image_settings(crawler.settings)


def test_video_teaser_and_poster_are_read_from_the_page() -> None:
    teaser = article("a103124133")
    parsed = parse_article(build_site("http://127.0.0.1:1")[teaser.path].body.decode(), teaser.url)
    assert parsed.full_video_url == "http://127.0.0.1:1/gb/programs/news-talk"
    assert parsed.featured_image is not None and parsed.featured_image.caption == ""
    b5 = (
        '<html><head><meta property="og:title" content="節目"></head><body>'
        '<div class="article_info"><div class="time"><span>2021-05-20 19:00</span></div></div>'
        '<div class="featured_video"><iframe src="https://www.youtube.com/embed/a"></iframe></div>'
        '<div class="article_content"><div class="post_content" itemprop="articleBody">'
        "<p>節目簡介。</p><p><a href='/b5/programs/x'>【點擊觀看完整視頻】</a></p>"
        "</div></div></body></html>"
    )
    parsed = parse_article(b5, "https://www.ntdtv.com/b5/2021/05/20/a1.html")
    assert parsed.full_video_url == "https://www.ntdtv.com/b5/programs/x"
    assert parsed.featured_image is None  # no og:image: no poster
    for fixture in articles("gb"):
        if fixture.expect == "mirrored" and fixture.id != teaser.id:
            page = fixture_site()[fixture.path].body.decode()
            assert parse_article(page, fixture.url).full_video_url == "", fixture.id
