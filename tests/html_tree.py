"""A mirror tree with its HTML: the fixture crawled for real with ``HTML_ENABLED``.

The tree writer makes a ``.html`` beside every ``.md`` during the crawl;
``render_html_tree`` runs the real ``scrapy render`` over a tree.
"""

from __future__ import annotations

from pathlib import Path

from tests.crawl import FIXTURE_TOLERANCE, CrawlResult, run_crawl, run_render
from tests.markdown_render import rendered_tree


def title_of(markdown: str) -> str:
    """The page's first heading, as the reader sees it."""
    headings = rendered_tree(markdown).xpath("//h1")
    return " ".join(headings[0].text_content().split()) if headings else ""


def render_html_tree(site: Path) -> list[Path]:
    """``scrapy render -s HTML_ENABLED=True`` on ``site``; the HTML files of the tree, sorted."""
    done = run_render(site, "HTML_ENABLED=True")
    assert done.returncode == 0, done.stderr
    return sorted(site.rglob("*.html"))


def crawl_with_html(origin: str, site: Path, *args: str) -> CrawlResult:
    """Crawl the fixture at ``origin`` into ``site``, HTML pages included."""
    result = run_crawl(origin, site, *args, settings={**FIXTURE_TOLERANCE, "HTML_ENABLED": "True"})
    assert "Spider closed (finished)" in result.log, result.log[-2000:]
    return result
