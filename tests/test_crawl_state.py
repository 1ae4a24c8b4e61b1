"""The crawl state keeps its promises: failed articles come back, hopeless ones are given up."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from goodnews_scraper.mirror.tree import MirrorTree
from goodnews_scraper.store.crawl_state import (
    STATE_RELPATH,
    CrawlState,
    PendingArticle,
    StateError,
)
from tests.crawl import FIXTURE_TOLERANCE, run_crawl
from tests.fixture_site import FixtureResponse, FixtureServer, build_site
from tests.fixture_site.content import article

SECTIONS = "sections=prog204"
SETTINGS = {"MIRROR_BASE_URL": "https://github.com/OWNER/REPO/blob/main", **FIXTURE_TOLERANCE}
#: Listed on prog204's second list page only, so a re-run that stops paging at
#: page 1 (nothing new there) reaches it only through the crawl state.
ON_PAGE_2 = article("a103121876")
#: Answers 404 for ever (the fixture's removed article), also on page 2.
GONE = article("a103122544")


def state(site: Path) -> dict[str, dict[str, object]]:
    data = json.loads((site / STATE_RELPATH).read_text(encoding="utf-8"))
    return {item["article_id"]: item for item in data["articles"]}


def requested(server: FixtureServer, fixture_path: str) -> int:
    return sum(1 for path in server.requests if path.split("?")[0] == fixture_path)


def test_an_article_that_failed_on_page_2_is_mirrored_by_the_next_run(
    server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    server.set(ON_PAGE_2.path, FixtureResponse(503, "text/plain", b"busy"))
    try:
        first = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    finally:
        server.set(ON_PAGE_2.path, build_site(server.origin)[ON_PAGE_2.path])
    assert first.returncode == 0, first.log[-3000:]
    assert not (site / "pages/prog204/a103121876.md").exists()
    assert state(site)["a103121876"]["last_reason"] == "http_503"
    assert state(site)["a103121876"]["given_up"] is False

    server.requests.clear()
    second = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    assert second.returncode == 0, second.log[-3000:]
    # Paging stopped at page 1 (nothing new there), and the article came back anyway.
    assert "/gb/prog204/2" not in server.requests
    assert requested(server, ON_PAGE_2.path) == 1
    assert (site / "pages/prog204/a103121876.md").is_file()
    assert "a103121876" not in state(site)
    index = json.loads((site / "indexes/prog204.json").read_text(encoding="utf-8"))
    assert "a103121876" in {entry["id"] for entry in index["articles"]}


def test_an_article_failing_again_is_requested_again_and_changes_no_file(
    server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    server.requests.clear()
    first = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    assert requested(server, GONE.path) == 1
    assert "it will be tried again next run" in first.log
    before = {path: data for path, data in first.files().items()}
    server.requests.clear()
    second = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    assert requested(server, GONE.path) == 1
    # The state dates the first failure and counts no runs: nothing to commit.
    assert second.files() == before


def test_an_article_that_always_fails_is_given_up_after_the_budget(
    server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    settings = {**SETTINGS, "CRAWL_RETRY_DAYS": "0"}
    server.requests.clear()
    first = run_crawl(server.origin, site, SECTIONS, settings=settings)
    assert requested(server, GONE.path) == 1
    assert f"{GONE.path} failed (http_404), first on " in first.log
    assert "given up: it will not be requested again" in first.log
    assert first.log.count("Gave up on") == 1
    assert "given up this run (see store/crawl-state.json)" in first.log  # in the summary
    assert state(site)["a103122544"]["given_up"] is True

    server.requests.clear()
    before = (site / STATE_RELPATH).read_bytes()
    again = run_crawl(server.origin, site, SECTIONS, settings=settings)
    assert again.returncode == 0, again.log[-3000:]
    assert requested(server, GONE.path) == 0
    assert GONE.path not in again.log
    assert "Gave up on" not in again.log
    assert "given up this run" not in again.log
    assert (site / STATE_RELPATH).read_bytes() == before


def test_state_round_trips_and_is_deterministic() -> None:
    state_ = CrawlState({})
    failures = {
        "a2": ("https://x/gb/2021/05/20/a2.html", "prog204", "http_503"),
        "a1": ("https://x/gb/2021/05/20/a1.html", "news/china", "no_title"),
    }
    assert state_.update(failures, set(), date(2026, 1, 1), retry_days=2) == []
    once = state_.to_json()
    assert state_.update(failures, set(), date(2026, 1, 2), retry_days=2) == []
    assert state_.to_json() == once  # failing again the next day changes nothing
    assert once.count(b"\n") == 5  # one article a line
    given_up = state_.update(failures, {"a2"}, date(2026, 1, 3), retry_days=2)
    assert [a.article_id for a in given_up] == ["a1"]
    assert state_.articles == {
        "a1": PendingArticle("a1", failures["a1"][0], "news/china", "2026-01-01", "no_title", True)
    }
    assert state_.pending() == []
    assert state_.update(failures, set(), date(2026, 1, 9), retry_days=2) == []  # reported once


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b'{"articles": [{"article_id": "../x", "url": "u", "section": "s", '
        b'"attempts": 1, "last_reason": "r"}]}',
        b'{"articles": 3}',
    ],
)
def test_a_broken_state_file_is_refused(tmp_path: Path, raw: bytes) -> None:
    (tmp_path / "store").mkdir()
    (tmp_path / STATE_RELPATH).write_bytes(raw)
    with pytest.raises(StateError):
        CrawlState.load(MirrorTree(tmp_path))
