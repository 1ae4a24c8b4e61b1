"""Debian's headless Chromium, driven by Selenium through Debian's chromedriver.

Never a downloaded browser: the driver's path is given to the Service, so
Selenium Manager (which would look one up on the network) is never asked,
and ``SE_OFFLINE`` forbids it anyway. Every request a page makes is read
from Chrome's performance log (the DevTools ``Network`` events), so the tests
see what the page asked for even though a resolver rule answers every host
but 127.0.0.1 with "not found" and nothing can leave the machine.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
#: A phone's viewport (CSS pixels), as DevTools' device mode sets it.
PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True}
FLAGS = (
    "--headless",
    "--no-sandbox",  # the tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    # Whatever a page asks of another host fails here, after the log saw it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
#: Each image of the page: where it points, and whether the browser decoded it.
IMAGES_JS = """
return Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth}));
"""
#: The page's width and the layout viewport's: a phone scrolls sideways when the first is larger.
WIDTH_JS = """
return [document.documentElement.scrollWidth, document.documentElement.clientWidth,
        window.innerWidth];
"""


def browser_available() -> bool:
    return Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()


@dataclass
class PageVisit:
    """What the browser did with one page."""

    url: str
    images: list[dict[str, Any]]
    requests: list[str]
    scroll_width: int
    viewport_width: int
    inner_width: int
    failed: list[str] = field(default_factory=list)

    @property
    def scrolls_sideways(self) -> bool:
        return self.scroll_width > self.viewport_width

    @property
    def broken_images(self) -> list[str]:
        return [img["src"] for img in self.images if not (img["complete"] and img["width"] > 0)]

    def outside_requests(self, *allowed_prefixes: str) -> list[str]:
        """Requests to anything but the given prefixes (file:// pages: ``file://``)."""
        return [url for url in self.requests if not url.startswith(allowed_prefixes)]


class Browser:
    """One headless Chromium with a fresh profile, at a phone's width."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.mkdtemp(prefix="goodnews-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        os.environ["SE_OFFLINE"] = "true"
        service = Service(executable_path=CHROMEDRIVER)
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
        except Exception:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(30)
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)

    def _network_log(self) -> tuple[list[str], list[str]]:
        """Requested URLs, and those that failed, since the log was last read."""
        requested, failed, ids = [], [], {}
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            params = message.get("params", {})
            if message.get("method") == "Network.requestWillBeSent":
                url = params["request"]["url"]
                ids[params["requestId"]] = url
                requested.append(url)
            elif message.get("method") == "Network.loadingFailed":
                failed.append(ids.get(params["requestId"], params["requestId"]))
        return requested, failed

    def visit(self, url: str) -> PageVisit:
        """Open ``url``, wait for its load event, and report what happened."""
        self._network_log()  # forget the previous page
        self.driver.get(url)
        images = self.driver.execute_script(IMAGES_JS)
        widths = self.driver.execute_script(WIDTH_JS)
        requests, failed = self._network_log()
        return PageVisit(url, images, requests, *widths, failed=failed)


@contextmanager
def browser() -> Iterator[Browser]:
    running = Browser()
    try:
        yield running
    finally:
        running.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_host(root: Path) -> Iterator[str]:
    """``root`` served as a static host does, on 127.0.0.1; yields its origin."""
    handler = partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
