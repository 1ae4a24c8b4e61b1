"""Scrapy contracts of the project (``scrapy check``), with URLs that follow NTDTV_BASE_URL.

A callback's docstring names a path on the site (``@site_url /gb/prog204``)
instead of a full ``@url``: the request goes to the spider's base URL, so the
same contracts check the live site after a deploy and the fixture site in
the tests (``-s NTDTV_BASE_URL=http://127.0.0.1:PORT``).
"""

from __future__ import annotations

from typing import Any

from scrapy.contracts import Contract


class SiteUrlContract(Contract):
    """``@site_url /path``: the request's URL is the spider's base URL plus the path.

    The spider gives its base URL as ``urls.base`` (see spiders/ntdtv.py).
    """

    name = "site_url"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        spider = args["callback"].__self__  # the bound callback the contract is on
        (path,) = self.args
        args["url"] = spider.urls.base + path
        return args
