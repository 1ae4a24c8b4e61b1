"""Retries back off: Retry-After is obeyed (capped), else the wait doubles."""

from __future__ import annotations

import email.utils
from pathlib import Path

import pytest
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from goodnews_scraper.middlewares.retry import BackoffRetryMiddleware, retry_after_seconds
from tests.crawl import run_crawl
from tests.fixture_site import FixtureServer, faults


def middleware(**settings: object) -> BackoffRetryMiddleware:
    crawler = get_crawler(
        settings_dict={"RETRY_BACKOFF_BASE": 2.0, "RETRY_BACKOFF_MAX": 60.0, **settings}
    )
    return BackoffRetryMiddleware.from_crawler(crawler)


@pytest.mark.parametrize(
    ("header", "expected"),
    [(b"7", 7.0), (b" 0 ", 0.0), (b"soon", None), (b"", None), (None, None)],
)
def test_retry_after_header(header: bytes | None, expected: float | None) -> None:
    assert retry_after_seconds(header) == expected


def test_retry_after_as_a_date() -> None:
    header = email.utils.formatdate(1_000_030, usegmt=True).encode()
    assert retry_after_seconds(header, now=1_000_000) == pytest.approx(30, abs=1)


def test_backoff_doubles_and_is_capped() -> None:
    mw = middleware(RETRY_BACKOFF_MAX=10.0)
    waits = [mw.backoff(Request("http://x/", meta={"retry_times": n}), None) for n in (1, 2, 3, 4)]
    assert waits == [2.0, 4.0, 8.0, 10.0]
    busy = Response("http://x/", status=429, headers={"Retry-After": "3"})
    assert mw.backoff(Request("http://x/", meta={"retry_times": 1}), busy) == 3.0
    asks_too_much = Response("http://x/", status=429, headers={"Retry-After": "3600"})
    assert mw.backoff(Request("http://x/", meta={"retry_times": 1}), asks_too_much) == 10.0


def test_crawl_waits_what_retry_after_asks(tmp_path: Path) -> None:
    page = "/gb/prog1699"
    with FixtureServer() as server:
        listed = server.lookup(page)
        server.set(page, faults.retry_after(listed, seconds=1, times=1))
        result = run_crawl(
            server.origin,
            tmp_path / "site",
            "sections=prog1699",
            settings={"SPIDERMON_ENABLED": "False"},
        )
    assert result.returncode == 0, result.log[-2000:]
    assert result.stat("retry/reason_count/429 Unknown Status") == 1
    assert result.stat("goodnews/retry/backoffs") == 1
    assert result.stat("goodnews/retry/backoff_ms") == 1000
    assert any((tmp_path / "site" / "pages" / "prog1699").glob("*.md"))
