"""A stats collector that times the crawl from inside and hands its stats over as JSON.

The benchmark swaps ``STATS_CLASS`` for this one in its own runs only (the
project's extensions stay as they are). It records the process's CPU time
and the wall clock when the spider opens and when it closes (after the
``spider_closed`` handlers, so the mirror's index writing and the monitors are
in), as ``benchmark/{cpu,wall}_{opened,closed}_s``, and writes the final stats
to the file named by the ``BENCHMARK_STATS_FILE`` setting.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.statscollectors import MemoryStatsCollector

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class JsonFileStatsCollector(MemoryStatsCollector):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.path = crawler.settings.get("BENCHMARK_STATS_FILE")

    def _clocks(self, moment: str) -> None:
        self.set_value(f"benchmark/cpu_{moment}_s", time.process_time())
        self.set_value(f"benchmark/wall_{moment}_s", time.time())

    def open_spider(self, spider: Spider | None = None) -> None:
        super().open_spider()
        self._clocks("opened")

    def close_spider(self, spider: Spider | None = None, reason: str | None = None) -> None:
        self._clocks("closed")
        super().close_spider(reason=reason)

    def _persist_stats(self, stats: dict[str, Any]) -> None:
        super()._persist_stats(stats)
        if self.path:
            Path(self.path).write_text(json.dumps(stats, default=str, sort_keys=True, indent=1))
