"""Serve the fixture site by hand: ``python -m tests.fixture_site [--port 8000]``."""

from __future__ import annotations

import argparse
import time

from tests.fixture_site.server import FixtureServer


def main() -> None:
    """Serve until Ctrl-C, printing the origin and a few entry points."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    with FixtureServer(args.host, args.port) as server:
        print(server.origin, flush=True)
        print(f"  e.g. {server.url('/gb/prog204')}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
