"""Offline demo: serve the bundled fixture site on 127.0.0.1 and mirror it into ./site.

    python -m tests.demo [-a name=value ...] [-s NAME=VALUE ...]

Runs the same ``scrapy crawl ntdtv`` as a real mirror, with its default
sections, only pointed at the fixture server. Extra options go to the crawl.
The fixture is broken on purpose in a few places (a list page answers 500, an
article 404, two need the fallback layers); the demo raises the monitors'
thresholds just enough for those, so the log shows them handled and the run
still passes.
"""

from __future__ import annotations

import subprocess
import sys

from tests.crawl import FIXTURE_TOLERANCE, PROJECT_ROOT, SCRAPY_CRAWL
from tests.fixture_site import FixtureServer


def main(argv: list[str]) -> int:
    with FixtureServer() as server:
        print(f"Fixture site served at {server.origin}", flush=True)
        tolerance = [
            option
            for name, value in FIXTURE_TOLERANCE.items()
            if name != "GOODNEWS_MONITORS_FAIL_RUN"
            for option in ("-s", f"{name}={value}")
        ]
        command = [*SCRAPY_CRAWL, "-s", f"NTDTV_BASE_URL={server.origin}", *tolerance, *argv]
        code = subprocess.call(command, cwd=PROJECT_ROOT)
    if code == 0:
        print(f"Done: open {PROJECT_ROOT / 'site' / 'README.md'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
