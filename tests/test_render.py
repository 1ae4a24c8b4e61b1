"""``scrapy render``: the whole tree rebuilt from the store, against real crawls of the fixture."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import feedparser
import pytest

from goodnews_scraper.conversion.templates import SOURCE_TEMPLATES
from tests.crawl import FIXTURE_TOLERANCE, CrawlResult, run_crawl, run_render
from tests.fixture_site import FixtureServer
from tests.markdown_render import rendered_tree as to_html
from tests.publish_git_remote import bare_remote, commit_subjects
from tests.qr_decoders import zbar_decode, zxing_decode

MIRROR = "https://github.com/OWNER/REPO/blob/main"
SECTIONS = "sections=prog204,prog202,prog203,news/china"
SETTINGS = {"MIRROR_BASE_URL": MIRROR, **FIXTURE_TOLERANCE}
#: The footer of the release before the store: its QR code was an image, not a link.
OLD_FOOTER_QR = "![{{ L.qr_alt }}]({{ qr_file | md_url }})"


def render(site: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    return run_render(site, *settings)


def tree_files(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def snapshot(site: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time: 'no file touched' means both are kept."""
    return {
        path.relative_to(site).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def crawled(server: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    result = run_crawl(
        server.origin, tmp_path_factory.mktemp("crawl") / "site", SECTIONS, settings=SETTINGS
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


@pytest.fixture
def site(crawled: CrawlResult, tmp_path: Path) -> Path:
    """A copy of the crawled tree that the test may change."""
    copy = tmp_path / "site"
    shutil.copytree(crawled.site, copy)
    return copy


def summary(done: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    match = re.search(r"scrapy render: (\d+) files changed, (\d+) unchanged", done.stderr)
    assert match, done.stderr
    return int(match.group(1)), int(match.group(2))


def test_the_crawl_stores_every_article_it_mirrors(crawled: CrawlResult) -> None:
    pages = {p.stem for p in crawled.site.glob("pages/*/*.md")}
    records = {p.stem for p in crawled.site.glob("store/articles/*/*.json")}
    assert pages and records == pages


def test_render_with_the_crawls_settings_changes_nothing(site: Path) -> None:
    before = snapshot(site)
    done = render(site, f"MIRROR_BASE_URL={MIRROR}")
    assert done.returncode == 0, done.stderr
    assert summary(done)[0] == 0
    assert snapshot(site) == before


def test_a_template_change_reaches_every_page_index_and_home(site: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    footer = (SOURCE_TEMPLATES / "footer.md.j2").read_text(encoding="utf-8")
    (templates / "footer.md.j2").write_text(footer + "\n推荐阅读：新的页脚\n", encoding="utf-8")
    index = (SOURCE_TEMPLATES / "index.md.j2").read_text(encoding="utf-8")
    (templates / "index.md.j2").write_text(index + "\n索引新尾注\n", encoding="utf-8")
    home = (SOURCE_TEMPLATES / "home.md.j2").read_text(encoding="utf-8")
    (templates / "home.md.j2").write_text(home + "\n首页新尾注\n", encoding="utf-8")
    before = tree_files(site)
    done = render(site, f"MIRROR_BASE_URL={MIRROR}", f"TEMPLATES_DIR={templates}")
    assert done.returncode == 0, done.stderr
    after = tree_files(site)
    changed = {path for path in after if after[path] != before.get(path)}
    pages = {path for path in after if re.fullmatch(r"pages/[^/]+/a\d+\.md", path)}
    indexes = {path for path in after if re.fullmatch(r"indexes/.+\.md", path)}
    assert changed == pages | indexes | {"README.md"}
    assert summary(done)[0] == len(changed)
    for path in pages:
        assert after[path].decode().rstrip().endswith("推荐阅读：新的页脚")
    for path in indexes:
        assert after[path].decode().rstrip().endswith("索引新尾注")
    again = render(site, f"MIRROR_BASE_URL={MIRROR}", f"TEMPLATES_DIR={templates}")
    assert summary(again)[0] == 0
    assert tree_files(site) == after


def test_a_new_mirror_address_reaches_every_share_link_and_qr_code(site: Path) -> None:
    new = "https://github.com/FORK/RENAMED/blob/main"
    done = render(site, f"MIRROR_BASE_URL={new}")
    assert done.returncode == 0, done.stderr
    pages = sorted(site.glob("pages/*/*.md"))
    assert pages
    for page in pages:
        relpath = page.relative_to(site).as_posix()
        text = page.read_text(encoding="utf-8")
        assert MIRROR not in text
        assert f"<{new}/{relpath}>" in text
        png = page.with_suffix(".png").read_bytes()
        assert zxing_decode(png) == [f"{new}/{relpath}"]
        assert zbar_decode(png) == [f"{new}/{relpath}"]


def test_assets_base_links_every_picture_and_qr_code(site: Path) -> None:
    assets = "https://fastly.jsdelivr.net/gh/OWNER/REPO@main"
    done = render(site, f"MIRROR_BASE_URL={MIRROR}", f"ASSETS_BASE_URL={assets}")
    assert done.returncode == 0, done.stderr
    seen = 0
    for page in sorted(site.glob("pages/*/*.md")):
        tree = to_html(page.read_text(encoding="utf-8"))
        sources = tree.xpath("//img/@src")
        record = json.loads(
            (site / "store/articles" / page.parent.name / f"{page.stem}.json").read_bytes()
        )
        for src in sources:
            if src.startswith(assets + "/"):
                assert (site / src.removeprefix(assets + "/")).is_file(), src
                seen += 1
            else:  # a picture that could not be mirrored keeps the site's link
                assert src.startswith("http") and src not in record["images"], (page, src)
        mirrored = {f"{assets}/{path}" for path in record["images"].values()}
        assert mirrored <= set(sources), page
        # The QR code is itself a link to the page's share URL (long-press on a phone).
        qr = tree.xpath("//a[img[contains(@src, '.png')]]")
        relpath = page.relative_to(site).as_posix()
        assert [a.get("href") for a in qr] == [f"{MIRROR}/{relpath}"]
    assert seen > len(list(site.glob("pages/*/*.md")))  # pictures as well as QR codes


def test_a_template_failing_on_the_stored_data_touches_no_file(site: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "home.md.j2").write_text(
        "# 首页\n\n{% for section in sections %}\n- {{ section.cnt }}\n{% endfor %}\n",
        encoding="utf-8",
    )
    before = snapshot(site)
    done = render(site, "MIRROR_BASE_URL=https://example.org/x", f"TEMPLATES_DIR={templates}")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "home.md.j2, line 4" in lines[0] and "cnt" in lines[0]
    assert snapshot(site) == before


@pytest.mark.parametrize(
    "setting",
    ["ASSETS_BASE_URL=ftp://x", "MIRROR_BASE_URL=not a url", "TEMPLATES_DIR=/nonexistent"],
)
def test_a_bad_setting_is_one_line_and_exit_2(site: Path, setting: str) -> None:
    before = snapshot(site)
    done = render(site, setting)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert setting.split("=")[0] in done.stderr
    assert snapshot(site) == before


def test_a_tree_of_the_earlier_release_is_upgraded_to_the_same_pages(
    server: FixtureServer, crawled: CrawlResult, tmp_path: Path
) -> None:
    # What the release before the store wrote: the same pages with its footer, and no store.
    old_templates = tmp_path / "old-templates"
    old_templates.mkdir()
    footer = (SOURCE_TEMPLATES / "footer.md.j2").read_text(encoding="utf-8")
    new_qr = "[" + OLD_FOOTER_QR + "]({{ share_url | md_url }})"
    assert new_qr in footer
    (old_templates / "footer.md.j2").write_text(footer.replace(new_qr, OLD_FOOTER_QR), "utf-8")
    old = run_crawl(
        server.origin,
        tmp_path / "old",
        SECTIONS,
        settings={**SETTINGS, "TEMPLATES_DIR": str(old_templates)},
    )
    assert old.returncode == 0, old.log[-3000:]
    shutil.rmtree(old.site / "store")
    edited = next(iter(sorted(old.site.glob("pages/*/*.md"))))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n手工修改\n", encoding="utf-8")
    kept = edited.read_bytes()

    done = render(old.site, f"MIRROR_BASE_URL={MIRROR}")
    assert done.returncode == 0, done.stderr
    assert "1 pages of an earlier release were left as they are" in done.stderr
    assert edited.relative_to(old.site).as_posix() in done.stderr
    upgraded, fresh = tree_files(old.site), crawled.files()
    for path, data in fresh.items():
        if path.startswith("pages/") and path != edited.relative_to(old.site).as_posix():
            assert upgraded[path] == data, path
    assert edited.read_bytes() == kept
    assert upgraded["README.md"] == fresh["README.md"]


def test_a_home_template_failing_during_the_crawl_fails_the_run_and_publishes_nothing(
    server: FixtureServer, tmp_path: Path
) -> None:
    # Fine on the one-section sample checked at start; fails on the crawl's several sections.
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "home.md.j2").write_text(
        "# 首页\n\n{% if sections | length > 1 %}{{ sections[1].cnt }}{% endif %}\n",
        encoding="utf-8",
    )
    remote = bare_remote(tmp_path / "remote.git")
    result = run_crawl(
        server.origin,
        tmp_path / "site",
        SECTIONS,
        settings={
            **SETTINGS,
            "TEMPLATES_DIR": str(templates),
            "PUBLISH": "git",
            "PUBLISH_GIT_REMOTE": str(remote),
        },
    )
    assert result.returncode == 1, result.log[-3000:]
    assert (
        "Writing the tree failed while writing the indexes and home page: "
        "template home.md.j2, line 3" in result.log
    )
    assert "Not publishing to git" in result.log
    assert "Monitor failed: Tree writer" in result.log  # the monitors see it too
    assert commit_subjects(remote) == []
    assert not (tmp_path / "site" / "README.md").exists()


def test_the_crawl_writes_a_valid_feed_per_section_and_one_for_the_mirror(
    crawled: CrawlResult,
) -> None:
    site = crawled.site
    slugs = sorted(path.stem for path in site.glob("indexes/*.json"))
    feeds = sorted(path.name for path in site.glob("feeds/*.xml"))
    assert feeds == sorted([*(f"{slug}.xml" for slug in slugs), "all.xml"])
    for name in feeds:
        parsed = feedparser.parse((site / "feeds" / name).read_bytes())
        assert parsed.bozo == 0 and parsed.version == "atom10", name
        assert parsed.entries, name
        times = [entry.published_parsed for entry in parsed.entries]
        assert times == sorted(times, reverse=True)
        for entry in parsed.entries:
            assert entry.link.startswith(f"{MIRROR}/pages/")
            assert (site / entry.link.removeprefix(f"{MIRROR}/")).is_file()
            assert entry.published.endswith("+08:00")
    every = feedparser.parse((site / "feeds" / "all.xml").read_bytes())
    assert (
        len(every.entries)
        == len({e.id for e in every.entries})
        == len(list(site.glob("pages/*/*.md")))
    )


def test_render_adds_the_html_a_crawl_with_html_would_have_written(
    server: FixtureServer, site: Path, tmp_path: Path
) -> None:
    assert not list(site.rglob("*.html"))
    done = render(site, f"MIRROR_BASE_URL={MIRROR}", "HTML_ENABLED=True")
    assert done.returncode == 0, done.stderr
    with_html = run_crawl(
        server.origin,
        tmp_path / "with-html",
        SECTIONS,
        settings={**SETTINGS, "HTML_ENABLED": "True"},
    )
    assert with_html.returncode == 0, with_html.log[-3000:]
    assert tree_files(site) == with_html.files()
    md = {path.with_suffix("") for path in site.rglob("*.md") if path.name != "README.md"}
    html = {path.with_suffix("") for path in site.rglob("*.html") if path.name != "index.html"}
    assert md == html and (site / "index.html").is_file()


def test_share_links_to_html_point_every_qr_code_at_the_html_pages(site: Path) -> None:
    done = render(
        site, f"MIRROR_BASE_URL={MIRROR}", "HTML_ENABLED=True", "SHARE_LINKS_TO_HTML=True"
    )
    assert done.returncode == 0, done.stderr
    for page in sorted(site.glob("pages/*/*.md")):
        target = f"{MIRROR}/{page.relative_to(site).with_suffix('.html').as_posix()}"
        assert zxing_decode(page.with_suffix(".png").read_bytes()) == [target]
        assert f"<{target}>" in page.read_text(encoding="utf-8")


def test_a_broken_record_is_named_and_its_page_left_as_it_is(site: Path) -> None:
    record = sorted(site.glob("store/articles/*/*.json"))[0]
    record.write_text('{"version": 1, "title": ', encoding="utf-8")
    page = site / "pages" / record.parent.name / f"{record.stem}.md"
    kept = page.read_bytes()
    done = render(site, "MIRROR_BASE_URL=https://github.com/FORK/RENAMED/blob/main")
    assert done.returncode == 0, done.stderr
    assert f"record not used: {record.relative_to(site).as_posix()}" in done.stderr
    assert done.stderr.count("record not used") == 1
    assert page.read_bytes() == kept  # not re-rendered from nothing
    others = [p for p in site.glob("pages/*/*.md") if p != page]
    assert all("FORK/RENAMED" in p.read_text(encoding="utf-8") for p in others)
