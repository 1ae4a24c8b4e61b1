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

from itemadapter import ItemAdapter
from jsonschema.validators import validator_for
from scrapy.exceptions import DropItem
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.validation import JSONSchemaValidator
from spidermon.contrib.validation.jsonschema.formats import format_checker
from spidermon.contrib.validation.jsonschema.validator import REQUIRED_RE

from goodnews_scraper.items import Article

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

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
    """A JSON Schema validator that first turns the item into JSON values.

    Spidermon builds a new ``jsonschema`` validator for every item; this one
    is built once.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        super().__init__(schema)
        self._checker = validator_for(schema)(schema=schema, format_checker=format_checker)

    def _validate(self, data: object, strict: bool = False) -> None:
        for error in self._checker.iter_errors(as_json(data)):
            path = [str(part) for part in error.absolute_path]
            required = REQUIRED_RE.search(error.message)
            if required:
                path.append(required.group(1))
            self._add_errors({".".join(path): [error.message]})


class ArticleValidationPipeline(ItemValidationPipeline):  # type: ignore[misc]
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArticleValidationPipeline:
        assert crawler.stats is not None
        return cls(
            validators={Article.__name__: [JsonValidator(site_article_schema(crawler.spider))]},
            stats=crawler.stats,
            drop_items_with_errors=crawler.settings.getbool(
                "SPIDERMON_VALIDATION_DROP_ITEMS_WITH_ERRORS", True
            ),
        )

    def process_item(self, item: Any, spider: Any = None) -> Any:
        """Spidermon's, without its deep copy of the item (``JsonValidator`` reads the item).

        The copy (``ItemAdapter.asdict``) cost about 0.1 ms an article.
        """
        validators = self.find_validators(item)
        if not validators:
            return item
        self.stats.add_item()
        self.stats.add_fields(len(ItemAdapter(item).field_names()))
        for validator in validators:
            ok, errors = validator.validate(item)
            if not ok:
                self._add_error_stats(errors)
                if self.add_errors_to_items:
                    self._add_errors_to_item(ItemAdapter(item), errors)
                if self.drop_items_with_errors:
                    self._drop_item(item, errors)
        return item

    def _drop_item(self, item: Any, errors: dict[str, list[str]]) -> None:
        self.stats.add_dropped_item()
        shown = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in sorted(errors.items()))
        url = getattr(item, "url", "?")
        logger.warning("Dropped article %s: it does not match the schema (%s)", url, shown[:500])
        raise DropItem(f"{url}: does not match the article schema", log_level="DEBUG")
