"""Check each article against the JSON Schema before it becomes a page.

Spidermon's item validation, with two changes: the schema ships inside the
package (read with importlib.resources, so it also loads from a Scrapyd or
Scrapy Cloud egg), and the item is checked as the JSON a feed would hold
(times as ISO 8601 strings), not as Python objects. An invalid article is
logged in one line, counted under ``spidermon/validation/...`` and dropped:
it is tried again next run, and the monitors fail the job.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.validation import JSONSchemaValidator

from goodnews_scraper.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Package data of goodnews_scraper (setup.py ships ``schemas/*.json``).
ARTICLE_SCHEMA = "schemas/article.json"


@cache
def article_schema() -> dict[str, Any]:
    """The packaged JSON Schema of an :class:`Article`, as every site's articles share it."""
    text = resources.files("goodnews_scraper").joinpath(ARTICLE_SCHEMA).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def site_article_schema(spider: object) -> dict[str, Any]:
    """The shared schema narrowed by the spider's site (its URL, id and edition patterns).

    Both must hold (``allOf``), so a site can only be stricter than the shared one.
    """
    site = getattr(spider, "site", None)
    if site is None:
        return article_schema()
    shared = {k: v for k, v in article_schema().items() if not k.startswith("$")}
    return {
        "$schema": article_schema()["$schema"],
        "allOf": [shared, site.item_schema()],
    }


def as_json(data: object) -> Any:
    """``data`` as the JSON a feed export would hold (times as ISO 8601, bytes as a size)."""
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    if isinstance(data, dict):
        return {str(key): as_json(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [as_json(value) for value in data]
    if isinstance(data, datetime):
        return data.isoformat()
    if isinstance(data, bytes):
        return len(data)
    if dataclasses.is_dataclass(data) and not isinstance(data, type):
        # Field by field: dataclasses.asdict would deep-copy every value first.
        return {f.name: as_json(getattr(data, f.name)) for f in dataclasses.fields(data)}
    raise TypeError(f"{type(data).__name__} is not JSON serializable")


class JsonValidator(JSONSchemaValidator):  # type: ignore[misc]
    """Spidermon's JSON Schema validator, given the item as the JSON a feed would hold."""

    def validate(self, data: object, strict: bool = True) -> tuple[bool, dict[str, list[str]]]:
        result: tuple[bool, dict[str, list[str]]] = super().validate(as_json(data), strict)
        return result


class ArticleValidationPipeline(ItemValidationPipeline):  # type: ignore[misc]
    """Spidermon's item validation (its counts and error stats), dropping an
    invalid article with one log line that says why."""

    def __init__(self, validator: JsonValidator, stats: StatsCollector, *, drop: bool) -> None:
        # Spidermon only counts here; dropping is ours, so the log says why in one line.
        super().__init__({Article.__name__: [validator]}, stats, drop_items_with_errors=False)
        self.validator = validator
        self.drop = drop

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleValidationPipeline:
        assert crawler.stats is not None
        drop = crawler.settings.getbool("SPIDERMON_VALIDATION_DROP_ITEMS_WITH_ERRORS", True)
        return cls(JsonValidator(site_article_schema(crawler.spider)), crawler.stats, drop=drop)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        item = super().process_item(item)
        # The validator holds the errors of the item it checked last: this one.
        if self.drop and isinstance(item, Article) and self.validator.has_errors:
            self.stats.add_dropped_item()
            errors = self.validator.errors
            shown = "; ".join(
                f"{field}: {', '.join(msgs)}" for field, msgs in sorted(errors.items())
            )
            logger.warning(
                "Dropped article %s: it does not match the schema (%s)", item.url, shown[:500]
            )
            raise DropItem(f"{item.url}: does not match the article schema", log_level="DEBUG")
        return item
