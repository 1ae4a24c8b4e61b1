"""Publish the tree to an S3-compatible bucket (AWS S3, MinIO, ...) with botocore.

Before the crawl writes, files the bucket holds under the prefix and the
tree lacks are downloaded: a fresh disk (Scrapy Cloud) starts from what is
published, so indexes keep growing; files already in the tree win. After a
finished crawl each file of the tree is compared with the bucket's listing
(the ETag of a single-part upload is the MD5 of its bytes) and only new or
changed files are uploaded, with their content type: pages and images
first, indexes next, the home page last, so no published link points to a
file not yet there. Nothing in the bucket is ever deleted.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from botocore.session import get_session

from goodnews_scraper.mirror.files import write_if_changed
from goodnews_scraper.publishing.base import (
    PublishError,
    PublishResult,
    is_tree_file,
    publication_order,
    publication_rank,
    tree_files,
)
from goodnews_scraper.publishing.redact import mask_url
from goodnews_scraper.publishing.summary import subject

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/atom+xml; charset=utf-8",  # the feeds
}
#: Uploads and downloads in flight at once.
CONCURRENCY = 8
BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
CREDENTIALS = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
_CREDENTIAL_CODES = frozenset(
    {
        "AccessDenied",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "InvalidToken",
        "SignatureDoesNotMatch",
        "403",
    }
)


def content_type(relpath: str) -> str:
    suffix = "." + relpath.rsplit(".", 1)[-1].lower() if "." in relpath else ""
    known = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(relpath)[0]
    return known or "application/octet-stream"


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


def is_safe_relpath(relpath: str) -> bool:
    """A key suffix that can become a file inside the tree."""
    parts = relpath.split("/")
    return (
        is_tree_file(relpath)
        and all(part not in ("", ".", "..") for part in parts)
        and "\\" not in relpath
        and "\0" not in relpath
    )


@dataclass(frozen=True)
class S3Target:
    bucket: str
    prefix: str = ""  # "" or ending with "/"
    endpoint_url: str | None = None
    region: str | None = None
    access_key: str | None = None  # None: botocore's own chain (environment, ~/.aws, ...)
    secret_key: str | None = None
    session_token: str | None = None
    acl: str | None = None
    verify: bool | str | None = None


class S3Publisher:
    """Upload what changed in SITE_DIR; see the module docstring."""

    kind = "s3"

    def __init__(self, root: Path, target: S3Target, client: Any = None) -> None:
        self.root = root
        self.target = target
        self._s3 = client

    @property
    def destination(self) -> str:
        where = f"s3://{self.target.bucket}/{self.target.prefix}"
        if self.target.endpoint_url:
            where += f" at {mask_url(self.target.endpoint_url)}"
        return where

    def _client(self) -> Any:
        if self._s3 is None:
            target = self.target
            config = Config(
                connect_timeout=10,
                read_timeout=60,
                # 3 attempts; botocore's AWS_MAX_ATTEMPTS environment variable changes it.
                retries={"mode": "standard"},
                max_pool_connections=CONCURRENCY,
                # S3-compatible servers differ on the newer default checksums;
                # Content-MD5 on each upload protects the bytes instead.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": "path"} if target.endpoint_url else None,
            )
            self._s3 = get_session().create_client(
                "s3",
                region_name=target.region or ("us-east-1" if target.endpoint_url else None),
                endpoint_url=target.endpoint_url,
                aws_access_key_id=target.access_key,
                aws_secret_access_key=target.secret_key,
                aws_session_token=target.session_token,
                verify=target.verify,
                config=config,
            )
        return self._s3

    def _error(self, doing: str, error: Exception) -> PublishError:
        """One line naming the setting most likely wrong."""
        setting, reason = "PUBLISH_S3_ENDPOINT_URL", str(error)
        if isinstance(error, ClientError):
            details = error.response.get("Error", {})
            code = str(details.get("Code", ""))
            reason = f"{code}: {details.get('Message') or 'refused'}"
            if code == "NoSuchBucket":
                setting, reason = "PUBLISH_S3_URI", f"bucket {self.target.bucket!r} does not exist"
            elif code in _CREDENTIAL_CODES:
                setting = CREDENTIALS
            else:
                setting = "PUBLISH_S3_URI"
        elif isinstance(error, NoCredentialsError):
            setting, reason = CREDENTIALS, "no credentials found in settings or the environment"
        elif isinstance(error, OSError):
            setting = "SITE_DIR"
        return PublishError(f"{doing} {self.destination} ({setting}): {mask_url(reason)}", setting)

    def listing(self) -> dict[str, str]:
        """Relative path -> MD5 (from the ETag) of every object under the prefix."""
        held: dict[str, str] = {}
        prefix = self.target.prefix
        pages = self._client().get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.target.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                held[item["Key"][len(prefix) :]] = str(item.get("ETag", "")).strip('"').lower()
        return held

    # --- before the crawl ---------------------------------------------------------
    def prepare(self) -> str:
        """Download what the bucket holds and the tree lacks; checks access too."""
        try:
            held = self.listing()
        except (BotoCoreError, ClientError) as error:
            raise self._error("cannot list", error) from error
        missing = [
            relpath
            for relpath in sorted(held)
            if is_safe_relpath(relpath) and not (self.root / relpath).exists()
        ]
        try:
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                restored = sum(pool.map(self._download, missing))
        except (BotoCoreError, ClientError, OSError) as error:
            raise self._error("cannot download the tree from", error) from error
        found = f"{len(held)} files in {self.destination}"
        return f"{found}; {restored} restored into SITE_DIR" if restored else found

    def _download(self, relpath: str) -> int:
        path = self.root / relpath
        if any(parent.is_file() for parent in path.parents):
            logger.warning("Not restoring %s: a file of the tree is in its way", relpath)
            return 0
        key = self.target.prefix + relpath
        response = self._client().get_object(Bucket=self.target.bucket, Key=key)
        write_if_changed(path, response["Body"].read())
        return 1

    # --- after the crawl ----------------------------------------------------------
    def publish(self, name: str) -> PublishResult:
        """Upload new and changed files; return what was sent."""
        try:
            held = self.listing()
        except (BotoCoreError, ClientError) as error:
            raise self._error("cannot list", error) from error
        added: list[str] = []
        modified: list[str] = []
        digests: dict[str, str] = {}
        for relpath in tree_files(self.root):
            digest = hashlib.md5((self.root / relpath).read_bytes(), usedforsecurity=False)
            digests[relpath] = digest.hexdigest()
            if held.get(relpath) != digests[relpath]:
                (added if relpath not in held else modified).append(relpath)
        changed = publication_order(added + modified)
        sent = 0
        try:
            # One batch per rank (pages, indexes, home page), in parallel within it.
            upload = partial(self._upload, digests=digests)
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                for _, batch in groupby(changed, key=publication_rank):
                    for _ in pool.map(upload, batch):
                        sent += 1
        except (BotoCoreError, ClientError, OSError) as error:
            doing = f"{sent} of {len(changed)} files uploaded, then cannot upload to"
            raise self._error(doing, error) from error
        unchanged = len(digests) - len(changed)
        if not changed:
            summary = f"nothing to upload: {self.destination} holds all {unchanged} files"
        else:
            summary = (
                f"uploaded {len(changed)} files ({subject(name, added, modified)}) "
                f"to {self.destination}; {unchanged} unchanged"
            )
        return PublishResult(tuple(changed), unchanged, summary)

    def _upload(self, relpath: str, digests: dict[str, str]) -> None:
        extra = {"ACL": self.target.acl} if self.target.acl else {}
        self._client().put_object(
            Bucket=self.target.bucket,
            Key=self.target.prefix + relpath,
            Body=(self.root / relpath).read_bytes(),
            ContentType=content_type(relpath),
            ContentMD5=base64.b64encode(bytes.fromhex(digests[relpath])).decode(),
            **extra,
        )
