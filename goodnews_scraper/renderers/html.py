"""HTML pages beside the Markdown ones, for static hosts that show ``.md`` as plain text.

Each page is its Markdown rendered by cmark-gfm, GitHub's own renderer with
the same extensions, so it reads as on github.com, inside one small editable
template (``templates/page.html.j2``). Raw HTML in the Markdown is never
trusted (cmark-gfm's safe mode), links between pages point at the ``.html``
files, and a picture the mirror does not hold becomes a link to it, so a page
asks nothing of any host but its own unless ``ASSETS_BASE_URL`` is set.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import cmarkgfm
import lxml.html
from cmarkgfm.cmark import Options
from lxml import etree
from markupsafe import Markup

if TYPE_CHECKING:
    from jinja2 import Template

#: The template every HTML page is rendered into.
HTML_TEMPLATE = "page.html.j2"
#: The ``lang`` of each edition's pages: simplified and traditional Chinese.
EDITION_LANGS = {"gb": "zh-Hans", "b5": "zh-Hant"}
#: GitHub's Markdown: GFM with the extensions github.com enables.
GFM_EXTENSIONS = ("table", "autolink", "tagfilter", "strikethrough")
#: The Markdown page a folder shows first on GitHub, and its static-host equivalent.
FOLDER_PAGE, FOLDER_HTML = "README.md", "index.html"
#: Class of the link that stands for a picture on another host (CSS may style it).
REMOTE_IMAGE_CLASS = "remote-image"


def html_name(md_path: str) -> str:
    """Where the HTML of a Markdown file goes: ``x.html``, and ``index.html`` for README.md."""
    folder, name = posixpath.split(md_path)
    if name == FOLDER_PAGE:
        return posixpath.join(folder, FOLDER_HTML)
    if name.endswith(".md"):
        return posixpath.join(folder, name[: -len(".md")] + ".html")
    return md_path


def markdown_to_html(markdown: str) -> str:
    """GFM rendered as github.com does; raw HTML and unsafe link schemes are left out."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_DEFAULT, extensions=list(GFM_EXTENSIONS)
    )


def _relative_md(href: str) -> str | None:
    """``href`` pointing at the ``.html`` page, if it is a relative link to a ``.md`` file."""
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or parts.path.startswith("/"):
        return None
    if not parts.path.endswith(".md"):
        return None
    return urlunsplit(parts._replace(path=html_name(parts.path)))


def _is_remote(src: str, asset_prefixes: Sequence[str]) -> bool:
    """Whether loading ``src`` would ask another host (relative paths and data: images do not)."""
    try:
        parts = urlsplit(src)
    except ValueError:
        return True
    if not parts.scheme and not parts.netloc:
        return False
    if parts.scheme.lower() == "data":
        return False  # cmark-gfm keeps only data: images (png, gif, jpeg, webp)
    return not any(src.startswith(prefix) for prefix in asset_prefixes)


def _image_as_link(img: lxml.html.HtmlElement) -> None:
    src = img.get("src") or ""
    text = img.get("alt") or posixpath.basename(urlsplit(src).path) or src
    link = lxml.html.Element("a", {"href": src, "class": REMOTE_IMAGE_CLASS})
    link.text = text
    link.tail = img.tail
    parent = img.getparent()
    if parent is not None:
        parent.replace(img, link)


def html_body(markdown: str, *, asset_prefixes: Sequence[str] = ()) -> str:
    """The page's Markdown as an HTML fragment, ready for the template.

    ``asset_prefixes`` are URL prefixes pictures may load from besides the
    tree itself (``ASSETS_BASE_URL + "/"``); any other remote picture becomes
    a link to it.
    """
    rendered = markdown_to_html(markdown)
    if not rendered.strip():
        return ""
    root = lxml.html.fragment_fromstring(rendered, create_parent="div")
    for comment in list(root.iter(etree.Comment)):  # "raw HTML omitted", the metadata line
        parent = comment.getparent()
        if parent is not None:
            comment.drop_tree()
    for link in root.iter("a"):
        target = _relative_md(link.get("href") or "")
        if target is not None:
            link.set("href", target)
    for img in list(root.iter("img")):
        if _is_remote(img.get("src") or "", asset_prefixes):
            _image_as_link(img)
    text = root.text or ""
    html = text + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
    return html.strip()


def html_page(
    markdown: str,
    *,
    title: str,
    lang: str,
    template: Template,
    asset_prefixes: Sequence[str] = (),
) -> bytes:
    """A whole HTML page (UTF-8) for one Markdown page of the tree; same input, same bytes."""
    body = html_body(markdown, asset_prefixes=asset_prefixes)
    page = template.render(title=title, lang=lang, body=Markup(body))
    return (page.rstrip("\n") + "\n").encode("utf-8")
