"""QR codes decoded by a real decoder (zxing-cpp), at the size the page shows."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from goodnews_scraper.conversion.qr_code import BOX_SIZE, qr_png


def decode(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/OWNER/REPO/blob/main/pages/prog204/a103124021.md",
        "https://example.org/m/pages/news-china/a1.md",
        "https://www.ntdtv.com/gb/2012/10/17/a789012.html",
        "https://github.com/a-very-long-owner-name/a-very-long-repository-name/blob/main/"
        "pages/prog1699/a999999999.md",
        "https://mirror.example/页面/a1.md",
    ],
)
def test_codes_decode_to_their_url(url: str) -> None:
    assert decode(qr_png(url)) == [url]


def test_code_is_a_small_one_bit_png() -> None:
    png = qr_png("https://github.com/OWNER/REPO/blob/main/pages/prog204/a103124021.md")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.mode == "1"
    assert image.width == image.height
    assert image.width % BOX_SIZE == 0
    assert len(png) <= 500  # the benchmark's target for a page URL


def test_same_url_gives_same_bytes() -> None:
    url = "https://example.org/pages/prog204/a1.md"
    assert qr_png(url) == qr_png(url)
    assert qr_png(url) != qr_png(url + "x")
