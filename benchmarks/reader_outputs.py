"""What the reader outputs add per article: Atom feeds and HTML pages, in bytes and CPU.

    python -m benchmarks.reader_outputs [--articles N] [--repeat R]

Records are made from the synthetic site's article pages by the project's
own parser, cleaner and converter (tests/records.py), and each article's
Markdown page by the page template, as the crawl does; then, in one process
and without the disk, it times the feed entry (HTML of the article), the
feed itself (``ATOM_ENTRIES`` newest), the HTML page, and what a no-op
render costs: rendering every output again and comparing it with the bytes
already there. ``digest`` (SHA-256 of the outputs) shows a change kept them.
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from benchmarks.site import article_pages, sections_of, synthetic_article
from goodnews_scraper.conversion.image_links import relative_link
from goodnews_scraper.conversion.templates import load_templates
from goodnews_scraper.renderers import pages
from goodnews_scraper.renderers.atom import FeedEntry, atom_feed, entry_from_record, feed_id
from goodnews_scraper.renderers.html import HTML_TEMPLATE, html_page
from goodnews_scraper.renderers.links import Links
from goodnews_scraper.store.records import ArticleRecord
from tests.records import record_from_page

ORIGIN = "http://127.0.0.1:8000"
MIRROR_BASE_URL = "https://github.com/OWNER/REPO/blob/main"
ATOM_ENTRIES = 50


def _cpu_ms(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.process_time()
        result = work()
        best = min(best, (time.process_time() - started) * 1000)
    return best, result


def records(articles: int) -> list[ArticleRecord]:
    pages = article_pages(ORIGIN, range(articles))
    out = []
    for k in range(articles):
        article = synthetic_article(k)
        section = sections_of(k)[0]
        out.append(
            record_from_page(
                pages[article.path].body.decode("utf-8"),
                ORIGIN + article.path,
                article_id=article.id,
                edition="gb",
                section=section,
                section_name=section,
            )
        )
    return out


def page_markdown(record: ArticleRecord, template: Any) -> str:
    """The record's Markdown page, as the tree writer renders it."""
    return pages.page_markdown(template, record, Links(MIRROR_BASE_URL))


def measure(articles: int, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` CPU ms and bytes per article of each output, and their digests."""
    stored = records(articles)
    templates = load_templates(None)
    pages = [page_markdown(r, templates["page.md.j2"]) for r in stored]
    html_template = templates[HTML_TEMPLATE]
    timings: dict[str, float] = {}
    digests: dict[str, str] = {}

    def stage(name: str, work: Callable[[], Any], per: int = articles) -> Any:
        total, out = _cpu_ms(work, repeat)
        timings[name] = round(total / per, 4)
        digest = hashlib.sha256()
        for value in out if isinstance(out, list) else [out]:
            digest.update(value if isinstance(value, bytes) else repr(value).encode())
        digests[name] = digest.hexdigest()[:16]
        return out

    def entries() -> list[FeedEntry]:
        return [
            entry_from_record(
                r,
                link=f"{MIRROR_BASE_URL}/{r.page}",
                asset_link=partial(relative_link, page=r.page),
            )
            for r in stored
        ]

    def feed() -> bytes:
        return atom_feed(
            made,
            feed_id=feed_id("ntdtv", "gb", "all"),
            title="新唐人电视台 · 镜像",
            self_link=f"{MIRROR_BASE_URL}/feeds/all.xml",
            alternate_link=f"{MIRROR_BASE_URL}/README.md",
            lang="zh-Hans",
            limit=ATOM_ENTRIES,
        )

    def html() -> list[bytes]:
        return [
            html_page(page, title=r.title, lang="zh-Hans", template=html_template)
            for r, page in zip(stored, pages, strict=True)
        ]

    made = stage("atom_entry", entries)
    shown = min(articles, ATOM_ENTRIES)
    document = stage("atom_feed", feed, per=shown)
    rendered = stage("html_page", html)

    def noop() -> bool:
        # A render with nothing new: every output made again, compared, none written.
        again = html()
        return again == rendered and feed() == document

    stage("noop_render", lambda: [entries(), noop()])
    md_bytes = sum(len(p.encode("utf-8")) for p in pages)
    return {
        "articles": articles,
        "cpu_ms_per_article": timings,
        "bytes_per_article": {
            "markdown_page": round(md_bytes / articles),
            "html_page": round(sum(len(b) for b in rendered) / articles),
            "atom_entry": round(len(document) / shown) if shown else 0,
        },
        "digest": digests,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure(args.articles, args.repeat)
    for name, value in result["cpu_ms_per_article"].items():
        print(f"{name:14} {value:8.4f} ms  {result['digest'][name]}")
    for name, size in result["bytes_per_article"].items():
        print(f"{name:14} {size:8d} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
