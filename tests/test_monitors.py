"""Monitors, exit status and the run's summary.

The monitors are first run by Spidermon's own runner on stats set by hand
(Spidermon's way of testing a suite), then through the real ``scrapy crawl``
against the fixture site: a clean run ends 0, a broken one ends 1 and says
why, and a site whose class names changed is still mirrored by the fallback
layers while the job fails naming the selectors that stopped matching.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler
from spidermon.contrib.scrapy.runners import SpiderMonitorRunner

import goodnews_scraper.settings as project_settings
from goodnews_scraper.extensions.summary import progress_line, summary_text
from goodnews_scraper.monitors import (
    FAILED_STAT,
    PASSED_STAT,
    MirrorMonitorSuite,
    fallback_problem,
    job_failures,
    notification_actions,
    section_problem,
)
from goodnews_scraper.pipelines.validation import article_schema, as_json
from goodnews_scraper.sites.ntdtv import SEL_BODY, SEL_TITLE
from goodnews_scraper.spiders.ntdtv import NtdtvSpider
from tests.crawl import PROJECT_ROOT, SCRAPY_CRAWL, run_crawl
from tests.fixture_site import FixtureResponse, FixtureServer, build_site
from tests.fixture_site.content import section

FINISHED = {"finish_reason": "finished"}


# --------------------------------------------------------------------------- pure checks
def sec(name: str, **counts: int) -> dict[str, int]:
    """Stats of one section, e.g. ``sec("prog204", list_pages=1, listed=4)``."""
    keys = {
        "list_pages": "list_pages",
        "listed": "articles/listed",
        "requested": "articles/requested",
        "mirrored": "articles/mirrored",
    }
    return {f"goodnews/sections/{name}/{keys.get(k, k)}": v for k, v in counts.items()}


def test_a_section_that_did_its_job_or_had_nothing_new_passes() -> None:
    done = sec("prog204", list_pages=2, listed=8, requested=3, mirrored=2)
    nothing_new = sec("news/china", list_pages=1, listed=5)
    stats = {**done, **nothing_new, "goodnews/sections/prog204/articles/failed/http_404": 1}
    assert section_problem(stats, "prog204") is None
    assert section_problem(stats, "news/china") is None


@pytest.mark.parametrize(
    ("stats", "message"),
    [
        (
            {"goodnews/sections/prog203/list_failed/http_500": 1},
            "prog203: no list page could be read (http_500 ×1)",
        ),
        ({}, "prog203: no list page could be read (never answered)"),
        (sec("prog203", list_pages=1, listed=0), "prog203: its list page lists no article"),
        (
            {
                **sec("prog203", list_pages=1, listed=3, requested=3),
                "goodnews/sections/prog203/articles/failed/http_403": 2,
                "goodnews/sections/prog203/articles/rejected/no_title": 1,
            },
            "prog203: 3 new articles, none mirrored (http_403 ×2, no_title ×1)",
        ),
    ],
)
def test_a_section_that_produced_nothing_is_named_with_why(
    stats: dict[str, int], message: str
) -> None:
    assert section_problem(stats, "prog203") == message


def test_fallback_share_over_the_threshold_names_the_selectors_that_stopped_matching() -> None:
    body = f"body: {SEL_BODY}"
    stats = {
        "goodnews/extraction/article/site": 9,
        "goodnews/extraction/article/structured": 1,
        "goodnews/extraction/list/site": 3,
        f"goodnews/selectors_missed/{body}": 1,
    }
    assert fallback_problem(stats, 0.10) is None  # 1 of 10: at the limit, fine
    stats["goodnews/extraction/article/generic"] = 2  # 3 of 12
    problem = fallback_problem(stats, 0.10)
    assert problem is not None
    assert "3 of 12 articles (25%) came from fallback layers (generic ×2, structured ×1)" in problem
    assert f"stopped matching: {body} (missed on 1)" in problem


def test_job_failures() -> None:
    assert job_failures({**FINISHED, PASSED_STAT: 6, FAILED_STAT: 0}) == []
    assert job_failures({**FINISHED, PASSED_STAT: 4, FAILED_STAT: 2}) == ["2 monitors failed"]
    assert job_failures(FINISHED) == ["the monitors did not run"]
    assert job_failures(FINISHED, monitors=False) == []
    assert job_failures({"finish_reason": "shutdown", PASSED_STAT: 6}) == [
        "the crawl did not finish (finish reason: shutdown)"
    ]
    assert job_failures({**FINISHED, PASSED_STAT: 6, "goodnews/publish/failed": 1}) == [
        "publishing failed"
    ]


def test_schema_checks_the_fields_an_article_needs() -> None:
    from jsonschema import Draft202012Validator
    from spidermon.contrib.validation.jsonschema.formats import format_checker

    validator = Draft202012Validator(article_schema(), format_checker=format_checker)
    good = {
        "url": "https://www.ntdtv.com/gb/2021/05/20/a103124021.html",
        "article_id": "a103124021",
        "edition": "gb",
        "section": "news/china",
        "title": "南方多地进入汛期",
        "published": "2021-05-20T08:30:00+08:00",
        "body_html": "<p>正文</p>",
        "extraction": "site",
        "featured_image": None,
    }
    assert not list(validator.iter_errors(good))
    for field, value in [
        ("url", "javascript:alert(1)"),
        ("article_id", "../a1"),
        ("section", "../etc"),
        ("title", "   "),
        ("title", "标题\x00"),
        ("title", "长" * 501),
        ("published", "2021-05-20 08:30"),
        ("published", "0001-01-01T00:00:00+08:00"),
        ("body_html", ""),
        ("extraction", "guess"),
    ]:
        assert list(validator.iter_errors({**good, field: value})), (field, value)
    for field in ("url", "article_id", "title", "published", "body_html"):
        assert list(validator.iter_errors({k: v for k, v in good.items() if k != field})), field


def test_items_are_validated_as_json() -> None:
    from datetime import datetime, timedelta, timezone

    from goodnews_scraper.items import Image

    when = datetime(2021, 5, 20, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    data = as_json({"published": when, "qr_png": b"\x89PNG", "featured_image": Image("u", "c")})
    assert data == {
        "published": "2021-05-20T08:30:00+08:00",
        "qr_png": 4,
        "featured_image": {"url": "u", "caption": "c"},
    }


def test_the_validation_pipeline_counts_as_spidermon_and_drops_a_bad_article(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from datetime import datetime, timedelta, timezone

    from scrapy.exceptions import DropItem

    from goodnews_scraper.items import Article
    from goodnews_scraper.pipelines.validation import ArticleValidationPipeline

    crawler = get_crawler(NtdtvSpider)
    assert crawler.stats is not None
    pipeline = ArticleValidationPipeline.from_crawler(crawler)
    good = Article(
        url="https://www.ntdtv.com/gb/2021/05/20/a103124021.html",
        article_id="a103124021",
        edition="gb",
        section="prog204",
        section_name="大陆",
        title="南方多地进入汛期",
        published=datetime(2021, 5, 20, 8, 30, tzinfo=timezone(timedelta(hours=8))),
        body_html="<p>正文</p>",
        extraction="site",
    )
    assert pipeline.process_item(good) is good
    bad = Article(**{**vars(good), "title": "标题\x00", "url": good.url.replace("a1", "a2")})
    with caplog.at_level(logging.WARNING), pytest.raises(DropItem):
        pipeline.process_item(bad)
    assert pipeline.process_item(good) is good  # the next good one is not dropped
    stats = crawler.stats.get_stats()
    assert stats["spidermon/validation/items"] == 3
    assert stats["spidermon/validation/items/errors"] == 1
    assert stats["spidermon/validation/items/dropped"] == 1
    assert sorted(key for key in stats if key.startswith("spidermon/validation/fields/err")) == [
        "spidermon/validation/fields/errors",
        "spidermon/validation/fields/errors/regex_not_matched",
        "spidermon/validation/fields/errors/regex_not_matched/title",
    ]
    (line,) = [r.getMessage() for r in caplog.records if "Dropped article" in r.getMessage()]
    assert line.startswith(f"Dropped article {bad.url}: it does not match the schema (title: ")


def test_summary_and_progress_lines() -> None:
    stats = {
        **FINISHED,
        **sec("prog204", list_pages=2, listed=8, requested=3, mirrored=2),
        "goodnews/sections/prog204/articles/already_mirrored": 5,
        "goodnews/sections/prog204/articles/failed/http_404": 1,
        **sec("prog203", listed=0),
        "goodnews/sections/prog203/list_failed/http_500": 1,
        **sec("news/china", list_pages=1, listed=5),
        "goodnews/articles/mirrored": 2,
        "goodnews/extraction/article/site": 2,
        "goodnews/images/downloaded": 3,
        "goodnews/images/failed/http_404": 1,
        "retry/reason_count/503 Service Unavailable": 2,
        "elapsed_time_seconds": 83.2,
    }
    text = summary_text(stats, ["prog204", "prog203", "news/china"], {"prog204": "大陆"})
    assert text.splitlines() == [
        "Summary of the run (finished):",
        "  prog204 (大陆): 2 list pages, 8 listed, 5 already mirrored, 3 new: 2 mirrored, "
        "1 not (http_404 ×1)",
        "  prog203: 0 list pages, list pages failed: http_500 ×1, no article listed",
        "  news/china: 1 list page, 5 listed, nothing new",
        "  articles mirrored: 2; extraction layers: site ×2",
        "  images: downloaded ×3; failed: 1 (failed/http_404 ×1)",
        "  retries: 503 Service Unavailable ×2",
        "  duration: 1m23s",
    ]
    assert progress_line(stats, ["prog204", "news/china"], 30.0) == (
        "Progress: 3 list pages read; 3 of 3 articles done (2 mirrored, 1 not), "
        "0 queued, 6.0 articles/min"
    )


# --------------------------------------------------------------------------- the suite
def project_crawler(**settings: Any) -> Crawler:
    project = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    return get_crawler(NtdtvSpider, {**project, **settings})


def run_suite(crawler: Crawler, stats: dict[str, Any], sections: str) -> list[str]:
    """Run the project's suite as Spidermon does at spider close; the failed monitors."""
    assert crawler.stats is not None
    crawler.stats.set_stats(dict(stats))
    spider = NtdtvSpider(sections=sections)
    spider.crawler = crawler
    runner = SpiderMonitorRunner(spider=spider)
    result = runner.run(
        MirrorMonitorSuite(crawler=crawler),
        stats=crawler.stats.get_stats(),
        stats_history=[],
        crawler=crawler,
        spider=spider,
        sc_spider_name="ntdtv",
        job=None,
    )
    return sorted(outcome.item.monitor_name for outcome in result.monitors_failed_results)


def healthy_stats() -> dict[str, Any]:
    return {
        **FINISHED,
        **sec("prog204", list_pages=1, listed=4, requested=4, mirrored=4),
        **sec("news/china", list_pages=1, listed=3),
        "goodnews/extraction/article/site": 4,
        "goodnews/extraction/list/site": 2,
        "downloader/request_count": 7,
        "downloader/response_status_count/200": 7,
        "log_count/INFO": 20,
    }


def test_suite_passes_a_healthy_run_and_records_it(caplog: pytest.LogCaptureFixture) -> None:
    crawler = project_crawler()
    assert run_suite(crawler, healthy_stats(), "prog204,news/china") == []
    assert crawler.stats is not None
    assert crawler.stats.get_value(FAILED_STAT) == 0
    assert crawler.stats.get_value(PASSED_STAT) == 6
    assert job_failures(crawler.stats.get_stats()) == []


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"finish_reason": "closespider_timeout"}, "Finish Reason Monitor"),
        ({"log_count/ERROR": 1}, "Error Count Monitor"),
        ({"downloader/response_status_count/503": 11}, "Unwanted HTTP codes monitor"),
        ({"downloader/response_status_count/403": 11}, "Unwanted HTTP codes monitor"),
        ({"spidermon/validation/fields/errors": 1}, "Item Validation Monitor"),
        ({"goodnews/extraction/article/generic": 1}, "Site selectors"),
        ({"goodnews/sections/news/china/articles/listed": 0}, "Sections"),
    ],
)
def test_each_monitor_fails_the_job_on_its_own(
    change: dict[str, Any], failed: str, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = project_crawler()
    with caplog.at_level(logging.ERROR, logger="goodnews_scraper.monitors"):
        assert run_suite(crawler, {**healthy_stats(), **change}, "prog204,news/china") == [failed]
    assert crawler.stats is not None
    assert job_failures(crawler.stats.get_stats())[-1] == "1 monitor failed"
    lines = [r.getMessage() for r in caplog.records if r.name == "goodnews_scraper.monitors"]
    assert len(lines) == 1 and lines[0].startswith(f"Monitor failed: {failed}/")


def test_thresholds_are_settings() -> None:
    generic = {**healthy_stats(), "goodnews/extraction/article/generic": 1}
    assert run_suite(project_crawler(GOODNEWS_MAX_FALLBACK_SHARE=0.5), generic, "prog204") == []
    errors = {**healthy_stats(), "log_count/ERROR": 3}
    assert run_suite(project_crawler(SPIDERMON_MAX_ERRORS=3), errors, "prog204") == []


def test_a_notifier_is_added_only_when_configured(caplog: pytest.LogCaptureFixture) -> None:
    assert notification_actions(project_crawler()) == []
    # (Spidermon off, so only this call builds the notifiers.)
    crawler = project_crawler(SPIDERMON_ENABLED=False, SPIDERMON_SLACK_SENDER_TOKEN="xoxb-1")
    with caplog.at_level(logging.ERROR, logger="goodnews_scraper.monitors"):
        assert notification_actions(crawler) == []
    # slack-sdk is not a requirement: the one line says what to install.
    (line,) = [r.getMessage() for r in caplog.records if r.name == "goodnews_scraper.monitors"]
    assert line.startswith("SPIDERMON_SLACK_SENDER_TOKEN is set but ")
    assert line.endswith("pip install slack-sdk")


@pytest.mark.parametrize("secret", ["", "xoxb-from-the-environment"])
def test_scrapy_list_works_with_or_without_secrets_in_the_environment(
    secret: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPIDERMON_")}
    if secret:
        env["SPIDERMON_SLACK_SENDER_TOKEN"] = secret
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    env["SCRAPY_SETTINGS_MODULE"] = "goodnews_scraper.settings"
    done = subprocess.run(
        [*SCRAPY_CRAWL[:3], "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "epochtimes\nntdtv\n"), done.stderr


# --------------------------------------------------------------------------- real crawls
def test_clean_run_ends_0_with_a_summary(server: FixtureServer, tmp_path: Path) -> None:
    result = run_crawl(server.origin, tmp_path / "site", "sections=prog1695,prog647")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stat(PASSED_STAT) == 6
    assert result.stat(FAILED_STAT) == 0
    assert "did not do its job" not in result.log
    assert "Summary of the run (finished):" in result.log
    for path in ("prog1695", "prog647"):
        count = len(section(path).ids)
        assert f"{count} listed, 0 already mirrored, {count} new: {count} mirrored" in result.log
    assert result.stat("spidermon/validation/items") == 4
    assert result.stat("spidermon/validation/items/errors") == 0
    # Nothing new next time: fine, and said so.
    again = run_crawl(server.origin, tmp_path / "site", "sections=prog1695,prog647")
    assert again.returncode == 0, again.log[-3000:]
    assert f"prog647 (文史): 1 list page, {len(section('prog647').ids)} listed, nothing new" in (
        again.log
    )


def test_errors_in_the_log_fail_the_job(server: FixtureServer, tmp_path: Path) -> None:
    # Page 2 of prog204 lists an article that answers 404: one error.
    result = run_crawl(server.origin, tmp_path / "site", "sections=prog204", "max_pages=2")
    assert result.returncode == 1, result.log[-3000:]
    assert result.stat("goodnews/articles/failed/http_404") == 1
    failures = [line for line in result.log.splitlines() if "Monitor failed: " in line]
    assert len(failures) == 1
    assert "Error Count Monitor" in failures[0]
    assert result.log.rstrip().endswith(
        "scrapy crawl: the crawl did not do its job: 1 monitor failed (see the log above)"
    )


def test_a_crawl_that_did_not_finish_ends_1(server: FixtureServer, tmp_path: Path) -> None:
    result = run_crawl(
        server.origin,
        tmp_path / "site",
        "sections=prog1699",
        settings={"CLOSESPIDER_PAGECOUNT": "1"},
    )
    assert result.returncode == 1, result.log[-3000:]
    assert "the crawl did not finish (finish reason: closespider_pagecount)" in result.log


#: The site's markup after a redesign: the classes our selectors use are renamed.
RENAMED = {
    'class="post_content"': 'class="story-body"',
    'class="article_title"': 'class="story-title"',
    'class="main_title"': 'class="story-title"',
}


def redesigned(origin: str) -> dict[str, FixtureResponse]:
    site = build_site(origin)
    for path, response in site.items():
        if response.content_type.startswith("text/html"):
            text = response.body.decode("utf-8")
            for old, new in RENAMED.items():
                text = text.replace(old, new)
            site[path] = FixtureResponse(
                response.status, response.content_type, text.encode("utf-8"), response.headers
            )
    return site


def test_site_drift_still_mirrors_and_fails_the_job_naming_the_selectors(
    server: FixtureServer, tmp_path: Path
) -> None:
    sections = ("prog1138", "prog424", "prog1699")
    server.rebuild(redesigned)
    try:
        result = run_crawl(server.origin, tmp_path / "site", "sections=" + ",".join(sections))
    finally:
        server.rebuild(build_site)
    expected = {aid for path in sections for aid in section(path).ids}
    stored = {p.stem for p in (tmp_path / "site" / "pages").glob("*/*.md")}
    assert stored == expected  # the fallback layers still made every page
    assert result.stat("goodnews/extraction/article/site") == 0
    assert result.returncode == 1
    (failure,) = [line for line in result.log.splitlines() if "Monitor failed: " in line]
    assert "Site selectors" in failure
    assert (
        f"{len(expected)} of {len(expected)} articles (100%) came from fallback layers" in failure
    )
    assert f"body: {SEL_BODY} (missed on {len(expected)})" in failure
    assert f"title: {' | '.join(SEL_TITLE)} (missed on {len(expected)})" in failure
