"""Site-independent extraction layers: structured data and a generic fallback.

A site parser tries its own selectors first; when the site changed its markup
these layers still find the article, and the item records which one did.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from parsel import Selector

_NEWS_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting"}
_SENTENCE_END = re.compile(r"[。！？；.!?]")


def json_ld_objects(page: Selector) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object of the page, flattening lists and ``@graph``."""
    for raw in page.css('script[type="application/ld+json"]::text').getall():
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


def news_article(page: Selector) -> dict[str, Any]:
    """The page's JSON-LD NewsArticle (or a close type), or an empty dict."""
    for node in json_ld_objects(page):
        kind = node.get("@type")
        kinds = set(kind) if isinstance(kind, list) else {kind}
        if kinds & _NEWS_TYPES:
            return node
    return {}


def text_to_paragraphs_html(text: str) -> str:
    """Plain ``articleBody`` text to HTML paragraphs, one per non-empty line."""
    lines = (line.strip() for line in text.replace("\r", "\n").split("\n"))
    return "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)


def _score(candidate: Selector) -> float:
    paragraphs = candidate.xpath("./p")
    text = "".join(paragraphs.xpath(".//text()").getall())
    link_text = "".join(paragraphs.xpath(".//a//text()").getall())
    if not text.strip():
        return 0.0
    link_density = len(link_text) / len(text)
    return (len(text) + 20 * len(_SENTENCE_END.findall(text))) * (1.0 - link_density)


def main_content(page: Selector) -> Selector | None:
    """The element whose own paragraphs hold the most prose: the generic fallback.

    Scoring direct ``<p>`` children (not all descendants) keeps a wrapper
    from winning over the article it contains, and discounting link text
    keeps navigation lists and related-article blocks from winning.
    """
    best: tuple[float, Selector | None] = (0.0, None)
    for candidate in page.xpath("//body//*[p]"):
        if candidate.root.tag in {"p", "li", "td", "blockquote"}:
            continue
        score = _score(candidate)
        if score > best[0]:
            best = (score, candidate)
    return best[1]
