"""Keep credentials out of logs: remote URLs may carry a token."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

# Settings errors show remotes too, so the masking lives with the settings checks.
from goodnews_scraper.settings_checks import mask_url as mask_url


def url_secrets(url: str) -> tuple[str, ...]:
    """The secret of an http(s) URL, raw and decoded: its password, or its user
    when there is no password (``https://TOKEN@host``)."""
    scheme, _, rest = url.partition("://")
    netloc = rest.split("/", 1)[0]
    if scheme.lower() not in ("http", "https") or "@" not in netloc:
        return ()
    user, _, password = netloc.rsplit("@", 1)[0].partition(":")
    secret = password or user
    return tuple(sorted({secret, unquote(secret)} - {""}, key=len, reverse=True))


def strip_credentials(url: str) -> str:
    """An http(s) URL without its credentials, safe to store and show."""
    if not url_secrets(url):
        return url
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with credentials in URLs masked and every known secret replaced."""
    text = mask_url(text)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
