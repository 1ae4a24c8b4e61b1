"""Which hosts a URL found in a page may lead the crawler (or a reader) to.

An article body is hostile input: an ``<img>`` on 169.254.169.254 or
localhost:6800 would make a crawler inside a private network call its own
services. Only named hosts on a list are allowed, never an address (IP
literal, localhost), except the site's own origin (a fixture on 127.0.0.1).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

#: Why a URL is refused (the last part of its stats key).
REFUSED_SCHEME = "scheme"
REFUSED_ADDRESS = "address"
REFUSED_HOST = "host"
REFUSED_PORT = "port"


def is_address(host: str) -> bool:
    """An IP literal (v4 or v6) or a loopback name, rather than a public name."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _netloc(host: str, port: int | None) -> str:
    return f"{host}:{port}" if port is not None else host


@dataclass(frozen=True)
class HostPolicy:
    """Hosts by name (any scheme's default port), plus origins allowed as they are."""

    hosts: frozenset[str]
    #: ``host[:port]`` of the site's own origins: allowed even when an address.
    own: frozenset[str] = frozenset()

    @classmethod
    def of(cls, hosts: Iterable[str], own: Iterable[str] = ()) -> HostPolicy:
        return cls(
            frozenset(h.strip().rstrip(".").lower() for h in hosts if h.strip()),
            frozenset(o.strip().lower() for o in own if o.strip()),
        )

    def refusal(self, url: str) -> str | None:
        """Why ``url`` must not be fetched or linked (a ``REFUSED_*`` reason), or None."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https"):
            return REFUSED_SCHEME
        try:
            host, port = (parts.hostname or "").rstrip("."), parts.port
        except ValueError:
            return REFUSED_HOST
        if not host:
            return REFUSED_HOST
        if _netloc(host, port) in self.own:
            return None
        if is_address(host):
            return REFUSED_ADDRESS
        if host not in self.hosts:
            return REFUSED_HOST
        if port not in (None, 80, 443):
            return REFUSED_PORT
        return None

    def host_of(self, url: str) -> str:
        """The host part of ``url`` for a log line (never raises)."""
        try:
            parts = urlsplit(url.strip())
            return _netloc(parts.hostname or "", parts.port) or "?"
        except ValueError:
            return "?"
