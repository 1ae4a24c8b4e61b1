"""Reduce an article body to a small, safe HTML subset ready for Markdown conversion.

The body is hostile input: it is simplified here (layout wrappers unwrapped, lazy images
resolved, players turned into links) and then passed through ``lxml_html_clean`` so the
security-sensitive part relies on a maintained library rather than on our own code.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml_html_clean import Cleaner

from goodnews_scraper.hosts import HostPolicy


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VIDEO_LINK_TEXT = "▶ 视频"
"""Text of the paragraph link that replaces an embedded video player."""

ALLOWED_TAGS = _words(
    "p h2 h3 h4 strong em ul ol li table thead tbody tfoot tr td th blockquote "
    "figure figcaption img a br hr"
)
ALLOWED_ATTRS = _words("href src alt title colspan rowspan")
_ATTRS_BY_TAG = {
    "a": ("href", "title"),
    "img": ("src", "alt", "title"),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan"),
}
_LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src")
_KILL_TAGS = _words(
    "script style noscript template form button input select textarea applet param "
    "svg math canvas audio map frame frameset head title meta link base"
)
_PLAYER_TAGS = ("iframe", "video", "embed", "object")
_RENAME = {"b": "strong", "i": "em", "h1": "h2", "h5": "h4", "h6": "h4", "pre": "p"}
_LAYOUT_BLOCKS = _words("div section article center main header footer aside nav address")
_BLOCKS = _LAYOUT_BLOCKS | _words(
    "p h1 h2 h3 h4 h5 h6 ul ol li table thead tbody tfoot tr td th caption blockquote "
    "figure figcaption hr pre dl dt dd"
)
_INLINE_CONTEXT = _words("p li td th h2 h3 h4 figcaption a strong em caption dt dd")
_YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
#: Ganjing World's player pages: /embed/<id> plays what /video/<id> shows.
_GANJING_HOSTS = frozenset({"ganjingworld.com", "www.ganjingworld.com"})
#: Hosts whose players become links when no VIDEO_HOSTS is given (and the page's own).
DEFAULT_VIDEO_HOSTS = _YOUTUBE_HOSTS | _GANJING_HOSTS | {"youtu.be"}
_BLANK = " \t\r\n\f\v\u00a0\u3000\u200b\ufeff"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# libxml2 drops whatever follows a stray </body> or </html>, so those tags go first.
_PAGE_TAGS = re.compile(r"</?(?:html|body)\b[^>]*>", re.IGNORECASE)
_META_CONTENT_TYPE = re.compile(r'<meta http-equiv="Content-Type"[^>]*>')

#: lxml.html's own parser (HtmlElement classes). One for the process: lxml
#: parsers are not thread-safe, and the item pipelines all run in Scrapy's one thread.
_PARSER = lxml.html.HTMLParser()

#: What may stay in an article body (tags, attributes; nothing that runs). The
#: feed renderer applies it once more to what it sends feed readers.
BODY_CLEANER = Cleaner(
    scripts=True,
    javascript=True,
    comments=True,
    style=True,
    inline_style=True,
    links=True,
    meta=True,
    page_structure=True,
    processing_instructions=True,
    embedded=True,
    frames=True,
    forms=True,
    annoying_tags=True,
    kill_tags=_KILL_TAGS | {"object", "embed"},
    allow_tags=ALLOWED_TAGS,
    remove_unknown_tags=False,
    safe_attrs_only=True,
    safe_attrs=ALLOWED_ATTRS,
    add_nofollow=False,
)


def clean_html(
    html: str,
    base_url: str,
    video_hosts: Collection[str] = DEFAULT_VIDEO_HOSTS,
    dropped_players: list[str] | None = None,
) -> str:
    """Return a safe, simplified HTML fragment with absolute http(s) URLs; "" if nothing left.

    Players become links only on ``video_hosts`` and the page's own origin
    (``base_url``'s); the URLs of the others, dropped, go to ``dropped_players``.
    """
    html = _PAGE_TAGS.sub("", _CONTROL_CHARS.sub("", html or ""))
    if not html.strip():
        return ""
    try:
        root = _fragment(html)
    except (etree.ParserError, ValueError):
        return ""
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction, *_KILL_TAGS)):
        _drop_tree(el)
    players = _player_policy(video_hosts, base_url)
    for el in list(root.iter(*_PLAYER_TAGS)):
        if any(a is root for a in el.iterancestors()):  # not inside a discarded player
            _replace_player(el, base_url, players, dropped_players)
    for el in list(root.iter("img")):
        _fix_image(el, base_url)
    for el in list(root.iter("a")):
        _fix_link(el, base_url)
    for el in list(root.iter(*_RENAME)):
        el.tag = _RENAME[el.tag]
    for el in list(root.iter("figure")):
        _normalize_figure(el)
    for el in list(root.iter("div")):
        if "wp-caption" in el.get("class", "").split():
            el.tag = "figure"
            _normalize_figure(el)
    for el in list(root.iter("caption")):
        _move_caption(el)
    for el in reversed(list(root.iter(*_LAYOUT_BLOCKS))):
        _unwrap_block(el)
    _wrap_inline_runs(root)
    _strip_attributes(root)
    BODY_CLEANER(root)
    _tidy(root)
    return _serialize_children(root)


def _serialize_children(root: lxml.html.HtmlElement) -> str:
    """The children as HTML, one per line, without the text around them.

    One ``tostring`` of the root with each tail set to a newline, instead of one call per
    child (each through ``lxml.html.tostring``'s wrapper and its regex, done once here).
    """
    root.text = None
    for child in root:
        child.tail = "\n"
    if len(root):
        root[-1].tail = None
    html = etree.tostring(root, method="html", encoding="unicode")
    inner = html.removeprefix(f"<{root.tag}>").removesuffix(f"</{root.tag}>")
    # lxml.html.tostring's clean-up; a match cannot span two children (it ends at ">").
    return _META_CONTENT_TYPE.sub("", inner)


def _fragment(html: str) -> lxml.html.HtmlElement:
    """``fragment_fromstring(html, create_parent="div")``, with every element from ``_PARSER``."""
    nodes = lxml.html.fragments_fromstring(html, parser=_PARSER)
    root = _element("div")
    if nodes and isinstance(nodes[0], str):
        root.text = nodes.pop(0)
    root.extend(nodes)
    return root


def _element(tag: str, **attrib: str) -> lxml.html.HtmlElement:
    """A new element made by ``_PARSER``, like the ones it parses."""
    return _PARSER.makeelement(tag, attrib)


def _safe_url(url: str | None, base_url: str) -> str | None:
    """Absolute http(s) URL, or None for anything else (javascript:, data:, mailto in img…)."""
    url = (url or "").strip(_BLANK)
    if not url:
        return None
    if url.startswith("//"):
        url = "https:" + url
    try:
        url = urljoin(base_url, url)
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _player_policy(video_hosts: Collection[str], base_url: str) -> HostPolicy:
    """``video_hosts`` and the page's own origin (which may be an address: a fixture)."""
    parts = urlsplit(base_url)
    try:
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return HostPolicy.of(video_hosts)
    return HostPolicy.of([*video_hosts, host], [f"{host}:{port}" if port else host])


def _replace_player(
    el: lxml.html.HtmlElement,
    base_url: str,
    players: HostPolicy,
    dropped: list[str] | None,
) -> None:
    """Swap a player for a visible link, because GitHub strips iframes and videos;
    drop it when it plays from a host not allowed (a hidden frame to anywhere)."""
    candidates = [el.get(a) for a in (*_LAZY_ATTRS, "src", "data")]
    candidates += [s.get("src") for s in el.iter("source")]
    url = next((u for u in (_safe_url(c, base_url) for c in candidates) if u), None)
    if url is not None and players.refusal(url) is not None:
        if dropped is not None:
            dropped.append(url)
        url = None
    if url is None:
        _discard_player(el)
        return
    url = _public_video_url(url)
    link = _element("a", href=url)
    link.text = VIDEO_LINK_TEXT
    anchors = [a for a in el.iterancestors("a")]
    if anchors:  # never nest a link in a link: put ours after the outermost one
        link.tail = anchors[-1].tail
        anchors[-1].tail = " "
        anchors[-1].addnext(link)
    elif any(a.tag in _INLINE_CONTEXT for a in el.iterancestors()):
        el.addprevious(link)
    else:
        paragraph = _element("p")
        paragraph.append(link)
        el.addprevious(paragraph)
    _discard_player(el)


def _public_video_url(url: str) -> str:
    """The page a reader opens for an embedded player's URL (YouTube, Ganjing World)."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    video_id = segments[2] if len(segments) > 2 and segments[1] == "embed" else ""
    if not re.fullmatch(r"[\w-]+", video_id):
        return url
    if parts.hostname in _YOUTUBE_HOSTS:
        return f"https://www.youtube.com/watch?v={video_id}"
    if parts.hostname in _GANJING_HOSTS:
        return f"https://www.ganjingworld.com/video/{video_id}"
    return url


def _discard_player(el: lxml.html.HtmlElement) -> None:
    """Remove a player and its fallback, but keep content libxml2 nested in it (after <embed>)."""
    for child in list(el):
        if child.tag in ("source", "track", "param", *_PLAYER_TAGS):
            _drop_tree(child)
    el.text = None
    el.drop_tag()


def _fix_image(img: lxml.html.HtmlElement, base_url: str) -> None:
    """Prefer the lazy-load attribute over a placeholder src; drop images without a real URL."""
    candidates = [img.get(a) for a in _LAZY_ATTRS] + [img.get("src")]
    url = next((u for u in (_safe_url(c, base_url) for c in candidates) if u), None)
    if url is None:
        _drop_tree(img)
    else:
        img.set("src", url)


def _fix_link(a: lxml.html.HtmlElement, base_url: str) -> None:
    """Make href absolute; a link to a non-web scheme keeps only its text."""
    href = (a.get("href") or "").strip(_BLANK)
    url = href if href.lower().startswith("mailto:") else _safe_url(href, base_url)
    if url is None:
        a.drop_tag()
    else:
        a.set("href", url)


def _normalize_figure(fig: lxml.html.HtmlElement) -> None:
    """Rebuild as <figure><img…><figcaption>text</figcaption></figure>."""
    images = list(fig.iter("img"))
    captions = [
        el
        for el in fig.iter()
        if el.tag == "figcaption" or "wp-caption-text" in el.get("class", "").split()
    ]
    caption = " ".join(" ".join(c.text_content().split()) for c in captions[:1]).strip()
    if not images:
        for el in captions:  # keep the caption text as an ordinary paragraph
            el.tag = "p"
        fig.tag = "div"
        return
    for child in list(fig):
        fig.remove(child)
    fig.text = None
    for img in images:
        img.tail = None
        fig.append(img)
    if caption:
        fig.append(_element("figcaption"))
        fig[-1].text = caption
    fig.attrib.clear()


def _move_caption(caption: lxml.html.HtmlElement) -> None:
    """Markdown tables have no caption: make it a paragraph before the table."""
    table = next((a for a in caption.iterancestors("table")), None)
    caption.tag = "p"
    if table is not None:
        caption.getparent().remove(caption)
        caption.tail = None
        table.addprevious(caption)


def _unwrap_block(el: lxml.html.HtmlElement) -> None:
    """Remove a layout wrapper but keep its text as separate paragraphs."""
    if el.getparent() is None:
        return
    has_blocks = any(child.tag in _BLOCKS for child in el)
    in_inline = any(a.tag in _INLINE_CONTEXT for a in el.iterancestors())
    if in_inline:
        if el.tail is None or not el.tail[:1].isspace():
            el.tail = " " + (el.tail or "")
        el.drop_tag()
    elif not has_blocks:
        el.tag = "p"
        el.attrib.clear()
    else:
        _wrap_inline_runs(el)
        el.drop_tag()


def _wrap_inline_runs(container: lxml.html.HtmlElement) -> None:
    """Group loose text and inline elements among blocks into <p> elements.

    Blank text between blocks (the newlines of the page's markup) gets no <p>: ``_tidy``
    would drop it as empty, after every later step had walked over it.
    """
    if _only_blocks(container):  # the usual article: nothing to wrap, only newlines to drop
        container.text = None
        for child in container:
            child.tail = None
        return
    nodes: list[str | lxml.html.HtmlElement] = []
    if container.text:
        nodes.append(container.text)
    for child in container:
        nodes.append(child)
        if child.tail:
            nodes.append(child.tail)
            child.tail = None
    container.text = None
    for child in list(container):
        container.remove(child)
    paragraph: lxml.html.HtmlElement | None = None
    for i, node in enumerate(nodes):
        if isinstance(node, str):
            if paragraph is None:
                if not node.strip(_BLANK) and (i + 1 == len(nodes) or _is_block(nodes[i + 1])):
                    continue  # blank text alone between blocks (strings never touch)
                paragraph = _append_paragraph(container)
            if len(paragraph):
                paragraph[-1].tail = (paragraph[-1].tail or "") + node
            else:
                paragraph.text = (paragraph.text or "") + node
        elif _is_block(node):
            container.append(node)
            paragraph = None
        else:
            if paragraph is None:
                paragraph = _append_paragraph(container)
            paragraph.append(node)


def _is_block(node: str | lxml.html.HtmlElement) -> bool:
    """A node that stays as it is between paragraphs (blocks, comments)."""
    return not isinstance(node, str) and (node.tag in _BLOCKS or not isinstance(node.tag, str))


def _only_blocks(container: lxml.html.HtmlElement) -> bool:
    """Every child is a block and all the text around them is blank."""
    return not (container.text or "").strip(_BLANK) and all(
        _is_block(child) and not (child.tail or "").strip(_BLANK) for child in container
    )


def _append_paragraph(container: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A new <p> at the end of ``container`` for the next run of inline content."""
    paragraph = _element("p")
    container.append(paragraph)
    return paragraph


def _strip_attributes(root: lxml.html.HtmlElement) -> None:
    """Keep only the few attributes each tag needs (Cleaner's safe_attrs is per-document)."""
    for el in root.iter(etree.Element):
        keep = _ATTRS_BY_TAG.get(el.tag, ())
        for name in list(el.attrib):
            if name not in keep:
                del el.attrib[name]


def _is_empty(el: lxml.html.HtmlElement) -> bool:
    """No visible text and no image or line break worth keeping."""
    if el.tag in ("img", "br", "hr"):
        return False
    if el.text and el.text.strip(_BLANK):  # the common case, without collecting all the text
        return False
    if not len(el):  # no children: its text was all there is
        return True
    if next(el.iter("img", "hr"), None) is not None:
        return False
    return not el.text_content().strip(_BLANK)


def _tidy(root: lxml.html.HtmlElement) -> None:
    """Drop empty blocks, collapse runs of <br>, trim <br> at block edges, merge <strong>s."""
    for el in reversed(
        list(
            root.iter(
                "p",
                "h2",
                "h3",
                "h4",
                "li",
                "blockquote",
                "figure",
                "figcaption",
                "ul",
                "ol",
                "strong",
                "em",
                "a",
            )
        )
    ):
        if _is_empty(el):
            if el.tag in ("strong", "em", "a"):
                el.drop_tag()
            else:
                _drop_tree(el)
    for br in reversed(list(root.iter("br"))):
        prev = br.getprevious()
        at_start = prev is None and not (br.getparent().text or "").strip(_BLANK)
        after_br = prev is not None and prev.tag == "br" and not (prev.tail or "").strip(_BLANK)
        at_end = br.getnext() is None and not (br.tail or "").strip(_BLANK)
        if at_start or after_br or at_end:
            _drop_tree(br)
    for el in list(root.iter("strong", "em")):
        nxt = el.getnext()
        if el.getparent() is not None and nxt is not None and nxt.tag == el.tag and not el.tail:
            if len(el):
                el[-1].tail = (el[-1].tail or "") + (nxt.text or "")
            else:
                el.text = (el.text or "") + (nxt.text or "")
            for child in list(nxt):
                el.append(child)
            el.tail = nxt.tail
            nxt.getparent().remove(nxt)


def _drop_tree(el: etree._Element) -> None:
    """Remove an element and its content, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
