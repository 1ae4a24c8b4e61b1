"""Switched-off Scrapy components are never imported; switched on, they are there."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.crawl import PROJECT_ROOT

# A fresh interpreter: the test process has imported most of Scrapy already.
PROBE = """
import json, sys
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor
from goodnews_scraper.spiders.ntdtv import NtdtvSpider

settings = get_project_settings()
for arg in sys.argv[1:]:
    settings.set(*arg.split("=", 1), priority="cmdline")
install_reactor(settings["TWISTED_REACTOR"])
crawler = Crawler(NtdtvSpider, settings)
crawler._apply_settings()  # add-ons, then the extensions, as a crawl's start does
names = {
    kind: sorted(str(path) for path in crawler.settings.get_component_priority_dict_with_base(kind))
    for kind in ("EXTENSIONS", "DOWNLOADER_MIDDLEWARES")
}
print(json.dumps({**names, "modules": sorted(sys.modules)}))
"""

REMOTE_CONTROL = "scrapy.extensions.remote_control.RemoteControl"
COOKIES = "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"


def probe(*settings: str) -> dict[str, list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *settings],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, list[str]] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_switched_off_components_are_not_imported() -> None:
    result = probe()
    assert REMOTE_CONTROL not in result["EXTENSIONS"]
    assert COOKIES not in result["DOWNLOADER_MIDDLEWARES"]
    assert "scrapy.extensions.remote_control" not in result["modules"]
    assert "aiohttp" not in result["modules"]
    assert "scrapy.downloadermiddlewares.cookies" not in result["modules"]
    # The rest of Scrapy's defaults are untouched.
    redirect = "scrapy.downloadermiddlewares.redirect.RedirectMiddleware"
    assert redirect in result["DOWNLOADER_MIDDLEWARES"]
    assert "scrapy.extensions.corestats.CoreStats" in result["EXTENSIONS"]


@pytest.mark.parametrize(
    ("switch", "kind", "path"),
    [
        ("REMOTE_CONTROL_ENABLED", "EXTENSIONS", REMOTE_CONTROL),
        ("COOKIES_ENABLED", "DOWNLOADER_MIDDLEWARES", COOKIES),
    ],
)
def test_switching_one_on_keeps_it(switch: str, kind: str, path: str) -> None:
    assert path in probe(f"{switch}=True")[kind]
