"""The offline demo names a stable MIRROR_BASE_URL unless given one."""

from __future__ import annotations

from tests.demo import EXAMPLE_BASE_URL, base_url_options


def test_the_demo_passes_an_example_base_url_by_default() -> None:
    assert base_url_options([]) == ["-s", f"MIRROR_BASE_URL={EXAMPLE_BASE_URL}"]
    assert base_url_options(["-a", "sections=prog204"]) == [
        "-s",
        f"MIRROR_BASE_URL={EXAMPLE_BASE_URL}",
    ]


def test_the_demo_keeps_a_base_url_the_user_gives() -> None:
    assert base_url_options(["-s", "MIRROR_BASE_URL=https://github.com/me/m/blob/main"]) == []
    assert base_url_options(["--set=MIRROR_BASE_URL=https://github.com/me/m/blob/main"]) == []
