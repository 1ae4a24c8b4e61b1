"""Convert cleaned article HTML to GitHub-flavoured Markdown.

Readers see the pages rendered by GitHub, so the rules are: text must stay text (it may never
turn into HTML, links, emphasis or block markup), Chinese prose must not be littered with
backslashes, and the output must be byte-stable so that unchanged articles make no diffs.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from typing import Any
from urllib.parse import quote, urlsplit

from bs4 import Comment, MarkupResemblesLocatorWarning, NavigableString, Tag
from markdownify import ATX, BACKSLASH, chomp  # type: ignore[attr-defined]
from markdownify import MarkdownConverter as _MarkdownConverter

# markdownify's annotations are partial (no DefaultOptions, process_text, ...).
MarkdownConverter: Any = _MarkdownConverter


def _attr(el: Tag, name: str) -> str | None:
    value = el.get(name)
    return value if isinstance(value, str) else None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CELL, _ROW, _CAPTION = "\x1e", "\x1d", "\x1c"  # sentinels; control chars never reach output
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ALWAYS_ESCAPED = re.compile(r"([*`\[\]~|])")
_UNDERSCORES = re.compile(r"_+")
_URL_SCHEME = re.compile(r"(?<=[A-Za-z0-9])://")  # stops GFM autolinking of text URLs
_WWW = re.compile(r"(?i)(www)\.")
#: Everything ``escape_text`` changes; most Chinese prose has none of it.
_MAY_NEED_ESCAPE = re.compile(r"[\\&<>*`\[\]~|_]|://|(?i:www)\.")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")
_BLANK_LINES = re.compile(r"\n{3,}")
_BLOCK_TAGS = _words(
    "[document] p div section article blockquote ul ol li table thead tbody tfoot tr td th "
    "caption figure figcaption h1 h2 h3 h4 h5 h6 pre hr dl dt dd br"
)
_DELIMITED = _words("a strong b em i code del s")
_SCHEMES = frozenset({"http", "https", "mailto"})
_URL_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in '<>|"\\')


def html_to_markdown(html: str) -> str:
    """Markdown for a cleaned HTML fragment: one trailing newline, "" when there is no text."""
    with warnings.catch_warnings():  # a body that is just a URL is still a body
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        markdown = _CONVERTER.convert(html or "")
    markdown = "\n".join(line.rstrip() for line in markdown.split("\n"))
    markdown = _BLANK_LINES.sub("\n\n", markdown).strip("\n")
    return markdown + "\n" if markdown.strip() else ""


def escape_text(text: str, line_start: bool = False) -> str:
    """Escape text so GFM shows it verbatim, touching only characters that could be markup."""
    if _MAY_NEED_ESCAPE.search(text):  # else none of the passes below would change it
        text = text.replace("\\", "\\\\")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _ALWAYS_ESCAPED.sub(r"\\\1", text)
        text = _UNDERSCORES.sub(lambda m: _escape_underscores(m, text), text)
        text = _WWW.sub(r"\1\\.", _URL_SCHEME.sub(r"\\://", text))
    if line_start:
        if text[:1] in ("-", "+", "=", "#"):
            text = "\\" + text
        text = _ORDERED_MARKER.sub(r"\1\\\2", text)
    return text


def _escape_underscores(match: re.Match[str], text: str) -> str:
    """Intraword ``_`` (snake_case, 中_文) cannot open emphasis in GFM: leave it alone."""
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end()] if match.end() < len(text) else " "
    if _is_space_or_punct(before) or _is_space_or_punct(after):
        return match.group().replace("_", "\\_")
    return match.group()


def _is_space_or_punct(char: str) -> bool:
    """CommonMark's flanking classes; cmark-gfm counts Unicode P* (not S*) as punctuation."""
    return (
        char.isspace()
        or (char.isascii() and not char.isalnum())
        or (unicodedata.category(char).startswith("P"))
    )


def _destination(url: str | None) -> str | None:
    """Link destination that survives spaces, parentheses and pipes; None if not a web link."""
    url = (url or "").strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if not url or (scheme and scheme not in _SCHEMES):
        return None
    url = quote(url, safe=_URL_SAFE)
    return _ENTITY_LIKE.sub(r"\\&", url.replace("(", r"\(").replace(")", r"\)"))


def _edge_char(node: Any, forward: bool) -> str:
    """The Markdown character next to ``node`` (approximated from the HTML tree)."""
    while True:
        sibling = node.next_sibling if forward else node.previous_sibling
        if sibling is None:
            parent = node.parent
            if parent is None or parent.name in _BLOCK_TAGS:
                return " "
            if parent.name in _DELIMITED:
                return "*"
            node = parent
            continue
        if isinstance(sibling, Comment):
            node = sibling
            continue
        if isinstance(sibling, NavigableString):
            text = str(sibling)
            return (text[0] if forward else text[-1]) if text else " "
        if sibling.name in _BLOCK_TAGS:
            return " "
        if sibling.name in _DELIMITED or sibling.name == "img":
            return "!" if forward else ")"
        text = sibling.get_text()
        if text:
            return text[0] if forward else text[-1]
        node = sibling


def _starts_line(node: Any) -> bool:
    """Whether text at ``node`` begins a Markdown line (where #, -, 1. would become markup)."""
    while True:
        prev = node.previous_sibling
        while prev is not None and (
            isinstance(prev, Comment)
            or (
                isinstance(prev, Tag)
                and prev.name not in _BLOCK_TAGS | {"img"}
                and not prev.get_text().strip()
            )
            or (isinstance(prev, NavigableString) and not str(prev).strip())
        ):
            prev = prev.previous_sibling
        if prev is not None:
            return isinstance(prev, Tag) and prev.name in _BLOCK_TAGS
        if node.parent is None or node.parent.name in _BLOCK_TAGS:
            return True
        node = node.parent


def _content_sibling(node: Any, forward: bool) -> Any:
    """Nearest visible node before/after ``node`` within its block, or None."""
    while node is not None:
        sibling = node.next_sibling if forward else node.previous_sibling
        while sibling is not None:
            if isinstance(sibling, Tag):
                if sibling.name in ("br", "img") or sibling.get_text().strip():
                    return sibling
            elif not isinstance(sibling, Comment) and str(sibling).strip():
                return sibling
            sibling = sibling.next_sibling if forward else sibling.previous_sibling
        node = node.parent
        if node is None or node.name in _BLOCK_TAGS:
            return None
    return None


class ArticleConverter(MarkdownConverter):
    """markdownify with GFM output that GitHub renders exactly as the article's text."""

    class Options(MarkdownConverter.DefaultOptions):
        autolinks = False
        bs4_options = "html.parser"
        bullets = "-"
        escape_asterisks = False
        escape_underscores = False
        escape_misc = False
        heading_style = ATX
        keep_inline_images_in = ("td", "th")
        newline_style = BACKSLASH
        strong_em_symbol = "*"
        table_infer_header = True
        wrap = True  # collapse source newlines: a newline in text must not start a Markdown line
        wrap_width = None

    def process_text(self, el: Any, parent_tags: set[str] | None = None) -> str:
        parent_tags = parent_tags or set()
        text = _CONTROL.sub("", super().process_text(el, parent_tags=parent_tags))
        if "_noformat" in parent_tags:
            return text
        line_start = "_inline" not in parent_tags and _starts_line(el)
        if line_start:
            text = text.lstrip()
        return escape_text(text, line_start=line_start)

    def escape(self, text: str, parent_tags: set[str]) -> str:
        return text  # done in process_text, once the line position is known

    def _delimit(self, el: Tag, text: str, parent_tags: set[str], mark: str) -> str:
        """Emphasis only where GFM's flanking rules let it render; else keep the bare text."""
        if (
            parent_tags & {"_noformat", "figcaption"}
            or (mark == "**" and parent_tags & {"strong", "b"})
            or (mark == "*" and parent_tags & {"em", "i"})
        ):
            return text
        prefix, suffix, inner = chomp(text)
        if not inner:
            return prefix + suffix
        before = prefix or _edge_char(el, forward=False)
        after = suffix or _edge_char(el, forward=True)
        opens = not _is_space_or_punct(inner[0]) or _is_space_or_punct(before)
        closes = not _is_space_or_punct(inner[-1]) or _is_space_or_punct(after)
        if not (opens and closes):
            return text
        return f"{prefix}{mark}{inner}{mark}{suffix}"

    def convert_strong(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return self._delimit(el, text, parent_tags, "**")

    def convert_em(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return self._delimit(el, text, parent_tags, "*")

    convert_b = convert_strong
    convert_i = convert_em

    def convert_a(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        prefix, suffix, inner = chomp(text)
        href = _destination(_attr(el, "href"))
        if "_noformat" in parent_tags or not inner or href is None:
            return text
        return f"{prefix}[{inner}]({href}){suffix}"

    def convert_img(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        alt = escape_text(" ".join(str(el.get("alt") or "").split()))
        src = _destination(_attr(el, "src"))
        parent = el.parent.name if el.parent is not None else ""
        inline = "_inline" in parent_tags and parent not in ("td", "th")
        if inline or src is None:
            return alt
        return f"![{alt}]({src})"

    def convert_figcaption(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return _CAPTION + " ".join(text.split())

    def convert_figure(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """Image(s), then the caption in italics on the next line of the same paragraph."""
        body, _, caption = text.partition(_CAPTION)
        caption = f"*{caption}*" if caption else ""
        if "_inline" in parent_tags:
            return f" {body.strip()} {caption} "
        lines = [line.strip() for line in body.split("\n") if line.strip()]
        if lines and caption:
            lines[-1] += "\\\n" + caption
        elif caption:
            lines.append(caption)
        return "\n\n" + "\n\n".join(lines) + "\n\n" if lines else ""

    def convert_list(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """Two adjacent lists would merge in Markdown: switch marker to keep them apart."""
        text = super().convert_list(el, text, parent_tags)
        count, prev = 0, el
        while (prev := _content_sibling(prev, forward=False)) is not None and (
            getattr(prev, "name", None) == el.name
        ):
            count += 1
        if count % 2:
            marker = r"^(\d+)\." if el.name == "ol" else r"^-"
            text = re.sub(marker, r"\1)" if el.name == "ol" else "*", text, flags=re.M)
        return text

    convert_ul = convert_list
    convert_ol = convert_list

    def convert_br(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """A hard break only between two pieces of content; never doubled, never trailing."""
        if "_inline" in parent_tags:
            return " "
        before = _content_sibling(el, forward=False)
        after = _content_sibling(el, forward=True)
        if before is None or after is None or getattr(before, "name", None) == "br":
            return ""
        return "\\\n"

    def convert_hN(self, n: int, el: Tag, text: str, parent_tags: set[str]) -> str:
        if "_inline" in parent_tags:
            return text
        text = " ".join(text.split())
        if text.endswith("#") and not text.endswith("\\#"):
            text = text[:-1] + "\\#"  # a trailing # would be read as a closing sequence
        return f"\n\n{'#' * max(1, min(6, n))} {text}\n\n" if text else ""

    def convert_pre(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        if not text.strip():
            return ""
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"\n\n{fence}\n{text.strip(chr(10))}\n{fence}\n\n"

    def convert_td(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        colspan = str(el.get("colspan") or "1")
        span = min(int(colspan), 50) if colspan.isdigit() and int(colspan) > 0 else 1
        return _CELL + " ".join(text.split()) + _CELL * (span - 1)

    convert_th = convert_td

    def convert_tr(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return _ROW + text

    def convert_caption(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return " ".join(text.split()) + "\n\n"

    def convert_table(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        """GFM table, first row as header, short rows padded so no cell is dropped."""
        if "_inline" in parent_tags:  # nested table: flatten into its cell
            return " " + " ".join(text.replace(_ROW, " ").replace(_CELL, " ").split()) + " "
        before, *rows = text.split(_ROW)
        grid = [[cell.strip() for cell in row.split(_CELL)[1:]] for row in rows]
        grid = [row for row in grid if row]
        parts = [before.strip()] if before.strip() else []
        if grid:
            width = max(len(row) for row in grid)
            lines = ["| " + " | ".join(row + [""] * (width - len(row))) + " |" for row in grid]
            lines.insert(1, "|" + " --- |" * width)
            parts.append("\n".join(lines))
        return "\n\n" + "\n\n".join(parts) + "\n\n" if parts else ""

    def convert_script(self, el: Tag, text: str, parent_tags: set[str]) -> str:
        return ""

    convert_style = convert_script
    convert_iframe = convert_script


_CONVERTER = ArticleConverter()
