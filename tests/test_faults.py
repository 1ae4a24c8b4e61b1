"""The network misbehaves: the crawl finishes, explains each case, loses nothing.

One fixture server plays every fault at once (see ``fixture_site/faults.py``)
on a tree that an earlier run filled: answers past the timeout, connection
resets, 429 with Retry-After, 503 bursts, a redirect loop, a pager pointing
back to page 1, a PDF where a page should be, a 50 MB body, invalid UTF-8.
Timeouts are bounded by ``DOWNLOAD_TIMEOUT``; nothing here waits on a clock.
(Kills at several points are in ``test_crawl_runs.py``.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from goodnews_scraper.mirror.files import TEMP_PREFIX
from tests.crawl import FIXTURE_TOLERANCE, CrawlResult, run_crawl
from tests.fixture_site import FixtureServer, faults
from tests.fixture_site.content import article, section
from tests.fixture_site.server import Route

SECTIONS = "sections=prog202,prog204,news/china"
FAST = {"DOWNLOAD_TIMEOUT": "1", "RETRY_TIMES": "1", "GOODNEWS_PROGRESS_INTERVAL": "0.5"}

#: What each article of prog204's first two pages meets, and what must follow.
SLOW, RESET, BUSY, HUGE, LOOP, PDF, BAD_UTF8 = (
    "a103124021",
    "a103123602",
    "a103123870",
    "a103122987",
    "a103122544",
    "a103122310",
    "a103121876",
)
FAILED = {
    SLOW: "failed/DownloadTimeoutError",
    RESET: "failed/DownloadFailedError",
    HUGE: "failed/DownloadCancelledError",
    LOOP: "dropped/duplicate_request",
    PDF: "rejected/not_html",
}
MIRRORED = {BUSY, BAD_UTF8}


def break_the_site(server: FixtureServer) -> dict[str, faults.FixtureResponse]:
    """Put every fault on its route; what the routes answered before."""

    def page(path: str) -> faults.FixtureResponse:
        response = server.lookup(path)
        assert isinstance(response, faults.FixtureResponse)
        return response

    def path(article_id: str) -> str:
        return article(article_id).path

    needle = article(BAD_UTF8).paragraphs[1][:12]
    routes: dict[str, Route] = {
        path(SLOW): faults.Slow(page(path(SLOW)), delay=3),
        path(RESET): faults.Reset(),
        path(BUSY): faults.retry_after(page(path(BUSY)), seconds=1),
        path(HUGE): faults.Huge(50 * 1024 * 1024),
        path(LOOP): faults.redirect(server.url("/gb/loop.html")),
        "/gb/loop.html": faults.redirect(server.url(path(LOOP))),
        path(PDF): faults.not_html(),
        path(BAD_UTF8): faults.invalid_utf8(page(path(BAD_UTF8)), needle),
        # List pages: a 503 burst that clears, a pager back to page 1, a reset, a PDF.
        "/gb/prog204": faults.burst(page("/gb/prog204"), times=1),
        "/gb/prog204/2": faults.pager_back_to(page("/gb/prog204/2"), "/gb/prog204"),
        "/gb/prog202": faults.Reset(),
        "/gb/news/china": faults.not_html(),
    }
    originals = {route: page(route) for route in routes}
    for route, response in routes.items():
        server.set(route, response)
    return originals


def index_entries(site: Path) -> dict[str, list[str]]:
    return {
        path.stem: [e["page"] for e in json.loads(path.read_text("utf-8"))["articles"]]
        for path in site.glob("indexes/*.json")
    }


def assert_tree_is_whole(site: Path) -> None:
    """Each page stored once and indexed, each index entry has its page, no temporary file."""
    files = CrawlResult(0, "", site).files()
    assert not [p for p in files if TEMP_PREFIX in p]
    pages = [p for p in files if p.startswith("pages/") and p.endswith(".md")]
    ids = [Path(p).stem for p in pages]
    assert len(ids) == len(set(ids))
    indexed = {page for pages in index_entries(site).values() for page in pages}
    assert indexed == set(pages)


def test_faults_are_survived_counted_and_explained(server: FixtureServer, tmp_path: Path) -> None:
    site = tmp_path / "site"
    first = run_crawl(server.origin, site, "sections=prog202", settings=FIXTURE_TOLERANCE)
    assert first.returncode == 0, first.log[-3000:]
    before = first.files()

    originals = break_the_site(server)
    try:
        result = run_crawl(server.origin, site, SECTIONS, settings=FAST)
    finally:
        for route, response in originals.items():
            server.set(route, response)
    log = result.log

    # The crawl finished, and the job says it did not do all of its work.
    assert "Spider closed (finished)" in log
    # No traceback but those of Spidermon's report of the failed monitors.
    assert log.count("Traceback") == len(re.findall(r"^FAIL: ", log, re.MULTILINE))
    assert result.returncode == 1
    assert "scrapy crawl: the crawl did not do its job" in log

    # Each article's fate is counted under its section, and explained in one line.
    for article_id, outcome in FAILED.items():
        assert result.stat(f"goodnews/sections/prog204/articles/{outcome}") == 1, outcome
        explained = [
            line
            for line in log.splitlines()
            if re.search(r"\] (ERROR|WARNING): (Article|Skipped article) ", line)
            and (article(article_id).path in line or f"Article {article_id} " in line)
        ]
        assert len(explained) == 1, (article_id, explained)
    assert result.stat("goodnews/sections/prog204/articles/mirrored") == len(MIRRORED)
    for article_id in MIRRORED:
        page = site / "pages" / "prog204" / f"{article_id}.md"
        text = page.read_bytes().decode("utf-8")  # valid UTF-8 whatever came in
        assert article(article_id).title in text
    assert "\ufffd" in (site / "pages" / "prog204" / f"{BAD_UTF8}.md").read_text("utf-8")
    assert result.stat("retry/reason_count/429 Unknown Status") == 1
    assert result.stat("retry/reason_count/503 Service Unavailable") == 1
    assert result.stat("goodnews/sections/prog204/pager_loop") == 1
    assert result.stat("goodnews/sections/prog204/list_pages") == 2
    assert result.stat("goodnews/sections/prog202/list_failed/DownloadFailedError") == 1
    assert result.stat("goodnews/sections/news/china/list_failed/not_html") == 1
    # The monitors name the sections that produced nothing, and why.
    (sections_failure,) = [line for line in log.splitlines() if "Monitor failed: Sections" in line]
    assert "prog202: no list page could be read (DownloadFailedError ×1)" in sections_failure
    assert "news/china: no list page could be read (not_html ×1)" in sections_failure
    # Progress lines while it waited for the slow answers.
    assert re.search(r"Progress: \d+ list pages read; \d+ of \d+ articles done", log)

    # Nothing already mirrored was lost: prog202's pages and index are as they were.
    after = result.files()
    for path, data in before.items():
        # The home page and the mirror's feed list new articles; the crawl state
        # keeps the faulty ones.
        if path not in ("README.md", "feeds/all.xml", "store/crawl-state.json"):
            assert after.get(path) == data, path
    assert "indexes/prog202.md" in after["README.md"].decode("utf-8")
    assert_tree_is_whole(site)

    # The site heals: the next run completes the tree.
    healed = run_crawl(server.origin, site, SECTIONS, settings=FIXTURE_TOLERANCE)
    assert healed.returncode == 0, healed.log[-3000:]
    stored = {p.stem for p in site.glob("pages/*/*.md")}
    for path in ("prog202", "prog204", "news/china"):
        for article_id in section(path).ids:
            if article(article_id).expect == "mirrored":
                assert article_id in stored, (path, article_id)
    assert_tree_is_whole(site)
