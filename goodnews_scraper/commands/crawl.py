"""``scrapy crawl``, with a start-up check that fails in one line.

Scrapy reports an exception raised while the spider is built as a traceback
halfway through its log. This command checks the spider's arguments and the
project's settings before anything starts, and prints one line naming the
bad argument or setting (exit status 2).
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from goodnews_scraper.conversion.templates import TemplateSetupError
from goodnews_scraper.settings_checks import SettingError, check_settings
from goodnews_scraper.spiders.arguments import SpiderArgumentError

if TYPE_CHECKING:
    import argparse

logger = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None and self.settings is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
                preflight = getattr(spidercls, "preflight", None)
                if preflight is not None:
                    preflight(self.settings, **opts.spargs)
                check_settings(self.settings)
            except KeyError:
                pass  # an unknown spider: Scrapy's own message follows
            except (SpiderArgumentError, SettingError, TemplateSetupError) as error:
                self._report_start_error(str(error))
                return
        super().run(args, opts)

    def _report_start_error(self, error: str) -> None:
        """One line in the job log (Scrapyd, Scrapy Cloud) and on the console."""
        assert self.settings is not None
        message = f"scrapy crawl: error: {error}"
        logger.critical(message)
        if self.settings.get("LOG_FILE") or not self.settings.getbool("LOG_ENABLED"):
            # The log goes to a file, or nowhere: say it on the console too.
            print(message, file=sys.stderr)
        self.exitcode = 2
