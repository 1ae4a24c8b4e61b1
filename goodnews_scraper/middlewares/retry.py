"""Retries that back off: wait before retrying a page the site refused for now.

Scrapy's ``RetryMiddleware`` retries 429 and 5xx answers at once. A site that
says "too many requests" or "unavailable" deserves a pause first: the time
its ``Retry-After`` header asks (capped), else an exponential backoff
(``RETRY_BACKOFF_BASE`` × 2^(retry − 1), capped by ``RETRY_BACKOFF_MAX``).
The wait holds the request's download slot, so the domain's other requests
slow down too, which is the point.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request

if TYPE_CHECKING:
    from scrapy.http import Response
    from scrapy.settings import BaseSettings


def retry_after_seconds(value: bytes | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header (seconds, or an HTTP date) as seconds from now."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    def backoff(self, retry: Request, response: Response | None) -> float:
        """Seconds to wait before ``retry`` (whose meta counts the retries so far)."""
        asked = retry_after_seconds(response.headers.get("Retry-After")) if response else None
        if asked is None:
            asked = self.backoff_base * 2 ** (retry.meta.get("retry_times", 1) - 1)
        return max(0.0, min(asked, self.backoff_max))

    async def _wait(self, retry: Request, response: Response | None) -> None:
        delay = self.backoff(retry, response)
        if delay > 0:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("goodnews/retry/backoffs")
            self.crawler.stats.inc_value("goodnews/retry/backoff_ms", round(delay * 1000))
            await asyncio.sleep(delay)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response)
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, None)
        return result
