"""A real S3-compatible server for the publishing tests: moto in server mode on 127.0.0.1."""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.session import get_session
from moto.server import ThreadedMotoServer

#: moto accepts any credentials; these are what the tests hand to the publisher.
ACCESS_KEY = "goodnews-test-key"
SECRET_KEY = "goodnews-test-secret-0123456789"
REGION = "us-east-1"
_names = itertools.count(1)


class _RequestLog(logging.Handler):
    """Keeps the server's request lines ("PUT /bucket/key HTTP/1.1") instead of printing them."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


class S3Server:
    """A running moto server and a client to inspect what it holds."""

    def __init__(self, server: ThreadedMotoServer, log: _RequestLog) -> None:
        self._log = log
        host, port = server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self.client: Any = get_session().create_client(
            "s3",
            region_name=REGION,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        """A fresh, empty bucket (moto's state lives as long as the server)."""
        name = f"mirror-{next(_names)}"
        self.client.create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Key (prefix removed) -> {"body", "content_type", "modified"} of every object."""
        found: dict[str, dict[str, Any]] = {}
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                got = self.client.get_object(Bucket=bucket, Key=item["Key"])
                found[item["Key"][len(prefix) :]] = {
                    "body": got["Body"].read(),
                    "content_type": got["ContentType"],
                    "modified": item["LastModified"],
                    "etag": item["ETag"],
                }
        return found

    def uploads(self, bucket: str) -> list[str]:
        """Keys written into ``bucket`` so far, as the server saw the requests."""
        found = []
        for line in self._log.lines:
            match = re.search(rf'"PUT /{re.escape(bucket)}/(\S+) HTTP', line)
            if match:
                found.append(match[1])
        return found

    def put(self, bucket: str, key: str, body: bytes, content_type: str = "text/plain") -> None:
        self.client.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


@contextmanager
def s3_server() -> Iterator[S3Server]:
    requests = logging.getLogger("werkzeug")
    log = _RequestLog()
    requests.addHandler(log)
    requests.setLevel(logging.INFO)
    requests.propagate = False
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield S3Server(server, log)
    finally:
        server.stop()
        requests.removeHandler(log)
        requests.propagate = True
