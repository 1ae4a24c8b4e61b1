"""``scrapy check ntdtv``: the spider's contracts, run against the fixture server.

The contracts name paths on the site; their URLs follow NTDTV_BASE_URL
(goodnews_scraper/contracts.py), as they follow the live site after a deploy.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.crawl import crawl_env
from tests.fixture_site import FixtureServer
from tests.fixture_site.content import article


def scrapy_check(origin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "check",
            "ntdtv",
            "-s",
            f"NTDTV_BASE_URL={origin}",
            "-s",
            f"SITE_DIR={cwd / 'site'}",
        ],
        cwd=cwd,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_contracts_pass_against_the_fixture_site_and_write_nothing(
    server: FixtureServer, tmp_path: Path
) -> None:
    server.requests.clear()
    done = scrapy_check(server.origin, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Ran 5 contracts" in done.stderr and "OK" in done.stderr
    assert "/gb/prog204" in server.requests
    assert article("a103124021").path in server.requests
    assert list(tmp_path.iterdir()) == []  # no tree, no run log


def test_contracts_fail_when_the_site_changed(tmp_path: Path) -> None:
    # The article is gone and the section has a single page: both callbacks fail.
    gone = {article("a103124021").path: None, "/gb/prog204/2": None}
    with FixtureServer(overrides=gone) as changed:
        done = scrapy_check(changed.origin, tmp_path)
    assert done.returncode == 1
    assert "FAILED" in done.stderr
    assert "parse_article" in done.stderr
