"""CPU per stage on the synthetic site's article pages, in one process, with a digest of the output.

    python -m benchmarks.stages [--articles N] [--repeat R] [--fixture]

The crawl's per-stage stats say where a run's time went; this isolates the
stages (parse, clean, Markdown, QR code, page template) from Scrapy and the
disk, so a change to one of them can be measured in seconds, and its
``digest`` (SHA-256 of every output, in order) shows whether the change kept
the output byte for byte. ``--fixture`` runs the stages on the test
fixture's article pages instead (every broken and hostile case).
"""

from __future__ import annotations

import argparse
import hashlib
import time
from collections.abc import Callable
from typing import Any

from benchmarks.site import article_index, article_pages, sections_of
from goodnews_scraper.conversion.clean_html import clean_html
from goodnews_scraper.conversion.markdown import html_to_markdown
from goodnews_scraper.conversion.qr_code import qr_png
from goodnews_scraper.conversion.templates import load_templates
from goodnews_scraper.mirror.tree import page_relpath, section_slug
from goodnews_scraper.renderers.links import Links
from goodnews_scraper.renderers.pages import page_file
from goodnews_scraper.sites.ntdtv import ArticleRejected, ParsedArticle, parse_article
from goodnews_scraper.store.records import ArticleRecord
from tests.fixture_site.build import build_site
from tests.fixture_site.content import ARTICLES

ORIGIN = "http://127.0.0.1:8000"
MIRROR_BASE_URL = "https://github.com/OWNER/REPO/blob/main"


def _cpu_ms(work: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        started = time.process_time()
        result = work()
        best = min(best, (time.process_time() - started) * 1000)
    return best, result


def _inputs(articles: int, fixture: bool) -> list[tuple[str, str, str]]:
    """(url, html, home section) of each article page."""
    if fixture:
        pages = build_site(ORIGIN)
        sections = {art.path: (art.sections or ("x",))[0] for art in ARTICLES}
    else:
        pages = article_pages(ORIGIN, range(articles))
        sections = {}
    inputs = []
    for path, page in sorted(pages.items()):
        if not (path.endswith(".html") and page.status == 200 and "/20" in path):
            continue
        article_id = path.rsplit("/", 1)[-1].removesuffix(".html")
        section = sections.get(path) or sections_of(article_index(article_id))[0]
        inputs.append((f"{ORIGIN}{path}", page.body.decode("utf-8", "replace"), section))
    return inputs


def _parse(url: str, html: str) -> ParsedArticle | str:
    try:
        return parse_article(html, url)
    except ArticleRejected as rejected:
        return rejected.reason


def measure(articles: int, repeat: int, fixture: bool = False) -> dict[str, Any]:
    """Best-of-``repeat`` CPU ms per article for each stage, and each stage's output digest."""
    inputs = _inputs(articles, fixture)
    template = load_templates(None)["page.md.j2"]
    timings: dict[str, float] = {}
    digests: dict[str, str] = {}

    def stage(name: str, work: Callable[[], list[Any]]) -> list[Any]:
        total, out = _cpu_ms(work, repeat)
        timings[name] = round(total / len(inputs), 4)
        digest = hashlib.sha256()
        for value in out:
            digest.update(value if isinstance(value, bytes) else repr(value).encode())
        digests[name] = digest.hexdigest()[:16]
        return out

    parsed = stage("parse", lambda: [_parse(url, html) for url, html, _ in inputs])
    kept = [
        (url, p, section)
        for (url, _, section), p in zip(inputs, parsed, strict=True)
        if not isinstance(p, str)
    ]
    cleaned = stage("clean", lambda: [clean_html(p.body_html, url) for url, p, _ in kept])
    markdown = stage("markdown", lambda: [html_to_markdown(html) for html in cleaned])
    links = Links(MIRROR_BASE_URL)
    records = []
    for (url, p, section), md in zip(kept, markdown, strict=True):
        article_id = url.rsplit("/", 1)[-1].removesuffix(".html")
        item = p.article(
            url=url, article_id=article_id, edition="gb", section=section, section_name=section
        )
        item.body_html = ""
        item.body_markdown = md
        records.append(
            ArticleRecord.from_article(item, page_relpath(section_slug(section), article_id))
        )
    stage("qr_code", lambda: [qr_png(links.share_url(record)) for record in records])
    stage("page_template", lambda: [page_file(template, r, links) for r in records])
    return {"articles": len(inputs), "cpu_ms_per_article": timings, "digest": digests}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fixture", action="store_true", help="the test fixture's articles")
    args = parser.parse_args(argv)
    result = measure(args.articles, args.repeat, args.fixture)
    for name, value in result["cpu_ms_per_article"].items():
        print(f"{name:14} {value:8.4f} ms  {result['digest'][name]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
