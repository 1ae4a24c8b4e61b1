"""CPU time per stage of the mirror, kept in the crawl's stats.

Each stage (parsing, cleaning, Markdown, QR code, templates, file writes,
indexes) adds the CPU time it spent to ``goodnews/timing/<stage>_cpu_ms``, so
every run's stats say where its time went, and the benchmark divides them by
the articles mirrored. ``time.process_time`` costs well under a microsecond,
negligible against the milliseconds a stage takes.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

if TYPE_CHECKING:
    from scrapy.statscollectors import StatsCollector

PREFIX = "goodnews/timing/"

P = ParamSpec("P")
R = TypeVar("R")


def stat_key(stage: str) -> str:
    return f"{PREFIX}{stage}_cpu_ms"


def add_cpu_ms(stats: StatsCollector | None, stage: str, started: float) -> None:
    """Add the CPU time since ``started`` (a ``time.process_time()``) to ``stage``."""
    if stats is None:
        return
    key = stat_key(stage)
    spent = (time.process_time() - started) * 1000
    # Rounded to the microsecond so the stats dump stays readable.
    stats.set_value(key, round(stats.get_value(key, 0.0) + spent, 3))


class StageTimer:
    """``with timer:`` adds the block's CPU time to its stage (not re-entrant)."""

    __slots__ = ("stage", "started", "stats")

    def __init__(self, stats: StatsCollector | None, stage: str) -> None:
        self.stats = stats
        self.stage = stage
        self.started = 0.0

    def __enter__(self) -> None:
        self.started = time.process_time()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        add_cpu_ms(self.stats, self.stage, self.started)


def timed(
    stage: str,
) -> Callable[[Callable[Concatenate[Any, P], R]], Callable[Concatenate[Any, P], R]]:
    """Time a method of a component that keeps the crawler's stats as ``self.stats``.

    For plain methods (a pipeline's ``process_item``), not generators: a
    generator's work happens after the call returns.
    """

    def decorate(method: Callable[Concatenate[Any, P], R]) -> Callable[Concatenate[Any, P], R]:
        @functools.wraps(method)
        def wrapper(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
            started = time.process_time()
            try:
                return method(self, *args, **kwargs)
            finally:
                add_cpu_ms(getattr(self, "stats", None), stage, started)

        return wrapper

    return decorate
