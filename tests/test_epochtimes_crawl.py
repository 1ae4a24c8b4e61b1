"""``scrapy crawl epochtimes`` end to end, against the epochtimes fixture on 127.0.0.1.

The same pipelines, store, renderings, monitors and crawl state as ntdtv's
crawl; what differs is the site module, and the feeds read before the lists.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest

from goodnews_scraper.mirror.lock import LOCK_NAME
from goodnews_scraper.mirror.tree import section_slug
from goodnews_scraper.pipelines.validation import site_article_schema
from goodnews_scraper.spiders.arguments import SpiderArgumentError
from goodnews_scraper.spiders.epochtimes import EpochtimesSpider
from goodnews_scraper.spiders.ntdtv import NtdtvSpider
from tests.crawl import (
    FIXTURE_TOLERANCE,
    PROJECT_ROOT,
    CrawlResult,
    crawl_command,
    crawl_cwd,
    crawl_env,
    run_crawl,
)
from tests.fixture_site import FixtureServer
from tests.fixture_site.epochtimes_build import build_epochtimes_site
from tests.fixture_site.epochtimes_content import (
    FEED_FULL,
    MIRRORED,
    SECTIONS,
    article,
)
from tests.markdown_render import rendered_tree
from tests.qr_decoders import zbar_decode, zxing_decode

MIRROR = "https://github.com/OWNER/REPO/blob/main"
GB_SECTIONS = [s.id for s in SECTIONS if s.edition == "gb"]
SECTIONS_ARG = "sections=" + ",".join(GB_SECTIONS)
SETTINGS = {"MIRROR_BASE_URL": MIRROR, **FIXTURE_TOLERANCE}


def crawl(server: FixtureServer, site: Path, *args: str, **settings: str) -> CrawlResult:
    return run_crawl(
        server.origin, site, *args, settings={**SETTINGS, **settings}, spider="epochtimes"
    )


def listed(edition: str = "gb") -> dict[str, str]:
    """Each listed article of the fixture's sections -> its home (the first section listing it)."""
    homes: dict[str, str] = {}
    for sec in SECTIONS:
        if sec.edition != edition:
            continue
        read = sec.pages if sec.failing_page is None else sec.pages[: sec.failing_page - 1]
        for page in read:
            for aid in page:
                homes.setdefault(aid, sec.id)
        for aid in sec.items:
            homes.setdefault(aid, sec.id)
    return homes


def expected_homes(edition: str = "gb") -> dict[str, str]:
    """The articles a crawl mirrors, each in its home section's folder."""
    return {aid: sec for aid, sec in listed(edition).items() if article(aid).expect == MIRRORED}


def whole_in_feed(edition: str = "gb") -> set[str]:
    """Articles a readable full feed carries whole: their pages need no request."""
    return {
        aid
        for sec in SECTIONS
        if sec.edition == edition and sec.feed == FEED_FULL
        for aid in sec.items
        if not article(aid).feed_more_link
    }


@dataclass
class EpochCrawl(CrawlResult):
    #: The paths the server was asked for during the crawl.
    requests: list[str] = field(default_factory=list)


def article_requests(server: FixtureServer) -> set[str]:
    """The article pages the server was asked for."""
    return {path for path in server.requests if path.endswith(".htm") and path.count("/") == 5}


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    builder = partial(build_epochtimes_site, serve_images=True)
    with FixtureServer(builder=builder) as running:
        yield running


@pytest.fixture(scope="module")
def first_run(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> EpochCrawl:
    server.requests.clear()
    result = crawl(server, tmp_path_factory.mktemp("epoch") / "site", SECTIONS_ARG)
    assert result.returncode == 0, result.log[-3000:]
    return EpochCrawl(result.returncode, result.log, result.site, list(server.requests))


def test_the_tree_has_the_shape_of_ntdtvs(first_run: CrawlResult) -> None:
    site = first_run.site
    pages = {p.relative_to(site).as_posix() for p in site.glob("pages/*/*.md")}
    homes = expected_homes()
    assert pages == {f"pages/{section_slug(sec)}/{aid}.md" for aid, sec in homes.items()}
    for aid, sec in homes.items():
        page = site / "pages" / sec / f"{aid}.md"
        share = f"{MIRROR}/pages/{sec}/{aid}.md"
        png = page.with_suffix(".png").read_bytes()
        assert zxing_decode(png) == [share]
        assert zbar_decode(png) == [share]
        text = page.read_text("utf-8")
        fixture = article(aid)
        assert f"/{fixture.path.lstrip('/')}" in text  # the original, on the fixture's origin
        assert "大纪元" in text and "新唐人" not in text
        when = fixture.published.astimezone(EpochtimesSpider.site.clock)
        assert f"发布时间：{when:%Y-%m-%d %H:%M}（美东时间）" in text
        record = json.loads((site / "store" / "articles" / sec / f"{aid}.json").read_bytes())
        assert record["site"] == "epochtimes"
        assert record["published"] == when.isoformat()
        assert record["published"][-6:] in ("-04:00", "-05:00")
    for sec in GB_SECTIONS:
        assert (site / "indexes" / f"{sec}.md").is_file()
        index = json.loads(
            (site / "indexes" / f"{sec}.json").read_bytes().split(b"\n", 1)[0] + b"]}"
        )
        assert index["edition"] == "gb" and index["section"] == sec
    home = (site / "README.md").read_text("utf-8")
    assert home.startswith("# 大纪元 · 镜像")
    assert all(f"(indexes/{sec}.md)" in home for sec in GB_SECTIONS)
    # Pictures of the body are mirrored into the tree, none linked to the image host.
    assert list(site.glob("images/*.webp"))
    assert not any("i.epochtimes.com" in p.read_text("utf-8") for p in site.glob("pages/*/*.md"))


def test_broken_articles_and_feeds_are_counted_and_the_lists_serve(
    first_run: CrawlResult,
) -> None:
    result = first_run
    assert result.stat("goodnews/articles/failed/http_404") == 1
    assert result.stat("goodnews/articles/rejected/no_title") == 1
    assert result.stat("goodnews/articles/rejected/truncated") == 1
    assert result.stat("goodnews/sections/nsc418/feed_failed/feed_not_xml") == 1
    assert result.stat("goodnews/sections/nsc424/feed_failed/feed_doctype") == 1
    assert result.stat("goodnews/sections/nsc413/list_failed/http_500") == 1
    state = json.loads((result.site / "store" / "crawl-state.json").read_bytes())
    failed = {a["article_id"]: a["last_reason"] for a in state["articles"]}
    assert failed == {"n19000104": "http_404", "n19000106": "no_title", "n19000107": "truncated"}
    assert state["page_again"] == ["nsc413"]
    assert "Traceback" not in result.log


def test_whole_feed_items_need_no_page_request(
    first_run: EpochCrawl, server: FixtureServer, tmp_path: Path
) -> None:
    """The feed replaces one request per article; its items lack the page's lead image."""
    from_pages = {p for p in first_run.requests if p.endswith(".htm") and p.count("/") == 5}
    assert from_pages == {article(aid).path for aid in set(listed()) - whole_in_feed()}
    assert first_run.stat("goodnews/articles/from_feed") == len(whole_in_feed() & set(listed()))
    # Every page requested instead: the same articles, and their lead images too.
    server.requests.clear()
    pages = crawl(server, tmp_path / "site", SECTIONS_ARG, SITE_FEED_ARTICLES="False")
    assert pages.returncode == 0, pages.log[-3000:]
    assert article_requests(server) == {article(aid).path for aid in listed()}
    assert pages.stat("goodnews/articles/from_feed") == 0
    fed = first_run.files()
    paged = pages.files()
    assert {p for p in paged if p.startswith("pages/")} == {
        p for p in fed if p.startswith("pages/")
    }
    lead = (tmp_path / "site" / "pages" / "nsc413" / "n19000101.md").read_text("utf-8")
    assert "*山区小学的书法课。（示意图）*" in lead
    assert "山区小学的书法课" not in fed["pages/nsc413/n19000101.md"].decode()


def test_rerun_with_nothing_new_reads_one_feed_per_section_and_changes_no_file(
    first_run: CrawlResult, server: FixtureServer
) -> None:
    before = first_run.files()
    mtimes = {p: p.stat().st_mtime_ns for p in first_run.site.rglob("*") if p.is_file()}
    server.requests.clear()
    again = crawl(server, first_run.site, SECTIONS_ARG)
    assert again.returncode == 0, again.log[-3000:]
    assert again.files() == before
    assert {p: p.stat().st_mtime_ns for p in first_run.site.rglob("*") if p.is_file()} == mtimes
    assert again.stat("goodnews/tree/files_written") == 0
    mirrored = {article(aid).path for aid in expected_homes()}
    assert not mirrored & set(server.requests)
    # Sections with a readable feed and nothing left to retry: the feed, nothing else.
    for sec in ("nsc993", "nf4514"):
        assert [p for p in server.requests if p.startswith(f"/gb/{sec}")] == [f"/gb/{sec}.htm/feed"]


def test_hostile_input_stays_text_and_other_hosts_are_never_listed(
    first_run: EpochCrawl,
) -> None:
    site = first_run.site
    text = (site / "pages" / "nsc993" / "n19000109.md").read_text("utf-8")
    page = rendered_tree(text.split("\n", 1)[1])  # after the metadata line GitHub hides
    assert not page.xpath("//script | //style | //iframe | //img[@onerror] | //comment()")
    hrefs = [*page.xpath("//a/@href"), *page.xpath("//img/@src")]
    assert hrefs and not [h for h in hrefs if h.startswith(("javascript:", "data:"))]
    assert "10.0.0.1" not in text
    # The title's markup and the template syntax are text a reader sees.
    shown = page.text_content()
    assert "读者来信：<script>alert('t')</script>{{ 7*7 }} 一封信" in shown
    assert "{% for x in range(3) %}循环{% endfor %}" in shown
    everything = b"".join(first_run.files().values())
    assert b"example.org" not in everything and b"10.0.0.1" not in everything
    assert b"aaaaaaaaaa" not in everything and b"root:" not in everything
    # Each readable feed's two foreign items were skipped, never followed.
    assert first_run.stat("goodnews/sections/nsc993/feed_items_skipped") == 2
    assert not [p for p in first_run.requests if p.endswith(("/n1.htm", "/n2.htm"))]


def test_sigkill_then_rerun_completes_the_same_tree(
    first_run: CrawlResult, server: FixtureServer, tmp_path: Path
) -> None:
    reference = first_run.files()
    site = tmp_path / "site"
    slow = {
        **SETTINGS,
        "CONCURRENT_REQUESTS": "1",
        "DOWNLOAD_DELAY": "0.1",
        "MIRROR_WRITE_BATCH": "2",
    }
    server.requests.clear()
    process = subprocess.Popen(
        crawl_command(server.origin, site, SECTIONS_ARG, settings=slow, spider="epochtimes"),
        cwd=crawl_cwd(site),
        env=crawl_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and not list(site.glob("pages/*/*.md"))[2:]:
        assert time.monotonic() < deadline, "the crawl never wrote three pages"
        time.sleep(0.005)
    assert process.poll() is None, "the crawl ended before the kill"
    process.send_signal(signal.SIGKILL)
    process.wait()
    lock_left = (site / LOCK_NAME).exists()
    rerun = crawl(server, site, SECTIONS_ARG)
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert rerun.files() == reference
    assert lock_left and "Took over the lock of SITE_DIR" in rerun.log


def test_drift_fails_the_run_naming_the_selectors_that_stopped_matching(
    server: FixtureServer, tmp_path: Path
) -> None:
    """A redesigned list page, and article pages read without their feed (which has no drift)."""
    result = crawl(
        server,
        tmp_path / "site",
        "sections=nf4514,nsc993",
        SITE_FEED_ARTICLES="False",
        GOODNEWS_MONITORS_FAIL_RUN="True",
        GOODNEWS_MAX_FALLBACK_SHARE="0.1",
    )
    assert result.returncode == 1, result.log[-3000:]
    assert "Site selectors that stopped matching: " in result.log
    assert "list items: div.post_list div.one_post div.title > a" in result.log
    assert "body: div#artbody" in result.log
    # What the fallback layers found is still mirrored.
    assert (tmp_path / "site" / "pages" / "nsc993" / "n19000110.md").is_file()
    assert (tmp_path / "site" / "pages" / "nsc993" / "n19000111.md").is_file()


def test_render_on_an_epochtimes_tree_changes_nothing(
    first_run: CrawlResult, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(first_run.site, site)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "render",
            "-s",
            f"SITE_DIR={site}",
            "-s",
            f"MIRROR_BASE_URL={MIRROR}",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "scrapy render: 0 files changed" in done.stderr
    assert {
        p: (p.read_bytes(), p.stat().st_mtime_ns) for p in site.rglob("*") if p.is_file()
    } == before


def test_traditional_edition_and_one_site_per_tree(
    first_run: CrawlResult, server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "b5"
    result = crawl(server, site, "sections=nsc413", "edition=b5")
    assert result.returncode == 0, result.log[-3000:]
    text = (site / "pages" / "nsc413" / "n19000201.md").read_text("utf-8")
    assert "大紀元" in text and "發佈時間" in text and "美東時間" in text
    # An ntdtv crawl into the epochtimes tree stops before any request, in one line.
    server.requests.clear()
    mixed = run_crawl(server.origin, first_run.site, "sections=prog204", settings=SETTINGS)
    assert mixed.returncode == 2
    assert "holds the epochtimes mirror; mirror ntdtv into another folder" in mixed.log
    assert server.requests == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("sections", "prog204"), ("sections", "nsc0"), ("sections", "../nsc1"), ("edition", "en")],
)
def test_arguments_are_checked_by_the_sites_own_rules(name: str, value: str) -> None:
    with pytest.raises(SpiderArgumentError):
        EpochtimesSpider.check_arguments(**{name: value})
    assert EpochtimesSpider.check_arguments(sections="nsc413,nf4514,ncid1349362")[0] == (
        "nsc413",
        "nf4514",
        "ncid1349362",
    )


def test_each_site_validates_its_own_ids_and_urls() -> None:
    from jsonschema import Draft202012Validator

    item = {
        "edition": "gb",
        "section": "nsc413",
        "title": "标题",
        "published": "2022-04-17T08:02:00-04:00",
        "body_html": "<p>正文</p>",
        "extraction": "site",
    }
    epoch = {
        "url": "https://www.epochtimes.com/gb/22/4/17/n13713766.htm",
        "article_id": "n13713766",
    }
    ntd = {"url": "https://www.ntdtv.com/gb/2021/05/20/a103124021.html", "article_id": "a103124021"}
    for spider, good, bad in ((EpochtimesSpider, epoch, ntd), (NtdtvSpider, ntd, epoch)):
        validator = Draft202012Validator(site_article_schema(spider))
        assert not list(validator.iter_errors({**item, **good}))
        assert list(validator.iter_errors({**item, **good, "url": bad["url"]}))
        assert list(validator.iter_errors({**item, **good, "article_id": bad["article_id"]}))
