"""Packaging for Scrapyd (scrapyd-deploy) and Zyte Scrapy Cloud (shub deploy).

Both run the project from an egg. The top-level ``templates/`` folder, the
one users edit, is shipped inside the egg as the package data
``goodnews_scraper/templates`` so one copy serves the source tree and the egg.

``pip install git+URL@COMMIT`` (the GitHub Actions workflow) installs the
pinned requirements.txt with it, so one pinned commit pins everything.
"""

from pathlib import Path

from setuptools import find_packages, setup

REQUIREMENTS = Path(__file__).with_name("requirements.txt")

setup(
    name="goodnews_scraper",
    version="0.1.0",
    packages=[
        *find_packages(include=["goodnews_scraper", "goodnews_scraper.*"]),
        "goodnews_scraper.templates",
    ],
    package_dir={"goodnews_scraper.templates": "templates"},
    package_data={
        "goodnews_scraper.templates": ["*.j2"],
        "goodnews_scraper": ["schemas/*.json"],
    },
    install_requires=[
        line.strip()
        for line in REQUIREMENTS.read_text("utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ],
    entry_points={"scrapy": ["settings = goodnews_scraper.settings"]},
    zip_safe=True,
)
