"""The crawl's promises at its edges: every section ends, nothing is left in the checkout.

Each test runs the real ``scrapy crawl ntdtv`` against the fixture server.
"""

from __future__ import annotations

import socket
from pathlib import Path

from tests.crawl import FIXTURE_TOLERANCE, PROJECT_ROOT, run_crawl
from tests.fixture_site import FixtureServer
from tests.fixture_site.build import REDIRECTS
from tests.fixture_site.content import article, section
from tests.publish_git_remote import bare_remote, commit_subjects, remote_files

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


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_site_gives_one_line_per_section_and_no_traceback(
    tmp_path: Path,
) -> None:
    result = run_crawl(
        f"http://127.0.0.1:{closed_port()}", tmp_path / "site", "sections=prog1699,prog204"
    )
    assert result.returncode == 1
    crawl_log = result.log.split("[Spidermon]")[0]  # Spidermon's own report follows
    assert "Traceback" not in crawl_log
    errors = [line for line in crawl_log.splitlines() if "] ERROR: " in line]
    assert len(errors) == 2, errors
    assert "section prog1699 stops here" in errors[0] + errors[1]
    assert "section prog204 stops here" in errors[0] + errors[1]
    robots = [line for line in crawl_log.splitlines() if "robots.txt of 127.0.0.1:" in line]
    assert len(robots) == 1 and "WARNING" in robots[0]
    assert "Closing spider (no_list_page)" in result.log


def test_a_run_that_reached_no_list_page_publishes_nothing(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    result = run_crawl(
        f"http://127.0.0.1:{closed_port()}",
        tmp_path / "site",
        "sections=prog1699",
        settings={"PUBLISH": "git", "PUBLISH_GIT_REMOTE": str(remote)},
    )
    assert result.returncode == 1
    assert result.stat("goodnews/publish/skipped") == 1
    assert result.stat("goodnews/publish/succeeded") == 0
    assert commit_subjects(remote) == []


def test_a_b5_job_into_a_published_gb_tree_on_a_fresh_disk_fails(
    server: FixtureServer, tmp_path: Path
) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    publish = {"PUBLISH": "git", "PUBLISH_GIT_REMOTE": str(remote), **FIXTURE_TOLERANCE}
    gb = run_crawl(server.origin, tmp_path / "a", "sections=prog1699", settings=publish)
    assert gb.returncode == 0 and gb.stat("goodnews/publish/succeeded") == 1, gb.log[-3000:]
    published = remote_files(remote)
    # Another machine, an empty SITE_DIR: the local check sees nothing; the restore does.
    server.requests.clear()
    b5 = run_crawl(
        server.origin, tmp_path / "b", "edition=b5", "sections=prog204", settings=publish
    )
    assert b5.returncode == 1
    (line,) = [line for line in b5.log.splitlines() if "holds the gb edition" in line]
    assert "edition=b5" in line
    assert "Closing spider (edition_mismatch)" in b5.log
    assert not any(path.startswith("/b5/") for path in server.requests)
    assert not list((tmp_path / "b").glob("pages/*/*.md")) or all(
        "prog1699" in str(p) for p in (tmp_path / "b").glob("pages/*/*.md")
    )
    assert b5.stat("goodnews/publish/succeeded") == 0
    assert remote_files(remote) == published
    assert len(commit_subjects(remote)) == 1
