"""Synthetic article records in the coming store's format, made by the real conversion stages.

Article ``k`` of ``benchmarks/site.py`` is rendered as the site would serve it,
parsed by the ntdtv site module, cleaned and converted to Markdown, and kept
as the JSON record the article store (issue 12) is to hold under
``store/articles/<slug>/<id>.json``: so a record is as large as the store's
will be, body for body. Its page is the mirror's Markdown page (the page
template, after the metadata line the tree puts first) and its QR code the
mirror's PNG, for the bytes-per-article sums.

Converting costs about 2.5 ms of CPU an article, so many records are made in
worker processes (:func:`many_records`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from benchmarks.site import article_index, article_pages, section_name, sections_of
from goodnews_scraper.conversion.clean_html import clean_html
from goodnews_scraper.conversion.markdown import html_to_markdown
from goodnews_scraper.conversion.qr_code import qr_png
from goodnews_scraper.conversion.templates import load_templates
from goodnews_scraper.mirror.tree import page_relpath, section_slug
from goodnews_scraper.renderers.links import Links
from goodnews_scraper.renderers.pages import page_file
from goodnews_scraper.sites.ntdtv import ArticleRejected, parse_article
from goodnews_scraper.store.records import ArticleRecord

ORIGIN = "https://www.ntdtv.com"
MIRROR_BASE_URL = "https://github.com/OWNER/REPO/blob/main"
#: Image URLs in a cleaned body (the store maps each to its mirrored file).
_IMG_SRC = re.compile(r'<img[^>]*\ssrc="([^"]+)"')
#: The CJK Unified Ideographs block, which :func:`distinct_text` shifts within.
_CJK_FIRST, _CJK_COUNT = 0x4E00, 0x9FFF - 0x4E00 + 1
_CJK = re.compile("[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Converted:
    """One article as the store and the tree would hold it."""

    k: int
    slug: str
    month: str
    record: dict[str, Any]
    page_markdown: str
    qr_png_bytes: int


def record_json(record: dict[str, Any]) -> bytes:
    """A record as one file's bytes: sorted keys, UTF-8 kept, one key a line."""
    return (json.dumps(record, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()


def record_line(record: dict[str, Any]) -> bytes:
    """A record as one JSON-lines line."""
    return (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode()


def distinct_text(text: str, k: int) -> str:
    """``text`` with each Chinese character shifted by an amount that depends on ``k``.

    The synthetic bodies are made of the fixture's sentences, so git finds
    long runs shared between articles that real ones never share, and packs
    them 15 times smaller than real text. Shifting the characters keeps each
    article's own statistics (what zlib sees within one file) and its size in
    UTF-8, and leaves no Chinese run shared between two articles.
    """
    offset = (k * 7919) % _CJK_COUNT

    def shift(match: re.Match[str]) -> str:
        return chr(_CJK_FIRST + (ord(match.group()) - _CJK_FIRST + offset) % _CJK_COUNT)

    return _CJK.sub(shift, text)


def _image_path(url: str) -> str:
    return f"images/{hashlib.sha1(url.encode()).hexdigest()}.jpg"  # as MirrorImagesPipeline


def convert(
    ks: Iterable[int], pages: bool = False, distinct: bool = False, origin: str = ORIGIN
) -> list[Converted]:
    """Articles ``ks`` converted; with ``pages``, also their Markdown page and QR code.

    With ``distinct``, title and bodies go through :func:`distinct_text`.
    ``origin`` is the site's address in the records (a benchmark server's, to crawl them).
    """
    template = load_templates(None)["page.md.j2"] if pages else None
    out: list[Converted] = []
    for path, response in sorted(article_pages(origin, ks).items()):
        if not (path.endswith(".html") and response.status == 200 and "/20" in path):
            continue
        url = origin + path
        article_id = path.rsplit("/", 1)[-1].removesuffix(".html")
        k = article_index(article_id)
        try:
            parsed = parse_article(response.body.decode("utf-8"), url)
        except ArticleRejected:
            continue
        section = sections_of(k)[0]
        slug = section_slug(section)
        item = parsed.article(
            url=url,
            article_id=article_id,
            edition="gb",
            section=section,
            section_name=section_name(section),
        )
        item.site = "ntdtv"  # as the spider sets it: the tree's site
        item.body_html = clean_html(parsed.body_html, url)
        item.body_markdown = html_to_markdown(item.body_html)
        if distinct:
            item.title = distinct_text(item.title, k)
            item.body_html = distinct_text(item.body_html, k)
            item.body_markdown = distinct_text(item.body_markdown, k)
        relpath = page_relpath(slug, article_id)
        image_urls = _IMG_SRC.findall(item.body_html)
        if item.featured_image is not None:
            image_urls.insert(0, item.featured_image.url)
        item.images = {u: _image_path(u) for u in dict.fromkeys(image_urls)}
        stored = ArticleRecord.from_article(item, relpath)
        record: dict[str, Any] = json.loads(stored.to_json())
        page, qr_bytes = "", 0
        if template is not None:
            links = Links(MIRROR_BASE_URL)
            qr_bytes = len(qr_png(links.share_url(stored)))
            page = page_file(template, stored, links)  # as the tree writes it
        month = item.published.strftime("%Y-%m")
        out.append(Converted(k, slug, month, record, page, qr_bytes))
    return out


def _chunk(job: tuple[int, int, bool]) -> list[Converted]:
    return convert(range(job[0], job[1]), distinct=job[2])


def many_records(count: int, distinct: bool = False) -> list[Converted]:
    """Articles ``0 .. count-1`` converted, in order, on every core."""
    step = 500
    jobs = [(a, min(a + step, count), distinct) for a in range(0, count, step)]
    workers = min(os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        return [c for job in jobs for c in _chunk(job)]
    with ProcessPoolExecutor(workers) as pool:
        return [c for part in pool.map(_chunk, jobs) for c in part]
