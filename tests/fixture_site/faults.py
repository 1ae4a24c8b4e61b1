"""Misbehaving routes for the fixture server: what a real network does to a crawl.

Each class answers a request by itself (``serve``), so a test can put one on
any path with ``FixtureServer.set(path, ...)``: a response that comes too
late, a connection reset, a status that clears after some tries (429 with
Retry-After, a 503 burst), a body too large to accept. The helpers below
change a page's bytes instead (invalid UTF-8, a pager pointing back).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from tests.fixture_site.build import HTML, FixtureResponse

#: Errors a client that gave up causes on our side of the socket.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)


def write_response(handler: BaseHTTPRequestHandler, r: FixtureResponse, with_body: bool) -> None:
    """Send a plain response, as the server does for a ``FixtureResponse``."""
    handler.send_response(r.status)
    handler.send_header("Content-Type", r.content_type)
    handler.send_header("Content-Length", str(len(r.body)))
    for name, value in r.headers:
        handler.send_header(name, value)
    handler.end_headers()
    if with_body:
        handler.wfile.write(r.body)


@dataclass
class Slow:
    """Answers ``response`` only after ``delay`` seconds: past the crawl's timeout."""

    response: FixtureResponse
    delay: float

    def serve(self, handler: BaseHTTPRequestHandler, with_body: bool) -> None:
        time.sleep(self.delay)
        with contextlib.suppress(*_GONE):  # the crawler stopped waiting long ago
            write_response(handler, self.response, with_body)


class Reset:
    """Drops the connection with a TCP reset instead of answering."""

    def serve(self, handler: BaseHTTPRequestHandler, with_body: bool) -> None:
        # SO_LINGER with a zero timeout turns close() into an RST.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True


@dataclass
class Flaky:
    """Answers ``failure`` to the first ``times`` requests, then ``then``."""

    failure: FixtureResponse
    times: int
    then: FixtureResponse
    served: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def serve(self, handler: BaseHTTPRequestHandler, with_body: bool) -> None:
        with self._lock:
            self.served += 1
            failing = self.served <= self.times
        write_response(handler, self.failure if failing else self.then, with_body)


@dataclass
class Huge:
    """A body of ``size`` bytes, streamed; without Content-Length unless ``declared``."""

    size: int = 50 * 1024 * 1024
    declared: bool = False
    sent: int = 0

    def serve(self, handler: BaseHTTPRequestHandler, with_body: bool) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", HTML)
        if self.declared:
            handler.send_header("Content-Length", str(self.size))
        else:
            handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        if not with_body:
            return
        chunk = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>"
        try:
            while self.sent < self.size:
                handler.wfile.write(chunk)
                self.sent += len(chunk)
        except _GONE:
            pass  # the crawler hung up: what it must do


def retry_after(then: FixtureResponse, seconds: int = 1, times: int = 1) -> Flaky:
    """429 Too Many Requests with ``Retry-After`` for ``times`` requests, then ``then``."""
    busy = FixtureResponse(
        429, "text/plain; charset=utf-8", b"Too Many Requests\n", (("Retry-After", str(seconds)),)
    )
    return Flaky(busy, times, then)


def burst(then: FixtureResponse, status: int = 503, times: int = 2) -> Flaky:
    """A burst of ``status`` answers, then ``then``."""
    return Flaky(FixtureResponse(status, HTML, b"<html><body>busy</body></html>"), times, then)


def redirect(location: str, status: int = 302) -> FixtureResponse:
    return FixtureResponse(status, HTML, b"", (("Location", location),))


def not_html() -> FixtureResponse:
    """A PDF where a page should be."""
    return FixtureResponse(200, "application/pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\n")


def invalid_utf8(page: FixtureResponse, needle: str) -> FixtureResponse:
    """``page`` with undecodable bytes inside the last occurrence of ``needle`` (the body)."""
    marker = needle.encode("utf-8")
    at = page.body.rindex(marker) + 3  # after the first (3-byte) character
    broken = page.body[:at] + b"\xff\xfe\xc3(\x80" + page.body[at:]
    return FixtureResponse(page.status, page.content_type, broken, page.headers)


def pager_back_to(page: FixtureResponse, target: str) -> FixtureResponse:
    """A list page whose pager's "next" link points to ``target`` (e.g. page 1)."""
    assert b'<div class="pagination">' in page.body
    link = f'<a class="next page-numbers" href="{target}">next</a>'.encode()
    body = page.body.replace(b'<div class="pagination">', b'<div class="pagination">' + link, 1)
    return FixtureResponse(page.status, page.content_type, body, page.headers)
