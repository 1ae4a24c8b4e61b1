"""A synthetic ntdtv.com of any size, rendered by the fixture site's own renderer.

Article ``k`` (0 is the oldest) is one of the fixture's mirrored articles
(``tests/fixture_site/content.py``) given a new id, a new time (36 minutes
after article ``k - 1``, so 2,000 articles span seven weeks and 20,000 over a
year) and filler paragraphs taken from the other fixture articles, so its
body is about :data:`BODY_CHARS` characters, the length of a typical ntdtv.com
article rather than the fixture's short ones. Every block kind of the fixture
(figures, tables, lists, quotes, players, hostile scripts, tag links) comes
with it. Articles are spread over the default sections in turn; one in
sixteen is also listed by the next section. List pages hold
:data:`PER_PAGE` articles, newest first.

The site is a pure function of ``(origin, count)``: adding articles (a later
``count``) leaves the pages of the older ones unchanged.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS
from tests.fixture_site.build import FixtureResponse, build_site, html_response, render_list_page
from tests.fixture_site.content import (
    CANONICAL,
    SECTIONS,
    Block,
    Figure,
    FixtureArticle,
    Paragraph,
    Section,
    mirrored_articles,
)

#: Articles per list page (the real site shows about as many).
PER_PAGE = 20
#: Characters of text an article body reaches with filler paragraphs.
BODY_CHARS = 1200
#: Fixture sentences joined into one filler paragraph (about 100 characters).
SENTENCES = 3
#: Articles rendered together; each one's sidebar lists the others.
CHUNK = 20
FIRST_ID = 100_000_000
EPOCH = datetime(2020, 1, 1, 6, 0)
SPACING = timedelta(minutes=36)

#: The fixture's mirrored articles, those its fallback extraction layers serve last
#: (2 in 28: under the monitors' 10 % limit at any size but the tiniest).
_TEMPLATES = tuple(sorted(mirrored_articles("gb"), key=lambda a: a.extraction != "site"))
#: An image URL of the fixture's image host, served on the fixture's origin.
_IMAGE_NAME = re.compile(
    r"(/i\.ntdtv\.com/[A-Za-z0-9/._-]+?)(-[0-9]{1,5}x[0-9]{1,5}\.(?:jpg|png|gif))"
)
_IMAGE_COPY = re.compile(r"-k[0-9]+(?=-[0-9]{1,5}x[0-9]{1,5}\.(?:jpg|png|gif)$)")
_NAMES = {s.path: s.name for s in SECTIONS if s.edition == "gb"}


def _filler() -> tuple[str, ...]:
    texts = []
    for fixture in _TEMPLATES:
        for text in fixture.paragraphs:
            if fixture.lead and text.startswith(fixture.lead):
                text = text[len(fixture.lead) :]
            if text != fixture.byline and len(text) > 20:
                texts.append(text)
    return tuple(dict.fromkeys(texts))


_FILLER = _filler()


def _broken(url: str) -> bool:
    return "-missing" in url or "-corrupt" in url


def _working(block: Block) -> Block:
    """A paragraph without the hostile inline image (``<img src=x>``) some fixtures carry."""
    if isinstance(block, Paragraph) and block.html and "<img" in block.html:
        return Paragraph(block.text)
    return block


def _lead(published: str) -> str:
    y, m, d = published[:10].split("-")
    return f"【新唐人北京时间{y}年{m}月{d}日讯】"


def article_id(k: int) -> str:
    """The id of article ``k``: nine digits, as on the real site."""
    return f"a{FIRST_ID + k}"


def sections_of(k: int) -> tuple[str, ...]:
    """The sections listing article ``k``: its home, and one more for one in sixteen."""
    home = DEFAULT_SECTIONS[k % len(DEFAULT_SECTIONS)]
    if k % 16 == 5:
        return (home, DEFAULT_SECTIONS[(k + 1) % len(DEFAULT_SECTIONS)])
    return (home,)


def synthetic_article(k: int) -> FixtureArticle:
    """Article ``k``: fixture template ``k mod 28`` with a new id, time, title and length."""
    template = _TEMPLATES[k % len(_TEMPLATES)]
    published = (EPOCH + k * SPACING).strftime("%Y-%m-%d %H:%M")
    lead = _lead(published) if template.lead else None
    # The fixture's broken images test failures; a benchmark measures the normal case.
    blocks = [_working(b) for b in template.body if not (isinstance(b, Figure) and _broken(b.src))]
    for i, block in enumerate(blocks):
        if isinstance(block, Paragraph) and template.lead and block.text.startswith(template.lead):
            html = block.html
            if html is not None and html.startswith(template.lead):
                html = lead + html[len(template.lead) :]  # type: ignore[operator]
            blocks[i] = Paragraph(lead + block.text[len(template.lead) :], html)  # type: ignore[operator]
            break
    end = len(blocks) - 1 if template.byline else len(blocks)
    size = sum(len(text) for text in template.paragraphs)
    extra: list[Paragraph] = []
    n = k * 7
    while size < BODY_CHARS:
        text = "".join(_FILLER[(n + i) % len(_FILLER)] for i in range(SENTENCES))
        extra.append(Paragraph(text))
        size += len(text)
        n += SENTENCES
    blocks[end:end] = extra
    return dataclasses.replace(
        template,
        id=article_id(k),
        url_date=published[:10].replace("-", "/"),
        title=f"{template.title} {k}",
        published=published,
        updated=None,
        lead=lead,
        body=tuple(blocks),
        sections=sections_of(k),
    )


def section_name(path: str) -> str:
    """The name the site gives section ``path`` (the fixture's, else the path)."""
    return _NAMES.get(path, path)


def synthetic_sections(count: int) -> tuple[Section, ...]:
    """The default sections listing articles ``0 .. count-1``, newest first."""
    listed: dict[str, list[str]] = {path: [] for path in DEFAULT_SECTIONS}
    for k in reversed(range(count)):
        for path in sections_of(k):
            listed[path].append(article_id(k))
    return tuple(
        Section(
            "gb",
            path,
            section_name(path),
            tuple(tuple(ids[i : i + PER_PAGE]) for i in range(0, len(ids), PER_PAGE)) or ((),),
        )
        for path, ids in listed.items()
    )


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def article_pages(origin: str, ks: Iterable[int]) -> dict[str, FixtureResponse]:
    """The article pages of articles ``ks``, rendered by ``build_site`` in small groups.

    The fixture serves its images (if it does) under ``/i.ntdtv.com/``; each
    article links its own copy of its template's images (``name-k<k>-WxH.jpg``,
    same bytes, see :func:`image_original`), so images are fetched and stored
    once per article, as on the real site, while only the fixture's few
    pictures are ever drawn.
    """
    pages: dict[str, FixtureResponse] = {}
    for chunk in _chunks(sorted(ks), CHUNK):
        arts = [synthetic_article(k) for k in chunk]
        rendered = build_site(origin, articles=arts, sections=())
        for k, art in zip(chunk, arts, strict=True):
            page = rendered[art.path]
            body = _IMAGE_NAME.sub(rf"\1-k{k}\2", page.body.decode("utf-8")).encode("utf-8")
            rendered[art.path] = dataclasses.replace(page, body=body)
        pages.update(rendered)
    return pages


def image_original(path: str) -> str:
    """The fixture image path an article's own image copy stands for."""
    return _IMAGE_COPY.sub("", path)


def list_pages(origin: str, count: int) -> dict[str, FixtureResponse]:
    """Every list page of every section, plus robots.txt."""
    pages = build_site(origin, articles=(), sections=())  # robots.txt
    counter = 0
    for section in synthetic_sections(count):
        for n, ids in enumerate(section.pages, start=1):
            arts = [synthetic_article(article_index(i)) for i in ids]
            text = render_list_page(section, n, arts, counter).replace(CANONICAL, origin)
            pages[section.page_path(n)] = html_response(text)
            counter += len(ids)
    return pages


def article_index(article_id_: str) -> int:
    """``k`` of the article whose id is ``article_id_``."""
    return int(article_id_[1:]) - FIRST_ID
