"""Serve the synthetic site from its own process, fast enough not to be the bottleneck.

    python -m benchmarks.server --articles N [--delay SECONDS]

Every response is rendered before serving starts and kept as the exact bytes
sent (status line, headers, body), so a request costs one dictionary look-up
and one write on an asyncio loop with keep-alive connections. The server
runs on its own core, apart from the crawl it serves. With ``--delay`` each
response is sent that long after its request came, as a distant server would
(the polite-pace benchmark, ``benchmarks/polite.py``).

It prints one JSON line once serving (``{"origin": ..., "articles": N}``),
then answers commands read from stdin, one a line:

- ``articles M``: serve the site with ``M`` articles (older pages kept as
  they are), then print the JSON line again;
- ``requests``: print ``{"requests": n, "paths": {...}}``, the requests
  since the last such command, counted by kind, and start counting again.

End of stdin stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
from collections import Counter
from http import HTTPStatus
from urllib.parse import unquote

from benchmarks.site import article_pages, image_original, list_pages
from tests.fixture_site.build import FixtureResponse, not_found


def raw_response(response: FixtureResponse) -> tuple[bytes, bytes]:
    """(head, body) exactly as written to the socket."""
    lines = [
        f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}",
        "Server: nginx",
        f"Content-Type: {response.content_type}",
        f"Content-Length: {len(response.body)}",
        *(f"{name}: {value}" for name, value in response.headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), response.body


def request_kind(path: bytes) -> str:
    if path.endswith(b".html"):
        return "article"
    if path == b"/robots.txt":
        return "robots"
    if path.startswith(b"/i.ntdtv.com/"):
        return "image"
    return "list"


class Site:
    """The responses by path, and the requests counted since the last reset."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.count = 0
        self.responses: dict[bytes, tuple[bytes, bytes]] = {}
        self.requests: Counter[str] = Counter()
        self._not_found = raw_response(not_found())

    def build(self, count: int) -> None:
        """Serve ``count`` articles; only articles not served yet are rendered."""
        if count < self.count:
            self.responses, self.count = {}, 0
        pages = article_pages(self.origin, range(self.count, count))
        pages.update(list_pages(self.origin, count))
        for path, response in pages.items():
            self.responses[path.encode()] = raw_response(response)
        self.count = count

    def lookup(self, target: bytes) -> tuple[bytes, bytes]:
        path = target.split(b"?", 1)[0]
        self.requests[request_kind(path)] += 1
        found = self.responses.get(path)
        if found is None:
            text = unquote(path.decode("latin-1")).rstrip("/")
            text = image_original(text) if text.startswith("/i.ntdtv.com/") else text
            found = self.responses.get(text.encode("utf-8", "replace"), self._not_found)
        return found


class HttpProtocol(asyncio.Protocol):
    """HTTP/1.1 GET and HEAD with keep-alive; requests carry no body."""

    def __init__(self, site: Site, delay: float = 0.0) -> None:
        self.site = site
        self.delay = delay
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > 65536:
                    self.transport.close()
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            line, _, headers = head.partition(b"\r\n")
            parts = line.split(b" ")
            if len(parts) != 3:
                self.transport.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                self.transport.close()
                return
            response_head, body = self.site.lookup(parts[1])
            data = response_head if parts[0] == b"HEAD" else response_head + body
            close = b"connection: close" in headers.lower()
            if self.delay > 0:
                # Same delay for each, so answers keep their requests' order.
                asyncio.get_running_loop().call_later(self.delay, self.send, data, close)
            else:
                self.send(data, close)
            if close:
                return

    def send(self, data: bytes, close: bool) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(data)
        if close:
            self.transport.close()


def _commands(loop: asyncio.AbstractEventLoop, site: Site, done: asyncio.Future[None]) -> None:
    """Read stdin in a thread; run each command on the loop, between requests."""

    def run(line: str) -> None:
        words = line.split()
        if words[:1] == ["articles"] and len(words) == 2:
            site.build(int(words[1]))
            _say({"origin": site.origin, "articles": site.count})
        elif words == ["requests"]:
            _say({"requests": sum(site.requests.values()), "paths": dict(site.requests)})
            site.requests.clear()
        else:
            _say({"error": f"unknown command {line.strip()!r}"})

    for line in sys.stdin:
        if line.strip():
            loop.call_soon_threadsafe(run, line)
    loop.call_soon_threadsafe(done.set_result, None)


def _say(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def serve(
    articles: int, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0, pages_from: int = 0
) -> None:
    loop = asyncio.get_running_loop()
    site = Site("")
    # Older articles are only listed: a tree that already holds them never asks for them.
    site.count = pages_from
    server = await loop.create_server(lambda: HttpProtocol(site, delay), host, port, backlog=256)
    bound = server.sockets[0].getsockname()[1]
    site.origin = f"http://{host}:{bound}"
    site.build(articles)
    done: asyncio.Future[None] = loop.create_future()
    threading.Thread(target=_commands, args=(loop, site, done), daemon=True).start()
    _say({"origin": site.origin, "articles": site.count})
    async with server:
        await done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server", description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--delay", type=float, default=0.0, help="seconds before each response (default 0)"
    )
    parser.add_argument(
        "--pages-from",
        type=int,
        default=0,
        help="serve article pages from this article on; older ones are only listed (default 0)",
    )
    args = parser.parse_args(argv)
    if args.delay < 0:
        parser.error("--delay must not be negative")
    if not 0 <= args.pages_from <= args.articles:
        parser.error("--pages-from must be between 0 and --articles")
    asyncio.run(serve(args.articles, port=args.port, delay=args.delay, pages_from=args.pages_from))


if __name__ == "__main__":
    main()
