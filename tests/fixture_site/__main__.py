"""Serve the fixture site by hand: ``python -m tests.fixture_site [--port 8000] [--site ntdtv]``."""

from __future__ import annotations

import argparse
import time

from tests.fixture_site.build import build_site
from tests.fixture_site.epochtimes_build import build_epochtimes_site
from tests.fixture_site.server import FixtureServer, SiteBuilder

#: Each site the fixture imitates: how to build it, and a page to start from.
SITES: dict[str, tuple[SiteBuilder, str]] = {
    "ntdtv": (build_site, "/gb/prog204"),
    "epochtimes": (build_epochtimes_site, "/gb/nsc413.htm"),
}


def main() -> None:
    """Serve until Ctrl-C, printing the origin and a few entry points."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--site", choices=sorted(SITES), default="ntdtv")
    args = parser.parse_args()
    builder, entry = SITES[args.site]
    with FixtureServer(args.host, args.port, builder=builder) as server:
        print(server.origin, flush=True)
        print(f"  e.g. {server.url(entry)}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
