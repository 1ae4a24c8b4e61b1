"""Render Markdown the way GitHub does (cmark-gfm, raw HTML not trusted) for assertions."""

from __future__ import annotations

import cmarkgfm
import lxml.html
from cmarkgfm.cmark import Options

_EXTENSIONS = ["table", "autolink", "tagfilter", "strikethrough"]


def render(markdown: str) -> str:
    """GFM to HTML; without CMARK_OPT_UNSAFE raw HTML is replaced by a comment, as on GitHub."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_DEFAULT, extensions=_EXTENSIONS
    )


def rendered_tree(markdown: str) -> lxml.html.HtmlElement:
    """The rendered HTML as an element tree under a <div>."""
    return lxml.html.fragment_fromstring(render(markdown) or "<p></p>", create_parent="div")


def rendered_text(markdown: str) -> str:
    """Visible text of the rendered Markdown, whitespace collapsed."""
    return " ".join(rendered_tree(markdown).text_content().split())
