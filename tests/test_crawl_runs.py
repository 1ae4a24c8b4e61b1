"""Runs after runs: kills, new articles, limits and editions, against the fixture server."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from goodnews_scraper.mirror.files import TEMP_PREFIX
from goodnews_scraper.mirror.lock import LOCK_NAME
from tests.crawl import (
    FIXTURE_TOLERANCE,
    CrawlResult,
    crawl_command,
    crawl_cwd,
    crawl_env,
    new_article_files,
    run_crawl,
)
from tests.fixture_site import FixtureServer, build_site
from tests.fixture_site.content import NEW_ARTICLE, article, section, with_new_article
from tests.qr_decoders import zxing_decode

MIRROR = "https://github.com/OWNER/REPO/blob/main"
SECTIONS = "sections=prog204,prog202,prog203,news/china"
SETTINGS = {"MIRROR_BASE_URL": MIRROR, **FIXTURE_TOLERANCE}


@pytest.fixture(scope="module")
def reference(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The tree one uninterrupted run makes."""
    result = run_crawl(
        server.origin, tmp_path_factory.mktemp("ref") / "site", SECTIONS, settings=SETTINGS
    )
    assert result.returncode == 0, result.log[-3000:]
    return result.files()


def pages_written(site: Path) -> int:
    return len(list(site.glob("pages/*/*.md")))


KILL_POINTS: dict[str, Callable[[FixtureServer, Path], bool]] = {
    "during list pages": lambda server, site: len(server.requests) >= 3,
    "with a batch of pages staged": lambda server, site: (
        pages_written(site) >= 3 and any(site.glob(f"pages/*/{TEMP_PREFIX}*"))
    ),
    "during page writes": lambda server, site: pages_written(site) >= 4,
    "during index writes": lambda server, site: any(site.glob("indexes/*.json")),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_then_rerun_completes_the_same_tree(
    server: FixtureServer, reference: dict[str, bytes], tmp_path: Path, point: str
) -> None:
    site = tmp_path / "site"
    # One request at a time with a delay, so the kill lands mid-crawl; pages
    # are put in place three articles at a time, so it lands mid-batch too.
    slow = {
        **SETTINGS,
        "CONCURRENT_REQUESTS": "1",
        "DOWNLOAD_DELAY": "0.15",
        "MIRROR_WRITE_BATCH": "3",
    }
    server.requests.clear()
    process = subprocess.Popen(
        crawl_command(server.origin, site, SECTIONS, settings=slow),
        cwd=crawl_cwd(site),
        env=crawl_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and not KILL_POINTS[point](server, site):
        assert time.monotonic() < deadline, "the crawl never reached the kill point"
        time.sleep(0.005)
    assert process.poll() is None, "the crawl ended before the kill point"
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed = CrawlResult(0, "", site)
    if site.exists():
        # Whatever was written is whole: every file equals the reference's.
        for path, data in killed.files().items():
            # The killed run's lock stays; the rerun takes it over (see test_tree_lock).
            if TEMP_PREFIX not in path and path != LOCK_NAME:
                assert data == reference[path] or path.startswith(("indexes/", "README")), path
    lock_left = (site / LOCK_NAME).exists()
    rerun = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    assert rerun.returncode == 0, rerun.log[-3000:]
    assert rerun.files() == reference
    assert lock_left and "Took over the lock of SITE_DIR" in rerun.log


def test_new_article_rewrites_only_its_page_its_index_and_home(
    server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run_crawl(server.origin, site, SECTIONS, settings=SETTINGS).returncode == 0
    before = CrawlResult(0, "", site).files()
    arts, secs = with_new_article()
    server.rebuild(lambda origin: build_site(origin, articles=arts, sections=secs))
    try:
        server.requests.clear()
        result = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    finally:
        server.rebuild(build_site)
    assert result.returncode == 0, result.log[-3000:]
    after = result.files()
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed == new_article_files(NEW_ARTICLE.id, "prog204")
    assert set(before) <= set(after)
    assert NEW_ARTICLE.title in after["indexes/prog204.md"].decode()
    articles_requested = [p for p in server.requests if p.endswith(".html")]
    assert f"/gb/{NEW_ARTICLE.url_date}/{NEW_ARTICLE.id}.html" in articles_requested


def test_max_pages_bounds_the_list_pages_read(server: FixtureServer, tmp_path: Path) -> None:
    result = run_crawl(server.origin, tmp_path / "site", "sections=prog204", "max_pages=1")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stat("goodnews/sections/prog204/list_pages") == 1
    stored = sorted(path.stem for path in (tmp_path / "site" / "pages").glob("*/*.md"))
    first_page = section("prog204").pages[0]
    assert stored and set(stored) <= set(first_page)


def test_without_mirror_base_url_codes_open_the_original(
    server: FixtureServer, tmp_path: Path
) -> None:
    result = run_crawl(server.origin, tmp_path / "site", "sections=prog1699")
    assert result.returncode == 0, result.log[-3000:]
    assert result.log.count("MIRROR_BASE_URL is not set") == 1
    (png,) = (tmp_path / "site" / "pages").glob("prog1699/*.png")
    assert zxing_decode(png.read_bytes()) == [server.url(article(png.stem).path)]


def test_traditional_edition_and_one_edition_per_tree(
    server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "b5"
    result = run_crawl(server.origin, site, "sections=prog204", "edition=b5")
    assert result.returncode == 0, result.log[-3000:]
    stored = sorted(path.stem for path in site.glob("pages/*/*.md"))
    assert stored == sorted(section("prog204", "b5").ids)
    assert "首頁" in (site / "indexes" / "prog204.md").read_text("utf-8")
    before = result.files()
    mixed = run_crawl(server.origin, site, "sections=prog204", "edition=gb")
    assert mixed.returncode == 2
    assert "holds the b5 edition" in mixed.log
    assert CrawlResult(0, "", site).files() == before
