"""QR codes decoded at the size the page shows, by two independent real decoders."""

from __future__ import annotations

import io
import random
import string
from collections.abc import Callable
from urllib.parse import unquote

import pytest
import zxingcpp
from PIL import Image, ImageOps

from goodnews_scraper.conversion.qr_code import BORDER, BOX_SIZE, iri_to_uri, qr_png
from tests.qr_decoders import zbar_decode, zxing_decode

URLS = [
    "https://github.com/OWNER/REPO/blob/main/pages/prog204/a103124021.md",
    "https://example.org/m/pages/news-china/a1.md",
    "https://www.ntdtv.com/gb/2012/10/17/a789012.html",
    "https://github.com/a-very-long-owner-name/a-very-long-repository-name/blob/main/"
    "pages/prog1699/a999999999.md",
    "https://mirror.example/页面/a1.md",
    "https://github.com/OWNER/新唐人镜像/blob/main/pages/prog204/a103124021.md",
    "https://github.com/OWNER/REPO/blob/main/pages/新闻/a103124021.md",
    "HTTPS://EXAMPLE.ORG/PAGES/A1",  # fits QR's alphanumeric mode
]
#: Page URLs as a mirror makes them, with a non-ASCII repository or section folder.
TYPICAL_PAGE_URLS = [
    "https://github.com/OWNER/REPO/blob/main/pages/prog204/a103124021.md",
    "https://github.com/begood0513/goodnews/blob/main/pages/prog1699/a103124021.md",
    "https://github.com/OWNER/REPO/blob/main/pages/news-china/a103124021.md",
    "https://github.com/OWNER/镜像/blob/main/pages/prog204/a103124021.md",
    "https://github.com/OWNER/REPO/blob/main/pages/新闻/a103124021.md",
]


def random_urls(count: int, seed: int = 7) -> list[str]:
    """Page URLs of every length a mirror makes, some with non-ASCII repositories or folders."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "-_.~%"
    urls = []
    for n in range(count):
        owner = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        repo = "镜像" if n % 7 == 0 else "m"
        folder = "新闻" if n % 5 == 0 else f"prog{rng.randint(1, 9999)}"
        urls.append(f"https://github.com/{owner}/{repo}/blob/main/pages/{folder}/a{n}.md")
    return urls


DECODERS = pytest.mark.parametrize("decode", [zxing_decode, zbar_decode], ids=["zxing", "zbar"])


@DECODERS
@pytest.mark.parametrize("url", URLS)
def test_codes_decode_to_their_url(decode: Callable[[bytes], list[str]], url: str) -> None:
    assert decode(qr_png(url)) == [iri_to_uri(url)]


@DECODERS
def test_many_codes_decode(decode: Callable[[bytes], list[str]]) -> None:
    for url in random_urls(300):
        assert decode(qr_png(url)) == [iri_to_uri(url)], url


def test_codes_hold_plain_ascii_without_an_eci_segment() -> None:
    """Symbology identifier ]Q1 is a QR code without ECI; ]Q2 would name a character set."""
    for url in URLS:
        image = Image.open(io.BytesIO(qr_png(url)))
        (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert code.symbology_identifier == "]Q1", url
        assert code.bytes.isascii(), url


@pytest.mark.parametrize("url", TYPICAL_PAGE_URLS)
def test_code_is_a_small_one_bit_png_with_its_quiet_zone(url: str) -> None:
    png = qr_png(url)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.mode == "1"
    assert image.width == image.height
    assert image.width % BOX_SIZE == 0
    assert len(png) <= 500
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


@pytest.mark.parametrize("data", ["", "x" * 3000], ids=["empty", "too_long"])
def test_what_no_code_can_hold_is_a_clear_error(data: str) -> None:
    with pytest.raises(ValueError, match="QR code"):
        qr_png(data)


# --------------------------------------------------------------------------- IRI to URI
@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/OWNER/REPO/blob/main/pages/prog204/a103124021.md",
        "https://example.org/a%E9%A1%B5/b%2Fc?q=1&r=a+b#top",
        "https://user@example.org:8080/a;p=1/~x/(y)/[z]/!$'*,=",
        "HTTPS://EXAMPLE.ORG/PAGES/A1",
    ],
)
def test_an_ascii_uri_stays_as_it_is(url: str) -> None:
    assert iri_to_uri(url) == url


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        ("https://x.org/页面/a1.md", "https://x.org/%E9%A1%B5%E9%9D%A2/a1.md"),
        ("https://x.org/a b", "https://x.org/a%20b"),
        ('https://x.org/<a>"{b}|\\^`', "https://x.org/%3Ca%3E%22%7Bb%7D%7C%5C%5E%60"),
        ("https://x.org/100%/%zz/%4", "https://x.org/100%25/%25zz/%254"),
        ("https://x.org/%e9%a1%b5页", "https://x.org/%e9%a1%b5%E9%A1%B5"),
        ("https://x.org/?q=新闻#第2段", "https://x.org/?q=%E6%96%B0%E9%97%BB#%E7%AC%AC2%E6%AE%B5"),
        ("https://例子.cn/a", "https://%E4%BE%8B%E5%AD%90.cn/a"),
        ("https://x.org/é\t\n", "https://x.org/%C3%A9%09%0A"),
    ],
)
def test_non_ascii_and_unsafe_characters_are_escaped_as_utf8(iri: str, uri: str) -> None:
    assert iri_to_uri(iri) == uri


def test_the_escaped_uri_is_ascii_reads_back_as_the_iri_and_escapes_once() -> None:
    for url in [*URLS, *random_urls(50)]:
        uri = iri_to_uri(url)
        assert uri.isascii()
        assert iri_to_uri(uri) == uri
        if "%" not in url:
            assert unquote(uri) == url
