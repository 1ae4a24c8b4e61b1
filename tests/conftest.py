"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixture_site import FixtureServer


@pytest.fixture(scope="module")
def server() -> Iterator[FixtureServer]:
    """The fixture site on 127.0.0.1; one per module, since modules change its pages."""
    with FixtureServer() as running:
        yield running
