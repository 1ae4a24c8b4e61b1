"""Two real QR decoders, zxing-cpp's and ZBar's, which share no code with each other
or with the qrcode library that draws the mirror's codes.

ZBar needs Debian's ``libzbar0``, which
``.ci/run`` installs; where it is missing the ZBar checks skip, unless
``GOODNEWS_TESTS_NEED_ZBAR=1`` (set by CI) makes that a failure.
"""

from __future__ import annotations

import io
import os

import pytest
import zxingcpp
from PIL import Image

try:
    from pyzbar import pyzbar
except ImportError as missing:  # pyzbar is installed, but libzbar0 is not
    pyzbar = None
    ZBAR_MISSING = str(missing)
else:
    ZBAR_MISSING = ""


def zxing_decode(png: bytes) -> list[str]:
    """Every QR code zxing-cpp finds in the image, as text.

    Only QR codes: asked for every format, it now and then also "finds" a
    one-dimensional barcode (four digits) in a QR code's modules.
    """
    image = Image.open(io.BytesIO(png))
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in results]


def zbar_decode(png: bytes) -> list[str]:
    """Every QR code ZBar finds in the image, as text (read as UTF-8)."""
    if pyzbar is None:
        if os.environ.get("GOODNEWS_TESTS_NEED_ZBAR") == "1":
            pytest.fail(f"ZBar is needed here and cannot load: {ZBAR_MISSING}")
        pytest.skip(f"ZBar is not installed (apt-get install libzbar0): {ZBAR_MISSING}")
    image = Image.open(io.BytesIO(png)).convert("L")
    symbols = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [symbol.data.decode("utf-8") for symbol in symbols]
