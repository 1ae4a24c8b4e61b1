"""Benchmarks of the mirror: throughput against Scrapy's own floor, re-run cost,
memory and repository growth, on a synthetic site built from the fixture's
renderer (``python -m benchmarks.run``; README, "Benchmarks"), and what a
mirror costs over years: pictures, store layout, the polite pace
(``benchmarks.photos``, ``benchmarks.store_layout``, ``benchmarks.polite``;
docs/benchmarks.md).
"""
