"""Build the configured publisher from settings, with errors that name the setting.

Nothing here touches the network, so a bad setting is found before the crawl
starts. Secrets are read from the environment when a setting names a
variable, never required in settings files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from goodnews_scraper.publishing.base import PublishSettingError
from goodnews_scraper.publishing.redact import mask_url
from goodnews_scraper.settings_checks import atom_entries, site_dir

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.settings import BaseSettings

    from goodnews_scraper.publishing.base import Publisher
    from goodnews_scraper.publishing.git import GitTarget
    from goodnews_scraper.publishing.s3 import S3Target

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
    from goodnews_scraper.publishing.git import GitTarget

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
    from goodnews_scraper.publishing.s3 import S3Target, parse_s3_uri

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


def publisher_from_settings(
    settings: BaseSettings, environ: Mapping[str, str] = os.environ
) -> Publisher | None:
    """The publisher PUBLISH chooses, or None; raises PublishSettingError naming a bad setting."""
    kind = publish_kind(settings)
    if not kind:
        return None
    root = site_dir(settings)
    if kind == "git":
        from goodnews_scraper.publishing.git import GitPublisher

        return GitPublisher(root, git_target(settings, environ))
    from goodnews_scraper.publishing.s3 import S3Publisher

    return S3Publisher(root, s3_target(settings))


def check_publish_settings(settings: BaseSettings) -> None:
    """For the crawl's start-up check: raise on a bad publishing setting."""
    publisher_from_settings(settings)
