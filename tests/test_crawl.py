"""End to end: the real ``scrapy crawl ntdtv`` against the fixture site on 127.0.0.1.

Expectations come from the fixture's content (``tests/fixture_site/content.py``),
the single source of what the site says; pages are read back through GitHub's
renderer and QR codes through a real decoder.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from lxml import html as lxml_html

from goodnews_scraper.mirror.tree import parse_page_meta, section_slug
from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS
from tests.crawl import FIXTURE_TOLERANCE, CrawlResult, run_crawl
from tests.fixture_site import FixtureServer
from tests.fixture_site.content import (
    SECTIONS,
    FixtureArticle,
    Section,
    article,
    articles,
)
from tests.fixture_site.images import page_src
from tests.qr_decoders import zxing_decode

MIRROR = "https://github.com/OWNER/REPO/blob/main"
CRAWLED = (*DEFAULT_SECTIONS, "news/china")
SECTIONS_ARG = "sections=" + ",".join(CRAWLED)
SETTINGS = {"MIRROR_BASE_URL": MIRROR, **FIXTURE_TOLERANCE}


def reachable_ids(sec: Section, max_pages: int = 5) -> list[str]:
    """Ids on the list pages the spider can read: up to a failing page, at most max_pages."""
    ids: list[str] = []
    for number, page in enumerate(sec.pages[:max_pages], start=1):
        if number == sec.failing_page:
            break
        ids.extend(page)
    return ids


def expected_homes(edition: str = "gb", crawled: tuple[str, ...] = CRAWLED) -> dict[str, str]:
    """Mirrored article id -> slug of its home: the first crawled section listing it."""
    homes: dict[str, str] = {}
    for path in crawled:
        sec = next(s for s in SECTIONS if (s.edition, s.path) == (edition, path))
        for article_id in reachable_ids(sec):
            if article(article_id, edition).expect == "mirrored":
                homes.setdefault(article_id, section_slug(path))
    return homes


def to_html(markdown: str) -> lxml_html.HtmlElement:
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    return lxml_html.fragment_fromstring(rendered, create_parent="div")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def first_run(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    site = tmp_path_factory.mktemp("mirror") / "site"
    result = run_crawl(server.origin, site, SECTIONS_ARG, settings=SETTINGS)
    assert result.returncode == 0, result.log[-3000:]
    return result


def test_every_page_is_stored_once_in_its_home_section(first_run: CrawlResult) -> None:
    homes = expected_homes()
    files = first_run.files()
    pages = {path for path in files if path.startswith("pages/")}
    expected = {f"pages/{slug}/{aid}.{ext}" for aid, slug in homes.items() for ext in ("md", "png")}
    assert pages == expected
    assert len(homes) >= 20


def test_qr_codes_decode_to_the_page_url(first_run: CrawlResult) -> None:
    for aid, slug in expected_homes().items():
        png = (first_run.site / "pages" / slug / f"{aid}.png").read_bytes()
        assert zxing_decode(png) == [f"{MIRROR}/pages/{slug}/{aid}.md"]


def page_tree(result: CrawlResult, aid: str, slug: str) -> lxml_html.HtmlElement:
    text = (result.site / "pages" / slug / f"{aid}.md").read_text(encoding="utf-8")
    return to_html(text)


@pytest.mark.parametrize(
    "fixture", [a for a in articles("gb") if a.id in expected_homes()], ids=lambda a: a.id
)
def test_page_shows_what_the_article_says(
    first_run: CrawlResult, server: FixtureServer, fixture: FixtureArticle
) -> None:
    slug = expected_homes()[fixture.id]
    tree = page_tree(first_run, fixture.id, slug)
    text = squash(tree.text_content())
    assert tree.xpath("string(//h1)") == fixture.title
    srcs = [img.get("src") for img in tree.iter("img")]
    for paragraph in fixture.paragraphs:
        assert squash(paragraph) in text, paragraph
    if fixture.extraction == "site":
        assert [squash(h.text_content()) for h in tree.iter("h2")] == [
            squash(s) for s in fixture.subheads
        ]
        assert [squash(li.text_content()) for li in tree.iter("li")] == [
            squash(i) for i in fixture.list_items
        ]
        cells = [squash(c.text_content()) for c in tree.xpath("//td | //th")]
        assert cells == [squash(c) for row in fixture.table for c in row]
        if fixture.quote:
            assert squash(fixture.quote) in squash(tree.xpath("string(//blockquote)"))
        for figure in fixture.figures:
            assert squash(figure.caption) in text
            assert page_src(figure.src, server.origin) in srcs
    if fixture.featured is not None:
        assert page_src(fixture.featured.src, server.origin) in srcs
    links = {a.get("href") for a in tree.iter("a")}
    assert server.url(fixture.path) in links
    assert f"{MIRROR}/pages/{slug}/{fixture.id}.md" in links
    assert f"发布时间：{fixture.published}（北京时间）" in tree.text_content()
    assert not tree.xpath("//script | //iframe | //style | //object | //*[@onerror]")
    comments = tree.xpath("//comment()")
    assert len(comments) == 1 and comments[0].text.startswith(" goodnews-scraper {")
    assert not [
        href
        for href in links
        if not href.startswith(("http://", "https://", "../")) and not href.endswith(".png")
    ]


def test_page_records_its_extraction_layer_in_stats(first_run: CrawlResult) -> None:
    mirrored = [a for a in articles("gb") if a.id in expected_homes()]
    for layer in ("site", "structured", "generic"):
        count = sum(1 for a in mirrored if a.extraction == layer)
        assert first_run.stat(f"goodnews/extraction/article/{layer}") == count


def test_indexes_list_every_listed_article_newest_first(first_run: CrawlResult) -> None:
    homes = expected_homes()
    for path in CRAWLED:
        sec = next(s for s in SECTIONS if (s.edition, s.path) == ("gb", path))
        slug = section_slug(path)
        data = json.loads((first_run.site / "indexes" / f"{slug}.json").read_text("utf-8"))
        listed = [aid for aid in reachable_ids(sec) if aid in homes]
        assert sorted(e["id"] for e in data["articles"]) == sorted(listed)
        assert data["name"] == sec.name
        index_md = (first_run.site / "indexes" / f"{slug}.md").read_text("utf-8")
        tree = to_html(index_md)
        links = [a.get("href") for a in tree.iter("a")][1:]
        assert links == [f"../{e['page']}" for e in data["articles"]]
        for link in links:
            assert (first_run.site / "indexes" / link).resolve().is_file()
        published = [e["published"] for e in data["articles"]]
        assert published == sorted(published, reverse=True)


def test_article_in_two_sections_is_stored_once_and_linked_from_both(
    first_run: CrawlResult,
) -> None:
    shared = [
        a
        for a in articles("gb")
        if a.id in expected_homes() and len(set(a.sections) & set(CRAWLED)) > 1
    ]
    assert shared
    for fixture in shared:
        stored = list(first_run.site.glob(f"pages/*/{fixture.id}.md"))
        assert len(stored) == 1
        for path in set(fixture.sections) & set(CRAWLED):
            index = (first_run.site / "indexes" / f"{section_slug(path)}.md").read_text("utf-8")
            assert f"../{stored[0].relative_to(first_run.site).as_posix()}" in index


def test_home_page_links_every_index(first_run: CrawlResult) -> None:
    tree = to_html((first_run.site / "README.md").read_text("utf-8"))
    links = [a.get("href") for a in tree.iter("a")]
    indexes = [link for link in links if link.startswith("indexes/")]
    assert sorted(indexes) == sorted(f"indexes/{section_slug(p)}.md" for p in CRAWLED)
    # Under the sections, the newest articles of the whole mirror, each once, newest first.
    latest = links[len(indexes) :]
    assert (
        latest
        and len(latest) == len(set(latest))
        and all((first_run.site / link).is_file() for link in latest)
    )
    home = (first_run.site / "README.md").read_text("utf-8")
    dates = re.findall(r"^- (\d{4}-\d{2}-\d{2}) \[", home, re.M)
    assert len(dates) == len(latest) and dates == sorted(dates, reverse=True)


def test_broken_cases_are_logged_and_counted(first_run: CrawlResult) -> None:
    log = first_run.log
    for fixture in articles("gb"):
        if fixture.expect in ("no_title", "truncated"):
            assert first_run.stat(f"goodnews/articles/rejected/{fixture.expect}") >= 1
            assert re.search(rf"Skipped article \S*{fixture.path}: {fixture.expect}", log)
        if fixture.expect == "http_404":
            assert first_run.stat("goodnews/articles/failed/http_404") >= 1
            assert re.search(rf"Article \S*{fixture.path} failed \(http_404\)", log)
    assert first_run.stat("goodnews/sections/prog203/list_failed/http_500") == 1
    assert "Traceback" not in log


def test_rerun_with_nothing_new_requests_no_mirrored_article_and_changes_no_file(
    first_run: CrawlResult, server: FixtureServer, tmp_path: Path
) -> None:
    before = first_run.files()
    mtimes = {p: p.stat().st_mtime_ns for p in first_run.site.rglob("*") if p.is_file()}
    server.requests.clear()
    again = run_crawl(server.origin, first_run.site, SECTIONS_ARG, settings=SETTINGS)
    assert again.returncode == 0, again.log[-3000:]
    assert again.files() == before
    assert {p: p.stat().st_mtime_ns for p in first_run.site.rglob("*") if p.is_file()} == mtimes
    mirrored_paths = {article(aid).path for aid in expected_homes()}
    assert not mirrored_paths & set(server.requests)
    assert again.stat("goodnews/tree/files_written") == 0


def test_fresh_run_into_another_folder_gives_the_same_bytes(
    first_run: CrawlResult, server: FixtureServer, tmp_path: Path
) -> None:
    other = run_crawl(server.origin, tmp_path / "other", SECTIONS_ARG, settings=SETTINGS)
    assert other.returncode == 0, other.log[-3000:]
    assert other.files() == first_run.files()


def test_pages_carry_metadata_that_can_rebuild_an_index(first_run: CrawlResult) -> None:
    for aid, slug in expected_homes().items():
        first = (first_run.site / "pages" / slug / f"{aid}.md").read_text("utf-8").splitlines()[0]
        meta = parse_page_meta(first)
        assert meta is not None and meta.id == aid
        assert meta.published.startswith(article(aid).published.replace(" ", "T"))
