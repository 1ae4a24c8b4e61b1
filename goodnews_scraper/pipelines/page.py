"""Put the page together: header, title, article, footer, from the templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from goodnews_scraper.conversion.templates import load_templates, render
from goodnews_scraper.items import Article
from goodnews_scraper.mirror.tree import section_slug
from goodnews_scraper.timing import timed

if TYPE_CHECKING:
    from jinja2 import Template
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector


class RenderPagePipeline:
    def __init__(self, template: Template, stats: StatsCollector | None = None) -> None:
        self.template = template
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderPagePipeline:
        templates = load_templates(crawler.settings.get("TEMPLATES_DIR"))
        return cls(templates["page.md.j2"], crawler.stats)

    @timed("page_template")
    def process_item(self, item: object) -> object:
        if isinstance(item, Article):
            item.page_markdown = render_page(self.template, item)
        return item


def render_page(template: Template, item: Article) -> str:
    """The Markdown page of ``item``; links are relative to ``pages/<slug>/``."""
    return render(
        template,
        title=item.title,
        edition=item.edition,
        section_name=item.section_name,
        url=item.url,
        published=item.published.strftime("%Y-%m-%d %H:%M"),
        byline=item.byline,
        tags=item.tags,
        featured_image=item.featured_image,
        full_video_url=item.full_video_url,
        body_markdown=item.body_markdown.strip(),
        share_url=item.page_url,
        qr_file=f"{item.article_id}.png",
        home_link="../../README.md",
        index_link=f"../../indexes/{section_slug(item.section)}.md",
    )
