"""A disk that fills up mid-crawl: one clear line, exit 1, a consistent tree, and the next run
completes it. SITE_DIR is a small tmpfs mounted for the test (CI runs as root)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodnews_scraper.mirror.files import TEMP_PREFIX
from goodnews_scraper.mirror.tree import parse_page_meta
from tests.crawl import FIXTURE_TOLERANCE, run_crawl
from tests.fixture_site import FixtureServer

SECTIONS = "sections=prog204,prog202,prog203,news/china"
SETTINGS = {
    "MIRROR_BASE_URL": "https://github.com/OWNER/REPO/blob/main",
    "IMAGES_ENABLED": "False",
    "MIRROR_WRITE_BATCH": "2",
    **FIXTURE_TOLERANCE,
}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mount = tmp_path / "disk"
    mount.mkdir()
    # Room for the first few pages only (tmpfs counts whole 4 KiB pages per file).
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def assert_consistent(site: Path) -> None:
    """Every file whole, no write left half-done, every index entry's page in place."""
    assert not list(site.rglob(f"{TEMP_PREFIX}*"))
    for page in site.glob("pages/*/*.md"):
        first = page.read_text(encoding="utf-8").splitlines()[0]
        assert parse_page_meta(first) is not None, page
    for index in site.glob("indexes/**/*.json"):
        data = json.loads(index.read_bytes())
        for entry in data["articles"]:
            assert (site / entry["page"]).is_file(), (index, entry["page"])


def test_a_full_disk_fails_the_run_and_the_next_run_completes_the_tree(
    server: FixtureServer, small_disk: Path, tmp_path: Path
) -> None:
    reference = run_crawl(server.origin, tmp_path / "reference", SECTIONS, settings=SETTINGS)
    assert reference.returncode == 0, reference.log[-3000:]

    site = small_disk / "site"
    full = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    assert full.returncode == 1, full.log[-3000:]
    assert "No space left on device" in full.log
    failed = [line for line in full.log.splitlines() if "Writing the tree failed while" in line]
    assert len(failed) == 1, failed
    assert "Monitor failed: Tree writer" in full.log
    assert "writing the tree failed" in full.log.splitlines()[-1] or any(
        "the crawl did not do its job: " in line and "writing the tree failed" in line
        for line in full.log.splitlines()
    )
    assert_consistent(site)
    assert len(list(site.glob("pages/*/*.md"))) < len(list(reference.site.glob("pages/*/*.md")))

    subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
    again = run_crawl(server.origin, site, SECTIONS, settings=SETTINGS)
    assert again.returncode == 0, again.log[-3000:]
    assert_consistent(site)
    assert again.files() == reference.files()
