"""Settings checks are one module the pipelines and publishers import, never the reverse."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.crawl import PROJECT_ROOT

# A fresh interpreter, so the modules listed are only what settings_checks imports.
PROBE = """
import json, sys
import goodnews_scraper.settings_checks
print(json.dumps(sorted(name for name in sys.modules if name.startswith("goodnews_scraper"))))
"""


def test_settings_checks_import_no_pipeline_publisher_or_extension() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    modules = json.loads(done.stdout)
    assert "goodnews_scraper.settings_checks" in modules
    for package in ("pipelines", "publishing", "extensions", "exporters", "spiders", "commands"):
        assert not [m for m in modules if m.startswith(f"goodnews_scraper.{package}")], package
