"""``benchmarks.reader_outputs`` runs and reports every figure; never how fast anything was."""

from __future__ import annotations

from benchmarks import reader_outputs


def test_every_output_is_measured_and_the_same_pages_give_the_same_digests() -> None:
    first = reader_outputs.measure(articles=6, repeat=1)
    again = reader_outputs.measure(articles=6, repeat=1)
    assert first["digest"] == again["digest"]
    assert set(first["cpu_ms_per_article"]) == {
        "atom_entry",
        "atom_feed",
        "html_page",
        "noop_render",
    }
    assert all(value >= 0 for value in first["cpu_ms_per_article"].values())
    sizes = first["bytes_per_article"]
    assert sizes["html_page"] > sizes["markdown_page"] > 500
    assert sizes["atom_entry"] > 500
