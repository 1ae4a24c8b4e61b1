"""What a run did, said at its end; and how far it is, said while it runs.

At the end, one log record (INFO) lists per section the articles listed,
already mirrored, new, mirrored and not mirrored (with reasons), then the
extraction layers, images, retries and duration. The same numbers are in
the stats (``goodnews/sections/<section>/...``), which Scrapyd and Scrapy
Cloud keep with the job. While the crawl runs, one progress line every
``GOODNEWS_PROGRESS_INTERVAL`` seconds (0: none) replaces Scrapy's
``LogStats`` line: articles done, queued, rate. With
``GOODNEWS_SUMMARY_FILE`` set, the summary is also written to that file, for
a runner that shows it on its own (a GitHub Actions job summary).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet.task import LoopingCall

from goodnews_scraper.items import Article, SectionListing
from goodnews_scraper.monitors import (
    Stats,
    counts_text,
    prefixed,
    section_counts,
    sections_in,
)

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DEFAULT_PROGRESS_INTERVAL = 60.0


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def section_line(stats: Stats, section: str, name: str = "") -> str:
    """One section's outcome, e.g. ``prog204 (大陆): 10 listed, 2 already mirrored, ...``."""
    c = section_counts(stats, section)
    label = f"{section} ({name})" if name and name != section else section
    pages = f"{c['list_pages']} list page{'s' if c['list_pages'] != 1 else ''}"
    if c["list_failed"]:
        pages += f", list pages failed: {counts_text(c['list_failed'])}"
    if not c["listed"]:
        return f"{label}: {pages}, no article listed"
    if not c["requested"]:
        return f"{label}: {pages}, {c['listed']} listed, nothing new"
    not_mirrored = sum(c["not_mirrored"].values())
    line = (
        f"{label}: {pages}, {c['listed']} listed, {c['already']} already mirrored, "
        f"{c['requested']} new: {c['mirrored']} mirrored"
    )
    if not_mirrored:
        line += f", {not_mirrored} not ({counts_text(c['not_mirrored'])})"
    return line


def summary_text(stats: Stats, sections: list[str], names: dict[str, str]) -> str:
    """The end-of-run summary, one line per section then one per topic."""
    lines = [f"Summary of the run ({stats.get('finish_reason', 'running')}):"]
    lines += [f"  {section_line(stats, s, names.get(s, ''))}" for s in sections]
    mirrored = int(stats.get("goodnews/articles/mirrored", 0))
    layers = counts_text(prefixed(stats, "goodnews/extraction/article/"))
    lines.append(f"  articles mirrored: {mirrored}; extraction layers: {layers or 'none'}")
    images = prefixed(stats, "goodnews/images/")
    if images:
        failed = {k: v for k, v in images.items() if k.startswith("failed/")}
        rest = {k: v for k, v in images.items() if k not in failed}
        line = f"  images: {counts_text(rest) or 'none'}"
        if failed:
            line += f"; failed: {sum(failed.values())} ({counts_text(failed)})"
        lines.append(line)
    again = int(stats.get("goodnews/articles/requested_again", 0))
    given_up = int(stats.get("goodnews/articles/given_up", 0))
    if again or given_up:
        # Once: an article given up is never requested again, so never reported again.
        lines.append(
            f"  crawl state: {again} articles that failed before requested again; "
            f"{given_up} given up this run (see store/crawl-state.json)"
        )
    retries = prefixed(stats, "retry/reason_count/")
    if retries:
        lines.append(f"  retries: {counts_text(retries)}")
    dropped = int(stats.get("goodnews/requests/dropped", 0))
    if dropped:
        lines.append(f"  requests dropped by the scheduler: {dropped}")
    elapsed = float(stats.get("elapsed_time_seconds", 0.0))
    lines.append(f"  duration: {_duration(elapsed)}")
    return "\n".join(lines)


def progress_line(stats: Stats, sections: list[str], elapsed: float) -> str:
    """``Progress: 14 list pages read; 42 of 120 articles done (...), 78 queued, 35.2/min``."""
    counts = [section_counts(stats, s) for s in sections]
    pages = sum(c["list_pages"] for c in counts)
    requested = sum(c["requested"] for c in counts)
    mirrored = sum(c["mirrored"] for c in counts)
    failed = sum(sum(c["not_mirrored"].values()) for c in counts)
    done = mirrored + failed
    rate = done / elapsed * 60 if elapsed > 0 else 0.0
    return (
        f"Progress: {pages} list pages read; {done} of {requested} articles done "
        f"({mirrored} mirrored, {failed} not), {max(requested - done, 0)} queued, "
        f"{rate:.1f} articles/min"
    )


class RunSummary:
    """Counts per section what the pipelines let through, and tells the run's story."""

    def __init__(self, stats: StatsCollector, interval: float, summary_file: str = "") -> None:
        self.stats = stats
        self.interval = interval
        self.summary_file = summary_file
        self.names: dict[str, str] = {}
        self.sections: list[str] = []
        self._task: LoopingCall | None = None
        self._started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunSummary:
        assert crawler.stats is not None
        interval = crawler.settings.getfloat(
            "GOODNEWS_PROGRESS_INTERVAL", DEFAULT_PROGRESS_INTERVAL
        )
        summary_file = crawler.settings.get("GOODNEWS_SUMMARY_FILE") or ""
        extension = cls(crawler.stats, interval, summary_file)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.request_dropped, signal=signals.request_dropped)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self.sections = list(getattr(spider, "sections", ()))
        self._started = time.monotonic()
        if self.interval > 0:
            self._task = LoopingCall(self.log_progress)
            self._task.start(self.interval, now=False)

    def log_progress(self) -> None:
        stats = self.stats.get_stats()
        elapsed = time.monotonic() - self._started
        logger.info(progress_line(stats, self.sections or sections_in(stats), elapsed))

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, Article):
            self.stats.inc_value("goodnews/articles/mirrored")
            self.stats.inc_value(f"goodnews/sections/{item.section}/articles/mirrored")
        elif isinstance(item, SectionListing):
            self.names[item.section] = item.section_name

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        if isinstance(item, Article):
            self.stats.inc_value("goodnews/articles/dropped")
            # Why is in the pipeline's own stats and log line (schema, empty body).
            self.stats.inc_value(f"goodnews/sections/{item.section}/articles/dropped/by_pipeline")

    def request_dropped(self, request: Any) -> None:
        """A request the scheduler refused (a duplicate: e.g. a redirect back to a seen URL)."""
        self.stats.inc_value("goodnews/requests/dropped")
        section = request.cb_kwargs.get("section")
        if "article_id" in request.cb_kwargs and section:
            self.stats.inc_value(f"goodnews/sections/{section}/articles/dropped/duplicate_request")
            logger.warning(
                "Article %s was not fetched: the scheduler dropped %s as a duplicate "
                "(a redirect back to a URL already seen?)",
                request.cb_kwargs["article_id"],
                request.url,
            )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
        stats = self.stats.get_stats()
        sections = self.sections or sections_in(stats)
        text = summary_text(stats, sections, self.names)
        logger.info(text)
        if self.summary_file:
            try:
                Path(self.summary_file).write_text(text + "\n", "utf-8")
            except OSError as error:
                # An error in the log (this handler runs before the monitors'): the run fails.
                logger.error("Cannot write GOODNEWS_SUMMARY_FILE: %s", error)
