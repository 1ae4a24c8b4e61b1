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

logger = logging.getLogger(__name__)

#: Package data of goodnews_scraper (setup.py ships ``schemas/*.json``).
ARTICLE_SCHEMA = "schemas/article.json"


@cache
def article_schema() -> dict[str, Any]:
    """The packaged JSON Schema of an :class:`Article`."""
    text = resources.files("goodnews_scraper").joinpath(ARTICLE_SCHEMA).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _json_value(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return len(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def as_json(data: object) -> Any:
    """``data`` as the JSON a feed export would hold."""
    return json.loads(json.dumps(data, default=_json_value))


class JsonValidator(JSONSchemaValidator):  # type: ignore[misc]
    """A JSON Schema validator that first turns the item into JSON values."""

    def _validate(self, data: object, strict: bool = False) -> None:
        super()._validate(as_json(data), strict)


class ArticleValidationPipeline(ItemValidationPipeline):  # type: ignore[misc]
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleValidationPipeline:
        assert crawler.stats is not None
        return cls(
            validators={Article.__name__: [JsonValidator(article_schema())]},
            stats=crawler.stats,
            drop_items_with_errors=crawler.settings.getbool(
                "SPIDERMON_VALIDATION_DROP_ITEMS_WITH_ERRORS", True
            ),
        )

    def _drop_item(self, item: Any, errors: dict[str, list[str]]) -> None:
        self.stats.add_dropped_item()
        shown = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in sorted(errors.items()))
        url = getattr(item, "url", "?")
        logger.warning("Dropped article %s: it does not match the schema (%s)", url, shown[:500])
        raise DropItem(f"{url}: does not match the article schema", log_level="DEBUG")
