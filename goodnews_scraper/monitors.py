"""Did the crawl do its job? Spidermon monitors that run when the spider closes.

The old mirror scripts broke silently whenever the site renamed a class. These
monitors turn each way a crawl can quietly fail into a failed job: a section
that produced nothing, articles that do not match the schema, a site that no
longer matches our selectors (pages served by the fallback layers), unwanted
HTTP statuses, an unfinished crawl, errors in the log. Their outcome goes to
stats (``goodnews/monitors/passed|failed``), where the project's ``crawl``
command, Scrapyd and Scrapy Cloud read it, and to the log, one line per
failure. Spidermon's own notification actions (Slack, e-mail, Sentry) are
added when their settings are given.

The checks themselves are pure functions of the stats, so they are tested
and reused (by the end-of-run summary) without running a crawl.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.utils.misc import load_object
from spidermon import Action, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import (
    ErrorCountMonitor,
    FinishReasonMonitor,
    ItemValidationMonitor,
    UnwantedHTTPCodesMonitor,
)
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.exceptions import NotConfigured

from goodnews_scraper.items import EXTRACTION_SITE

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

Stats = Mapping[str, Any]

PASSED_STAT = "goodnews/monitors/passed"
FAILED_STAT = "goodnews/monitors/failed"
#: Set by the publishing step when it could not publish the tree.
PUBLISH_FAILED_STAT = "goodnews/publish/failed"
#: Set by the tree writer when a file of the tree could not be written or rendered.
TREE_FAILED_STAT = "goodnews/tree/failed"
SECTIONS_PREFIX = "goodnews/sections/"
SELECTORS_MISSED_PREFIX = "goodnews/selectors_missed/"
DEFAULT_MAX_FALLBACK_SHARE = 0.10

#: Spidermon notification actions, added when their key setting is given:
#: (key setting, action, package it needs).
NOTIFIERS: tuple[tuple[str, str, str], ...] = (
    (
        "SPIDERMON_SLACK_SENDER_TOKEN",
        "spidermon.contrib.actions.slack.notifiers.SendSlackMessageSpiderFinished",
        "slack-sdk",
    ),
    ("SPIDERMON_EMAIL_TO", "spidermon.contrib.actions.email.smtp.SendSmtpEmail", "premailer"),
    ("SPIDERMON_SENTRY_DSN", "spidermon.contrib.actions.sentry.SendSentryMessage", "sentry-sdk"),
)


# --------------------------------------------------------------------------- pure checks
def prefixed(stats: Stats, prefix: str) -> dict[str, int]:
    """Counters under ``prefix``, keyed by the rest of their name."""
    return {
        key[len(prefix) :]: int(value)
        for key, value in stats.items()
        if key.startswith(prefix) and isinstance(value, int | float)
    }


def counts_text(counts: Mapping[str, int]) -> str:
    """``http_404 ×2, no_title ×1``: a reason list for one log line."""
    return ", ".join(f"{name} ×{count}" for name, count in sorted(counts.items()) if count)


def sections_in(stats: Stats) -> list[str]:
    """Sections the stats speak of, when the spider's own list is not at hand."""
    found: set[str] = set()
    for key in stats:
        if not key.startswith(SECTIONS_PREFIX):
            continue
        rest = key[len(SECTIONS_PREFIX) :]
        match = re.match(r"(.+?)/(?:list_pages|list_failed/|articles/)", rest)
        if match:
            found.add(match.group(1))
    return sorted(found)


def section_counts(stats: Stats, section: str) -> dict[str, Any]:
    """What happened to one section, from its ``goodnews/sections/<section>/`` stats."""
    prefix = f"{SECTIONS_PREFIX}{section}/"
    return {
        "list_pages": int(stats.get(prefix + "list_pages", 0)),
        "list_failed": prefixed(stats, prefix + "list_failed/"),
        "listed": int(stats.get(prefix + "articles/listed", 0)),
        "already": int(stats.get(prefix + "articles/already_mirrored", 0)),
        "requested": int(stats.get(prefix + "articles/requested", 0)),
        "mirrored": int(stats.get(prefix + "articles/mirrored", 0)),
        "not_mirrored": {
            **prefixed(stats, prefix + "articles/rejected/"),
            **prefixed(stats, prefix + "articles/failed/"),
            **prefixed(stats, prefix + "articles/dropped/"),
        },
    }


def section_problem(stats: Stats, section: str) -> str | None:
    """Why a section did not do its job, or None (nothing new is fine)."""
    counts = section_counts(stats, section)
    if counts["list_pages"] == 0:
        why = counts_text(counts["list_failed"]) or "never answered"
        return f"{section}: no list page could be read ({why})"
    if counts["listed"] == 0:
        return f"{section}: its list page lists no article"
    if counts["requested"] and not counts["mirrored"]:
        why = counts_text(counts["not_mirrored"]) or "no answer"
        return f"{section}: {counts['requested']} new articles, none mirrored ({why})"
    return None


def missed_selectors(stats: Stats) -> dict[str, int]:
    """Site selectors that did not match, with the number of pages each missed on."""
    return prefixed(stats, SELECTORS_MISSED_PREFIX)


def fallback_problem(stats: Stats, max_share: float) -> str | None:
    """Why the fallback layers served too much (the site probably changed), or None."""
    problems = []
    for kind, prefix in (("articles", "article"), ("list pages", "list")):
        layers = prefixed(stats, f"goodnews/extraction/{prefix}/")
        total = sum(layers.values())
        fallback = total - layers.get(EXTRACTION_SITE, 0)
        if total and fallback / total > max_share:
            used = counts_text({k: v for k, v in layers.items() if k != EXTRACTION_SITE})
            problems.append(
                f"{fallback} of {total} {kind} ({fallback / total:.0%}) came from "
                f"fallback layers ({used}), over the {max_share:.0%} limit"
            )
    if not problems:
        return None
    missed = missed_selectors(stats)
    named = "; ".join(f"{selector} (missed on {n})" for selector, n in sorted(missed.items()))
    return (
        "; ".join(problems)
        + ". The site has probably changed. Site selectors that stopped matching: "
        + (named or "none recorded")
    )


def job_failures(stats: Stats, monitors: bool = True) -> list[str]:
    """Why a finished crawl must end with a non-zero status; empty when it did its job.

    ``monitors``: whether the monitors' outcome counts (they ran, and a
    failed one fails the job).
    """
    failures = []
    reason = stats.get("finish_reason")
    if reason != "finished":
        failures.append(f"the crawl did not finish (finish reason: {reason or 'none'})")
    failed = int(stats.get(FAILED_STAT, 0))
    if monitors and failed:
        failures.append(f"{failed} monitor{'s' if failed > 1 else ''} failed")
    elif monitors and PASSED_STAT not in stats:
        failures.append("the monitors did not run")
    if stats.get(TREE_FAILED_STAT):
        failures.append(
            f"writing the tree failed ({stats.get('goodnews/tree/error', 'see the log')})"
        )
    if stats.get(PUBLISH_FAILED_STAT):
        failures.append("publishing failed")
    return failures


# --------------------------------------------------------------------------- monitors
@monitors.name("Sections")
class SectionsMonitor(BaseScrapyMonitor):  # type: ignore[misc]
    """Each requested section read its list page and mirrored its new articles."""

    def requested_sections(self) -> list[str]:
        sections = getattr(self.data.get("spider"), "sections", None)
        return list(sections) if sections else sections_in(self.data.stats)

    @monitors.name("each section read its list page and mirrored something, or had nothing new")
    def test_sections_did_their_job(self) -> None:
        problems = [
            problem
            for section in self.requested_sections()
            if (problem := section_problem(self.data.stats, section))
        ]
        self.assertFalse(problems, msg="; ".join(problems))


@monitors.name("Site selectors")
class SiteSelectorsMonitor(BaseScrapyMonitor):  # type: ignore[misc]
    """The site's own selectors served the pages; the fallback layers stayed rare.

    Threshold: ``GOODNEWS_MAX_FALLBACK_SHARE`` (0.10: at most 10 % of articles,
    and of list pages, from the fallback layers).
    """

    @monitors.name("fallback extraction stays under its share")
    def test_fallback_share(self) -> None:
        max_share = self.crawler.settings.getfloat(
            "GOODNEWS_MAX_FALLBACK_SHARE", DEFAULT_MAX_FALLBACK_SHARE
        )
        problem = fallback_problem(self.data.stats, max_share)
        self.assertIsNone(problem, msg=problem)


@monitors.name("Tree writer")
class TreeWriterMonitor(BaseScrapyMonitor):  # type: ignore[misc]
    """Every file of the tree was written (a full disk, a template failing on real data).

    It runs when the engine stops (``SPIDERMON_ENGINE_STOP_MONITORS``), after
    the tree writer has finished: the close monitors run beside it.
    """

    @monitors.name("the tree writer wrote every file")
    def test_tree_written(self) -> None:
        error = self.data.stats.get("goodnews/tree/error", "see the log")
        self.assertFalse(
            self.data.stats.get(TREE_FAILED_STAT), msg=f"writing the tree failed: {error}"
        )


# --------------------------------------------------------------------------- actions
class RecordMonitorResults(Action):  # type: ignore[misc]
    """Put the suite's outcome in stats, and each failure on one log line.

    The ``crawl`` command, Scrapyd and Scrapy Cloud read the stats; whoever
    reads the log finds what failed and why without Spidermon's tracebacks.
    """

    def __init__(self, stats: StatsCollector | None = None) -> None:
        super().__init__()
        self.stats = stats

    @classmethod
    def from_crawler_kwargs(cls, crawler: Crawler) -> dict[str, Any]:
        return {"stats": crawler.stats}

    def run_action(self) -> None:
        failed = self.result.monitors_failed_results
        if self.stats is not None:
            self.stats.inc_value(PASSED_STAT, len(self.result.monitors_passed_results))
            self.stats.inc_value(FAILED_STAT, len(failed))
        for outcome in failed:
            reason = outcome.reason or (outcome.error or "").strip().splitlines()[-1:]
            logger.error("Monitor failed: %s: %s", outcome.item.name, "".join(reason))


def notification_actions(crawler: Crawler) -> list[Action]:
    """Spidermon's notifiers whose settings are given, built for ``crawler``.

    A notifier set up but unusable (its package missing, a setting absent)
    is reported in one line; the crawl and its monitors still run.
    """
    actions = []
    for key, path, package in NOTIFIERS:
        if not crawler.settings.get(key):
            continue
        try:
            actions.append(load_object(path).from_crawler(crawler))
        except ImportError as error:
            logger.error(
                "%s is set but %s cannot load (%s): pip install %s", key, path, error, package
            )
        except NotConfigured as error:
            logger.error("%s is set but its notifier is not configured: %s", key, error)
    return actions


# --------------------------------------------------------------------------- suite
class MirrorMonitorSuite(MonitorSuite):  # type: ignore[misc]
    """What must hold when a mirror crawl closes. Thresholds are settings:

    * ``GOODNEWS_MAX_FALLBACK_SHARE``: share of fallback extraction (0.10);
    * ``SPIDERMON_MAX_ITEM_VALIDATION_ERRORS``: schema errors allowed (0);
    * ``SPIDERMON_UNWANTED_HTTP_CODES`` / ``..._MAX_COUNT``: unwanted statuses;
    * ``SPIDERMON_EXPECTED_FINISH_REASONS``: (``finished``);
    * ``SPIDERMON_MAX_ERRORS``: errors in the log (0).
    """

    monitors: ClassVar[list[Any]] = [
        SectionsMonitor,
        SiteSelectorsMonitor,
        ItemValidationMonitor,
        UnwantedHTTPCodesMonitor,
        FinishReasonMonitor,
        ErrorCountMonitor,
    ]
    monitors_finished_actions: ClassVar[list[Any]] = [RecordMonitorResults]

    def __init__(self, *args: Any, crawler: Crawler | None = None, **kwargs: Any) -> None:
        # Spidermon builds the suite with ``crawler=`` (its documented keyword).
        super().__init__(*args, crawler=crawler, **kwargs)
        if crawler is not None:
            self.add_monitors_failed_actions(notification_actions(crawler))


class TreeMonitorSuite(MonitorSuite):  # type: ignore[misc]
    """What must hold once the tree writer is done (see :class:`TreeWriterMonitor`)."""

    monitors: ClassVar[list[Any]] = [TreeWriterMonitor]
    monitors_finished_actions: ClassVar[list[Any]] = [RecordMonitorResults]

    def __init__(self, *args: Any, crawler: Crawler | None = None, **kwargs: Any) -> None:
        super().__init__(*args, crawler=crawler, **kwargs)
        if crawler is not None:
            self.add_monitors_failed_actions(notification_actions(crawler))
