"""Text and markup of parsed page nodes (lxml), as every site's parser reads them."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any

from lxml import etree
from lxml import html as lxml_html

#: A node's whole text (XPath ``string()``), as plain ``str``.
STRING = etree.XPath("string()", smart_strings=False)


def clean_text(text: str) -> str:
    """Whitespace runs as one space, trimmed (``str.split`` and ``\\s`` agree on whitespace)."""
    return " ".join(text.split())


def text_of(nodes: list[Any]) -> str:
    """The text of each node, joined: parsel's ``.css(...).css("::text")``."""
    return "".join([STRING(node) for node in nodes])


def outer_html(node: Any) -> str:
    """A node's own markup, as parsel's ``get()`` serialises it."""
    markup: str = etree.tostring(node, method="html", encoding="unicode", with_tail=False)
    return markup


def inner_html(element: Any) -> str:
    """``element``'s markup inside its own tag: its leading text (escaped) and its children."""
    children = "".join([lxml_html.tostring(child, encoding="unicode") for child in element])
    return html_escape(element.text or "", quote=False) + children
