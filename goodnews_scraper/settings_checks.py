"""Read and check the project's own settings once, with errors that name them.

A wrong setting must stop the crawl at start with one clear line, not
halfway through a job.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class SettingError(ValueError):
    """A project setting with a value the mirror cannot use."""


def _base_url(settings: BaseSettings, name: str) -> str:
    """An http(s) URL setting without a trailing slash, or "" when unset."""
    value = (settings.get(name) or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s<>]", value):
        raise SettingError(f"{name} must be an http(s) URL without spaces, got {value[:200]!r}")
    return value.rstrip("/")


def mirror_base_url(settings: BaseSettings) -> str:
    """MIRROR_BASE_URL: where the tree is published (share links, QR codes), or ""."""
    return _base_url(settings, "MIRROR_BASE_URL")


def assets_base_url(settings: BaseSettings) -> str:
    """ASSETS_BASE_URL: where pictures and QR codes are linked from, or "" (relative links)."""
    return _base_url(settings, "ASSETS_BASE_URL")


def home_latest(settings: BaseSettings) -> int:
    """HOME_LATEST_ARTICLES: how many of the newest articles the home page lists."""
    raw = settings.get("HOME_LATEST_ARTICLES", 30)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 1000:
        raise SettingError(
            f"HOME_LATEST_ARTICLES must be a whole number from 0 to 1000, got {raw!r}"
        )
    return value


def atom_entries(settings: BaseSettings) -> int:
    """ATOM_ENTRIES: how many of the newest articles each Atom feed holds."""
    raw = settings.get("ATOM_ENTRIES", 50)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 1000:
        raise SettingError(f"ATOM_ENTRIES must be a whole number from 1 to 1000, got {raw!r}")
    return value


def retry_days(settings: BaseSettings) -> int:
    """CRAWL_RETRY_DAYS: days a failed article is requested again before it is given up."""
    raw = settings.get("CRAWL_RETRY_DAYS", 7)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 3650:
        raise SettingError(f"CRAWL_RETRY_DAYS must be a whole number from 0 to 3650, got {raw!r}")
    return value


def site_dir(settings: BaseSettings) -> Path:
    value = settings.get("SITE_DIR") or ""
    if not str(value).strip() or "\0" in str(value):
        raise SettingError(f"SITE_DIR must name a folder, got {value!r}")
    path = Path(str(value)).expanduser()
    if path.exists() and not path.is_dir():
        raise SettingError(f"SITE_DIR {str(path)!r} exists and is not a folder")
    return path


def write_batch(settings: BaseSettings) -> tuple[int, float]:
    """(MIRROR_WRITE_BATCH, MIRROR_WRITE_BATCH_SECONDS): articles and seconds per batch."""
    values: list[float] = []
    for name, default, least, kind in (
        ("MIRROR_WRITE_BATCH", 100, 1, "a whole number"),
        ("MIRROR_WRITE_BATCH_SECONDS", 10.0, 0, "a number of seconds"),
    ):
        try:
            value = float(settings.get(name, default))
        except (TypeError, ValueError):
            value = float("nan")
        if not least <= value < float("inf") or (kind == "a whole number" and value % 1):
            shown = settings.get(name)
            raise SettingError(f"{name} must be {kind}, {least} or more, got {shown!r}")
        values.append(value)
    return int(values[0]), values[1]


def check_settings(settings: BaseSettings) -> None:
    """Every check a crawl needs before it starts; raises on the first bad setting."""
    # Imported here: these modules import this one for SettingError.
    from goodnews_scraper.conversion.templates import load_templates
    from goodnews_scraper.pipelines.images import check_image_settings
    from goodnews_scraper.publishing.config import check_publish_settings

    mirror_base_url(settings)
    assets_base_url(settings)
    home_latest(settings)
    retry_days(settings)
    atom_entries(settings)
    site_dir(settings)
    write_batch(settings)
    load_templates(settings.get("TEMPLATES_DIR"))
    check_image_settings(settings)
    check_publish_settings(settings)
