"""Benchmarks of the mirror: throughput against Scrapy's own floor, re-run cost,
memory and repository growth, on a synthetic site built from the fixture's
renderer. Run ``python -m benchmarks.run``; see README, "Benchmarks".
"""
