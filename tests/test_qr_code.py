"""QR codes decoded at the size the page shows, by two independent real decoders."""

from __future__ import annotations

import io
import random
import string
from collections.abc import Callable

import pytest
from PIL import Image, ImageOps

from goodnews_scraper.conversion.qr_code import BORDER, BOX_SIZE, qr_png
from tests.qr_decoders import zbar_decode, zxing_decode

URLS = [
    "https://github.com/OWNER/REPO/blob/main/pages/prog204/a103124021.md",
    "https://example.org/m/pages/news-china/a1.md",
    "https://www.ntdtv.com/gb/2012/10/17/a789012.html",
    "https://github.com/a-very-long-owner-name/a-very-long-repository-name/blob/main/"
    "pages/prog1699/a999999999.md",
    "https://mirror.example/页面/a1.md",
    "HTTPS://EXAMPLE.ORG/PAGES/A1",  # fits QR's alphanumeric mode
]


def random_urls(count: int, seed: int = 7) -> list[str]:
    """Page URLs of every length a mirror makes, some with non-ASCII folders."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "-_.~%"
    urls = []
    for n in range(count):
        owner = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        folder = "新闻" if n % 5 == 0 else f"prog{rng.randint(1, 9999)}"
        urls.append(f"https://github.com/{owner}/m/blob/main/pages/{folder}/a{n}.md")
    return urls


DECODERS = pytest.mark.parametrize("decode", [zxing_decode, zbar_decode], ids=["zxing", "zbar"])


@DECODERS
@pytest.mark.parametrize("url", URLS)
def test_codes_decode_to_their_url(decode: Callable[[bytes], list[str]], url: str) -> None:
    assert decode(qr_png(url)) == [url]


@DECODERS
def test_many_codes_decode(decode: Callable[[bytes], list[str]]) -> None:
    """ZBar reads non-ASCII URLs right only if the code says UTF-8 (an ECI segment)."""
    for url in random_urls(300):
        assert decode(qr_png(url)) == [url], url


def test_code_is_a_small_one_bit_png_with_its_quiet_zone() -> None:
    png = qr_png("https://github.com/OWNER/REPO/blob/main/pages/prog204/a103124021.md")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.mode == "1"
    assert image.width == image.height
    assert image.width % BOX_SIZE == 0
    assert len(png) <= 500  # the benchmark's target for a page URL
    margin = BORDER * BOX_SIZE
    # The finder patterns (dark) start right after the quiet zone, on every side.
    dark = ImageOps.invert(image.convert("L")).getbbox()
    assert dark == (margin, margin, image.width - margin, image.height - margin)


def test_box_size_scales_the_code() -> None:
    url = "https://example.org/pages/prog204/a1.md"
    small, large = (Image.open(io.BytesIO(qr_png(url, box_size))) for box_size in (2, 4))
    assert large.width == 2 * small.width


def test_same_url_gives_same_bytes() -> None:
    url = "https://example.org/pages/prog204/a1.md"
    assert qr_png(url) == qr_png(url)
    assert qr_png(url) != qr_png(url + "x")


@pytest.mark.parametrize("data", ["", "x" * 3000])
def test_what_no_code_can_hold_is_a_clear_error(data: str) -> None:
    with pytest.raises(ValueError):
        qr_png(data)
