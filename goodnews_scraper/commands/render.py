"""``scrapy render``: rebuild every page, QR code, index and the home page from the store.

A mirror's maintainer changes templates, the repository's address
(``MIRROR_BASE_URL``) or where pictures come from (``ASSETS_BASE_URL``) far
more often than the site changes. This command applies such a change to the
whole tree, offline: it reads the same settings as the crawl, makes no
request, and writes only the files whose bytes change.

A tree a fresh disk holds only in part (``mirror.tree.PUBLISHED_ONLY``) is
completed first by the publisher ``PUBLISH`` names: every published file is
fetched, since any may change.

Exit status: 0 done; 2 a bad setting, or a template that fails on the stored
data (every template is rendered against all the data before the first
write, so then no file is touched); 1 a failure midway (a full disk), with
every file whole and the next render completing the tree.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from scrapy.commands import ScrapyCommand
from tqdm import tqdm

from goodnews_scraper.conversion.templates import TemplateRenderError, TemplateSetupError
from goodnews_scraper.mirror.files import WriteBatch, sync_filesystem
from goodnews_scraper.mirror.lock import TreeLock, TreeLocked
from goodnews_scraper.mirror.tree import PUBLISHED_ONLY, MirrorTree, UnsafeNameError
from goodnews_scraper.publishing.base import PublishError
from goodnews_scraper.publishing.config import publisher_from_settings
from goodnews_scraper.renderers.mirror import MirrorRenderer
from goodnews_scraper.renderers.tree import (
    RenderPlan,
    TreeProblems,
    plan_render,
    tree_site,
    tree_units,
)
from goodnews_scraper.settings_checks import SettingError, site_dir

if TYPE_CHECKING:
    import argparse

#: Files put in place per sync of the disk.
WRITE_BATCH_FILES = 500


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}  # noqa: RUF012

    def short_desc(self) -> str:
        return "Render the whole mirror tree (SITE_DIR) again from its stored data"

    def long_desc(self) -> str:
        return (
            "Rebuild every page, QR code, index and the home page of SITE_DIR from the "
            "article store and index data, with the current templates (TEMPLATES_DIR), "
            "MIRROR_BASE_URL and ASSETS_BASE_URL. Makes no request; writes only files "
            "whose bytes change."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on a terminal"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        started = time.monotonic()
        try:
            tree = MirrorTree(site_dir(self.settings))
            renderer = MirrorRenderer.from_settings(self.settings, tree_site(tree))
        except (SettingError, TemplateSetupError) as error:
            self._fail(2, str(error))
            return
        if not tree.root.is_dir():
            self._fail(2, f"SITE_DIR {str(tree.root)!r} holds no mirror tree")
            return
        try:
            lock = TreeLock(tree.root).acquire()
        except TreeLocked as error:  # a crawl or another render is writing the tree
            self._fail(2, str(error))
            return
        try:
            if self._complete(tree):
                self._render(tree, renderer, opts, started)
        finally:
            lock.release()

    def _complete(self, tree: MirrorTree) -> bool:
        """Fetch the published files a fresh disk left out; False after a one-line error."""
        absent = len(tree.published_only())
        if not absent:
            return True
        assert self.settings is not None
        try:
            publisher = publisher_from_settings(self.settings)
        except SettingError as error:
            self._fail(2, str(error))
            return False
        if publisher is None:
            self._fail(
                2,
                f"SITE_DIR holds {absent} published files only in the publication "
                f"(listed in {PUBLISHED_ONLY}); set PUBLISH as the crawl does to fetch them",
            )
            return False
        try:
            fetched = publisher.restore_all()
        except PublishError as error:
            self._fail(1, str(error))
            return False
        print(
            f"scrapy render: fetched {fetched} files from {publisher.destination}", file=sys.stderr
        )
        return True

    def _render(
        self, tree: MirrorTree, renderer: MirrorRenderer, opts: argparse.Namespace, started: float
    ) -> None:
        show = not opts.no_progress and sys.stderr.isatty()
        problems = TreeProblems()
        units = list(tree_units(tree, renderer, problems))
        try:
            with tqdm(total=len(units), desc="checking", unit="", disable=not show) as bar:
                plan = plan_render(tree, units, bar.update)
        except TemplateRenderError as error:
            self._fail(2, f"{error} (no file was changed)")
            return
        try:
            self._write(tree, plan, show)
        except (OSError, UnsafeNameError) as error:
            self._fail(1, f"writing the tree failed: {error}; every file is whole, run it again")
            return
        self._report(plan, problems, time.monotonic() - started)

    @staticmethod
    def _write(tree: MirrorTree, plan: RenderPlan, show: bool) -> None:
        """Run the changed units again and put their changed files in place, in order."""
        batch = WriteBatch()
        with tqdm(total=plan.files_changed, desc="writing", unit=" files", disable=not show) as bar:
            for unit in plan.changed:
                for file in unit.render():
                    if tree.stage(tree.root / file.relpath, file.data, batch):
                        bar.update(1)
                if len(batch) >= WRITE_BATCH_FILES:
                    batch.commit()
            batch.commit()
        if plan.files_changed:
            sync_filesystem(tree.root)

    @staticmethod
    def _report(plan: RenderPlan, problems: TreeProblems, seconds: float) -> None:
        print(
            f"scrapy render: {plan.files_changed} files changed, "
            f"{plan.files_unchanged} unchanged ({seconds:.1f} s)",
            file=sys.stderr,
        )
        for line in problems.broken_records:
            print(f"scrapy render: warning: record not used: {line}", file=sys.stderr)
        if problems.inexact_pages:
            print(
                f"scrapy render: warning: {len(problems.inexact_pages)} pages of an earlier "
                f"release were left as they are (not readable back exactly; first: "
                f"{problems.inexact_pages[0]}); see docs/render.md to refetch them",
                file=sys.stderr,
            )

    def _fail(self, status: int, message: str) -> None:
        print(f"scrapy render: error: {message}", file=sys.stderr)
        self.exitcode = status
