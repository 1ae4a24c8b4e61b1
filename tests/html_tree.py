"""A mirror tree with its HTML: the fixture crawled for real, each ``.md`` rendered beside it.

The tree writer will make the HTML during the crawl; until then the tests
render it here with the same function, from the pages a real crawl wrote.
"""

from __future__ import annotations

from pathlib import Path

from goodnews_scraper.conversion.templates import template_environment
from goodnews_scraper.renderers.html import HTML_TEMPLATE, html_name, html_page
from goodnews_scraper.sites.ntdtv import EDITION_LANGS
from tests.crawl import FIXTURE_TOLERANCE, CrawlResult, run_crawl
from tests.markdown_render import rendered_tree


def title_of(markdown: str) -> str:
    """The page's first heading, as the reader sees it."""
    headings = rendered_tree(markdown).xpath("//h1")
    return " ".join(headings[0].text_content().split()) if headings else ""


def render_html_tree(site: Path, edition: str = "gb") -> list[Path]:
    """Write the HTML of every Markdown page under ``site``; the files written, in order."""
    template = template_environment().get_template(HTML_TEMPLATE)
    written = []
    for page in sorted(site.rglob("*.md")):
        markdown = page.read_text("utf-8")
        target = site / html_name(page.relative_to(site).as_posix())
        target.write_bytes(
            html_page(
                markdown, title=title_of(markdown), lang=EDITION_LANGS[edition], template=template
            )
        )
        written.append(target)
    return written


def crawl_with_html(origin: str, site: Path, *args: str) -> CrawlResult:
    """Crawl the fixture at ``origin`` into ``site``, then add the HTML."""
    result = run_crawl(origin, site, *args, settings=FIXTURE_TOLERANCE)
    assert "Spider closed (finished)" in result.log, result.log[-2000:]
    render_html_tree(site)
    return result
