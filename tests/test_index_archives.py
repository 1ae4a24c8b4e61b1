"""Long section indexes split by month, and index writes that follow what changed.

The mirror feed exporter is driven directly (one exporter, one run), writing
real files; pages and indexes are rendered with cmark-gfm to follow links.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from pathlib import Path

from goodnews_scraper.conversion.templates import load_templates
from goodnews_scraper.exporters.mirror_tree import MirrorTreeExporter
from goodnews_scraper.items import Article, ListedArticle, SectionListing
from goodnews_scraper.mirror.tree import INDEX_PAGE_SIZE, MirrorTree
from goodnews_scraper.renderers.links import Links
from goodnews_scraper.renderers.mirror import MirrorRenderer
from goodnews_scraper.sites.ntdtv import BEIJING
from tests.markdown_render import rendered_tree

START = datetime(2021, 3, 1, 8, 0, tzinfo=BEIJING)
#: Enough articles, over three months, to split one section's index.
LONG = INDEX_PAGE_SIZE + 60


def article(n: int, section: str = "prog204") -> Article:
    published = START + timedelta(hours=8 * n)
    return Article(
        url=f"https://www.ntdtv.com/gb/{published:%Y/%m/%d}/a{1000 + n}.html",
        article_id=f"a{1000 + n}",
        edition="gb",
        section=section,
        section_name="大陆",
        title=f"标题 {n}",
        published=published,
        body_html="<p>x</p>",
        extraction="site",
        body_markdown="x",
    )


def listing(ns: range, section: str = "prog204") -> SectionListing:
    listed = [ListedArticle(f"a{1000 + n}", f"https://x/a{1000 + n}.html", "") for n in ns]
    return SectionListing("gb", section, "大陆", listed)


def run(root: Path, items: list[object], finish: bool = True) -> None:
    """One crawl's worth of items through the exporter (``finish=False``: killed).

    A killed run's pages are each put in place as they come (a batch of one),
    so the kill lands after the pages and before the indexes.
    """
    exporter = MirrorTreeExporter(
        io.BytesIO(),
        root=root,
        renderer=MirrorRenderer(load_templates(), Links(), site="ntdtv"),
        batch_articles=100 if finish else 1,
    )
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    if finish:
        exporter.finish_exporting()


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {
        path.relative_to(root).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if path.is_file()
    }


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def links(markdown_file: Path) -> list[str]:
    tree = rendered_tree(markdown_file.read_text("utf-8"))
    return [a.get("href") for a in tree.iter("a")]


def test_a_long_index_is_split_by_month_and_every_link_resolves(tmp_path: Path) -> None:
    run(tmp_path, [*(article(n) for n in range(LONG)), listing(range(LONG))])
    tree = MirrorTree(tmp_path)
    head = tree.load_head("prog204")
    assert head is not None and head.months is not None
    assert head.count == LONG and len(head.entries) == INDEX_PAGE_SIZE
    newest = sorted(head.entries)[-1]
    assert newest == f"a{1000 + LONG - 1}"
    months = tree.month_files("prog204")
    assert months == [m.month for m in head.months] == ["2021-05", "2021-04", "2021-03"]
    whole = tree.load_index("prog204")
    assert whole is not None and len(whole.entries) == LONG
    index_md = tmp_path / "indexes" / "prog204.md"
    hrefs = links(index_md)
    assert hrefs[0] == "../README.md"
    pages = [h for h in hrefs if h.startswith("../pages/")]
    archives = [h for h in hrefs if h.startswith("prog204/")]
    assert len(pages) == INDEX_PAGE_SIZE
    assert archives == [f"prog204/{m}.md" for m in months]
    for href in pages + archives:
        assert (index_md.parent / href).resolve().is_file(), href
    month_md = tmp_path / "indexes" / "prog204" / "2021-03.md"
    hrefs = links(month_md)
    assert hrefs[:2] == ["../../README.md", "../prog204.md"]
    for href in hrefs:
        assert (month_md.parent / href).resolve().is_file(), href
    listed = sum(
        len(rendered_tree((month_md.parent / f"{m}.md").read_text()).xpath("//li")) for m in months
    )
    assert listed == LONG
    assert f"{LONG} 篇" in (tmp_path / "README.md").read_text("utf-8")


def test_a_short_index_stays_one_file(tmp_path: Path) -> None:
    run(tmp_path, [*(article(n) for n in range(5)), listing(range(5))])
    assert sorted(
        p.relative_to(tmp_path).as_posix() for p in (tmp_path / "indexes").rglob("*")
    ) == [
        "indexes/prog204.json",
        "indexes/prog204.md",
    ]


def test_a_new_article_rewrites_its_page_the_head_its_month_and_home(tmp_path: Path) -> None:
    run(tmp_path, [*(article(n) for n in range(LONG)), listing(range(LONG))])
    before = snapshot(tmp_path)
    run(tmp_path, [article(LONG), listing(range(LONG - 19, LONG + 1))])
    after = snapshot(tmp_path)
    changed = {path for path, info in after.items() if before.get(path) != info}
    new = f"pages/prog204/a{1000 + LONG}"
    assert changed == {
        f"{new}.md",
        f"{new}.png",
        f"store/articles/prog204/a{1000 + LONG}.json",
        "indexes/prog204.json",
        "indexes/prog204.md",
        "indexes/prog204/2021-05.json",
        "indexes/prog204/2021-05.md",
        "feeds/prog204.xml",
        "feeds/all.xml",
        "README.md",
    }


def test_nothing_new_writes_nothing(tmp_path: Path) -> None:
    run(tmp_path, [*(article(n) for n in range(LONG)), listing(range(LONG))])
    run(
        tmp_path,
        [
            *(article(n, "prog202") for n in range(LONG, LONG + 3)),
            listing(range(LONG, LONG + 3), "prog202"),
        ],
    )
    before = snapshot(tmp_path)
    run(tmp_path, [listing(range(LONG - 20, LONG)), listing(range(LONG, LONG + 3), "prog202")])
    assert snapshot(tmp_path) == before


def test_same_articles_give_the_same_bytes_in_one_run_or_many(tmp_path: Path) -> None:
    run(tmp_path / "one", [*(article(n) for n in range(LONG)), listing(range(LONG))])
    many = tmp_path / "many"
    for start in range(0, LONG, 70):
        ns = range(start, min(start + 70, LONG))
        run(many, [*(article(n) for n in ns), listing(ns)])
    # Growing past one page, then adding to old months and the newest one.
    assert files(many) == files(tmp_path / "one")


def test_pages_a_killed_run_stored_are_indexed_by_the_next(tmp_path: Path) -> None:
    run(tmp_path / "ref", [*(article(n) for n in range(LONG + 5)), listing(range(LONG + 5))])
    site = tmp_path / "site"
    run(site, [*(article(n) for n in range(LONG)), listing(range(LONG))])
    run(site, [article(n) for n in range(LONG, LONG + 5)], finish=False)  # killed before indexes
    run(site, [])  # nothing listed: the stored pages are found by the head's count
    assert files(site) == files(tmp_path / "ref")


def test_a_head_a_killed_run_left_behind_its_months_is_rebuilt(tmp_path: Path) -> None:
    run(tmp_path / "ref", [*(article(n) for n in range(LONG + 1)), listing(range(LONG + 1))])
    site = tmp_path / "site"
    run(site, [*(article(n) for n in range(LONG)), listing(range(LONG))])
    head = site / "indexes" / "prog204.json"
    old_head = head.read_bytes()
    run(site, [article(LONG), listing(range(LONG + 1))])
    head.write_bytes(old_head)  # as if killed after the month files, before the head
    os.utime(head)
    run(site, [listing(range(LONG - 19, LONG + 1))])
    assert files(site) == files(tmp_path / "ref")
