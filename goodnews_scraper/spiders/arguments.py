"""Checks for spider arguments (``-a name=value``), with one-line errors.

Arguments arrive as strings from the command line, Scrapyd's schedule.json
or a Scrapy Cloud job; each is checked before the first request, and the
error names the argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


class SpiderArgumentError(ValueError):
    """An invalid ``-a`` argument; the message is one line naming it."""

    def __init__(self, name: str, value: object, expected: str) -> None:
        shown = str(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        super().__init__(f"invalid spider argument {name}={shown!r}: expected {expected}")
        self.name = name


def choice(name: str, value: str, allowed: Iterable[str]) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise SpiderArgumentError(name, value, "one of " + ", ".join(allowed))
    return value


def positive_int(name: str, value: object, maximum: int) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[0-9]{1,6}", text) or not 1 <= int(text) <= maximum:
        raise SpiderArgumentError(name, value, f"a whole number from 1 to {maximum}")
    return int(text)


def comma_list(name: str, value: str, pattern: re.Pattern[str], expected: str) -> tuple[str, ...]:
    """Comma-separated values, each matching ``pattern``; duplicates dropped, order kept."""
    items = [part.strip() for part in str(value).split(",")]
    if not any(items):
        raise SpiderArgumentError(name, value, expected)
    for item in items:
        if not pattern.fullmatch(item):
            raise SpiderArgumentError(name, item, expected)
    return tuple(dict.fromkeys(items))
