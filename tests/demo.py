"""Offline demo: serve the bundled fixture site on 127.0.0.1 and mirror it into ./site.

    python -m tests.demo [-a name=value ...] [-s NAME=VALUE ...]

Runs the same ``scrapy crawl ntdtv`` as a real mirror, with its default
sections, only pointed at the fixture server. Extra options go to the crawl.
"""

from __future__ import annotations

import subprocess
import sys

from tests.crawl import PROJECT_ROOT, SCRAPY_CRAWL
from tests.fixture_site import FixtureServer


def main(argv: list[str]) -> int:
    with FixtureServer() as server:
        print(f"Fixture site served at {server.origin}", flush=True)
        command = [*SCRAPY_CRAWL, "-s", f"NTDTV_BASE_URL={server.origin}", *argv]
        code = subprocess.call(command, cwd=PROJECT_ROOT)
    if code == 0:
        print(f"Done: open {PROJECT_ROOT / 'site' / 'README.md'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
