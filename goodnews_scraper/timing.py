"""CPU time per stage of the mirror, kept in the crawl's stats.

Each stage (parsing, cleaning, Markdown, QR code, templates, file writes,
indexes) adds the CPU time it spent to ``goodnews/timing/<stage>_cpu_ms``, so
every run's stats say where its time went, and the benchmark divides them by
the articles mirrored. A timed block costs about 4 µs (two
``time.process_time()`` calls and one stats write), well under 1 % of the
milliseconds an article takes.
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


class StageTimer:
    """``with timer:`` adds the block's CPU time to its stage's stat.

    It keeps the running total itself, so there must be one timer per stage
    and crawl (see :func:`stage_timer`); blocks must not nest.
    """

    __slots__ = ("key", "started", "stats", "total_ms")

    def __init__(self, stats: StatsCollector | None, stage: str) -> None:
        self.stats = stats
        self.key = stat_key(stage)
        self.started = 0.0
        self.total_ms = 0.0

    def __enter__(self) -> None:
        self.started = time.process_time()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.total_ms += (time.process_time() - self.started) * 1000
        if self.stats is not None:
            # Rounded to the microsecond so the stats dump stays readable.
            self.stats.set_value(self.key, round(self.total_ms, 3))


def stage_timer(owner: Any, stats: StatsCollector | None, stage: str) -> StageTimer:
    """The timer of ``stage`` kept on ``owner`` (a spider, pipeline or exporter)."""
    timers: dict[str, StageTimer] = owner.__dict__.setdefault("_stage_timers", {})
    timer = timers.get(stage)
    if timer is None:
        timer = timers[stage] = StageTimer(stats, stage)
    return timer


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
            with stage_timer(self, getattr(self, "stats", None), stage):
                return method(self, *args, **kwargs)

        return wrapper

    return decorate
