"""Following a list page's pager, as WordPress themes draw it (both sites' lists).

The site module gives its own queries (the pager's links, the "next" link,
the current page's number); the rule is shared: the ``next`` link, else the
link numbered one past the current page. Numbers may hold commas (1,234).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from goodnews_scraper.sites.html_text import STRING, clean_text

#: A compiled query over a parsed page (``extraction.Query``): matching nodes or strings.
PageQuery = Callable[[Any], list[Any]]


class LinksOnSite(Protocol):
    def site_url(self, href: str, page_url: str) -> str | None: ...


def page_number(text: str) -> int | None:
    digits = text.replace(",", "").replace("，", "").strip()
    return int(digits) if digits.isdigit() else None


def next_page(
    page: Any,
    url: str,
    urls: LinksOnSite,
    *,
    pager: PageQuery,
    next_href: PageQuery,
    current_text: PageQuery,
) -> str | None:
    """The pager's link to the next page, on the site, or None (the last page)."""
    links = pager(page)
    target = next((href for link in links for href in next_href(link)), None)
    if target is None:
        current = page_number(clean_text("".join(current_text(page)))) or 1
        for link in links:
            if page_number(clean_text(STRING(link))) == current + 1:
                target = link.get("href")
                break
    if not target:
        return None
    next_url = urls.site_url(target, url)
    return next_url if next_url and next_url != url else None
