"""The crawl's promises, kept in the tree: articles still to mirror, and those given up.

An article that failed (an HTTP error, a timeout, a page with no title, an
item the pipelines dropped) is remembered here with its URL and section, so
the next run requests it directly, whichever list page shows it by then. An
article that keeps failing is given up after ``CRAWL_RETRY_RUNS`` runs:
still recorded, never requested again, reported once.

``store/crawl-state.json`` is published with the tree, so a fresh disk, a
Scrapy Cloud job or a fork keeps the promises too. It counts runs, never
clocks, so a run in which nothing fails leaves it byte for byte unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from goodnews_scraper.mirror.tree import check_article_id, check_section

if TYPE_CHECKING:
    from goodnews_scraper.mirror.tree import MirrorTree

STATE_RELPATH = "store/crawl-state.json"
#: The reason of a pending article whose page exists but must be fetched again
#: (a page of an earlier release that could not be read back into a record).
REFETCH = "refetch"
#: Runs an article is tried in before it is given up (the CRAWL_RETRY_RUNS default).
DEFAULT_RETRY_RUNS = 5


class StateError(ValueError):
    """A crawl state file that cannot be read."""


@dataclass(frozen=True)
class PendingArticle:
    """An article the mirror still owes, or has given up on."""

    article_id: str
    url: str
    section: str
    attempts: int  # runs that requested it and failed
    last_reason: str
    given_up: bool = False


@dataclass
class CrawlState:
    articles: dict[str, PendingArticle]

    @classmethod
    def load(cls, tree: MirrorTree) -> CrawlState:
        """The tree's state; empty when there is none. Raises StateError on a broken file."""
        try:
            raw = (tree.root / STATE_RELPATH).read_bytes()
        except FileNotFoundError:
            return cls({})
        try:
            data = json.loads(raw)
            articles = [PendingArticle(**item) for item in data["articles"]]
            for article in articles:
                check_article_id(article.article_id)
                check_section(article.section)
        except (ValueError, KeyError, TypeError) as error:
            raise StateError(f"{STATE_RELPATH} cannot be read: {error}") from error
        return cls({article.article_id: article for article in articles})

    def to_json(self) -> bytes:
        """One article a line, sorted by id, so a change is a one-line diff."""
        lines = [
            json.dumps(asdict(self.articles[key]), ensure_ascii=False, sort_keys=True)
            for key in sorted(self.articles)
        ]
        body = ",\n  ".join(lines)
        return (f'{{"articles": [\n  {body}\n]}}\n' if lines else '{"articles": []}\n').encode()

    def pending(self) -> list[PendingArticle]:
        """Articles to request this run, in id order."""
        return [a for _, a in sorted(self.articles.items()) if not a.given_up]

    def queue_refetch(self, article_id: str, url: str, section: str) -> None:
        """Ask the next runs to fetch a stored article again (its page is kept until then)."""
        self.articles.setdefault(article_id, PendingArticle(article_id, url, section, 0, REFETCH))

    def given_up(self) -> set[str]:
        return {key for key, article in self.articles.items() if article.given_up}

    def update(
        self,
        failures: dict[str, tuple[str, str, str]],
        succeeded: set[str],
        retry_runs: int,
    ) -> list[PendingArticle]:
        """Apply one run: ``failures`` (id -> url, section, reason) and the ids stored.

        Returns the articles given up by this run (to be reported once).
        """
        for article_id in succeeded:
            self.articles.pop(article_id, None)
        newly_given_up = []
        for article_id, (url, section, reason) in sorted(failures.items()):
            if article_id in succeeded:
                continue
            known = self.articles.get(article_id)
            if known is not None and known.given_up:
                continue
            attempts = (known.attempts if known else 0) + 1
            article = PendingArticle(
                article_id, url, section, attempts, reason, given_up=attempts >= retry_runs
            )
            self.articles[article_id] = article
            if article.given_up:
                newly_given_up.append(article)
        return newly_given_up
