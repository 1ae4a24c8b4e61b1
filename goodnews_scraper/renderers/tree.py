"""Render the whole tree again from what it stores: records, index data, nothing fetched.

The work comes in units (one article, one section's index files, the home
page), each a function that returns the files it renders. ``scrapy render``
runs every unit once to check the templates against the stored data and to
find what changed, before it writes anything; then it runs again only the
units whose files changed, and writes those files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from goodnews_scraper.mirror.tree import record_relpath
from goodnews_scraper.renderers.indexes import HomeSection
from goodnews_scraper.renderers.mirror import RenderedFile
from goodnews_scraper.store.records import ArticleRecord, RecordError, first_record, load_record
from goodnews_scraper.store.upgrade import LEGACY_SITE, PageUpgrader

if TYPE_CHECKING:
    from goodnews_scraper.mirror.tree import MirrorTree
    from goodnews_scraper.renderers.mirror import MirrorRenderer


@dataclass(frozen=True)
class RenderUnit:
    """A piece of the tree rendered together; ``rank`` orders the writes (pages first)."""

    name: str
    rank: int
    render: Callable[[], list[RenderedFile]]


@dataclass
class TreeProblems:
    """What the render could not use: unreadable records, pages to refetch."""

    broken_records: list[str] = field(default_factory=list)
    inexact_pages: list[str] = field(default_factory=list)


def tree_site(tree: MirrorTree) -> str:
    """The site a tree mirrors, as its records say (a tree from before the store: ntdtv's)."""
    record = first_record(tree)
    return record.site if record is not None else LEGACY_SITE


def _unchanged(tree: MirrorTree, file: RenderedFile) -> bool:
    path = tree.root / file.relpath
    try:
        return path.stat().st_size == len(file.data) and path.read_bytes() == file.data
    except FileNotFoundError:
        return False


def tree_units(
    tree: MirrorTree, renderer: MirrorRenderer, problems: TreeProblems
) -> Iterator[RenderUnit]:
    """Every unit of the tree: articles (upgrading pages that have no record), indexes, home."""
    for article_id, slug in sorted(tree.existing_records().items()):
        page = f"pages/{slug}/{article_id}.md"
        yield RenderUnit(page, 0, _article_unit(tree, renderer, page, problems))
    upgrader = PageUpgrader(tree)
    for article_id, slug in sorted(upgrader.pages_without_records().items()):
        record = upgrader.record(article_id, slug)
        if record is None:
            problems.inexact_pages.append(f"pages/{slug}/{article_id}.md")
            continue
        yield RenderUnit(record.page, 0, _upgraded_unit(renderer, record))
    sections = []
    for slug in tree.index_slugs():
        head = tree.load_head(slug)
        if head is not None:
            sections.append(HomeSection(slug, head))
            yield RenderUnit(f"indexes/{slug}", 1, _index_unit(tree, renderer, slug))
    edition = sections[0].head.edition if sections else "gb"
    yield RenderUnit(
        "README.md", 2, lambda: renderer.home_files(edition, sections, partial(load_record, tree))
    )


def _article_unit(
    tree: MirrorTree, renderer: MirrorRenderer, page: str, problems: TreeProblems
) -> Callable[[], list[RenderedFile]]:
    def render() -> list[RenderedFile]:
        path = tree.record_path(page)
        try:
            record = ArticleRecord.from_json(path.read_bytes())
        except RecordError as error:
            line = f"{record_relpath(page)}: {error}"
            if line not in problems.broken_records:  # units run twice (plan, then write)
                problems.broken_records.append(line)
            return []
        return renderer.article_files(record)

    return render


def _upgraded_unit(
    renderer: MirrorRenderer, record: ArticleRecord
) -> Callable[[], list[RenderedFile]]:
    def render() -> list[RenderedFile]:
        stored = RenderedFile(record_relpath(record.page), record.to_json())
        return [stored, *renderer.article_files(record)]

    return render


def _index_unit(
    tree: MirrorTree, renderer: MirrorRenderer, slug: str
) -> Callable[[], list[RenderedFile]]:
    def render() -> list[RenderedFile]:
        head = tree.load_head(slug)
        if head is None:
            return []
        files = renderer.index_files(slug, head)
        files += renderer.feed_files(slug, head, partial(load_record, tree))
        for month in tree.month_files(slug):
            part = tree.load_month(slug, month)
            if part is not None:
                files += renderer.index_files(slug, part)
        return files

    return render


@dataclass
class RenderPlan:
    """What pass one found: the units whose files change, and how many files do not."""

    changed: list[RenderUnit] = field(default_factory=list)
    files_changed: int = 0
    files_unchanged: int = 0


def plan_render(
    tree: MirrorTree,
    units: list[RenderUnit],
    progress: Callable[[int], None] = lambda _: None,
) -> RenderPlan:
    """Render every unit and compare with the disk; writes nothing.

    A template that fails on the stored data raises here (TemplateRenderError),
    before any file is touched.
    """
    plan = RenderPlan()
    for unit in units:
        files = unit.render()
        changed = sum(1 for file in files if not _unchanged(tree, file))
        plan.files_changed += changed
        plan.files_unchanged += len(files) - changed
        if changed:
            plan.changed.append(unit)
        progress(1)
    plan.changed.sort(key=lambda unit: unit.rank)
    return plan
