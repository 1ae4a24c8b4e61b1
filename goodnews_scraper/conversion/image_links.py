"""Find and replace image links in a cleaned body (HTML) and in a stored page (Markdown).

The images pipeline downloads what these functions find and swaps the remote URLs
for paths into the tree; whatever is not in the mapping keeps its URL, so an image
that could not be mirrored still shows where it can.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from goodnews_scraper.conversion.templates import md_unescape

# An inline image as our Markdown writes it: ``![alt](destination)``. Alt text and
# destination escape their special characters with backslashes, never with spaces.
_MD_IMAGE = re.compile(r"!\[(?P<alt>(?:[^\\\]\n]|\\.)*)\]\((?P<dest>(?:[^\\()\s]|\\.)+)\)")


def _is_web_url(url: str) -> bool:
    try:
        return urlsplit(url).scheme.lower() in ("http", "https")
    except ValueError:
        return False


def _unique(urls: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def _fragment(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return None


def html_image_urls(html: str) -> list[str]:
    """The http(s) ``<img src>`` URLs of a cleaned body, in order, each once."""
    root = _fragment(html)
    if root is None:
        return []
    return _unique(src for img in root.iter("img") if _is_web_url(src := img.get("src") or ""))


def replace_html_images(html: str, links: Mapping[str, str]) -> str:
    """``html`` with each ``<img src>`` found in ``links`` pointing to its new target.

    The output is serialised exactly as the cleaner serialises its own, so a body
    whose images are all remote comes back byte for byte.
    """
    root = _fragment(html)
    if root is None:
        return html
    changed = False
    for img in root.iter("img"):
        target = links.get(img.get("src") or "")
        if target is not None:
            img.set("src", target)
            changed = True
    if not changed:
        return html
    return "\n".join(
        lxml.html.tostring(child, encoding="unicode", with_tail=False) for child in root
    )


def _destination(match: re.Match[str]) -> str:
    return md_unescape(match.group("dest"))


def markdown_image_links(markdown: str) -> list[str]:
    """Every image destination a Markdown page shows (URLs and paths), in order, each once."""
    return _unique(_destination(match) for match in _MD_IMAGE.finditer(markdown))


def markdown_image_urls(markdown: str) -> list[str]:
    """The http(s) URLs of the images a Markdown page shows, in order, each once."""
    return _unique(
        url for match in _MD_IMAGE.finditer(markdown) if _is_web_url(url := _destination(match))
    )


def markdown_has_local_image(markdown: str, prefix: str) -> bool:
    """Whether the page already shows an image stored under ``prefix`` (e.g. ``../../images/``)."""
    return any(_destination(match).startswith(prefix) for match in _MD_IMAGE.finditer(markdown))


def replace_markdown_images(markdown: str, links: Mapping[str, str]) -> str:
    """``markdown`` with each image whose URL is in ``links`` pointing to its new target.

    Targets are paths inside the tree (hex names), which need no escaping.
    """

    def swap(match: re.Match[str]) -> str:
        target = links.get(_destination(match))
        return match.group() if target is None else f"![{match.group('alt')}]({target})"

    return _MD_IMAGE.sub(swap, markdown)


def relative_link(target: str, page: str) -> str:
    """Link from the page at tree path ``page`` to the file at tree path ``target``."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")
