"""The HTML pages in a real browser: Debian's headless Chromium at a phone's width.

A real crawl's tree with its HTML (tests/html_tree.py) is opened from
``file://`` and from a static host on 127.0.0.1 (tests/browser.py): every
picture must load, no request may leave 127.0.0.1 (the DevTools network
events say what the page asked for), and nothing may scroll sideways. The
first tests check that the browser really sees each of these failures.
Without Chromium the module is skipped, unless GOODNEWS_TESTS_NEED_BROWSER
is set (.ci/run sets it), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import PHONE, Browser, browser, browser_available, static_host
from tests.fixture_site import FixtureServer
from tests.html_tree import crawl_with_html

#: A few pages of each kind: home, section index, articles with pictures, one
#: whose pictures could not be mirrored, the one with hostile markup, a b5-less
#: older article (short id).
PAGES = (
    "index.html",
    "indexes/prog204.html",
    "indexes/prog202.html",
    "pages/prog204/a103124021.html",
    "pages/prog204/a103123870.html",
    "pages/prog202/a103124410.html",
    "pages/prog202/a103124188.html",
    "pages/prog647/a7890123.html",
)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not browser_available():
        if os.environ.get("GOODNEWS_TESTS_NEED_BROWSER"):
            pytest.fail("GOODNEWS_TESTS_NEED_BROWSER is set but chromium/chromedriver is missing")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    with browser() as running:
        yield running


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, server: FixtureServer) -> Path:
    root = tmp_path_factory.mktemp("browser") / "site"
    crawl_with_html(server.origin, root)
    return root


@pytest.fixture(scope="module")
def host(site: Path) -> Iterator[str]:
    with static_host(site) as origin:
        yield origin


# --- the browser sees what it must -------------------------------------------------
def test_the_browser_sees_an_outside_request_a_broken_image_and_a_wide_page(
    chromium: Browser, tmp_path: Path
) -> None:
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1">'
        '<img src="http://mirror-test.invalid/x.png"><img src="missing.png">'
        '<div style="width: 1000px">wide</div>',
        "utf-8",
    )
    visit = chromium.visit(page.as_uri())
    assert visit.outside_requests("file://") == ["http://mirror-test.invalid/x.png"]
    assert visit.broken_images == [
        "http://mirror-test.invalid/x.png",
        (tmp_path / "missing.png").as_uri(),
    ]
    assert visit.scrolls_sideways


def test_a_page_without_a_viewport_is_not_phone_width(chromium: Browser, tmp_path: Path) -> None:
    page = tmp_path / "desktop.html"
    page.write_text("<!DOCTYPE html><p>短</p>", "utf-8")
    visit = chromium.visit(page.as_uri())
    assert visit.viewport_width > PHONE["width"]  # a desktop layout, shrunk on a phone
    assert visit.requests == [page.as_uri()]


# --- the mirror's pages --------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_a_page_from_file_loads_its_pictures_and_nothing_else(
    chromium: Browser, site: Path, path: str
) -> None:
    visit = chromium.visit((site / path).as_uri())
    assert visit.requests and visit.requests[0] == (site / path).as_uri()
    assert visit.outside_requests("file://") == []
    assert visit.failed == []
    assert visit.broken_images == []
    assert not visit.scrolls_sideways, (visit.scroll_width, visit.viewport_width)
    assert visit.viewport_width == PHONE["width"]


@pytest.mark.parametrize("path", PAGES)
def test_a_page_from_a_static_host_loads_its_pictures_and_nothing_else(
    chromium: Browser, host: str, path: str
) -> None:
    visit = chromium.visit(f"{host}/{path}")
    assert visit.outside_requests(f"{host}/") == []
    assert visit.failed == []
    assert visit.broken_images == []
    assert not visit.scrolls_sideways, (visit.scroll_width, visit.viewport_width)


def test_articles_show_their_pictures(chromium: Browser, host: str) -> None:
    visit = chromium.visit(f"{host}/pages/prog204/a103124021.html")
    # The featured picture, one in the body, the QR code: all decoded.
    assert len(visit.images) == 3
    assert all(image["width"] > 0 for image in visit.images)


def test_every_page_of_the_tree_works_on_a_static_host(
    chromium: Browser, site: Path, host: str
) -> None:
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        visit = chromium.visit(f"{host}/{path}")
        assert visit.outside_requests(f"{host}/") == [], path
        assert visit.broken_images == [] and visit.failed == [], path
        assert not visit.scrolls_sideways, path


def test_links_from_the_home_page_lead_to_pages_from_file(chromium: Browser, site: Path) -> None:
    chromium.visit((site / "index.html").as_uri())
    links = [
        a.get_property("href") for a in chromium.driver.find_elements("css selector", "a[href]")
    ]
    internal = [link for link in links if link.startswith("file://")]
    sections = [link for link in internal if "/indexes/" in link]
    newest = [link for link in internal if "/pages/" in link]
    assert len(sections) == 8  # one a section
    assert newest and len(sections) + len(newest) == len(internal)  # then the newest articles
    for link in newest[:3]:
        assert chromium.visit(link).failed == [], link
    for link in sections:
        visit = chromium.visit(link)
        assert visit.failed == [], link
        heading = chromium.driver.find_element("css selector", "h1").text
        assert heading, link
        articles = [
            a.get_property("href")
            for a in chromium.driver.find_elements("css selector", "li a[href]")
        ]
        assert articles and all(a.startswith("file://") and a.endswith(".html") for a in articles)
        assert chromium.visit(articles[0]).failed == []
