"""Never fetch what the site did not put there: images and players on foreign hosts.

An article of the fixture site gets an image on 127.0.0.2 and a player on
127.0.0.3, each with a real HTTP listener that records every connection:
neither may receive anything, the refusals are counted, the page is still
mirrored and shows no link to the player.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.crawl import FIXTURE_TOLERANCE, CrawlResult, run_crawl
from tests.fixture_site import FixtureResponse, FixtureServer
from tests.fixture_site.content import article, section

SECTION = "prog424"
#: Its article with a figure of the site's own, which must still be mirrored.
ARTICLE_ID = "a103121150"


class Listener:
    """An HTTP server on one loopback address that records each request it gets."""

    def __init__(self, host: str) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.origin = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def listeners() -> Iterator[tuple[Listener, Listener]]:
    image_host, player_host = Listener("127.0.0.2"), Listener("127.0.0.3")
    yield image_host, player_host
    image_host.close()
    player_host.close()


@pytest.fixture(scope="module")
def crawled(
    server: FixtureServer,
    listeners: tuple[Listener, Listener],
    tmp_path_factory: pytest.TempPathFactory,
) -> CrawlResult:
    image_host, player_host = listeners
    assert ARTICLE_ID in section(SECTION).pages[0]
    path = article(ARTICLE_ID).path
    page = server.lookup(path)
    assert isinstance(page, FixtureResponse)
    marker = b'<div class="post_content"'
    start = page.body.index(b">", page.body.index(marker)) + 1
    hostile = (
        f'<p>图：<img src="{image_host.origin}/secret.jpg" width="600" height="400"></p>'
        f'<iframe width="1" height="1" src="{player_host.origin}/embed/1"></iframe>'
        f'<p><img src="http://169.254.169.254/latest/meta-data/x.jpg"></p>'
    ).encode()
    body = page.body[:start] + hostile + page.body[start:]
    server.set(path, FixtureResponse(page.status, page.content_type, body, page.headers))
    site = tmp_path_factory.mktemp("foreign") / "site"
    try:
        return run_crawl(server.origin, site, f"sections={SECTION}", settings=FIXTURE_TOLERANCE)
    finally:
        server.set(path, page)


def test_foreign_image_and_player_hosts_receive_nothing(
    crawled: CrawlResult, listeners: tuple[Listener, Listener]
) -> None:
    assert crawled.returncode == 0, crawled.log[-3000:]
    image_host, player_host = listeners
    assert image_host.requests == []
    assert player_host.requests == []


def test_refused_images_and_dropped_players_are_counted_and_logged_once(
    crawled: CrawlResult, listeners: tuple[Listener, Listener]
) -> None:
    image_host = listeners[0]
    assert crawled.stat("goodnews/images/refused/address") == 2
    assert crawled.stat("goodnews/players/dropped") == 1
    host = image_host.origin.removeprefix("http://")
    assert (
        sum(f"Image not fetched (address): {host} " in line for line in crawled.log.splitlines())
        == 1
    )
    assert "Player dropped: 127.0.0.3:" in crawled.log
    # The site's own images (on the fixture's own 127.0.0.1 origin) are still mirrored.
    assert crawled.stat("goodnews/images/downloaded") >= 1


def test_the_page_is_mirrored_without_a_link_to_the_foreign_player(crawled: CrawlResult) -> None:
    page = (crawled.site / "pages" / SECTION / f"{ARTICLE_ID}.md").read_text()
    assert "127.0.0.3" not in page
    assert "](../../images/" in page  # the site's own figure, mirrored
