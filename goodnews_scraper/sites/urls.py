"""A site's URLs derived from one base URL, the part every site module shares.

A site module subclasses :class:`SiteUrlsBase` with its own hosts, tracking
parameters and article path pattern (whose fifth group is the article id),
and adds the URLs only it has (list pages, feeds).
"""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit


class SiteUrlsBase:
    """Every site URL derives from one base URL (the live site or a fixture)."""

    #: The hosts links to the site may name (besides the base URL's own).
    SITE_HOSTS: ClassVar[frozenset[str]] = frozenset()
    #: Query parameters dropped from the site's links (lowercase).
    TRACKING_PARAMS: ClassVar[frozenset[str]] = frozenset()
    #: An article's URL path: group 1 the edition, group 5 the article id.
    ARTICLE_PATH_RE: ClassVar[re.Pattern[str]] = re.compile(r"(?!)")
    #: What errors call the base URL (the setting a user would change).
    BASE_URL_NAME: ClassVar[str] = "SITE_BASE_URL"

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{self.BASE_URL_NAME} must be an http(s) URL, got {base_url!r}")
        self.base = f"{parts.scheme}://{parts.netloc}"
        self.netloc = parts.netloc
        self.host = parts.hostname

    def site_url(self, href: str, page_url: str) -> str | None:
        """``href`` as a URL on the base, if it points to the site at all."""
        parts = urlsplit(urljoin(page_url, href.strip()))
        if parts.scheme not in ("http", "https"):
            return None
        if parts.hostname not in self.SITE_HOSTS and parts.netloc != self.netloc:
            return None
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query) if k.lower() not in self.TRACKING_PARAMS]
        )
        return f"{self.base}{parts.path or '/'}" + (f"?{query}" if query else "")

    def article_ref(self, href: str, page_url: str, edition: str) -> tuple[str, str] | None:
        """(article id, canonical URL) when ``href`` is an article of ``edition``."""
        url = self.site_url(href, page_url)
        if url is None:
            return None
        match = self.ARTICLE_PATH_RE.fullmatch(urlsplit(url).path)
        if match is None or match.group(1) != edition:
            return None
        return match.group(5), f"{self.base}{match.group(0)}"
