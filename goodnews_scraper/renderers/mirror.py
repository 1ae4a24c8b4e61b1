"""The one renderer of the tree: what the crawl writes and ``scrapy render`` rewrites.

Given the settings that shape the output (templates, ``MIRROR_BASE_URL``,
``ASSETS_BASE_URL``, the reader outputs: Atom feeds, HTML pages), it turns
store records and index data into the bytes of every file a reader sees.
The crawl calls it for what changed and ``scrapy render`` for the whole
tree, so the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from goodnews_scraper.conversion.qr_code import qr_png
from goodnews_scraper.conversion.templates import load_templates
from goodnews_scraper.mirror.tree import SectionIndex, page_meta_line, section_slug
from goodnews_scraper.renderers.html import HTML_TEMPLATE
from goodnews_scraper.renderers.indexes import (
    HomeSection,
    home_markdown,
    index_markdown,
    index_relpath,
    latest_entries,
)
from goodnews_scraper.renderers.links import Links
from goodnews_scraper.renderers.pages import index_entry, page_markdown, qr_relpath
from goodnews_scraper.renderers.reader_outputs import (
    ALL_FEED,
    FEEDS_DIR,
    ReaderOutputs,
    RecordLoader,
    feed_file,
    heading,
    html_file,
)
from goodnews_scraper.settings_checks import assets_base_url, home_latest, mirror_base_url
from goodnews_scraper.store.records import ArticleRecord, RecordImage, first_record
from goodnews_scraper.timing import stage_timer

if TYPE_CHECKING:
    from jinja2 import Template
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from goodnews_scraper.mirror.tree import MirrorTree

HOME_PATH = "README.md"


@dataclass(frozen=True)
class RenderedFile:
    """A file of the tree: its path under SITE_DIR and its bytes."""

    relpath: str
    data: bytes


class MirrorRenderer:
    def __init__(
        self,
        templates: dict[str, Template],
        links: Links,
        *,
        site: str,
        latest_count: int = 30,
        outputs: ReaderOutputs | None = None,
        stats: StatsCollector | None = None,
    ) -> None:
        self.templates = templates
        #: The spider (site) the tree mirrors: templates pick its labels by it.
        self.site = site
        self.links = links
        self.latest_count = latest_count
        self.outputs = outputs or ReaderOutputs()
        self.stats = stats

    @classmethod
    def from_settings(
        cls, settings: BaseSettings, site: str, stats: StatsCollector | None = None
    ) -> MirrorRenderer:
        """Raises SettingError or TemplateSetupError naming what is wrong."""
        return cls(
            load_templates(settings.get("TEMPLATES_DIR")),
            Links(
                mirror_base_url(settings),
                assets_base_url(settings),
                share_html=settings.getbool("SHARE_LINKS_TO_HTML"),
            ),
            site=site,
            latest_count=home_latest(settings),
            outputs=ReaderOutputs.from_settings(settings),
            stats=stats,
        )

    def _with_html(self, relpath: str, markdown: str, edition: str) -> list[RenderedFile]:
        """A Markdown file of the tree, and its ``.html`` when HTML_ENABLED."""
        files = [RenderedFile(relpath, markdown.encode())]
        if self.outputs.html:
            template = self.templates[HTML_TEMPLATE]
            with stage_timer(self, self.stats, "html"):
                files.append(
                    RenderedFile(*html_file(template, markdown, relpath, edition, self.links))
                )
        return files

    def article_files(self, record: ArticleRecord) -> list[RenderedFile]:
        """The QR code, then the page (the page marks the article as mirrored)."""
        with stage_timer(self, self.stats, "qr_code"):
            qr = RenderedFile(qr_relpath(record), qr_png(self.links.share_url(record)))
        with stage_timer(self, self.stats, "page_template"):
            text = page_markdown(self.templates["page.md.j2"], record, self.links)
        page, *html = self._with_html(record.page, text, record.edition)
        meta = page_meta_line(index_entry(record)).encode()
        return [qr, RenderedFile(page.relpath, meta + page.data), *html]

    def index_files(self, slug: str, part: SectionIndex) -> list[RenderedFile]:
        """The page of one index file (its data is the tree writer's, not a rendering)."""
        text = index_markdown(self.templates["index.md.j2"], self.site, slug, part)
        return self._with_html(index_relpath(slug, part.month), text, part.edition)

    def feed_files(self, slug: str, head: SectionIndex, load: RecordLoader) -> list[RenderedFile]:
        """``feeds/<slug>.xml``: the section's newest articles, from its index head."""
        if not self.outputs.atom:
            return []
        with stage_timer(self, self.stats, "atom"):
            relpath, data = feed_file(
                f"{FEEDS_DIR}/{slug}.xml",
                site=self.site,
                edition=head.edition,
                name=slug,
                title=head.name,
                alternate=index_relpath(slug),
                entries=head.sorted_entries(),
                load=load,
                links=self.links,
                limit=self.outputs.atom_entries,
            )
        return [RenderedFile(relpath, data)]

    def home_files(
        self, edition: str, sections: list[HomeSection], load: RecordLoader
    ) -> list[RenderedFile]:
        """The home page (and ``index.html``), and ``feeds/all.xml`` of the whole mirror."""
        text = home_markdown(
            self.templates["home.md.j2"], self.site, edition, sections, self.latest_count
        )
        files = self._with_html(HOME_PATH, text, edition)
        if self.outputs.atom:
            newest = latest_entries(sections, self.outputs.atom_entries)
            with stage_timer(self, self.stats, "atom"):
                relpath, data = feed_file(
                    ALL_FEED,
                    site=self.site,
                    edition=edition,
                    name="all",
                    title=heading(text),
                    alternate=HOME_PATH,
                    entries=[entry for entry, _ in newest],
                    load=load,
                    links=self.links,
                    limit=self.outputs.atom_entries,
                )
            files.append(RenderedFile(relpath, data))
        return files

    def check(self, tree: MirrorTree) -> None:
        """Render every template once on the tree's own data (or a sample), writing nothing.

        A template that fails on real data then stops the crawl at start, not
        after it: raises TemplateRenderError naming the template and line.
        """
        record = first_record(tree) or sample_record(self.site)
        self.article_files(record)
        slug = section_slug(record.section)
        head = tree.load_head(slug) if tree.root.is_dir() else None
        if head is None or not head.entries:
            entry = index_entry(record)
            head = SectionIndex(
                record.edition, record.section, record.section_name, {entry.id: entry}
            )
        self.index_files(slug, head)
        self.feed_files(slug, head, lambda page: record)
        self.home_files(head.edition, [HomeSection(slug, head)], lambda page: record)


def sample_record(site: str) -> ArticleRecord:
    """An article of ``site`` with every optional part filled in, for checking templates."""
    return ArticleRecord(
        site=site,
        edition="gb",
        article_id="a1",
        url="https://example.com/gb/2021/05/20/a1.html",
        section="sample",
        section_name="示例栏目",
        title="示例标题",
        published="2021-05-20T08:30:00+08:00",
        page="pages/sample/a1.md",
        body_html="<p>示例正文。</p>",
        body_markdown="示例正文。",
        extraction="site",
        byline="（责任编辑：示例）",
        tags=["示例标签"],
        featured_image=RecordImage("https://example.com/a.jpg", "示例图说"),
        full_video_url="https://example.com/video",
    )
