"""The crawl's promises at its edges: every section ends, nothing is left in the checkout.

Each test runs the real ``scrapy crawl ntdtv`` against the fixture server.
"""

from __future__ import annotations

from pathlib import Path

from tests.crawl import FIXTURE_TOLERANCE, PROJECT_ROOT, run_crawl
from tests.fixture_site import FixtureServer
from tests.fixture_site.build import REDIRECTS
from tests.fixture_site.content import article, section

RUN_LOG = Path(".scrapy/goodnews/ntdtv-last-run.jsonl")


def test_a_section_redirecting_to_one_already_read_still_ends(
    server: FixtureServer, tmp_path: Path
) -> None:
    # prog999 redirects to prog1699's list, which the crawl has already asked
    # for: the dupefilter drops the redirect without calling anything back.
    assert REDIRECTS["/gb/prog999"] == "/gb/prog1699"
    server.requests.clear()
    result = run_crawl(
        server.origin,
        tmp_path / "site",
        "sections=prog1699,prog999",
        settings=FIXTURE_TOLERANCE,
    )
    assert result.returncode == 0, result.log[-3000:]
    listed = section("prog1699").pages[0]
    for article_id in listed:
        assert article(article_id).path in server.requests
        assert (tmp_path / "site" / "pages" / "prog1699" / f"{article_id}.md").is_file()
    assert result.stat("goodnews/sections/prog999/list_dropped") == 1
    assert "section prog999 stops here" in result.log


def test_a_crawl_writes_its_run_log_under_its_own_folder_not_the_checkout(
    server: FixtureServer, tmp_path: Path
) -> None:
    in_checkout = PROJECT_ROOT / RUN_LOG
    before = in_checkout.stat().st_mtime_ns if in_checkout.exists() else None
    result = run_crawl(
        server.origin, tmp_path / "site", "sections=prog1699", settings=FIXTURE_TOLERANCE
    )
    assert result.returncode == 0, result.log[-3000:]
    assert (tmp_path / RUN_LOG).is_file()
    after = in_checkout.stat().st_mtime_ns if in_checkout.exists() else None
    assert after == before
