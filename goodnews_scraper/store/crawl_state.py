"""The crawl's promises, kept in the tree: articles still to mirror, and those given up.

An article that failed (an HTTP error, a timeout, a page with no title, an
item the pipelines dropped) is remembered here with its URL and section, so
the next run requests it directly, whichever list page shows it by then. An
article that still fails ``CRAWL_RETRY_DAYS`` days after it first failed is
given up: still recorded, never requested again, reported once.

``store/crawl-state.json`` is published with the tree, so a fresh disk, a
Scrapy Cloud job or a fork keeps the promises too. It holds the day an
article first failed, not a count of runs, so a run that fails the same
way again (every half hour from cron) leaves it byte for byte unchanged.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from goodnews_scraper.mirror.tree import check_article_id, check_section

if TYPE_CHECKING:
    from goodnews_scraper.mirror.tree import MirrorTree

STATE_RELPATH = "store/crawl-state.json"
#: The reason of a pending article whose page exists but must be fetched again
#: (a page of an earlier release that could not be read back into a record).
REFETCH = "refetch"


class StateError(ValueError):
    """A crawl state file that cannot be read."""


@dataclass(frozen=True)
class PendingArticle:
    """An article the mirror still owes, or has given up on."""

    article_id: str
    url: str
    section: str
    first_failed: str  # YYYY-MM-DD (UTC) of the first failure
    last_reason: str
    given_up: bool = False


@dataclass
class CrawlState:
    articles: dict[str, PendingArticle]
    #: Sections whose paging a failure cut short: the next run reads their list
    #: pages past pages that list nothing new (up to max_pages).
    page_again: set[str] = field(default_factory=set)

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
            page_again = {check_section(str(s)) for s in data.get("page_again", [])}
        except (ValueError, KeyError, TypeError) as error:
            raise StateError(f"{STATE_RELPATH} cannot be read: {error}") from error
        return cls({article.article_id: article for article in articles}, page_again)

    def to_json(self) -> bytes:
        """One article a line, sorted by id, so a change is a one-line diff."""
        lines = [
            json.dumps(asdict(self.articles[key]), ensure_ascii=False, sort_keys=True)
            for key in sorted(self.articles)
        ]
        body = ",\n  ".join(lines)
        articles = f"[\n  {body}\n]" if lines else "[]"
        sections = json.dumps(sorted(self.page_again), ensure_ascii=False)
        return f'{{"articles": {articles},\n"page_again": {sections}}}\n'.encode()

    def pending(self) -> list[PendingArticle]:
        """Articles to request this run, in id order."""
        return [a for _, a in sorted(self.articles.items()) if not a.given_up]

    def queue_refetch(self, article_id: str, url: str, section: str) -> None:
        """Ask the next runs to fetch a stored article again (its page is kept until then)."""
        self.articles.setdefault(article_id, PendingArticle(article_id, url, section, "", REFETCH))

    def given_up(self) -> set[str]:
        return {key for key, article in self.articles.items() if article.given_up}

    def update(
        self,
        failures: dict[str, tuple[str, str, str]],
        succeeded: set[str],
        today: date,
        retry_days: int,
    ) -> list[PendingArticle]:
        """Apply one run: ``failures`` (id -> url, section, reason) and the ids stored.

        Returns the articles given up by this run (to be reported once).
        """
        for article_id in succeeded:
            self.articles.pop(article_id, None)
        newly_given_up = []
        for article_id, (url, section, reason) in sorted(failures.items()):
            known = self.articles.get(article_id)
            if article_id in succeeded or (known is not None and known.given_up):
                continue
            first = known.first_failed if known and known.first_failed else today.isoformat()
            article = PendingArticle(
                article_id,
                url,
                section,
                first,
                reason,
                given_up=gives_up(first, today, retry_days),
            )
            self.articles[article_id] = article
            if article.given_up:
                newly_given_up.append(article)
        return newly_given_up


def today() -> date:
    """The day failures are dated by (UTC, so every runner agrees)."""
    return datetime.now(UTC).date()


def gives_up(first_failed: str, today: date, retry_days: int) -> bool:
    """Whether a failure ``today`` ends the article's time: ``retry_days`` after the first."""
    if not first_failed:
        return False
    return (today - date.fromisoformat(first_failed)).days >= retry_days
