"""Site parsing on the fixture's pages, without Scrapy: fields, layers, the three clocks."""

from __future__ import annotations

import re

import pytest
from parsel import Selector

from goodnews_scraper.sites.ntdtv import (
    ArticleRejected,
    SiteUrls,
    parse_article,
    parse_list_page,
)
from tests.fixture_site import build_site
from tests.fixture_site.content import SECTIONS, FixtureArticle, articles
from tests.fixture_site.images import served_url

ORIGIN = "http://127.0.0.1:8000"
SITE = build_site(ORIGIN)
URLS = SiteUrls(ORIGIN)


def page_html(path: str) -> str:
    return SITE[path].body.decode("utf-8")


MIRRORED = [a for a in articles(None) if a.expect == "mirrored"]


@pytest.mark.parametrize("fixture", MIRRORED, ids=lambda a: f"{a.edition}-{a.id}")
def test_article_fields(fixture: FixtureArticle) -> None:
    parsed = parse_article(page_html(fixture.path), ORIGIN + fixture.path)
    assert parsed.title == fixture.title
    assert parsed.published.strftime("%Y-%m-%d %H:%M") == fixture.published
    assert parsed.published.utcoffset().total_seconds() == 8 * 3600
    assert parsed.extraction == fixture.extraction
    assert parsed.byline == (fixture.byline or "")
    assert parsed.tags == list(fixture.tags)
    if fixture.featured is None:
        assert parsed.featured_image is None
    else:
        assert parsed.featured_image is not None
        assert parsed.featured_image.url == served_url(fixture.featured.src, ORIGIN)
        assert parsed.featured_image.caption == fixture.featured.caption
    body = re.sub(r"\s+", "", Selector(text=parsed.body_html).xpath("string(//body)").get(""))
    for paragraph in fixture.paragraphs:
        assert re.sub(r"\s+", "", paragraph) in body
    for furniture in ("post_related", "print_link", "single_ad", ".htm"):
        assert furniture not in parsed.body_html
    assert ("body: " in " ".join(parsed.missed)) == (fixture.extraction != "site")


@pytest.mark.parametrize(
    "fixture",
    [a for a in articles(None) if a.expect in ("no_title", "truncated")],
    ids=lambda a: a.id,
)
def test_broken_articles_are_rejected_with_a_reason(fixture: FixtureArticle) -> None:
    with pytest.raises(ArticleRejected) as rejected:
        parse_article(page_html(fixture.path), ORIGIN + fixture.path)
    assert rejected.value.reason == fixture.expect


def test_url_date_is_never_the_publication_time() -> None:
    shifted = [a for a in MIRRORED if a.url_date.replace("/", "-") != a.published[:10]]
    assert shifted
    for fixture in shifted:
        parsed = parse_article(page_html(fixture.path), ORIGIN + fixture.path)
        assert parsed.published.strftime("%Y-%m-%d %H:%M") == fixture.published


def test_update_time_is_not_the_publication_time() -> None:
    updated = [a for a in MIRRORED if a.updated]
    assert updated
    for fixture in updated:
        parsed = parse_article(page_html(fixture.path), ORIGIN + fixture.path)
        assert parsed.published.strftime("%Y-%m-%d %H:%M") == fixture.published


@pytest.mark.parametrize("fixture", [a for a in MIRRORED if a.jsonld][:3], ids=lambda a: a.id)
def test_json_ld_z_is_read_as_beijing_clock(fixture: FixtureArticle) -> None:
    html = re.sub(r'<div class="time">.*?</div>', "", page_html(fixture.path), flags=re.S)
    parsed = parse_article(html, ORIGIN + fixture.path)
    assert parsed.published.strftime("%Y-%m-%d %H:%M") == fixture.published
    assert parsed.published.utcoffset().total_seconds() == 8 * 3600
    assert any(missed.startswith("time: ") for missed in parsed.missed)


def test_site_drift_falls_back_and_names_the_selectors() -> None:
    fixture = MIRRORED[0]
    drifted = (
        page_html(fixture.path)
        .replace("article_title", "headline_box")
        .replace("post_content", "story_text")
    )
    parsed = parse_article(drifted, ORIGIN + fixture.path)
    assert parsed.title == fixture.title
    assert parsed.extraction in ("structured", "generic")
    assert any("div.article_title" in missed for missed in parsed.missed)
    assert any("post_content" in missed for missed in parsed.missed)


def test_text_before_the_first_paragraph_stays_text() -> None:
    """Markup characters written as text at the very start of the body are not markup."""
    fixture = MIRRORED[0]
    opening = '<div class="post_content" itemprop="articleBody">'
    page = page_html(fixture.path).replace(
        opening, opening + "按 &lt;script&gt;x&lt;/script&gt; A&amp;B", 1
    )
    assert page != page_html(fixture.path)
    body = Selector(text=parse_article(page, ORIGIN + fixture.path).body_html)
    assert not body.css("script")
    assert "按 <script>x</script> A&B" in "".join(body.css("::text").getall())


@pytest.mark.parametrize(
    ("sec", "number"),
    [(s, n) for s in SECTIONS for n in range(1, s.page_count + 1) if n != s.failing_page],
    ids=lambda v: v.path if hasattr(v, "path") else str(v),
)
def test_list_pages(sec: object, number: int) -> None:
    page_url = ORIGIN + sec.page_path(number)  # type: ignore[attr-defined]
    listed = parse_list_page(page_html(sec.page_path(number)), page_url, sec.edition, URLS)  # type: ignore[attr-defined]
    assert listed.section_name == sec.name  # type: ignore[attr-defined]
    assert [a.article_id for a in listed.articles] == list(sec.pages[number - 1])  # type: ignore[attr-defined]
    for entry in listed.articles:
        assert entry.url.startswith(ORIGIN + f"/{sec.edition}/")  # type: ignore[attr-defined]
        assert "featureFlag" not in entry.url
    has_next = number < sec.page_count  # type: ignore[attr-defined]
    expected_next = ORIGIN + sec.page_path(number + 1) if has_next else None  # type: ignore[attr-defined]
    assert listed.next_url == expected_next
    assert listed.layer == "site"


def test_other_edition_and_foreign_links_are_not_articles() -> None:
    assert URLS.article_ref("https://www.ntdtv.com/b5/2021/05/20/a1.html", ORIGIN, "gb") is None
    assert URLS.article_ref("https://evil.example/gb/2021/05/20/a1.html", ORIGIN, "gb") is None
    assert URLS.article_ref("javascript:alert(1)", ORIGIN, "gb") is None
    assert URLS.article_ref("/gb/2021/05/20/a1.html/../../x", ORIGIN, "gb") is None
    assert URLS.article_ref(
        "http://ntdtv.com/gb/2021/05/20/a12.html?featureFlag=false", ORIGIN, "gb"
    ) == ("a12", ORIGIN + "/gb/2021/05/20/a12.html")
