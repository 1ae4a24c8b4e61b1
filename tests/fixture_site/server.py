"""Serve the fixture site on 127.0.0.1 so the spider can crawl it offline."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Protocol
from urllib.parse import unquote, urlsplit

from tests.fixture_site.build import FixtureResponse, build_site, not_found
from tests.fixture_site.faults import write_response

SiteBuilder = Callable[[str], Mapping[str, FixtureResponse]]


class CustomResponse(Protocol):
    """A route that answers by itself: late, reset, streamed (see ``faults.py``)."""

    def serve(self, handler: BaseHTTPRequestHandler, with_body: bool) -> None: ...


Route = FixtureResponse | CustomResponse


class FixtureServer:
    """A threaded HTTP server answering from ``build_site(origin)``.

    The pages embed the origin, so the site is built once the port is known.
    ``overrides`` add or replace paths (``None`` removes one: 404); they can
    also be changed while running with :meth:`set` / :meth:`remove` /
    :meth:`rebuild`, keeping the port (and so every URL) stable between runs.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        overrides: Mapping[str, FixtureResponse | None] | None = None,
        builder: SiteBuilder = build_site,
    ) -> None:
        self._host, self._port = host, port
        self._builder = builder
        self._overrides: dict[str, Route | None] = dict(overrides or {})
        self._site: dict[str, FixtureResponse] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[str] = []  # request paths in arrival order (query included)

    # --- lifecycle ----------------------------------------------------------------
    def start(self) -> FixtureServer:
        """Bind, build the site for the bound origin and serve from a daemon thread."""
        if self._httpd is not None:
            return self
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer((self._host, self._port), handler)
        self._httpd.daemon_threads = True
        self._port = self._httpd.server_address[1]
        self.rebuild()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="fixture-site", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- content ------------------------------------------------------------------
    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (only meaningful once started)."""
        return f"http://{self._host}:{self._port}"

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return self.origin + path

    def rebuild(self, builder: SiteBuilder | None = None) -> None:
        """Rebuild the site (optionally with another builder, e.g. new content)."""
        if builder is not None:
            self._builder = builder
        site = dict(self._builder(self.origin))
        with self._lock:
            self._site = site

    def set(self, path: str, response: Route) -> None:
        """Add or replace one path while running (a ``CustomResponse`` misbehaves)."""
        with self._lock:
            self._overrides[path] = response

    def remove(self, path: str) -> None:
        """Make one path answer 404 while running."""
        with self._lock:
            self._overrides[path] = None

    def lookup(self, path: str) -> Route:
        """The response for a request path (query ignored, trailing slash tolerated)."""
        path = unquote(urlsplit(path).path) or "/"
        candidates = [path, path.rstrip("/")] if len(path) > 1 else [path]
        with self._lock:
            for p in candidates:
                if p in self._overrides:
                    return self._overrides[p] or not_found()
                if p in self._site:
                    return self._site[p]
        return not_found()


def _make_handler(server: FixtureServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "nginx"
        sys_version = ""

        def _respond(self, with_body: bool) -> None:
            server.requests.append(self.path)
            r = server.lookup(self.path)
            if not isinstance(r, FixtureResponse):
                r.serve(self, with_body)
                return
            write_response(self, r, with_body)

        def do_GET(self) -> None:
            self._respond(True)

        def do_HEAD(self) -> None:
            self._respond(False)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: tests read ``server.requests`` instead."""

    return Handler
