"""Site-independent extraction layers: structured data and a generic fallback.

A site parser tries its own selectors first; when the site changed its markup
these layers still find the article, and the item records which one did.

All layers share one lxml tree per page (:func:`parse_html`, as parsel builds
it) and CSS selectors compiled once to parsel's XPath (:class:`Query`), so a
query is one C call with no wrapper objects.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from parsel import css2xpath

_NEWS_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting"}
_SENTENCE_END = re.compile(r"[。！？；.!?]")
_SKIPPED_CANDIDATES = frozenset({"p", "li", "td", "blockquote"})

# A script's text, as parsel's ::text reads it, and the scoring queries.
_TEXT_NODES = etree.XPath("text()", smart_strings=False)
_CANDIDATES = etree.XPath("//body//*[p]")
_PARAGRAPH_TEXTS = etree.XPath("p//text()", smart_strings=False)
_PARAGRAPH_LINK_TEXTS = etree.XPath("p//a//text()", smart_strings=False)


def parse_html(text: str) -> Any:
    """The lxml tree parsel builds for ``text``: same bytes, same parser and options.

    A new parser each time, as parsel does: lxml parsers are not thread-safe.
    """
    body = text.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = lxml_html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    root = etree.fromstring(body, parser=parser)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser)
    return root


class Query:
    """A CSS selector compiled once to the XPath parsel runs for it (``::text`` too).

    Calling it runs one compiled XPath: no parsel Selector per matched node.
    """

    __slots__ = ("xpath",)

    def __init__(self, css: str) -> None:
        self.xpath = etree.XPath(css2xpath(css), smart_strings=False)

    def __call__(self, node: Any) -> list[Any]:
        """The matches in ``node``'s subtree, ``node`` included."""
        matches: list[Any] = self.xpath(node)
        return matches


#: The page's JSON-LD scripts (taken before the site layer edits the page).
json_ld_scripts = Query('script[type="application/ld+json"]')


def json_ld_texts(scripts: Iterable[Any]) -> list[str]:
    """The text nodes of JSON-LD ``scripts`` (:data:`json_ld_scripts`), in order."""
    return [text for script in scripts for text in _TEXT_NODES(script)]


def json_ld_objects(texts: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object in ``texts``, flattening lists and ``@graph``."""
    for raw in texts:
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                yield node
                if isinstance(node.get("@graph"), list):
                    stack.extend(node["@graph"])


def news_article(texts: Iterable[str]) -> dict[str, Any]:
    """The JSON-LD NewsArticle (or a close type) in ``texts``, or an empty dict."""
    for node in json_ld_objects(texts):
        kind = node.get("@type")
        kinds = set(kind) if isinstance(kind, list) else {kind}
        if kinds & _NEWS_TYPES:
            return node
    return {}


def text_to_paragraphs_html(text: str) -> str:
    """Plain ``articleBody`` text to HTML paragraphs, one per non-empty line."""
    lines = (line.strip() for line in text.replace("\r", "\n").split("\n"))
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)


def _score(candidate: Any) -> float:
    text = "".join(_PARAGRAPH_TEXTS(candidate))
    if not text.strip():
        return 0.0
    link_text = "".join(_PARAGRAPH_LINK_TEXTS(candidate))
    link_density = len(link_text) / len(text)
    return (len(text) + 20 * len(_SENTENCE_END.findall(text))) * (1.0 - link_density)


def main_content(root: Any) -> Any | None:
    """The element whose own paragraphs hold the most prose: the generic fallback.

    Scoring direct ``<p>`` children (not all descendants) keeps a wrapper
    from winning over the article it contains, and discounting link text
    keeps navigation lists and related-article blocks from winning.
    """
    best: tuple[float, Any | None] = (0.0, None)
    for candidate in _CANDIDATES(root):
        if candidate.tag in _SKIPPED_CANDIDATES:
            continue
        score = _score(candidate)
        if score > best[0]:
            best = (score, candidate)
    return best[1]
