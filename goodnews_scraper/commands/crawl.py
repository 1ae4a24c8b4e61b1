"""``scrapy crawl``, with a start-up check that fails in one line.

Scrapy reports an exception raised while the spider is built as a traceback
halfway through its log. This command checks the spider's arguments and the
project's settings before anything starts, and prints one line naming the
bad argument or setting (exit status 2).

After the crawl it judges the run: a monitor failed (monitors.py), the crawl
did not finish, or publishing failed: one line saying so, exit status 1.
Plain ``scrapy crawl`` ends with 0 whatever happened; cron, CI and Scrapyd
(whose runner calls the same command) need to know.

The whole run holds SITE_DIR's lock (``mirror/lock.py``), taken before
anything reads or restores the tree: a second run into the same folder ends
at once with one line naming the run that holds it (exit status 2).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from goodnews_scraper.conversion.templates import TemplateRenderError, TemplateSetupError
from goodnews_scraper.mirror.lock import TreeLock, TreeLocked
from goodnews_scraper.mirror.tree import MirrorTree
from goodnews_scraper.monitors import job_failures
from goodnews_scraper.renderers.mirror import MirrorRenderer
from goodnews_scraper.settings_checks import SettingError, check_settings, site_dir
from goodnews_scraper.spiders.arguments import SpiderArgumentError

if TYPE_CHECKING:
    import argparse

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or self.crawler_process is None or self.settings is None:
            super().run(args, opts)  # Scrapy's own usage errors
            return
        try:
            spidercls = self.crawler_process.spider_loader.load(args[0])
        except KeyError:
            super().run(args, opts)  # an unknown spider: Scrapy's own message
            return
        if not self._preflight(spidercls, opts):
            return
        lock = self._lock_tree()
        if lock is None:
            return
        try:
            # Scrapy's own crawl command, through CrawlerProcess's public API, so
            # the crawler (and its stats) is still at hand once the crawl is over.
            crawler = self.crawler_process.create_crawler(spidercls)
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
            if self.crawler_process.bootstrap_failed:
                self.exitcode = 1
            self._judge_run(crawler)
        finally:
            lock.release()

    def _lock_tree(self) -> TreeLock | None:
        """SITE_DIR's lock, or None (exit status 2, one line) when it cannot be had."""
        assert self.settings is not None
        try:
            return TreeLock(site_dir(self.settings)).acquire()
        except (TreeLocked, SettingError) as error:
            self._report_start_error(str(error))
        except OSError as error:
            self._report_start_error(f"cannot lock SITE_DIR: {error}")
        return None

    def _preflight(self, spidercls: type[Spider], opts: argparse.Namespace) -> bool:
        """Check arguments, settings and templates (nothing is written); False after a
        one-line error."""
        assert self.settings is not None
        try:
            preflight = getattr(spidercls, "preflight", None)
            if preflight is not None:
                preflight(self.settings, **opts.spargs)
            check_settings(self.settings)
            # Every template, on the tree's own data: a failure stops the start.
            MirrorRenderer.from_settings(self.settings, spidercls.name).check(
                MirrorTree(site_dir(self.settings))
            )
        except (
            SpiderArgumentError,
            SettingError,
            TemplateSetupError,
            TemplateRenderError,
        ) as error:
            self._report_start_error(str(error))
            return False
        return True

    def _judge_run(self, crawler: Crawler) -> None:
        """Exit status 1, with one line saying why, when the crawl did not do its job."""
        if self.exitcode or crawler.stats is None:
            return  # Scrapy already failed it (the spider could not start)
        settings = crawler.settings
        monitors = settings.getbool("SPIDERMON_ENABLED") and settings.getbool(
            "GOODNEWS_MONITORS_FAIL_RUN", True
        )
        failures = job_failures(crawler.stats.get_stats(), monitors=monitors)
        if failures:
            message = f"scrapy crawl: the crawl did not do its job: {'; '.join(failures)}"
            self._say(logging.ERROR, message, " (see the log above)")
            self.exitcode = 1

    def _report_start_error(self, error: str) -> None:
        self._say(logging.CRITICAL, f"scrapy crawl: error: {error}")
        self.exitcode = 2

    def _say(self, level: int, message: str, log_suffix: str = "") -> None:
        """One line in the job log (Scrapyd, Scrapy Cloud) and on the console."""
        assert self.settings is not None
        logger.log(level, "%s%s", message, log_suffix)
        if self.settings.get("LOG_FILE") or not self.settings.getbool("LOG_ENABLED"):
            # The log goes to a file, or nowhere: say it on the console too.
            print(message, file=sys.stderr)
