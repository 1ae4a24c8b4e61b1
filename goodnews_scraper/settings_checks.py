"""Read and check the project's own settings once, with errors that name them.

A wrong setting must stop the crawl at start with one clear line, not
halfway through a job. Everything here is plain reading and checking (no
network, no Scrapy component): the pipelines, the publishers and the
``crawl`` command's start-up check all import from here, and this imports
none of them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from goodnews_scraper.conversion.templates import load_templates

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.settings import BaseSettings


class SettingError(ValueError):
    """A project setting with a value the mirror cannot use."""


class PublishSettingError(SettingError):
    """A publishing setting the crawl cannot use (found before any network use)."""


_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s]*@")


def mask_url(text: str) -> str:
    """``https://user:token@host/x`` -> ``https://***@host/x``, wherever it occurs in ``text``."""
    return _USERINFO.sub(r"\1***@", text)


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


def whole_number(
    settings: BaseSettings, name: str, low: int, high: int, default: int | None = None
) -> int:
    """An integer setting between ``low`` and ``high``; raises naming it otherwise."""
    raw = settings.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = low - 1
    if not low <= value <= high:
        raise SettingError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return value


def home_latest(settings: BaseSettings) -> int:
    """HOME_LATEST_ARTICLES: how many of the newest articles the home page lists."""
    return whole_number(settings, "HOME_LATEST_ARTICLES", 0, 1000, default=30)


def atom_entries(settings: BaseSettings) -> int:
    """ATOM_ENTRIES: how many of the newest articles each Atom feed holds."""
    return whole_number(settings, "ATOM_ENTRIES", 1, 1000, default=50)


def retry_days(settings: BaseSettings) -> int:
    """CRAWL_RETRY_DAYS: days a failed article is requested again before it is given up."""
    return whole_number(settings, "CRAWL_RETRY_DAYS", 0, 3650, default=7)


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


# --------------------------------------------------------------------------- images
#: Formats pictures may be stored in (IMAGES_FORMAT).
IMAGE_FORMATS = ("WEBP", "JPEG")


@dataclass(frozen=True)
class ImageOptions:
    """The size bounds of stored images, read and checked once from the settings."""

    max_width: int
    #: "JPEG" or "WEBP", and the quality the picture is stored at.
    image_format: str
    quality: int
    max_bytes: int
    max_pixels: int
    backfill: bool

    @property
    def suffix(self) -> str:
        return ".webp" if self.image_format == "WEBP" else ".jpg"

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ImageOptions:
        for name in ("IMAGES_MIN_WIDTH", "IMAGES_MIN_HEIGHT"):
            whole_number(settings, name, 0, 100_000)
        image_format = str(settings.get("IMAGES_FORMAT", "WEBP")).strip().upper()
        if image_format not in IMAGE_FORMATS:
            raise SettingError(
                f"IMAGES_FORMAT must be one of {', '.join(IMAGE_FORMATS)}, "
                f"got {settings.get('IMAGES_FORMAT')!r}"
            )
        # Both qualities are checked, whichever is in use, so a switch never fails later.
        qualities = {
            "JPEG": whole_number(settings, "IMAGES_JPEG_QUALITY", 1, 95, default=75),
            "WEBP": whole_number(settings, "IMAGES_WEBP_QUALITY", 1, 100, default=80),
        }
        return cls(
            max_width=whole_number(settings, "IMAGES_MAX_WIDTH", 16, 100_000),
            image_format=image_format,
            quality=qualities[image_format],
            max_bytes=whole_number(settings, "IMAGES_MAX_BYTES", 1024, 2**31),
            max_pixels=whole_number(settings, "IMAGES_MAX_PIXELS", 1, 2**31),
            backfill=settings.getbool("IMAGES_BACKFILL"),
        )


def check_image_settings(settings: BaseSettings) -> None:
    """Raise :class:`SettingError` naming the first bad image setting (start-up check)."""
    if settings.getbool("IMAGES_ENABLED"):
        ImageOptions.from_settings(settings)


# --------------------------------------------------------------------------- publishing
@dataclass(frozen=True)
class GitTarget:
    """Where PUBLISH=git sends the tree."""

    remote: str  # URL or path; may carry a token
    branch: str = "main"
    author_name: str = "goodnews-scraper"
    author_email: str = "goodnews-scraper@users.noreply.github.com"
    #: The setting named in errors about the remote.
    remote_setting: str = "PUBLISH_GIT_REMOTE"
    #: Entries each feed shows (ATOM_ENTRIES; 0 when feeds are off): their records are checked out.
    feed_entries: int = 50
    #: A fresh disk gets every published file (a full clone), not only what a run reads.
    restore_all: bool = False


@dataclass(frozen=True)
class S3Target:
    """Where PUBLISH=s3 sends the tree."""

    bucket: str
    prefix: str = ""  # "" or ending with "/"
    endpoint_url: str | None = None
    region: str | None = None
    access_key: str | None = None  # None: botocore's own chain (environment, ~/.aws, ...)
    secret_key: str | None = None
    session_token: str | None = None
    acl: str | None = None
    verify: bool | str | None = None
    #: Entries each feed shows (ATOM_ENTRIES; 0 when feeds are off): their records are restored.
    feed_entries: int = 50
    #: Restore every file of the bucket, not only what a run reads.
    restore_all: bool = False


BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> ("bucket", "some/prefix/"); raises ValueError."""
    match = re.fullmatch(r"s3://([^/@]+)(/.*)?", uri.strip())
    if not match:
        raise ValueError("expected s3://BUCKET or s3://BUCKET/PREFIX, without credentials")
    bucket, path = match[1], (match[2] or "").strip("/")
    if not BUCKET_RE.fullmatch(bucket):
        raise ValueError(f"{bucket!r} is not a bucket name")
    parts = path.split("/") if path else []
    if any(part in ("", ".", "..") for part in parts) or re.search(r"[\s\\]", path):
        raise ValueError(f"{path!r} is not a key prefix")
    return bucket, "".join(f"{part}/" for part in parts)


KINDS = ("git", "s3")
GIT_SCHEMES = ("https", "http", "ssh", "git", "file")
BRANCH_RE = re.compile(r"(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]{1,200}(?<![./])")


def _text(settings: BaseSettings, name: str) -> str:
    return str(settings.get(name) or "").strip()


def publish_kind(settings: BaseSettings) -> str:
    """ "" (publishing off), "git" or "s3"."""
    kind = _text(settings, "PUBLISH").lower()
    if kind and kind not in KINDS:
        raise PublishSettingError(
            f"PUBLISH must be empty, git or s3, got {_text(settings, 'PUBLISH')[:40]!r}"
        )
    return kind


def _remote(settings: BaseSettings, environ: Mapping[str, str]) -> tuple[str, str]:
    """(remote, the setting it came from), from PUBLISH_GIT_REMOTE or the
    environment variable PUBLISH_GIT_REMOTE_ENV names."""
    if remote := _text(settings, "PUBLISH_GIT_REMOTE"):
        return remote, "PUBLISH_GIT_REMOTE"
    variable = _text(settings, "PUBLISH_GIT_REMOTE_ENV")
    if variable and (remote := environ.get(variable, "").strip()):
        return remote, f"PUBLISH_GIT_REMOTE_ENV={variable}"
    where = f" or the environment variable {variable} (PUBLISH_GIT_REMOTE_ENV)" if variable else ""
    raise PublishSettingError(f"PUBLISH=git needs a remote: set PUBLISH_GIT_REMOTE{where}")


def check_git_remote(remote: str, setting: str) -> str:
    """The remote as git will get it: a URL, ``user@host:path``, or an absolute path."""
    shown = mask_url(remote)[:200]
    if re.search(r"\s", remote) or remote.startswith("-"):
        raise PublishSettingError(f"{setting} is not a git remote: {shown!r}")
    scheme, is_url, rest = remote.partition("://")
    if is_url and scheme.lower() in GIT_SCHEMES and rest.strip("/"):
        return remote
    if not is_url and re.fullmatch(r"([^@/:]+@)?[^@/:]+:[^:/].*", remote):
        return remote  # scp-like: git@github.com:OWNER/REPO.git
    if is_url or ":" in remote.split("/", 1)[0]:  # another scheme, or git's TRANSPORT::ADDRESS
        raise PublishSettingError(
            f"{setting} must be an {', '.join(GIT_SCHEMES)} URL, user@host:path or a "
            f"path, got {shown!r}"
        )
    # A local path: absolute, since git runs inside SITE_DIR.
    return str(Path(remote).expanduser().resolve())


def git_target(settings: BaseSettings, environ: Mapping[str, str] = os.environ) -> GitTarget:
    remote, setting = _remote(settings, environ)
    branch = _text(settings, "PUBLISH_GIT_BRANCH") or "main"
    if not BRANCH_RE.fullmatch(branch) or branch.endswith(".lock"):
        raise PublishSettingError(f"PUBLISH_GIT_BRANCH is not a branch name: {branch[:80]!r}")
    name = _text(settings, "PUBLISH_GIT_AUTHOR_NAME") or "goodnews-scraper"
    email = (
        _text(settings, "PUBLISH_GIT_AUTHOR_EMAIL") or "goodnews-scraper@users.noreply.github.com"
    )
    for label, value in (("NAME", name), ("EMAIL", email)):
        if re.search(r"[<>\n\0]", value):
            raise PublishSettingError(f"PUBLISH_GIT_AUTHOR_{label} must not hold <, > or newlines")
    return GitTarget(
        check_git_remote(remote, setting),
        branch,
        name,
        email,
        setting,
        feed_entries=feed_entries(settings),
        restore_all=settings.getbool("PUBLISH_RESTORE_ALL"),
    )


def feed_entries(settings: BaseSettings) -> int:
    """Entries each Atom feed shows (0 when feeds are off): a fresh disk restores their records."""
    return atom_entries(settings) if settings.getbool("ATOM_ENABLED", True) else 0


def _verify(value: object) -> bool | str | None:
    """Scrapy's AWS_VERIFY: unset, a boolean (also as text from -s), or a CA bundle path."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip()
    flags = {"true": True, "1": True, "false": False, "0": False}
    return flags.get(text.lower(), text) if text else None


def s3_target(settings: BaseSettings) -> S3Target:
    uri = _text(settings, "PUBLISH_S3_URI")
    if not uri:
        raise PublishSettingError("PUBLISH=s3 needs PUBLISH_S3_URI, e.g. s3://BUCKET/PREFIX")
    try:
        bucket, prefix = parse_s3_uri(uri)
    except ValueError as error:
        raise PublishSettingError(f"PUBLISH_S3_URI {mask_url(uri)[:200]!r}: {error}") from None
    endpoint = _text(settings, "PUBLISH_S3_ENDPOINT_URL") or _text(settings, "AWS_ENDPOINT_URL")
    if endpoint and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", endpoint):
        raise PublishSettingError(
            f"PUBLISH_S3_ENDPOINT_URL must be an http(s) URL, got {mask_url(endpoint)[:200]!r}"
        )
    return S3Target(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=endpoint or None,
        region=_text(settings, "PUBLISH_S3_REGION") or _text(settings, "AWS_REGION_NAME") or None,
        access_key=_text(settings, "AWS_ACCESS_KEY_ID") or None,
        secret_key=_text(settings, "AWS_SECRET_ACCESS_KEY") or None,
        session_token=_text(settings, "AWS_SESSION_TOKEN") or None,
        acl=_text(settings, "PUBLISH_S3_ACL") or None,
        verify=_verify(settings.get("AWS_VERIFY")),
        feed_entries=feed_entries(settings),
        restore_all=settings.getbool("PUBLISH_RESTORE_ALL"),
    )


def publish_target(
    settings: BaseSettings, environ: Mapping[str, str] = os.environ
) -> GitTarget | S3Target | None:
    """Where PUBLISH sends the tree, or None; raises PublishSettingError naming a bad setting."""
    kind = publish_kind(settings)
    if not kind:
        return None
    site_dir(settings)
    return git_target(settings, environ) if kind == "git" else s3_target(settings)


def check_settings(settings: BaseSettings) -> None:
    """Every check a crawl needs before it starts; raises on the first bad setting."""
    mirror_base_url(settings)
    assets_base_url(settings)
    home_latest(settings)
    retry_days(settings)
    atom_entries(settings)
    site_dir(settings)
    write_batch(settings)
    load_templates(settings.get("TEMPLATES_DIR"))
    check_image_settings(settings)
    publish_target(settings)
