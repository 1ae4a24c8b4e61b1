"""One run per tree: SITE_DIR's lock refuses a second run and outlives no dead one."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from goodnews_scraper.mirror.lock import LOCK_NAME, Holder, TreeLock, TreeLocked
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
from tests.fixture_site.content import article, section

SECTIONS = ("prog1695", "prog1138", "prog424")

#: A process that takes the lock and dies without releasing it (as a kill would leave it).
DIE_HOLDING = """
import os, sys
from pathlib import Path
from goodnews_scraper.mirror.lock import TreeLock
TreeLock(Path(sys.argv[1])).acquire()
print(os.getpid(), flush=True)
os._exit(0)
"""


def test_a_second_lock_on_one_tree_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with TreeLock(tmp_path / "site") as first:
        assert first.held
        with pytest.raises(TreeLocked) as refused:
            TreeLock(tmp_path / "site").acquire()
        assert refused.value.holder is not None
        assert refused.value.holder.pid == os.getpid()
        assert f"pid {os.getpid()}" in str(refused.value)
        assert "\n" not in str(refused.value)
    # Released: the file is gone and the next run takes it.
    assert not (tmp_path / "site" / LOCK_NAME).exists()
    with TreeLock(tmp_path / "site") as again:
        assert again.taken_over is None


def test_a_lock_left_by_a_dead_process_is_taken_over_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-c", DIE_HOLDING, str(site)],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(done.stdout.split()[0])
    left = Holder.parse((site / LOCK_NAME).read_bytes())
    assert left is not None and left.pid == dead_pid
    with caplog.at_level(logging.WARNING, "goodnews_scraper.mirror.lock"), TreeLock(site) as lock:
        assert lock.taken_over == left
        holder = Holder.parse((site / LOCK_NAME).read_bytes())
        assert holder is not None and holder.pid == os.getpid()
    (line,) = [r.getMessage() for r in caplog.records]
    assert "Took over the lock" in line and f"pid {dead_pid}" in line


def test_two_crawls_into_one_tree_the_second_is_refused_the_first_completes(
    server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    slow = {**FIXTURE_TOLERANCE, "CONCURRENT_REQUESTS": "1", "DOWNLOAD_DELAY": "0.3"}
    first = subprocess.Popen(
        crawl_command(server.origin, site, f"sections={','.join(SECTIONS)}", settings=slow),
        cwd=crawl_cwd(site),
        env=crawl_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (site / LOCK_NAME).exists():
            assert first.poll() is None, "the first crawl ended before taking the lock"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        started = time.monotonic()
        second = run_crawl(server.origin, site, "sections=prog1699", settings=FIXTURE_TOLERANCE)
        refused_after = time.monotonic() - started
        assert first.poll() is None, "the first crawl must still be running"
    finally:
        log, _ = first.communicate(timeout=180)
    assert second.returncode == 2, second.log[-2000:]
    errors = [line for line in second.log.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert f"pid {first.pid}" in errors[0] and "in use by another run" in errors[0]
    assert refused_after < 10
    assert "Spider opened" not in second.log
    # The first run was not disturbed: every article of its sections is there.
    assert first.returncode == 0, log[-3000:]
    result = CrawlResult(first.returncode, log, site)
    files = result.files()
    for path in SECTIONS:
        for article_id in section(path).pages[0]:
            if article(article_id).expect == "mirrored":
                assert any(name.endswith(f"/{article_id}.md") for name in files), article_id
        assert f"indexes/{path}.md" in files
    assert "README.md" in files
    assert LOCK_NAME not in files  # released at the end
    assert not any("prog1699" in name for name in files)
