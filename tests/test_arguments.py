"""Invalid arguments and settings stop the crawl at start, in one line naming them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS
from goodnews_scraper.spiders.arguments import SpiderArgumentError
from goodnews_scraper.spiders.ntdtv import NtdtvSpider
from tests.crawl import SCRAPY_CRAWL, crawl_env


def test_defaults() -> None:
    sections, edition, max_pages = NtdtvSpider.check_arguments()
    assert sections == DEFAULT_SECTIONS
    assert (edition, max_pages) == ("gb", 5)


def test_sections_are_paths_in_order_without_duplicates() -> None:
    sections, edition, max_pages = NtdtvSpider.check_arguments(
        sections=" prog204, news/china ,prog204", edition="b5", max_pages="2"
    )
    assert sections == ("prog204", "news/china")
    assert (edition, max_pages) == ("b5", 2)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("sections", ""),
        ("sections", "prog204,,prog202"),
        ("sections", "../etc"),
        ("sections", "prog204/../../x"),
        ("sections", "%2e%2e"),
        ("sections", "/abs"),
        ("sections", "prog204\0"),
        ("sections", "a" * 300),
        ("edition", "big5"),
        ("edition", ""),
        ("max_pages", "0"),
        ("max_pages", "-1"),
        ("max_pages", "two"),
        ("max_pages", "1001"),
    ],
)
def test_invalid_argument_is_named(name: str, value: str) -> None:
    with pytest.raises(SpiderArgumentError) as raised:
        NtdtvSpider.check_arguments(**{name: value})
    assert raised.value.name == name
    assert f"{name}=" in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        (["-a", "edition=xx"], "edition"),
        (["-a", "max_pages=lots"], "max_pages"),
        (["-a", "sections=../../etc"], "sections"),
        (["-s", "NTDTV_BASE_URL=ftp://example.org"], "NTDTV_BASE_URL"),
        (["-s", "MIRROR_BASE_URL=not a url"], "MIRROR_BASE_URL"),
        (["-s", "TEMPLATES_DIR=/no/such/folder"], "TEMPLATES_DIR"),
        (["-s", "IMAGES_JPEG_QUALITY=500"], "IMAGES_JPEG_QUALITY"),
        (["-s", "IMAGES_MAX_WIDTH=wide"], "IMAGES_MAX_WIDTH"),
        (["-s", "MIRROR_WRITE_BATCH=0"], "MIRROR_WRITE_BATCH"),
        (["-s", "MIRROR_WRITE_BATCH_SECONDS=soon"], "MIRROR_WRITE_BATCH_SECONDS"),
    ],
)
def test_crawl_command_fails_before_any_request(
    tmp_path: Path, options: list[str], named: str
) -> None:
    done = subprocess.run(
        [
            *SCRAPY_CRAWL,
            "-s",
            f"SITE_DIR={tmp_path}/site",
            # Any request would go here and fail loudly; none must be made.
            "-s",
            "NTDTV_BASE_URL=http://127.0.0.1:9",
            *options,
        ],
        cwd=tmp_path,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert done.returncode == 2
    assert len(errors) == 1 and named in errors[0]
    assert "Traceback" not in done.stderr
    assert "Spider opened" not in done.stderr
    assert not (tmp_path / "site").exists()
