"""Offline demo: serve the bundled fixture site on 127.0.0.1 and mirror it into ./site.

    python -m tests.demo [-a name=value ...] [-s NAME=VALUE ...]

Runs the same ``scrapy crawl ntdtv`` as a real mirror, with its default
sections, only pointed at the fixture server. Extra options go to the crawl.
The fixture is broken on purpose in a few places (a list page answers 500, an
article 404, two need the fallback layers); the demo raises the monitors'
thresholds just enough for those, so the log shows them handled and the run
still passes.

Share links and QR codes point at MIRROR_BASE_URL. The fixture's address dies
with the demo, so unless you give your own (``-s MIRROR_BASE_URL=...``) the
demo passes a stable example, :data:`EXAMPLE_BASE_URL`, and says so.
"""

from __future__ import annotations

import subprocess
import sys

from tests.crawl import FIXTURE_TOLERANCE, PROJECT_ROOT, SCRAPY_CRAWL
from tests.fixture_site import FixtureServer

#: Where a published tree would live: what the demo's share links and QR codes name.
EXAMPLE_BASE_URL = "https://github.com/OWNER/REPO/blob/main"


def base_url_options(argv: list[str]) -> list[str]:
    """``-s MIRROR_BASE_URL=<example>`` unless the caller gives one (then nothing)."""
    given = any(
        arg.startswith("MIRROR_BASE_URL=") and (i > 0 and argv[i - 1] == "-s")
        for i, arg in enumerate(argv)
    ) or any(arg.startswith("--set=MIRROR_BASE_URL=") for arg in argv)
    return [] if given else ["-s", f"MIRROR_BASE_URL={EXAMPLE_BASE_URL}"]


def main(argv: list[str]) -> int:
    with FixtureServer() as server:
        print(f"Fixture site served at {server.origin}", flush=True)
        tolerance = [
            option
            for name, value in FIXTURE_TOLERANCE.items()
            if name != "GOODNEWS_MONITORS_FAIL_RUN"
            for option in ("-s", f"{name}={value}")
        ]
        base_url = base_url_options(argv)
        if base_url:
            print(
                f"Share links and QR codes point at the example {EXAMPLE_BASE_URL}; "
                "give your own with -s MIRROR_BASE_URL=https://github.com/<you>/<repo>/blob/main",
                flush=True,
            )
        command = [
            *SCRAPY_CRAWL,
            "-s",
            f"NTDTV_BASE_URL={server.origin}",
            *tolerance,
            *base_url,
            *argv,
        ]
        code = subprocess.call(command, cwd=PROJECT_ROOT)
    if code == 0:
        print(f"Done: open {PROJECT_ROOT / 'site' / 'README.md'}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
